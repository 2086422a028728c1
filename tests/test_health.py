"""/healthz: a node answers 200 only while its database and its blob store answer.

The failing parts are real: a database URL whose port nobody listens on, a
bucket the S3 server does not have (or a blob directory that cannot exist).
The 503 names the part that failed and nothing of its settings.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from helpers import assert_error
from s3_server import S3Server
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.storage.blobs import BlobStore, LocalBlobStore
from voxkeep.vault import Vault

CLOSED_PORT_URL = "postgresql+psycopg://voxkeep:hunter2-secret@127.0.0.1:9/nothing"


def _health(vault: Vault) -> TestClient:
    return TestClient(create_app(vault, jobs=False), raise_server_exceptions=False)


def _broken_store(settings: Settings, request: pytest.FixtureRequest) -> BlobStore:
    if settings.s3_bucket is None:
        return LocalBlobStore(Path("/nonexistent-voxkeep") / "data" / "blobs")
    from voxkeep.storage.s3 import store_from_settings

    server: S3Server = request.getfixturevalue("s3_server")
    return store_from_settings(
        Settings(data_dir=settings.data_dir, **(server.overrides() | {"s3_bucket": "no-such"}))
    )


def test_a_healthy_node_says_what_it_checked(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "database": "ok", "blobs": "ok"}


def test_a_database_that_does_not_answer_is_a_503_naming_it(vault: Vault) -> None:
    broken = replace(
        vault, engine=create_engine(CLOSED_PORT_URL, connect_args={"connect_timeout": 2})
    )
    with _health(broken) as client:
        body = assert_error(client.get("/healthz"), 503, "unhealthy")
    assert "database" in body["error"] and "blobs" not in body["error"]
    assert "hunter2" not in str(body) and "127.0.0.1" not in str(body)


def test_a_blob_store_that_does_not_answer_is_a_503_naming_it(
    vault: Vault, request: pytest.FixtureRequest
) -> None:
    broken = replace(vault, blobs=_broken_store(vault.settings, request))
    with _health(broken) as client:
        body = assert_error(client.get("/healthz"), 503, "unhealthy")
    assert "blobs" in body["error"] and "database" not in body["error"]
    for secret in ("no-such", "nonexistent", "127.0.0.1"):
        assert secret not in str(body)
    if vault.settings.s3_secret_access_key is not None:
        assert vault.settings.s3_secret_access_key.get_secret_value() not in str(body)


def test_both_failing_are_both_named(vault: Vault, request: pytest.FixtureRequest) -> None:
    broken = replace(
        vault,
        engine=create_engine(CLOSED_PORT_URL, connect_args={"connect_timeout": 2}),
        blobs=_broken_store(vault.settings, request),
    )
    with _health(broken) as client:
        body = assert_error(client.get("/healthz"), 503, "unhealthy")
    assert "database and blobs failed" in body["error"]
