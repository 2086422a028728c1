"""/api/v1/incidents/{id}/containment/...: the DPO, after a password re-entry, contains."""

from __future__ import annotations

from fastapi.testclient import TestClient

from console.oversight_helpers import PASSWORD, bearer, staff_token
from exports.factory import BASE, household, record
from helpers import assert_error
from incidents.test_containment import incident_for, released
from voxkeep.exports.models import Export
from voxkeep.people.staff import get_staff
from voxkeep.vault import Vault


def fresh_dpo(vault: Vault, client: TestClient) -> dict[str, str]:
    headers = bearer(staff_token(vault, "dora", "dpo"))
    again = client.post(
        "/api/v1/staff/sessions/current/reauth", json={"password": PASSWORD}, headers=headers
    )
    assert again.status_code == 200, again.text
    return headers


def test_the_dpo_revokes_after_re_entering_the_password(vault: Vault, client: TestClient) -> None:
    _, request_id, export_id = released(vault)
    incident = incident_for(vault, request_id)
    url = f"/api/v1/incidents/{incident}/containment/revoke-answers"
    stale = bearer(staff_token(vault, "dana", "dpo"))
    refused = client.post(url, headers=stale)
    assert_error(refused, 403, "reauth_required")
    agent = bearer(staff_token(vault, "alex", "agent"))
    assert client.post(url, headers=agent).status_code == 403
    done = client.post(url, headers=fresh_dpo(vault, client))
    assert done.status_code == 200, done.text
    assert done.json() == {"exports": [export_id]}
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None and export.state == "revoked"


def test_suspend_reset_and_reassign_through_the_api(vault: Vault, client: TestClient) -> None:
    dpo = fresh_dpo(vault, client)
    staff_token(vault, "mallory", "agent")
    anna, _ = household(vault, "anna"), household(vault, "ben")
    record(vault, anna, "ben-1", at=BASE)
    incident = incident_for(vault)
    base = f"/api/v1/incidents/{incident}/containment"
    suspended = client.post(f"{base}/suspend-staff", json={"staff": "mallory"}, headers=dpo)
    assert suspended.status_code == 200 and suspended.json()["name"] == "mallory"
    assert get_staff(vault, "mallory").disabled_at is not None
    forced = client.post(f"{base}/force-password-reset", json={"account": "anna"}, headers=dpo)
    assert forced.status_code == 200 and forced.json()["sessions_ended"] == 0
    body = {"device": anna.devices[0], "since": "2024-03-01T00:00:00Z", "to_account": "ben"}
    moved = client.post(f"{base}/reassign-recordings", json=body, headers=dpo)
    assert moved.status_code == 200, moved.text
    assert moved.json()["moved"] == 1 and moved.json()["to_account"].startswith("account:")
    naive = client.post(
        f"{base}/reassign-recordings", json={**body, "since": "2024-03-01T00:00:00"}, headers=dpo
    )
    assert naive.status_code == 422
    missing = client.post(f"/api/v1/incidents/{'0' * 32}/containment/revoke-answers", headers=dpo)
    assert missing.status_code == 404
