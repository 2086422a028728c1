"""Every error, also those raised before a route runs (routing, unreadable bodies,
validation), comes in the documented body with a plain message and a hint."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from helpers import setup_account, upload
from staff_totp import api_sign_in
from voxkeep.people import staff
from voxkeep.vault import Vault

PRIVATE = "Erika Mustermann"  # stands for input that may be personal data


def documented(response: Any, status: int, code: str) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert response.status_code == status, response.text
    assert set(body) == {"ok", "error", "hint", "code", "status"}, body
    assert body["ok"] is False and body["status"] == status and body["code"] == code
    assert body["error"] and body["hint"], body
    for internal in ("detail", "body.", "JSON decode", "Input should", "loc", PRIVATE):
        assert internal not in body["error"], body
    return body


def test_an_unknown_path_answers_the_documented_404(client: TestClient) -> None:
    documented(client.get("/api/v1/nowhere"), 404, "not_found")
    documented(client.post("/api/v2/accounts"), 404, "not_found")


def test_a_wrong_method_answers_405_naming_every_method_of_the_path(client: TestClient) -> None:
    response = client.patch("/api/v1/accounts/acct-1/devices/dev-1")
    body = documented(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "PUT, DELETE"
    assert "PATCH" in body["error"] and "PUT, DELETE" in body["hint"]
    response = client.delete("/api/v1/accounts/acct-1/recordings")
    documented(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"


def test_a_body_that_is_not_json_answers_400(client: TestClient) -> None:
    for raw in (b"{not json", b"\x00", b'{"language": "de"'):
        response = client.put(
            "/api/v1/accounts/acct-1", content=raw, headers={"content-type": "application/json"}
        )
        body = documented(response, 400, "invalid_json")
        assert body["error"] == "The body is not valid JSON."


def test_validation_names_fields_in_plain_words_never_their_input(client: TestClient) -> None:
    setup_account(client)
    response = client.put(
        "/api/v1/accounts/acct-1/devices/dev-1",
        json={"kind": PRIVATE, "name": "", "registered_at": PRIVATE, "colour": PRIVATE},
    )
    body = documented(response, 422, "invalid_input")
    assert "`kind` must be one of 'speaker', 'tv', 'phone', 'car' or 'other'." in body["error"]
    assert "`name` must be at least 1 characters." in body["error"]
    assert "`registered_at` must be an ISO 8601 date and time with a time zone" in body["error"]
    assert "`colour` is not a field this call takes." in body["error"]
    body = documented(client.put("/api/v1/accounts/acct-1", content=b"a=b"), 422, "invalid_input")
    assert body["error"] == "The body must be a JSON object."
    body = documented(
        client.get("/api/v1/accounts/acct-1/recordings?limit=0"), 422, "invalid_input"
    )
    assert body["error"] == "The query parameter `limit` must be at least 1."
    body = documented(client.get("/api/v1/accounts/a%20b/recordings"), 422, "invalid_input")
    assert body["error"].startswith("`account_id` in the path must be 1–128 characters")


def test_upload_metadata_problems_name_the_metadata_field(client: TestClient) -> None:
    setup_account(client)
    meta = {"id": "rec-1", "account": "acct-1", "device": "dev-1", "language": PRIVATE}
    body = documented(upload(client, metadata=json.dumps(meta).encode()), 422, "invalid_input")
    assert "The metadata's `captured_at` is required." in body["error"]
    assert "The metadata's `language` must be one of 'en', 'de' or 'fr'." in body["error"]
    body = documented(upload(client, metadata=b"[1, 2"), 422, "invalid_input")
    assert body["error"] == "The metadata is not valid JSON."
    body = documented(upload(client, metadata=b"[1, 2]"), 422, "invalid_input")
    assert body["error"] == "The metadata must be a JSON object."


def test_pages_outside_the_api_get_an_html_error_for_browsers(client: TestClient) -> None:
    response = client.get("/portal/nowhere", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is nothing at this address." in response.text
    documented(
        client.get("/portal/nowhere", headers={"accept": "application/json"}), 404, "not_found"
    )
    api = client.get("/api/v1/nowhere", headers={"accept": "text/html"})
    documented(api, 404, "not_found")


def test_control_bytes_in_ids_and_names_answer_422_not_500(
    client: TestClient, vault: Vault
) -> None:
    """PostgreSQL refuses NUL in text: such input must stop at the boundary on both."""
    password = "correct horse battery staple"
    staff.add_staff(vault, name="adm", roles=["admin", "agent"], actor="system", password=password)
    signed = api_sign_in(client, "adm", password)
    auth = {"Authorization": f"Bearer {signed.json()['token']}"}
    body = documented(
        client.post("/api/v1/staff/sessions", json={"name": "a\x00b", "password": password}),
        422,
        "invalid_input",
    )
    assert body["error"].startswith("`name` must be 1–64 characters")
    for response in (
        client.post("/api/v1/staff/a%00b/disable", headers=auth),
        client.get("/api/v1/requests/a%00b", headers=auth),
        client.get("/api/v1/accounts/a%00b/recordings"),
    ):
        documented(response, 422, "invalid_input")
