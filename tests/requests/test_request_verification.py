"""Verification: re-authentication in the portal; a code to the account's own address otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from request_helpers import (
    Person,
    Team,
    change_address,
    code_from,
    expire_code,
    make_subject,
    send_code_unmailed,
)
from sqlalchemy import select

from smtp_sink import SmtpSink
from voxkeep.audit.events import AuditEvent
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, Forbidden, InvalidInput
from voxkeep.requests import service, verification, views
from voxkeep.requests.models import Channel, DataRequest, RequestEvent, RequestKind
from voxkeep.vault import Vault


def _enter(vault: Vault, team: Team, name: str, **subject: object) -> str:
    make_subject(vault, name, **subject)  # type: ignore[arg-type]
    return service.enter_request(
        vault, staff=team.alice, account=name, kind=RequestKind.ACCESS, channel=Channel.EMAIL
    )


def _row(vault: Vault, request_id: str) -> DataRequest:
    with vault.reading() as session:
        row = session.get(DataRequest, request_id)
        assert row is not None
        return row


def test_the_code_goes_only_to_the_accounts_verified_address(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    make_subject(vault, "other")  # a second account whose address must never be used
    request_id = _enter(vault, team, "uma")
    expires = verification.send_code(vault, staff=team.alice, request_id=request_id)
    [sent] = mail.wait_for("uma@example.org")
    assert mail.messages == [sent]
    assert sent.recipients == ("uma@example.org",)
    assert request_id in sent.subject and request_id in sent.body
    assert f"{expires:%Y-%m-%d %H:%M}" in sent.body
    assert "uma" not in sent.body.replace("uma@example.org", "")  # no account id in it
    row = _row(vault, request_id)
    assert row.state == "paused" and row.paused_since is not None
    assert row.code_expires_at == expires
    assert expires - utcnow() == pytest.approx(
        timedelta(seconds=vault.settings.request_code_ttl_s), abs=timedelta(seconds=30)
    )


def test_the_code_follows_the_account_once_staff_confirmed_its_new_address(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    request_id = _enter(vault, team, "vera")
    change_address(vault, "vera", "vera.new@example.org")
    with pytest.raises(Conflict, match="changed"):
        verification.send_code(vault, staff=team.alice, request_id=request_id)
    with pytest.raises(Forbidden):
        verification.confirm_address(vault, staff=team.bob, request_id=request_id)
    verification.confirm_address(vault, staff=team.alice, request_id=request_id)
    verification.send_code(vault, staff=team.alice, request_id=request_id)
    mail.wait_for("vera.new@example.org")
    assert mail.to("vera@example.org") == []  # the notice to it is mailed by a job


def test_an_account_without_a_verified_address_cannot_get_a_code(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    request_id = _enter(vault, team, "wim", email=False)
    with pytest.raises(Conflict, match="no verified e-mail address"):
        verification.send_code(vault, staff=team.alice, request_id=request_id)
    assert _row(vault, request_id).state == "received"
    assert mail.messages == []


def test_only_a_hash_of_the_code_is_stored(vault: Vault, team: Team, mail: SmtpSink) -> None:
    request_id = _enter(vault, team, "xena")
    verification.send_code(vault, staff=team.alice, request_id=request_id)
    code = code_from(mail, "xena@example.org")
    row = _row(vault, request_id)
    assert row.code_hash is not None and len(row.code_hash) == 32
    for column in DataRequest.__table__.columns:
        value = getattr(row, column.key)
        assert code not in str(value)
        if isinstance(value, bytes):
            assert code.encode() not in value
    if vault.settings.is_sqlite:
        vault.close()
        for path in vault.settings.data_dir.glob("voxkeep.db*"):
            assert code.encode() not in path.read_bytes()


def test_the_right_code_verifies_with_evidence(vault: Vault, team: Team, mail: SmtpSink) -> None:
    request_id = _enter(vault, team, "yann")
    verification.send_code(vault, staff=team.alice, request_id=request_id)
    code = code_from(mail, "yann@example.org")
    verification.check_code(
        vault,
        staff=team.anton,
        request_id=request_id,
        code=f"{code[:4]}-{code[4:]}",
        evidence="the person read the code out on a call",
    )
    detail = views.show_request(vault, staff=team.dora, request_id=request_id)
    assert detail.summary.state == "verified"
    assert detail.verification_method == "email_code"
    assert detail.verified_by == f"staff:{team.anton.staff_id}"
    assert detail.evidence == "the person read the code out on a call"
    assert detail.code_expires_at is None
    with pytest.raises(Conflict):  # single use
        verification.check_code(
            vault, staff=team.anton, request_id=request_id, code=code, evidence="again"
        )


def test_an_expired_code_is_void(vault: Vault, team: Team, mail: SmtpSink) -> None:
    request_id = _enter(vault, team, "zora")
    verification.send_code(vault, staff=team.alice, request_id=request_id)
    code = code_from(mail, "zora@example.org")
    expire_code(vault, request_id)
    with pytest.raises(InvalidInput, match="expired"):
        verification.check_code(
            vault, staff=team.alice, request_id=request_id, code=code, evidence="late"
        )
    with pytest.raises(Conflict, match="No code is outstanding"):
        verification.check_code(
            vault, staff=team.alice, request_id=request_id, code=code, evidence="late"
        )
    assert _row(vault, request_id).state == "paused"  # the person still has not answered


def test_wrong_codes_are_counted_and_the_last_one_voids_it(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    request_id = _enter(vault, team, "adam")
    verification.send_code(vault, staff=team.alice, request_id=request_id)
    code = code_from(mail, "adam@example.org")
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    limit = vault.settings.request_code_attempts
    for attempt in range(1, limit):
        with pytest.raises(InvalidInput, match=f"{limit - attempt} attempt"):
            verification.check_code(
                vault, staff=team.alice, request_id=request_id, code=wrong, evidence="x"
            )
    with pytest.raises(InvalidInput, match="last attempt"):
        verification.check_code(
            vault, staff=team.alice, request_id=request_id, code=wrong, evidence="x"
        )
    with pytest.raises(Conflict, match="No code is outstanding"):
        verification.check_code(
            vault, staff=team.alice, request_id=request_id, code=code, evidence="x"
        )
    with vault.reading() as session:
        rejected = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "request:code:rejected")
        ).all()
        notes = session.scalars(
            select(RequestEvent.note_ct).where(RequestEvent.request_id == request_id)
        ).all()
    assert len(rejected) == limit
    assert all(b"adam" not in n for n in notes if n)  # notes are sealed


def test_a_new_code_replaces_the_old_one(vault: Vault, team: Team, mail: SmtpSink) -> None:
    request_id = _enter(vault, team, "bea")
    verification.send_code(vault, staff=team.alice, request_id=request_id)
    first = code_from(mail, "bea@example.org")
    verification.send_code(vault, staff=team.alice, request_id=request_id)
    second = code_from(mail, "bea@example.org", count=2)
    if first != second:
        with pytest.raises(InvalidInput):
            verification.check_code(
                vault, staff=team.alice, request_id=request_id, code=first, evidence="x"
            )
    verification.check_code(
        vault, staff=team.alice, request_id=request_id, code=second, evidence="x"
    )
    moves = [
        e.to_state
        for e in views.show_request(vault, staff=team.dora, request_id=request_id).timeline
    ]
    assert moves[:5] == ["received", "verifying", "paused", "verifying", "paused"]


def test_when_the_mail_fails_the_clock_runs_on(
    settings: Settings, vault: Vault, team: Team
) -> None:
    request_id = _enter(vault, team, "cem")
    send_code_unmailed(settings, team.alice, request_id)
    row = _row(vault, request_id)
    assert (row.state, row.paused_since, row.code_hash) == ("verifying", None, None)
    detail = views.show_request(vault, staff=team.dora, request_id=request_id)
    assert detail.timeline[-1].params == {"said": "code_mail_failed"}


def test_portal_requests_get_no_code(vault: Vault, team: Team) -> None:
    who = make_subject(vault, "dina")
    request_id = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ACCESS)
    with pytest.raises(Conflict, match="re-authentication"):
        verification.send_code(vault, staff=team.alice, request_id=request_id)


def test_a_portal_request_needs_a_fresh_reauthentication(vault: Vault) -> None:
    who = make_subject(vault, "emil")
    stale = utcnow() - timedelta(seconds=vault.settings.request_reauth_s + 5)
    for reauth_at in (None, stale):
        with pytest.raises(Forbidden, match="confirm your password"):
            service.file_request(
                vault, person=Person(who.account_id, reauth_at), kind=RequestKind.ACCESS
            )
    with vault.reading() as session:
        assert session.scalars(select(DataRequest)).all() == []


@pytest.mark.parametrize("who", ["bob", "erik"])
def test_only_agents_and_the_dpo_verify(vault: Vault, team: Team, who: str) -> None:
    request_id = _enter(vault, team, f"fay-{who}")
    with pytest.raises(Forbidden, match="agent or dpo"):
        verification.send_code(vault, staff=getattr(team, who), request_id=request_id)


def test_evidence_and_a_well_formed_code_are_required(vault: Vault, team: Team) -> None:
    request_id = _enter(vault, team, "gus")
    with pytest.raises(InvalidInput, match="evidence"):
        verification.check_code(
            vault, staff=team.alice, request_id=request_id, code="12345678", evidence=" "
        )
    with pytest.raises(InvalidInput, match="8 digits"):
        verification.check_code(
            vault, staff=team.alice, request_id=request_id, code="1234abcd", evidence="x"
        )
