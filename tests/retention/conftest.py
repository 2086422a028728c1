"""Fixtures for the retention tests: a client whose token may also delete."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from voxkeep.app import create_app
from voxkeep.tokens.service import Scope, create_token
from voxkeep.vault import Vault


@pytest.fixture
def delete_token(vault: Vault) -> str:
    with vault.transaction() as session:
        _, value = create_token(
            session,
            name="retention-tests",
            scopes=[Scope.INGEST, Scope.READ, Scope.DELETE],
            actor="system",
        )
    return value


@pytest.fixture
def client(vault: Vault, delete_token: str) -> Iterator[TestClient]:
    with TestClient(create_app(vault), raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {delete_token}"
        yield test_client
