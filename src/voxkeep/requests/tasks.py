"""The background work of a request, run by the job worker.

Each handler gets only the request id (invariant 2: the builder and the
erasure read ``request.account_id`` themselves) and looks at the request's
state to decide what is left to do, so running a job twice — after a crash,
or when a lapsed claim was taken over — repeats no finished step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account
from voxkeep.accounts.service import open_field
from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, InvalidInput, KeyDestroyed
from voxkeep.exports.builder import AnswerBlocked, build_for_request
from voxkeep.exports.failures import Failure, fail_answer
from voxkeep.exports.gate import ReleaseBlocked, check_release
from voxkeep.incidents.models import IncidentKind
from voxkeep.jobs.registry import handles
from voxkeep.mail import get_mailer
from voxkeep.requests import address, notices
from voxkeep.requests.address import ADDRESS_NOTICE
from voxkeep.requests.models import AddressChange, DataRequest, RequestState, Said
from voxkeep.requests.service import (
    ERASURE_RUN,
    EXPORT_BUILD,
    NOTIFY,
    settle_for_erased_account,
)
from voxkeep.requests.states import (
    account_pseudonym,
    append_event,
    effective_due_at,
    lock_request,
    open_note,
    says,
    transition,
)
from voxkeep.retention import receipt_mail
from voxkeep.retention.erasure import destroy_key, purge_account
from voxkeep.retention.models import ErasureReceipt
from voxkeep.vault import Vault

S = RequestState


def _request_id(payload: Mapping[str, Any]) -> str:
    value = payload.get("request_id")
    if not isinstance(value, str):
        raise InvalidInput("The job has no request id.")
    return value


def _state(vault: Vault, request_id: str) -> tuple[RequestState, str | None]:
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        if request is None:
            raise Conflict("The request no longer exists.")
        return S(request.state), request.export_id


def give_up(vault: Vault, payload: Mapping[str, Any], error: str, integrity: bool) -> None:
    """A request's job spent its last attempt: the request is blocked, never left building
    or checking, with a note saying why; an integrity failure also opens an incident."""
    request_id = payload.get("request_id")
    if not isinstance(request_id, str):
        return
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        if request is None or request.state not in (S.BUILDING, S.CHECKING):
            return
        export_id = request.export_id if request.state == S.CHECKING else None
    kind = IncidentKind.BUILD_FAILED if integrity else None
    fail_answer(
        vault,
        request_id=request_id,
        export_id=export_id,
        failure=Failure(kind, "job_failed", error),
    )


def deadline(vault: Vault, payload: Mapping[str, Any]) -> datetime | None:
    """The request's legal deadline (Art. 12(3)), as of now: its job retries a transient
    fault until a margin before it, then gives up so staff can still answer in time."""
    request_id = payload.get("request_id")
    if not isinstance(request_id, str):
        return None
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        return None if request is None else effective_due_at(request, utcnow())


@handles(EXPORT_BUILD, on_give_up=give_up, deadline=deadline)
def build_answer(vault: Vault, payload: Mapping[str, Any]) -> None:
    """building → (build the archive) → checking → (release gate) → ready or blocked."""
    request_id = _request_id(payload)
    state, export_id = _state(vault, request_id)
    if state is S.BUILDING:
        try:
            built = build_for_request(vault, request_id)
        except AnswerBlocked:
            return  # the request is blocked and an incident is open: the job did its work
        with vault.transaction() as session:
            request = lock_request(session, request_id)
            if request.state != S.BUILDING:
                return  # cancelled or blocked while building; the archive stays unreleased
            request.export_id = built.id
            transition(vault, session, request, S.CHECKING, actor=SYSTEM)
        state, export_id = S.CHECKING, built.id
    if state is S.CHECKING and export_id is not None:
        try:
            check_release(vault, export_id)  # moves the request to ready or to blocked
        except ReleaseBlocked:
            return  # the request is blocked and an incident is open: the job did its work


@handles(NOTIFY)
def notify(vault: Vault, payload: Mapping[str, Any]) -> None:
    """Mail the person a notice about their request (extension, refusal)."""
    request_id = _request_id(payload)
    notice = notices.Notice(str(payload.get("notice")))
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        if request is None:
            raise Conflict("The request no longer exists.")
        language = notices.language_of(session, request.account_id)
        address = notices.verified_address(vault, session, request.account_id)
        subject, body = _notice_text(vault, session, request, notice, language)
    get_mailer(vault).send(to=address, subject=subject, body=body)
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        now = utcnow()
        if notice is notices.Notice.EXTENDED:
            request.extension_notified_at = now
        append_event(
            vault,
            session,
            request,
            actor=SYSTEM,
            from_state=S(request.state),
            note=None,
            now=now,
            params=says(Said.NOTICE_MAILED, notice=notice.value),
        )
        _record_notified(vault, session, request, notice)


def _record_notified(
    vault: Vault, session: Session, request: DataRequest, notice: notices.Notice
) -> None:
    record(
        session,
        AuditAction.REQUEST_NOTIFIED,
        actor=SYSTEM,
        objects={
            "request": request.id,
            "account": account_pseudonym(vault, session, request),
            "notice": notice.value,
        },
    )


@handles(ADDRESS_NOTICE)
def tell_old_address(vault: Vault, payload: Mapping[str, Any]) -> None:
    """Mail the address an account had before the operator changed it that it changed.

    The old address was kept sealed only for this mail and is dropped once it went
    out. If the account was erased meanwhile there is nothing to read it with and
    nobody left to protect: the job ends quietly.
    """
    change_id = payload.get("change_id")
    if not isinstance(change_id, str):
        raise InvalidInput("The job has no address change id.")
    with vault.reading() as session:
        change = session.get(AddressChange, change_id)
        if change is None or change.old_email_ct is None:
            return  # already told, or purged with its account
        account = session.get(Account, change.account_id)
        if account is None or account.erased_at is not None:
            return
        try:
            key = vault.keyring.data_key(session, account.id)
        except KeyDestroyed:
            return
        to = address.open_old_address(key, change, change.old_email_ct)
        subject, body = notices.render(
            notices.Notice.ADDRESS_CHANGED,
            account.language,
            date=notices.day(change.changed_at),
            contact=vault.settings.smtp_from,
        )
    get_mailer(vault).send(to=to, subject=subject, body=body)
    with vault.transaction() as session:
        change = session.get(AddressChange, change_id, with_for_update=True)
        if change is None:
            return
        change.old_email_ct = None  # kept only to tell it (Art. 5(1)(e))
        change.notified_at = utcnow()
        record(
            session,
            AuditAction.ACCOUNT_EMAIL_CHANGE_NOTIFIED,
            actor=SYSTEM,
            objects={
                "account": vault.keyring.pseudonym(
                    session, kind="account", object_id=change.account_id
                )
            },
        )


def _notice_text(
    vault: Vault, session: Session, request: DataRequest, notice: notices.Notice, language: str
) -> tuple[str, str]:
    fields = {
        "ref": request.id,
        "what": notices.kind_name(request.kind, language),
        "received": notices.day(request.received_at),
        "due": notices.day(request.due_at),
    }
    if notice is notices.Notice.EXTENDED:
        assert request.extension_reason_ct is not None
        fields["reason"] = open_note(
            vault, session, request, "extension_reason", request.extension_reason_ct
        )
    elif notice is notices.Notice.REFUSED:
        assert request.refusal_reason_ct is not None
        fields["reason"] = open_note(
            vault, session, request, "refusal_reason", request.refusal_reason_ct
        )
    else:
        raise InvalidInput(f"There is no {notice.value} notice to send by job.")
    return notices.render(notice, language, **fields)


@dataclass(frozen=True)
class _Subject:
    """What an erasure must read while the account's key still exists (held in memory only)."""

    account_id: str
    pseudonym: str
    external_id: str | None
    address: str | None = field(repr=False)
    language: str


def _subject(vault: Vault, session: Session, request: DataRequest) -> _Subject:
    account_id = request.account_id
    pseudonym = vault.keyring.pseudonym(session, kind="account", object_id=account_id)
    account = session.get(Account, account_id)
    external_id = address = None
    if account is not None and account.erased_at is None:
        key = vault.keyring.data_key(session, account_id)
        external_id = open_field(key, account_id, "external_id", account.external_id_ct)
        try:
            address = notices.verified_address(vault, session, account_id)
        except Conflict:
            address = None
    return _Subject(
        account_id=account_id,
        pseudonym=pseudonym,
        external_id=external_id,
        address=address,
        language=account.language if account is not None else "en",
    )


def _pending_receipt(session: Session, pseudonym: str) -> str | None:
    """The receipt of an erasure that already started (a retried job after a crash)."""
    return session.scalars(
        select(ErasureReceipt.id)
        .where(ErasureReceipt.account_pseudonym == pseudonym)
        .order_by(ErasureReceipt.created_at.desc())
        .limit(1)
    ).first()


@handles(ERASURE_RUN, on_give_up=give_up, deadline=deadline)
def run_erasure(vault: Vault, payload: Mapping[str, Any]) -> None:
    """building → (erase the account) → (receipt mailed) ready → delivered → closed.

    The erasure (retention.erasure) destroys the data key, purges the data and
    signs a receipt. The receipt and its one-time salt go to the address read
    before the key was destroyed — the only moment it can still be read: the
    transaction that destroys the key seals both for the receipt's mail job
    (retention.receipt_mail), which the signing queues. The request stays
    building, its answer owed, until that mail went out (mail_erasure_receipt);
    without a verified address it closes at once and the timeline says so.
    """
    request_id = _request_id(payload)
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        if request is None or request.state != S.BUILDING:
            return
        subject = _subject(vault, session, request)
        receipt_id = _pending_receipt(session, subject.pseudonym)
    if subject.external_id is not None:
        mail_to = None
        if subject.address is not None:
            mail_to = receipt_mail.MailTo(request_id, subject.address, subject.language)
        erasure = destroy_key(vault, external_id=subject.external_id, actor=SYSTEM, mail_to=mail_to)
        receipt_id = erasure.receipt_id
    if receipt_id is None:
        raise Conflict("The account is gone and no erasure receipt was found for it.")
    purge_account(vault, receipt_id)
    _finish_erasure(vault, request_id, receipt_id=receipt_id)


def _finish_erasure(vault: Vault, request_id: str, *, receipt_id: str) -> None:
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        if request.state != S.BUILDING:
            return  # its receipt mail went out already (or gave up) and closed it
        settle_for_erased_account(
            vault, session, request.account_id, by=says(Said.ACCOUNT_ERASED, request=request.id)
        )
        request.receipt_id = receipt_id
        if not receipt_mail.pending(session, receipt_id):
            _close_erasure(vault, session, request, mailed=False)


def _close_erasure(vault: Vault, session: Session, request: DataRequest, *, mailed: bool) -> None:
    """An erased account's request: ready with its receipt, then closed (delivered first
    when the receipt was mailed). Notes are not kept (no key is left to seal them with):
    the moves and what voxkeep says of them tell whether the person got the receipt."""
    erased = says(Said.ERASED, receipt=request.receipt_id or "")
    transition(vault, session, request, S.READY, actor=SYSTEM, params=erased)
    if mailed:
        said = says(Said.RECEIPT_MAILED)
        transition(vault, session, request, S.DELIVERED, actor=SYSTEM, params=said)
        transition(vault, session, request, S.CLOSED, actor=SYSTEM)
    else:
        said = says(Said.RECEIPT_NOT_MAILED)
        transition(vault, session, request, S.CLOSED, actor=SYSTEM, params=said)


def _receipt_id(payload: Mapping[str, Any]) -> str:
    value = payload.get("receipt_id")
    if not isinstance(value, str):
        raise InvalidInput("The job has no erasure receipt id.")
    return value


def _end_receipt_mail(vault: Vault, receipt_id: str, request_id: str, *, mailed: bool) -> None:
    """Erase the sealed mail and close the request, in one transaction; then checkpoint."""
    with vault.transaction() as session:
        if not receipt_mail.erase(session, receipt_id):
            return
        request = session.get(DataRequest, request_id, with_for_update=True)
        if request is not None and request.state == S.BUILDING:
            request.receipt_id = receipt_id
            _close_erasure(vault, session, request, mailed=mailed)
        if mailed and request is not None:
            _record_notified(vault, session, request, notices.Notice.ERASED)
    receipt_mail.settle_files(vault)


def receipt_mail_gave_up(vault: Vault, payload: Mapping[str, Any], error: str, _: bool) -> None:
    """The receipt's mail finally failed: its sealed address and salt are erased all the
    same (nothing of the person is kept to retry with), and the request closes without it."""
    request_id = payload.get("request_id")
    if isinstance(request_id, str):
        _end_receipt_mail(vault, _receipt_id(payload), request_id, mailed=False)


@handles(receipt_mail.KIND, on_give_up=receipt_mail_gave_up)
def mail_erasure_receipt(vault: Vault, payload: Mapping[str, Any]) -> None:
    """Mail an erasure's signed receipt and its salt to the address the account had; a
    mail server that does not take it is retried like every mail (jobs.queue)."""
    receipt_id = _receipt_id(payload)
    mail = receipt_mail.compose(vault, receipt_id)
    if mail is None:
        return  # sent already, or its job gave up
    get_mailer(vault).send(to=mail.to, subject=mail.subject, body=mail.body)
    _end_receipt_mail(vault, receipt_id, mail.request_id, mailed=True)
