"""/healthz: a node answers 200 only while its database and its blob store answer, and
says "degraded" (still 200) while the mail server is down or the job queue is behind.

The failing parts are real: a database URL whose port nobody listens on, a
bucket the S3 server does not have (or a blob directory that cannot exist), a
free-space threshold above the disk's real free space, an SMTP server that was
stopped, a job that has waited past the queue's threshold. The 503 names the
part that failed and nothing of its settings.
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from helpers import assert_error
from s3_server import S3Server
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.health import bucket_probe
from voxkeep.jobs.queue import enqueue
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
    assert response.json() == {
        "ok": True,
        "status": "ok",
        "database": "ok",
        "blobs": "ok",
        "mail": "ok",
        "queue": "ok",
        "queue_oldest_s": 0,
    }


def _unhealthy(response: Any) -> dict[str, Any]:
    """The 503: the error body (code unhealthy) with every part under "health"."""
    health = response.json().pop("health")
    body = assert_error(_Without(response, "health"), 503, "unhealthy")
    assert health["ok"] is False and health["status"] == "failed"
    return {**body, "health": health}


class _Without:
    """The response with one key dropped from its JSON, for assert_error."""

    def __init__(self, response: Any, key: str) -> None:
        self.status_code, self.headers, self.text = (
            response.status_code,
            response.headers,
            response.text,
        )
        self._body = {k: v for k, v in response.json().items() if k != key}

    def json(self) -> dict[str, Any]:
        return self._body


def test_a_database_that_does_not_answer_is_a_503_naming_it(vault: Vault) -> None:
    broken = replace(
        vault, engine=create_engine(CLOSED_PORT_URL, connect_args={"connect_timeout": 2})
    )
    with _health(broken) as client:
        body = _unhealthy(client.get("/healthz"))
    assert "database" in body["error"] and "blobs" not in body["error"]
    assert body["health"]["database"] == "failed" and body["health"]["blobs"] == "ok"
    assert body["health"]["queue"] == "unknown"
    assert "hunter2" not in str(body) and "127.0.0.1" not in str(body)


def test_a_blob_store_that_does_not_answer_is_a_503_naming_it(
    vault: Vault, request: pytest.FixtureRequest
) -> None:
    broken = replace(vault, blobs=_broken_store(vault.settings, request))
    with _health(broken) as client:
        body = _unhealthy(client.get("/healthz"))
    assert "blobs" in body["error"] and "database" not in body["error"]
    assert body["health"]["blobs"] == "failed" and body["health"]["database"] == "ok"
    # How it failed, by class or code: the bucket is missing (404), the directory unwritable.
    assert body["health"]["blobs_error"] in ("404", "NoSuchBucket", "StorageFailed")
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
        body = _unhealthy(client.get("/healthz"))
    assert "database and blobs failed" in body["error"]


def test_a_disk_with_less_free_space_than_the_threshold_is_a_503(vault: Vault) -> None:
    if vault.settings.s3_bucket is not None:
        pytest.skip("a bucket is checked for reachability only")
    free = shutil.disk_usage(vault.settings.data_dir).free
    full = replace(
        vault, settings=vault.settings.model_copy(update={"health_min_free_bytes": free * 2})
    )
    with _health(full) as client:
        body = _unhealthy(client.get("/healthz"))
    assert body["health"]["blobs"] == "full" and "blobs failed" in body["error"]
    roomy = replace(vault, settings=vault.settings.model_copy(update={"health_min_free_bytes": 1}))
    with _health(roomy) as client:
        assert client.get("/healthz").json()["blobs"] == "ok"


def test_a_mail_server_that_is_down_degrades_but_does_not_pull_the_node(
    vault: Vault, caplog: pytest.LogCaptureFixture
) -> None:
    sink = SmtpSink()
    sink.start()
    settings = vault.settings.model_copy(
        update={"smtp_host": sink.host, "smtp_port": sink.port, "health_mail_cache_s": 3600.0}
    )
    with _health(replace(vault, settings=settings)) as client:
        assert client.get("/healthz").json()["mail"] == "ok"
        sink.stop()
        cached = client.get("/healthz")  # within the cache: the last answer, no new connection
        assert cached.status_code == 200 and cached.json()["mail"] == "ok"
    uncached = settings.model_copy(update={"health_mail_cache_s": 0.0})
    with _health(replace(vault, settings=uncached)) as client:
        response = client.get("/healthz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["ok"], body["status"], body["mail"]) == (True, "degraded", "failed")
    assert (body["database"], body["blobs"]) == ("ok", "ok")
    assert any("SMTP server" in r.getMessage() for r in caplog.records)


def test_a_queue_whose_oldest_job_waited_too_long_is_degraded(vault: Vault) -> None:
    with vault.transaction() as session:
        enqueue(session, "test.waiting", {"n": 1}, run_after=utcnow() - timedelta(hours=2))
    with _health(vault) as client:
        body = client.get("/healthz").json()
    assert (body["ok"], body["status"], body["queue"]) == (True, "degraded", "behind")
    assert body["queue_oldest_s"] > vault.settings.health_queue_age_s


PROBE_TIMEOUT_S = 0.5


def _on_s3(vault: Vault, endpoint: str) -> Vault:
    """The vault with its blobs in a bucket at endpoint (which may not answer)."""
    from voxkeep.storage.s3 import store_from_settings

    values = dict(vault.settings) | {
        "s3_bucket": "vk-health",
        "s3_endpoint": endpoint,
        "s3_prefix": "",
        "s3_access_key_id": "health-key-id",
        "s3_secret_access_key": "health-secret-key",
        "health_s3_timeout_s": PROBE_TIMEOUT_S,
    }
    settings = Settings(**values)
    return replace(vault, settings=settings, blobs=store_from_settings(settings))


def _assert_probe_configured(vault: Vault) -> None:
    """The probe's client waits health_s3_timeout_s to connect and to read, and never retries
    (the store's own client keeps its retries for real work)."""
    from voxkeep.storage.s3 import S3BlobStore

    assert isinstance(vault.blobs, S3BlobStore)
    config = bucket_probe(vault, vault.blobs).client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (PROBE_TIMEOUT_S, PROBE_TIMEOUT_S)
    assert config.retries is not None and config.retries["total_max_attempts"] == 1
    assert vault.blobs.client.meta.config.retries != config.retries


def test_an_s3_endpoint_nobody_listens_on_is_a_503_naming_the_error(vault: Vault) -> None:
    with socket.socket() as gone:  # a loopback port that was free a moment ago: refused
        gone.bind(("127.0.0.1", 0))
        port = gone.getsockname()[1]
    dead = _on_s3(vault, f"http://127.0.0.1:{port}")
    _assert_probe_configured(dead)
    with _health(dead) as client:
        body = _unhealthy(client.get("/healthz"))
    assert "blobs failed" in body["error"] and body["health"]["database"] == "ok"
    assert (body["health"]["blobs"], body["health"]["blobs_error"]) == (
        "failed",
        "EndpointConnectionError",
    )
    for secret in ("vk-health", "127.0.0.1", str(port), "health-secret-key"):
        assert secret not in str(body)


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[socket.socket]]]:
    """A loopback server that accepts connections and never answers (a hung S3 server);
    every connection it accepted is listed."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.05)  # so that the accepting thread sees the end of the test
    accepted: list[socket.socket] = []
    stopping = threading.Event()

    def accept() -> None:
        while not stopping.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    stopping.set()
    thread.join(timeout=5)
    listener.close()
    for connection in accepted:
        connection.close()


def test_an_s3_server_that_never_answers_is_a_503_after_one_try(
    vault: Vault, silent_server: tuple[str, list[socket.socket]]
) -> None:
    endpoint, accepted = silent_server
    hung = _on_s3(vault, endpoint)
    _assert_probe_configured(hung)
    with _health(hung) as client:
        body = _unhealthy(client.get("/healthz"))
    assert (body["health"]["blobs"], body["health"]["blobs_error"]) == (
        "failed",
        "ReadTimeoutError",
    )
    assert len(accepted) == 1  # one HeadBucket, no retry
