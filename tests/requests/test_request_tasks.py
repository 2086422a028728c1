"""The background work of a request: building the answer, erasing, telling the person."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from request_helpers import Person, Team, make_subject
from sqlalchemy import select

from helpers import make_wav
from smtp_sink import SmtpSink
from voxkeep.accounts.models import Account, Language
from voxkeep.jobs.models import Job
from voxkeep.jobs.worker import run_once
from voxkeep.recordings.service import NewRecording, ingest
from voxkeep.requests import service, views
from voxkeep.requests.models import Channel, DataRequest, RequestKind
from voxkeep.requests.tasks import build_answer
from voxkeep.retention.erasure import get_receipt
from voxkeep.retention.receipts import verify_bundle
from voxkeep.vault import Vault


def _row(vault: Vault, request_id: str) -> DataRequest:
    with vault.reading() as session:
        row = session.get(DataRequest, request_id)
        assert row is not None
        return row


def _record(vault: Vault, name: str, n: int) -> None:
    ingest(
        vault,
        NewRecording(
            id=f"{name}-r{n}",
            account=name,
            device=f"{name}-dev-0",
            captured_at=datetime.now(UTC) - timedelta(hours=n + 1),
            language=Language.EN,
            transcript="hello",
            speaker=None,
        ),
        make_wav(0.05, seed=n),
        actor="system:test",
    )


def test_an_access_answer_is_built_checked_and_announced(vault: Vault, mail: SmtpSink) -> None:
    who = make_subject(vault, "fenna")
    _record(vault, "fenna", 1)
    request_id = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ACCESS)
    run_once(vault)
    row = _row(vault, request_id)
    assert row.state == "ready" and row.export_id is not None
    view = views.show_own(vault, person=Person(who.account_id), request_id=request_id)
    moves = [step.state for step in view.timeline]
    assert moves == ["received", "verified", "building", "checking", "ready"]
    [ready] = mail.wait_for("fenna@example.org")
    assert request_id in ready.body and "http" not in ready.body  # no link in the mail
    # A second run of the same job (a retry after a crash) repeats nothing.
    build_answer(vault, {"request_id": request_id})
    assert _row(vault, request_id).export_id == row.export_id


def test_an_erasure_runs_mails_the_receipt_and_keeps_the_record(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    who = make_subject(vault, "gerda")
    for n in range(3):
        _record(vault, "gerda", n)
    open_access = service.enter_request(
        vault, staff=team.alice, account="gerda", kind=RequestKind.ACCESS, channel=Channel.POST
    )
    erasure = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ERASURE)
    assert run_once(vault) == 2  # the erasure, then the mail of its receipt
    row = _row(vault, erasure)
    assert row.state == "closed" and row.receipt_id is not None
    with vault.reading() as session:
        assert session.get(Account, who.account_id) is None  # purged
    [sent] = mail.wait_for("gerda@example.org")
    bundle = json.loads(sent.body[sent.body.index("{") :])
    content = verify_bundle(bundle)
    assert content["receipt_id"] == row.receipt_id
    assert content["counts"]["recordings"] == 3
    receipt = get_receipt(vault, row.receipt_id)
    assert receipt.signed is not None and receipt.bytes_gone_at is not None
    # Both moments, separately: unreadable (key destroyed), then bytes gone (purged).
    assert receipt.unreadable_at <= receipt.bytes_gone_at
    assert receipt.unreadable_at == datetime.fromisoformat(content["key_destroyed_at"])
    assert receipt.bytes_gone_at == datetime.fromisoformat(content["purged_at"])
    unreadable = receipt.unreadable_at.strftime("%Y-%m-%d %H:%M:%S")
    gone = receipt.bytes_gone_at.strftime("%Y-%m-%d %H:%M:%S")
    assert f"became unreadable at {unreadable} (UTC)" in sent.body
    assert f"were gone at {gone} (UTC)" in sent.body
    detail = views.show_request(vault, staff=team.dora, request_id=erasure)
    assert [e.to_state for e in detail.timeline][-3:] == ["ready", "delivered", "closed"]
    assert detail.account is None
    other = views.show_request(vault, staff=team.dora, request_id=open_access)
    assert other.summary.state == "cancelled"
    assert other.timeline[-1].note is None  # no key left to seal a note with
    assert other.timeline[0].to_state == "received"


def test_an_erasure_without_an_address_still_erases(vault: Vault) -> None:
    who = make_subject(vault, "hedy", email=False)
    erasure = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ERASURE)
    run_once(vault)
    row = _row(vault, erasure)
    assert row.state == "closed"
    with vault.reading() as session:
        assert session.get(Account, who.account_id) is None


def test_a_notice_records_when_it_was_sent(vault: Vault, team: Team, mail: SmtpSink) -> None:
    make_subject(vault, "ilse", language=Language.DE)
    request_id = service.enter_request(
        vault, staff=team.alice, account="ilse", kind=RequestKind.ACCESS, channel=Channel.EMAIL
    )
    service.extend(vault, staff=team.alice, request_id=request_id, months=1, reason="Umfang")
    assert _row(vault, request_id).extension_notified_at is None
    run_once(vault)
    [notice] = mail.wait_for("ilse@example.org")
    assert notice.subject.startswith("Mehr Zeit") and "Umfang" in notice.body
    assert _row(vault, request_id).extension_notified_at is not None
    with vault.reading() as session:
        jobs = session.scalars(select(Job).where(Job.ref == request_id)).all()
    assert [(j.kind, j.payload, j.state) for j in jobs] == [
        ("request.notify", {"request_id": request_id, "notice": "extended"}, "done")
    ]


def test_an_operator_erasure_settles_the_accounts_open_requests(vault: Vault, team: Team) -> None:
    """Erased through the API or `voxkeep retention erase`: nothing left to answer from."""
    from voxkeep.retention.erasure import erase_account

    make_subject(vault, "jutta")
    _record(vault, "jutta", 1)
    open_access = service.enter_request(
        vault, staff=team.alice, account="jutta", kind=RequestKind.ACCESS, channel=Channel.PHONE
    )
    bystander = make_subject(vault, "karla")
    theirs = service.file_request(
        vault, person=Person(bystander.account_id), kind=RequestKind.ACCESS
    )
    erase_account(vault, external_id="jutta", actor="operator:test")
    detail = views.show_request(vault, staff=team.dora, request_id=open_access)
    assert detail.summary.state == "cancelled"
    assert detail.timeline[-1].actor == "system"
    assert _row(vault, theirs).state not in ("cancelled", "closed")  # only that account's


def test_an_answer_in_the_making_when_the_account_is_erased_is_cancelled(
    vault: Vault, team: Team
) -> None:
    """The job finds its request cancelled and releases nothing; nothing stays stuck."""
    from voxkeep.exports.models import Export
    from voxkeep.retention.erasure import erase_account

    who = make_subject(vault, "lotte")
    _record(vault, "lotte", 1)
    request_id = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ACCESS)
    assert _row(vault, request_id).state == "building"  # its build job is queued
    erase_account(vault, external_id="lotte", actor="operator:test")
    assert _row(vault, request_id).state == "cancelled"
    run_once(vault)
    assert _row(vault, request_id).state == "cancelled"
    with vault.reading() as session:
        assert session.scalars(select(Export)).all() == []


def test_a_person_cannot_withdraw_a_request_being_answered(vault: Vault) -> None:
    from voxkeep.errors import Conflict

    who = make_subject(vault, "mia")
    request_id = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ACCESS)
    assert _row(vault, request_id).state == "building"
    with pytest.raises(Conflict, match="being answered"):
        service.cancel_own(vault, person=Person(who.account_id), request_id=request_id)
    assert _row(vault, request_id).state == "building"


@pytest.mark.parametrize(
    ("language", "unreadable", "gone"),
    [
        (Language.DE, "Unlesbar wurden Ihre Daten am {}", "Bytes waren am {}"),
        (Language.FR, "devenues illisibles le {}", "octets stockés ont disparu le {}"),
    ],
)
def test_the_erasure_mail_states_both_moments_in_the_persons_language(
    vault: Vault, mail: SmtpSink, language: Language, unreadable: str, gone: str
) -> None:
    name = f"ilse-{language.value}"
    who = make_subject(vault, name, language=language)
    _record(vault, name, 0)
    erasure = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ERASURE)
    run_once(vault)
    receipt_id = _row(vault, erasure).receipt_id
    assert receipt_id is not None
    receipt = get_receipt(vault, receipt_id)
    assert receipt.bytes_gone_at is not None
    [sent] = mail.wait_for(f"{name}@example.org")
    assert unreadable.format(receipt.unreadable_at.strftime("%Y-%m-%d %H:%M:%S")) in sent.body
    assert gone.format(receipt.bytes_gone_at.strftime("%Y-%m-%d %H:%M:%S")) in sent.body


def test_an_erasure_killed_once_its_key_was_destroyed_still_mails_the_receipt(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    """The address and salt were sealed with the key's destruction, not held in memory."""
    from voxkeep.retention.erasure import destroy_key
    from voxkeep.retention.receipt_mail import MailTo

    who = make_subject(vault, "nele")
    _record(vault, "nele", 1)
    erasure = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ERASURE)
    # The job's first step alone, as if its worker were killed right after that commit.
    destroy_key(
        vault,
        external_id="nele",
        actor="system",
        mail_to=MailTo(erasure, "nele@example.org", "en"),
    )
    assert run_once(vault) == 2  # the erasure resumed (purge, signature), then the mail
    [sent] = mail.wait_for("nele@example.org")
    content = verify_bundle(json.loads(sent.body[sent.body.index("{") :]))
    assert content["receipt_id"] == _row(vault, erasure).receipt_id
    detail = views.show_request(vault, staff=team.dora, request_id=erasure)
    assert [e.to_state for e in detail.timeline][-3:] == ["ready", "delivered", "closed"]
