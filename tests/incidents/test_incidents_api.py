"""/api/v1/incidents: the list with clocks and the evidence, for the DPO and admins only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from console.oversight_helpers import bearer, staff_token
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import open_incident
from voxkeep.vault import Vault


@pytest.fixture
def incident(vault: Vault) -> str:
    with vault.transaction() as session:
        opened = open_incident(
            vault,
            session,
            kind=IncidentKind.NOT_MY_DATA,
            request_id="r" * 32,
            details={"export": "e" * 32, "account": "account:abc", "downloads": [{"id": "d"}]},
            actor="account:abc",
        )
        return opened.id


def test_the_dpo_sees_the_list_and_the_evidence(
    vault: Vault, client: TestClient, incident: str
) -> None:
    dpo = bearer(staff_token(vault, "dpo", "dpo"))
    listed = client.get("/api/v1/incidents", headers=dpo)
    assert listed.status_code == 200, listed.text
    [row] = listed.json()
    assert (row["id"], row["kind"], row["overdue"]) == (incident, "not_my_data", False)
    assert row["hours_left"] in (71, 72)  # opened a moment ago
    shown = client.get(f"/api/v1/incidents/{incident}", headers=dpo).json()
    assert (shown["export_id"], shown["account"], shown["downloads"]) == (
        "e" * 32,
        "account:abc",
        1,
    )
    assert [e["action"] for e in shown["events"]] == ["incident:opened"]
    assert client.get(f"/api/v1/incidents/{'0' * 32}", headers=dpo).status_code == 404


@pytest.mark.parametrize("role", ["agent", "approver"])
def test_other_roles_and_strangers_are_refused(
    vault: Vault, client: TestClient, incident: str, role: str
) -> None:
    member = bearer(staff_token(vault, role, role))
    assert client.get("/api/v1/incidents", headers=member).status_code == 403
    assert client.get(f"/api/v1/incidents/{incident}", headers=member).status_code == 403
    client.headers.pop("Authorization")
    assert client.get("/api/v1/incidents").status_code == 401


def test_the_dpo_works_the_register_through_the_api(
    vault: Vault, client: TestClient, incident: str
) -> None:
    from factory import household

    household(vault, "ben")
    dpo = bearer(staff_token(vault, "dpo", "dpo"))
    base = f"/api/v1/incidents/{incident}"
    future = client.post(
        f"{base}/awareness",
        json={"aware_at": "2999-01-01T00:00:00Z", "reason": "x"},
        headers=dpo,
    )
    assert future.status_code == 422 and "future" in future.json()["error"]
    aware = client.post(
        f"{base}/awareness",
        json={"aware_at": "2026-01-01T08:00:00Z", "reason": "Seen in the logs"},
        headers=dpo,
    )
    assert aware.status_code == 200, aware.text
    assert aware.json()["overdue"] is True
    assessed = client.post(
        f"{base}/assessment",
        json={"risk": "high", "reason": "Intimate recordings", "nature": "Sent to a stranger"},
        headers=dpo,
    ).json()
    assert (assessed["state"], assessed["risk"]) == ("assessed", "high")
    assert assessed["assessment"]["nature"] == "Sent to a stranger"
    assert assessed["next_states"] == ["authority_notified"]
    added = client.post(
        f"{base}/affected", json={"account": "ben", "reason": "He called"}, headers=dpo
    )
    assert added.status_code == 201, added.text
    [person] = added.json()["affected"]
    assert (person["source"], person["reason"]) == ("added", "He called")
    assert client.post(f"{base}/affected/derivation", headers=dpo).status_code == 409
    refused = client.post(f"{base}/closure", json={"reason": "done"}, headers=dpo)
    assert refused.status_code == 409 and "Art. 34" in refused.json()["hint"]
    timeline = client.get(base, headers=dpo).json()["timeline"]
    assert [e["action"] for e in timeline] == ["opened", "aware", "assessed", "affected_added"]


def test_admins_cannot_act_through_the_api(vault: Vault, client: TestClient, incident: str) -> None:
    admin = bearer(staff_token(vault, "admin", "admin"))
    refused = client.post(
        f"/api/v1/incidents/{incident}/assessment",
        json={"risk": "high", "reason": "x"},
        headers=admin,
    )
    assert refused.status_code == 403
    assert client.get(f"/api/v1/incidents/{incident}", headers=admin).json()["state"] == "open"
