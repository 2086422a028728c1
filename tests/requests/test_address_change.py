"""Issue 10, point 3: a changed e-mail address must not silently redirect verification.

Through the real HTTP API, the real job worker and the real SMTP sink: the old
address is told, the account's open requests show the change, and a code for a
request received before the change goes to the new address only after a staff
member confirmed the change on that request.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from request_helpers import Subject, Team, auth, code_from, make_subject
from request_helpers import signed_in_person as person_token
from sqlalchemy import select

from helpers import assert_error
from smtp_sink import SmtpSink
from voxkeep.accounts.models import Language
from voxkeep.app import create_app
from voxkeep.jobs.models import Job
from voxkeep.jobs.worker import run_once
from voxkeep.requests.models import AddressChange
from voxkeep.vault import Vault

OLD, NEW = "vera@example.org", "vera.neu@example.org"


@pytest.fixture
def api(vault: Vault) -> Iterator[TestClient]:
    """A client without default credentials: every call says who it is."""
    with TestClient(create_app(vault), raise_server_exceptions=False) as client:
        yield client


def _enter(api: TestClient, team: Team, account: str) -> str:
    response = api.post(
        "/api/v1/requests",
        json={"account": account, "kind": "access", "channel": "post"},
        headers=auth(team.tokens["alice"]),
    )
    assert response.status_code == 201, response.text
    request_id: str = response.json()["id"]
    return request_id


def _change_address(api: TestClient, operator: str, account: str, email: str) -> None:
    response = api.put(f"/api/v1/accounts/{account}", json={"email": email}, headers=auth(operator))
    assert response.status_code == 200, response.text


def _send(api: TestClient, team: Team, request_id: str) -> Any:
    return api.post(
        f"/api/v1/requests/{request_id}/verification/send", headers=auth(team.tokens["alice"])
    )


def _confirm(api: TestClient, team: Team, who: str, request_id: str) -> Any:
    return api.post(
        f"/api/v1/requests/{request_id}/verification/confirm-address",
        headers=auth(team.tokens[who]),
    )


def _shown(api: TestClient, team: Team, request_id: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/requests/{request_id}", headers=auth(team.tokens["dora"]))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_changed_address_is_told_shown_and_must_be_confirmed_before_a_code(
    api: TestClient, vault: Vault, team: Team, mail: SmtpSink, token: str
) -> None:
    make_subject(vault, "vera", language=Language.DE)
    before = _enter(api, team, "vera")
    _change_address(api, token, "vera", NEW)

    # The old address is kept only sealed until it has been told.
    with vault.reading() as session:
        change = session.scalars(select(AddressChange)).one()
        assert change.old_email_ct is not None and OLD.encode() not in change.old_email_ct
        changed_on = f"{change.changed_at:%Y-%m-%d}"
    assert run_once(vault) >= 1
    (notice,) = mail.wait_for(OLD)
    assert notice.subject == "Die E-Mail-Adresse Ihres Kontos wurde geändert"
    # The fact, the date, whom to contact; nothing about the account or its requests.
    assert f"am {changed_on} (UTC) geändert" in notice.body
    assert "voxkeep@vault.test" in notice.body
    assert before not in notice.body and "Anfrage" not in notice.body
    assert NEW not in notice.body and "vera" not in notice.body.replace(OLD, "")
    with vault.reading() as session:
        change = session.scalars(select(AddressChange)).one()
        assert change.old_email_ct is None and change.notified_at is not None

    # The staff view shows the change, without any address, and that it needs confirming.
    shown = _shown(api, team, before)
    assert shown["address_change_pending"] is True
    changed = [e for e in shown["timeline"] if e["step"] == "address:changed"]
    assert len(changed) == 1
    assert "@" not in str(shown["timeline"])

    # No code to the new address until a staff member confirms the change.
    body = assert_error(_send(api, team, before), 409, "conflict")
    assert "changed" in body["error"] and "confirm-address" in body["hint"]
    assert "@" not in body["error"] + body["hint"]
    assert mail.to(NEW) == []
    assert _shown(api, team, before)["state"] == "received"

    # Confirming follows the verification roles: an approver may not, an agent may.
    assert_error(_confirm(api, team, "bob", before), 403, "forbidden")
    confirmed = _confirm(api, team, "alice", before)
    assert confirmed.status_code == 200, confirmed.text
    shown = _shown(api, team, before)
    assert shown["address_change_pending"] is False
    assert shown["address_confirmed_by"] == f"staff:{team.alice.staff_id}"
    assert shown["address_confirmed_at"] is not None
    steps = [(e["step"], e["actor"]) for e in shown["timeline"] if e["step"]]
    assert [s for s, _ in steps] == ["address:changed", "address:confirmed"]
    assert steps[0][1].startswith("token:")  # the operator's backend made the change
    assert steps[1][1] == f"staff:{team.alice.staff_id}"
    assert_error(_confirm(api, team, "alice", before), 409, "conflict")  # nothing left

    response = _send(api, team, before)
    assert response.status_code == 200, response.text
    assert code_from(mail, NEW)
    assert len(mail.to(OLD)) == 1  # the notice only; no code went there

    # The person sees the change among their request's steps too.
    person = person_token(api, vault, mail, Subject("vera", "", NEW))
    mine = api.get(f"/api/v1/requests/mine/{before}", headers=auth(person))
    assert mine.status_code == 200, mine.text
    assert [s["step"] for s in mine.json()["timeline"] if s["step"]] == [
        "address:changed",
        "address:confirmed",
    ]
    assert "@" not in mine.text and "staff" not in mine.text


def test_a_request_received_after_the_change_is_unaffected(
    api: TestClient, vault: Vault, team: Team, mail: SmtpSink, token: str
) -> None:
    make_subject(vault, "vera")
    _change_address(api, token, "vera", NEW)
    after = _enter(api, team, "vera")
    assert _shown(api, team, after)["address_change_pending"] is False
    response = _send(api, team, after)
    assert response.status_code == 200, response.text
    assert code_from(mail, NEW)
    assert not any(e["step"] for e in _shown(api, team, after)["timeline"])
    assert_error(_confirm(api, team, "alice", after), 409, "conflict")


def test_a_first_address_is_not_a_change(
    api: TestClient, vault: Vault, team: Team, mail: SmtpSink, token: str
) -> None:
    make_subject(vault, "wim", email=False)
    request_id = _enter(api, team, "wim")
    _change_address(api, token, "wim", "wim@example.org")
    run_once(vault)
    response = _send(api, team, request_id)
    assert response.status_code == 200, response.text
    assert code_from(mail, "wim@example.org")
    with vault.reading() as session:
        assert session.scalars(select(AddressChange)).all() == []


def test_a_second_change_after_a_confirmation_needs_confirming_again(
    api: TestClient, vault: Vault, team: Team, mail: SmtpSink, token: str
) -> None:
    make_subject(vault, "vera")
    request_id = _enter(api, team, "vera")
    _change_address(api, token, "vera", NEW)
    assert _confirm(api, team, "dora", request_id).status_code == 200
    _change_address(api, token, "vera", "vera.third@example.org")
    assert_error(_send(api, team, request_id), 409, "conflict")
    run_once(vault)
    mail.wait_for(OLD)
    mail.wait_for(NEW)  # each old address is told once
    assert _shown(api, team, request_id)["address_change_pending"] is True


def test_unchanged_address_sends_no_notice(
    api: TestClient, vault: Vault, team: Team, mail: SmtpSink, token: str
) -> None:
    make_subject(vault, "vera")
    request_id = _enter(api, team, "vera")
    _change_address(api, token, "vera", OLD.upper())  # the same address, normalized
    assert run_once(vault) == 0
    assert mail.messages == []
    assert _send(api, team, request_id).status_code == 200


def test_an_account_erased_before_the_notice_went_out_leaves_nothing_behind(
    api: TestClient, vault: Vault, team: Team, mail: SmtpSink, token: str
) -> None:
    from voxkeep.retention.erasure import destroy_key, purge_account

    make_subject(vault, "vera")
    _change_address(api, token, "vera", NEW)
    erasure = destroy_key(vault, external_id="vera", actor="system:test")
    run_once(vault)  # the notice job finds no key to read the old address with: it ends
    assert mail.to(OLD) == []
    purge_account(vault, erasure.receipt_id)
    with vault.reading() as session:
        assert session.scalars(select(AddressChange)).all() == []
        assert set(session.scalars(select(Job.state))) == {"done"}
