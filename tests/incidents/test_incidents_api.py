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
