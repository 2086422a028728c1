"""The staff's audit routes: search by logged id (GET) or operator id (POST), newest verify."""

from __future__ import annotations

from fastapi.testclient import TestClient

from console.oversight_helpers import bearer, staff_token
from retention.seeding import register
from voxkeep.audit.verifications import verify_and_record
from voxkeep.vault import Vault


def test_the_dpo_searches_by_action_and_logged_id_newest_first(
    vault: Vault, client: TestClient
) -> None:
    dpo = bearer(staff_token(vault, "dpo", "dpo"))
    staff_id = client.get("/api/v1/staff", headers=dpo).json()[0]["id"]
    page = client.get(
        "/api/v1/audit/events",
        params={"action": "staff:added", "object": staff_id, "limit": 5},
        headers=dpo,
    )
    assert page.status_code == 200, page.text
    [event] = page.json()["events"]
    assert event["action"] == "staff:added" and f'"staff":"{staff_id}"' in event["data"]
    assert page.json()["older"] is None
    bad = client.get("/api/v1/audit/events", params={"action": "nope"}, headers=dpo)
    assert bad.status_code == 422


def test_an_operator_id_is_posted_and_found_by_its_pseudonym(
    vault: Vault, client: TestClient
) -> None:
    register(vault, "haushalt-mueller", devices=["kueche"])
    admin = bearer(staff_token(vault, "root", "admin"))
    found = client.post(
        "/api/v1/audit/events/search",
        json={"object_kind": "device", "object": "kueche"},
        headers=admin,
    )
    assert found.status_code == 200, found.text
    [event] = found.json()["events"]
    assert event["action"] == "device:registered" and "kueche" not in event["data"]
    missing = client.post(
        "/api/v1/audit/events/search",
        json={"object_kind": "member", "object": "nobody"},
        headers=admin,
    )
    assert missing.status_code == 404


def test_the_newest_verify_result_and_who_may_see_it(vault: Vault, client: TestClient) -> None:
    dpo = bearer(staff_token(vault, "dpo", "dpo"))
    assert client.get("/api/v1/audit/verification", headers=dpo).json() is None
    verify_and_record(vault)
    run = client.get("/api/v1/audit/verification", headers=dpo).json()
    assert (run["intact"], run["checkpoints"], run["first_bad_event"]) == (True, 0, None)
    agent = bearer(staff_token(vault, "agent", "agent"))
    for path in ("/api/v1/audit/verification", "/api/v1/audit/events"):
        assert client.get(path, headers=agent).status_code == 403
    assert (
        client.post(
            "/api/v1/audit/events/search",
            json={"object_kind": "logged", "object": "x"},
            headers=agent,
        ).status_code
        == 403
    )
