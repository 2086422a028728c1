"""Fixtures for the audit log: a vault that did real work, and direct SQL to tamper with it."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from audit_helpers import EMAIL, MEMBER_NAME, TRANSCRIPT, Busy
from fastapi.testclient import TestClient

from helpers import make_wav, setup_account, upload
from voxkeep.app import create_app
from voxkeep.audit.log import write_checkpoint
from voxkeep.config import Settings
from voxkeep.tokens.service import Scope, create_token, revoke_token
from voxkeep.vault import Vault, open_vault, rotate_master_key


def _ok(response: Any) -> None:
    assert response.status_code in (200, 201), response.text


def _work(client: TestClient, account: str, devices: tuple[str, ...], first: int) -> None:
    setup_account(client, account, devices)
    for n in range(first, first + 3):
        _ok(
            upload(
                client,
                rec_id=f"rec-{n}",
                account=account,
                device=devices[0],
                audio=make_wav(0.1, seed=n),
                transcript=TRANSCRIPT,
            )
        )
    base = f"/api/v1/accounts/{account}/recordings"
    _ok(client.get(base))
    _ok(client.get(f"{base}/rec-{first}"))
    _ok(client.get(f"{base}/rec-{first}/transcript"))
    _ok(client.get(f"{base}/rec-{first}/audio"))


def _busy(vault: Vault, client: TestClient) -> Busy:
    with vault.transaction() as session:
        _, value = create_token(session, name="auditor", scopes=[Scope.AUDIT], actor="system")
    _work(client, "acct-1", ("dev-1", "dev-2"), 0)
    _ok(client.put("/api/v1/accounts/acct-1", json={"email": EMAIL}))
    _ok(client.put("/api/v1/accounts/acct-1/members/m-1", json={"name": MEMBER_NAME}))
    first = write_checkpoint(vault)
    _work(client, "acct-2", ("dev-3",), 10)
    _ok(client.delete("/api/v1/accounts/acct-1/devices/dev-2"))
    with vault.transaction() as session:
        info, _ = create_token(session, name="spare", scopes=[Scope.READ], actor="system")
        revoke_token(session, info.id, actor="system")
    second = write_checkpoint(vault)
    rotate_master_key(vault)
    for n in (0, 1, 2):
        _ok(client.get(f"/api/v1/accounts/acct-1/recordings/rec-{n}/transcript"))
    third = write_checkpoint(vault)
    _ok(client.get("/api/v1/accounts/acct-2/recordings"))
    _ok(client.get("/api/v1/accounts/acct-2/recordings/rec-10"))
    assert first is not None and second is not None and third is not None
    return Busy(
        vault,
        client,
        (first.size, second.size, third.size),
        third.size + 2,
        {"Authorization": f"Bearer {value}"},
    )


@pytest.fixture
def busy(vault: Vault, client: TestClient) -> Busy:
    """A busy vault of the test's own, to tamper with."""
    return _busy(vault, client)


@pytest.fixture(scope="module")
def shared_busy(template: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Busy]:
    """One busy vault for a module's read-only tests: a database copy costs more than a test."""
    data_dir = tmp_path_factory.mktemp("busy") / "data"
    shutil.copytree(template.data_dir, data_dir)
    database = None
    if template.database_url is not None:
        source = template.database_url.get_secret_value().rsplit("/", 1)[1]
        database = f"voxkeep_busy_{uuid.uuid4().hex[:12]}"
        _pg_admin(f'CREATE DATABASE "{database}" TEMPLATE "{source}"')
        url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{database}"
        settings = Settings(data_dir=data_dir, database_url=url, fsync=False)
    else:
        settings = Settings(data_dir=data_dir, fsync=False)
    vault = open_vault(settings)
    with vault.transaction() as session:
        _, value = create_token(
            session, name="tests", scopes=[Scope.INGEST, Scope.READ], actor="system"
        )
    try:
        with TestClient(create_app(vault), raise_server_exceptions=False) as client:
            client.headers["Authorization"] = f"Bearer {value}"
            yield _busy(vault, client)
    finally:
        vault.close()
        if database is not None:
            _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


PG_ADMIN = os.environ.get("VOXKEEP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin(statement: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(statement.encode())


@pytest.fixture
def audit_headers(vault: Vault) -> dict[str, str]:
    with vault.transaction() as session:
        _, value = create_token(session, name="auditor", scopes=[Scope.AUDIT], actor="system")
    return {"Authorization": f"Bearer {value}"}
