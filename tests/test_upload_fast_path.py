"""Uploads skip the framework's layers (app.UploadFastPath) and behave exactly as a route."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpers import assert_error, setup_account, upload
from voxkeep import app as app_module
from voxkeep.errors import Forbidden, Unauthorized
from voxkeep.recordings import service as recordings
from voxkeep.tokens.service import Scope, create_token
from voxkeep.vault import Vault
from voxkeep.web import deps


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def access_lines() -> Iterator[list[str]]:
    logger = logging.getLogger("voxkeep.access")
    handler, level = _Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_an_upload_takes_the_fast_path_and_is_logged_by_its_template(
    client: TestClient, access_lines: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_account(client)
    calls: list[str] = []
    handler = app_module.upload_recording

    async def counted(request: Any) -> Any:
        calls.append(request.url.path)
        return await handler(request)

    monkeypatch.setattr(app_module, "upload_recording", counted)
    assert upload(client).status_code == 201
    assert calls == ["/api/v1/recordings"]
    assert access_lines[-1].startswith("POST /api/v1/recordings 201 ")
    assert upload(client).status_code == 200  # the same upload again: idempotent
    assert access_lines[-1].startswith("POST /api/v1/recordings 200 ")


def test_errors_on_the_fast_path_are_the_usual_json_bodies(
    client: TestClient, access_lines: list[str]
) -> None:
    setup_account(client)
    body = assert_error(upload(client, device="no-such-device"), 422, "invalid_input")
    assert "not registered" in body["error"]
    assert access_lines[-1].startswith("POST /api/v1/recordings 422 ")
    anonymous = client.post(
        "/api/v1/recordings", headers={"Authorization": ""}, files={"x": ("a", b"b")}
    )
    assert_error(anonymous, 401, "unauthorized")


def test_an_unexpected_failure_is_a_plain_500(
    client: TestClient, access_lines: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_account(client)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret-detail-of-the-failure")

    monkeypatch.setattr(recordings, "submit_ingest", broken)
    response = upload(client)
    body = assert_error(response, 500, "internal_error")
    assert "secret-detail" not in response.text
    assert body["error"] == "Something went wrong inside voxkeep."
    assert access_lines[-1].startswith("POST /api/v1/recordings 500 ")


def test_other_methods_on_the_upload_path_go_through_the_router(client: TestClient) -> None:
    assert client.get("/api/v1/recordings").status_code == 405
    spec = client.get("/api/openapi.json").json()
    assert "post" in spec["paths"]["/api/v1/recordings"]


def test_a_batch_of_token_checks_answers_each_request(vault: Vault) -> None:
    with vault.transaction() as session:
        _, reader = create_token(session, name="reader", scopes=[Scope.READ], actor="system")
        _, ingester = create_token(session, name="ingest", scopes=[Scope.INGEST], actor="system")
    checks = [
        deps._TokenCheck(vault, ingester, Scope.INGEST),
        deps._TokenCheck(vault, "vk_nothing_valid", Scope.INGEST),
        deps._TokenCheck(vault, reader, Scope.INGEST),
        deps._TokenCheck(vault, ingester, Scope.INGEST),
        deps._TokenCheck(vault, "vk_nothing_valid", Scope.INGEST),
        deps._TokenCheck(vault, reader, Scope.READ),
    ]
    outcomes = deps._check_tokens(checks)
    assert [type(o).__name__ for o in outcomes] == [
        "TokenInfo",
        "Unauthorized",
        "Forbidden",
        "TokenInfo",
        "Unauthorized",
        "TokenInfo",
    ]
    assert isinstance(outcomes[1], Unauthorized) and isinstance(outcomes[2], Forbidden)
    assert outcomes[1] is not outcomes[4], "each request gets its own error"
    assert outcomes[0] == outcomes[3]
