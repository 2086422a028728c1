"""The OpenAPI document declares the three ways in, and each operation lists the one its
route really takes: so /api/docs offers Authorize, and what it says is checked."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

OPERATOR = [{"operatorToken": []}]
PERSON = [{"personSession": []}, {"personCookie": []}]
STAFF = [{"staffSession": []}, {"staffCookie": []}]
METRICS = [{"metricsToken": []}]  # VOXKEEP_METRICS_TOKEN; /metrics is off without it
PUBLIC = {
    ("post", "/api/v1/people/password"),
    ("post", "/api/v1/people/password-reset"),
    ("post", "/api/v1/people/password-reset/confirm"),
    ("post", "/api/v1/people/sessions"),
    ("post", "/api/v1/staff/sessions"),
    ("post", "/api/v1/staff/password"),
    ("post", "/api/v1/staff/totp/enrolment"),  # name and password in the body
    ("get", "/api/v1/exports/key"),
    ("get", "/api/v1/erasure-receipts/public-key"),
}


def expected(method: str, path: str) -> list[dict[str, list[str]]] | None:
    """Who each operation is for, from docs/api.md's tables."""
    if (method, path) in PUBLIC:
        return None
    if path == "/metrics":
        return METRICS
    person = (
        "/api/v1/me/",  # recordings, deletions, retention, incident notices (GET /me/notices)
        "/api/v1/requests/mine",
        "/api/v1/exports",
        "/api/v1/people/sessions",
        "/api/v1/people/two-step",
    )
    if path.startswith(person):
        return PERSON
    staff = (
        "/api/v1/staff",
        "/api/v1/requests",
        "/api/v1/incidents",
        "/api/v1/audit/events",
        "/api/v1/audit/verification",
        "/api/v1/retention/stats",
    )
    if path.startswith(staff):
        return STAFF
    return OPERATOR


def operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    document = client.get("/api/openapi.json").json()
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_the_document_declares_the_three_ways_in(client: TestClient) -> None:
    schemes = client.get("/api/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["operatorToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "vk_...",
        "description": schemes["operatorToken"]["description"],
    }
    assert schemes["personSession"]["scheme"] == schemes["staffSession"]["scheme"] == "bearer"
    assert schemes["personCookie"] == {**schemes["personCookie"], "in": "cookie"}
    assert schemes["personCookie"]["name"] == "voxkeep_session"
    assert schemes["staffCookie"]["name"] == "voxkeep_staff_session"
    assert schemes["metricsToken"]["scheme"] == "bearer"


def test_every_operation_lists_the_way_in_its_route_takes(client: TestClient) -> None:
    ops = operations(client)
    assert len(ops) > 40
    for method, path, operation in ops:
        assert operation.get("security") == expected(method, path), (method, path)


def test_the_listed_way_in_is_the_one_enforced(client: TestClient) -> None:
    """Without credentials, every operation that lists a scheme answers 401; the others
    do not ask for any."""
    del client.headers["Authorization"]
    for method, path, operation in operations(client):
        url = re.sub(r"\{[a-z_]+\}", "x1", path)
        response = client.request(method, url, json={})
        if operation.get("security"):
            assert response.status_code == 401, (method, path, response.text)
            assert "401" in operation["responses"]
        else:
            assert response.status_code != 401, (method, path, response.text)


def test_the_persons_incident_notices_take_a_person_session(client: TestClient) -> None:
    found = {(method, path): op for method, path, op in operations(client)}
    for path in ("/api/v1/me/notices", "/api/v1/me/notices/{notice_id}"):
        assert found[("get", path)]["security"] == PERSON, path


def test_the_notices_of_an_incident_are_for_staff(client: TestClient) -> None:
    # The DPO tells the people affected; the DPO and admins read who was told when.
    found = {(m, p): op for m, p, op in operations(client)}
    for method in ("post", "get"):
        operation = found[(method, "/api/v1/incidents/{incident_id}/notices")]
        assert operation.get("security") == STAFF
