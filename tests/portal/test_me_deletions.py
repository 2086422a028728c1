"""The person's own deletions and retention API: the session names the account, deleting
everything and changing retention need a fresh re-authentication, receipts are kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from portal_helpers import CLIPS, DAY, household, other_household
from sqlalchemy import func, select

from people.people_helpers import PASSWORD, bearer, sign_in, vault_with
from smtp_sink import SmtpSink
from voxkeep.accounts.models import Account, Retention
from voxkeep.config import Settings
from voxkeep.recordings.models import Recording
from voxkeep.retention import erasure
from voxkeep.retention.models import DeletionReceiptRow
from voxkeep.vault import Vault


@pytest.fixture
def anna(client: TestClient, mailbox: SmtpSink) -> dict[str, str]:
    household(client, mailbox, password=PASSWORD)
    return bearer(sign_in(client, "anna@example.org"))


@pytest.fixture
def ben(client: TestClient, mailbox: SmtpSink, anna: dict[str, str]) -> dict[str, str]:
    other_household(client, mailbox, password=PASSWORD)
    return bearer(sign_in(client, "ben@example.org"))


def stored(vault: Vault) -> set[str]:
    with vault.reading() as session:
        return set(session.scalars(select(Recording.id)))


def reauth(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/people/sessions/current/reauth", json={"password": PASSWORD}, headers=auth
    )
    assert response.status_code == 200, response.text


def delete(client: TestClient, auth: dict[str, str], **body: object) -> object:
    return client.post("/api/v1/me/deletions", json=body, headers=auth)


def test_deletes_one_own_recording_and_keeps_the_receipt(
    client: TestClient, vault: Vault, anna: dict[str, str]
) -> None:
    response = delete(client, anna, kind="recording", recording="rec-car-1")
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert (receipt["kind"], receipt["deleted"], receipt["transcripts"]) == ("recording", 1, 1)
    assert receipt["by"] == "you" and "rec-car-1" not in response.text
    assert stored(vault) == {"rec-kitchen-1", "rec-kitchen-2"}
    kept = client.get("/api/v1/me/deletions", headers=anna)
    assert kept.status_code == 200 and kept.headers["cache-control"] == "no-store"
    assert [r["id"] for r in kept.json()] == [receipt["id"]]
    one = client.get(f"/api/v1/me/deletions/{receipt['id']}", headers=anna)
    assert one.status_code == 200 and one.json()["deleted"] == 1


def test_another_persons_recording_cannot_be_deleted(
    client: TestClient, vault: Vault, anna: dict[str, str], ben: dict[str, str]
) -> None:
    before = stored(vault)
    response = delete(client, ben, kind="recording", recording="rec-car-1")
    assert response.status_code == 404
    assert "rec-car-1" not in response.text
    # A selection with one foreign id deletes nothing at all, not even Ben's own.
    mixed = delete(client, ben, kind="selection", recordings=["rec-hall-1", "rec-car-1"])
    assert mixed.status_code == 404
    assert stored(vault) == before
    assert client.get("/api/v1/me/deletions", headers=ben).json() == []
    # Nor can anyone read another's receipt.
    mine = delete(client, anna, kind="recording", recording="rec-car-1").json()
    assert client.get(f"/api/v1/me/deletions/{mine['id']}", headers=ben).status_code == 404


def test_a_selection_goes_together_with_one_receipt(
    client: TestClient, vault: Vault, anna: dict[str, str]
) -> None:
    response = delete(client, anna, kind="selection", recordings=["rec-kitchen-1", "rec-car-1"])
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert (receipt["kind"], receipt["asked"], receipt["deleted"]) == ("selection", 2, 2)
    assert stored(vault) == {"rec-kitchen-2"}
    assert len(client.get("/api/v1/me/deletions", headers=anna).json()) == 1


def test_range_and_device_deletions_and_their_preview(
    client: TestClient, vault: Vault, anna: dict[str, str]
) -> None:
    start = (DAY + timedelta(days=1)).replace(hour=0, minute=0).isoformat()
    end = (DAY + timedelta(days=3)).replace(hour=0, minute=0).isoformat()
    body = {"kind": "range", "from": start, "to": end}
    preview = client.post("/api/v1/me/deletions/preview", json=body, headers=anna)
    assert preview.status_code == 200 and preview.json()["recordings"] == 2
    assert stored(vault) == {c.id for c in CLIPS}  # a preview deletes nothing
    assert delete(client, anna, **body).json()["deleted"] == 2
    device = delete(client, anna, kind="device", device="dev-kitchen").json()
    assert (device["device"], device["deleted"]) == ("dev-kitchen", 1)
    assert stored(vault) == set()


def test_deleting_everything_needs_a_fresh_reauthentication(
    client: TestClient, vault: Vault, anna: dict[str, str]
) -> None:
    refused = delete(client, anna, kind="all")
    assert refused.status_code == 403 and refused.json()["code"] == "reauth_required"
    assert stored(vault) == {c.id for c in CLIPS}
    reauth(client, anna)
    done = delete(client, anna, kind="all")
    assert done.status_code == 201 and done.json()["deleted"] == 3
    assert stored(vault) == set()


def test_retention_shows_each_choice_and_changing_it_needs_reauthentication(
    client: TestClient, vault: Vault, anna: dict[str, str]
) -> None:
    shown = client.get("/api/v1/me/retention", headers=anna)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    view = shown.json()
    assert view["retention"] == "3_months" and view["recordings"] == 3
    by_choice = {c["retention"]: c for c in view["choices"]}
    assert by_choice["dont_save"]["would_delete"] == 3
    assert by_choice["until_deleted"]["would_delete"] == 0
    refused = client.put("/api/v1/me/retention", json={"retention": "18_months"}, headers=anna)
    assert refused.status_code == 403 and refused.json()["code"] == "reauth_required"
    reauth(client, anna)
    changed = client.put("/api/v1/me/retention", json={"retention": "18_months"}, headers=anna)
    assert changed.status_code == 200 and changed.json()["retention"] == "18_months"
    with vault.reading() as session:
        assert session.scalar(select(Account.retention)) == "18_months"
        # The new period reached every stored recording at once.
        assert session.scalar(select(func.count()).where(Recording.expires_at.is_(None))) == 0
    wrong = client.put("/api/v1/me/retention", json={"retention": "forever"}, headers=anna)
    assert wrong.status_code == 422


def test_a_choice_above_the_operator_maximum_is_not_offered(
    client: TestClient, settings: Settings, mailbox: SmtpSink
) -> None:
    household(client, mailbox, password=PASSWORD)
    with vault_with(settings, retention_max=Retention.MONTHS_18) as (_vault, capped):
        auth = bearer(sign_in(capped, "anna@example.org"))
        view = capped.get("/api/v1/me/retention", headers=auth).json()
        assert [c["retention"] for c in view["choices"]] == ["dont_save", "3_months", "18_months"]
        reauth(capped, auth)
        refused = capped.put(
            "/api/v1/me/retention", json={"retention": "until_deleted"}, headers=auth
        )
        assert refused.status_code == 422


def test_anonymous_is_refused(client: TestClient) -> None:
    anonymous = TestClient(client.app)
    assert anonymous.get("/api/v1/me/deletions").status_code == 401
    assert anonymous.post("/api/v1/me/deletions", json={"kind": "all"}).status_code == 401
    assert anonymous.get("/api/v1/me/retention").status_code == 401


def test_receipts_go_with_the_account_when_it_is_erased(
    client: TestClient, vault: Vault, anna: dict[str, str]
) -> None:
    assert delete(client, anna, kind="device", device="dev-car").status_code == 201
    with vault.reading() as session:
        assert session.scalar(select(func.count()).select_from(DeletionReceiptRow)) == 1
    erasure.erase_account(vault, external_id="acct-1", actor="tests")
    with vault.reading() as session:
        assert session.scalar(select(func.count()).select_from(DeletionReceiptRow)) == 0
