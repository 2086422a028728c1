"""Deletion by the person through the API: one recording, a range, a device, everything."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from audit.audit_helpers import recording_names
from helpers import assert_error, iso, setup_account, stored_blobs, upload
from voxkeep.audit.events import AuditEvent
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault

NOW = datetime.now(UTC).replace(microsecond=0)


def at(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def recordings(client: TestClient) -> dict[str, datetime]:
    """acct-1: d1 at 1, 2, 3 days ago, d2 at 2 and 5 days ago; acct-2: one on d3."""
    setup_account(client, "acct-1", devices=("d1", "d2"))
    setup_account(client, "acct-2", devices=("d3",))
    plan = {
        "a": ("acct-1", "d1", at(1)),
        "b": ("acct-1", "d1", at(2)),
        "c": ("acct-1", "d1", at(3)),
        "d": ("acct-1", "d2", at(2)),
        "e": ("acct-1", "d2", at(5)),
        "x": ("acct-2", "d3", at(2)),
    }
    for rec_id, (account, device, when) in plan.items():
        response = upload(
            client, rec_id=rec_id, account=account, device=device, captured_at=iso(when)
        )
        assert response.status_code == 201, response.text
    return {rec_id: when for rec_id, (_, _, when) in plan.items()}


def remaining(vault: Vault) -> list[str]:
    with vault.reading() as session:
        return sorted(session.scalars(select(Recording.id)))


def deletion_events(vault: Vault) -> list[dict[str, Any]]:
    with vault.reading() as session:
        rows = session.scalars(
            select(AuditEvent.data).where(AuditEvent.action == "recording:deleted")
        )
        return [json.loads(data) for data in rows]


def test_one_recording(client: TestClient, vault: Vault, recordings: dict[str, datetime]) -> None:
    blobs = stored_blobs(vault.settings)
    response = client.delete("/api/v1/accounts/acct-1/recordings/b")
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["kind"] == "recording" and receipt["recording"] == "b"
    assert (receipt["deleted"], receipt["transcripts"], receipt["account"]) == (1, 1, "acct-1")
    assert datetime.fromisoformat(receipt["at"]) >= NOW
    assert remaining(vault) == ["a", "c", "d", "e", "x"]
    assert len(stored_blobs(vault.settings)) == len(blobs) - 1
    assert client.get("/api/v1/accounts/acct-1/recordings/b").status_code == 404
    [event] = deletion_events(vault)
    assert event["objects"]["recordings"] == recording_names(vault, "acct-1", ["b"])
    assert event["objects"]["deletion"] == "recording"
    assert event["counts"]["recordings"] == 1
    # Gone is gone; another account's recording is not this account's to delete.
    assert_error(client.delete("/api/v1/accounts/acct-1/recordings/b"), 404, "not_found")
    assert_error(client.delete("/api/v1/accounts/acct-1/recordings/x"), 404, "not_found")
    same = client.post(
        "/api/v1/accounts/acct-1/deletions", json={"kind": "recording", "recording": "a"}
    )
    assert same.json()["deleted"] == 1


def test_a_date_range_is_from_inclusive_to_exclusive(
    client: TestClient, vault: Vault, recordings: dict[str, datetime]
) -> None:
    body = {"kind": "range", "from": iso(recordings["c"]), "to": iso(recordings["a"])}
    response = client.post("/api/v1/accounts/acct-1/deletions", json=body)
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["kind"] == "range" and receipt["deleted"] == 3  # c, b, d; not a, not x
    assert datetime.fromisoformat(receipt["from"]) == recordings["c"]
    assert datetime.fromisoformat(receipt["to"]) == recordings["a"]
    assert remaining(vault) == ["a", "e", "x"]
    older = client.post(
        "/api/v1/accounts/acct-1/deletions", json={"kind": "range", "to": iso(at(4))}
    )
    assert older.json()["deleted"] == 1 and remaining(vault) == ["a", "x"]


def test_one_device(client: TestClient, vault: Vault, recordings: dict[str, datetime]) -> None:
    response = client.post(
        "/api/v1/accounts/acct-1/deletions", json={"kind": "device", "device": "d2"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["deleted"] == 2 and response.json()["device"] == "d2"
    assert remaining(vault) == ["a", "b", "c", "x"]
    # The device itself stays registered.
    assert (
        client.put(
            "/api/v1/accounts/acct-1/devices/d2", json={"kind": "speaker", "name": "K"}
        ).status_code
        == 200
    )
    foreign = client.post(
        "/api/v1/accounts/acct-1/deletions", json={"kind": "device", "device": "d3"}
    )
    assert_error(foreign, 404, "not_found")


def test_everything(client: TestClient, vault: Vault, recordings: dict[str, datetime]) -> None:
    vault.settings = vault.settings.model_copy(update={"retention_batch": 2})
    response = client.post("/api/v1/accounts/acct-1/deletions", json={"kind": "all"})
    assert response.status_code == 200, response.text
    assert response.json()["deleted"] == 5
    assert remaining(vault) == ["x"]
    assert [e["counts"]["recordings"] for e in deletion_events(vault)] == [2, 2, 1]
    # The account stays; erasing it is a different request.
    page = client.get("/api/v1/accounts/acct-1/recordings").json()
    assert page["items"] == []
    again = client.post("/api/v1/accounts/acct-1/deletions", json={"kind": "all"})
    assert again.json()["deleted"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "range"},
        {"kind": "range", "device": "d1", "to": "2026-01-01T00:00:00Z"},
        {"kind": "recording"},
        {"kind": "recording", "recording": "a", "device": "d1"},
        {"kind": "device"},
        {"kind": "all", "recording": "a"},
        {"kind": "range", "from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"kind": "range", "from": "2026-01-01T00:00:00"},  # no time zone
        {"kind": "everything"},
        {"kind": "all", "extra": 1},
    ],
)
def test_malformed_requests_are_refused(
    client: TestClient, vault: Vault, recordings: dict[str, datetime], body: dict[str, Any]
) -> None:
    assert_error(client.post("/api/v1/accounts/acct-1/deletions", json=body), 422, "invalid_input")
    assert len(remaining(vault)) == 6


def test_deleting_needs_the_delete_scope(
    client: TestClient, token: str, vault: Vault, recordings: dict[str, datetime]
) -> None:
    ingest_and_read = {"Authorization": f"Bearer {token}"}
    response = client.post(
        "/api/v1/accounts/acct-1/deletions", json={"kind": "all"}, headers=ingest_and_read
    )
    assert_error(response, 403, "forbidden")
    response = client.delete("/api/v1/accounts/acct-1/recordings/a", headers=ingest_and_read)
    assert_error(response, 403, "forbidden")
    response = client.post("/api/v1/accounts/acct-1/erasure", headers=ingest_and_read)
    assert_error(response, 403, "forbidden")
    assert_error(
        client.post("/api/v1/accounts/acct-1/erasure", headers={"Authorization": ""}),
        401,
        "unauthorized",
    )
    assert len(remaining(vault)) == 6


def test_unknown_account(client: TestClient) -> None:
    response = client.post("/api/v1/accounts/nobody/deletions", json={"kind": "all"})
    assert_error(response, 404, "not_found")
