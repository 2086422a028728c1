"""Verifying a staff-entered request: a one-time code mailed to the account's own address.

The code goes only to the verified address the operator holds for the
account, never to an address named in the request: whoever wrote the letter
must also control the account's mailbox. Only a keyed hash of the code is
stored, bound to the request, with an expiry and an attempt limit. While the
person has not given the code back, the request is paused and so is its clock
(LAW.md, Art. 12); the pause is recorded in the timeline. The agent who takes
the code back records how it came (the evidence); a different staff member
approves (four eyes, see service.approve). If the operator changed the
account's address after the request was received, a staff member confirms the
change on the request before a code goes to the new address (requests.address).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from voxkeep.audit.events import AuditAction, record
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, InvalidInput, MailFailed
from voxkeep.mail import get_mailer
from voxkeep.requests import address, notices
from voxkeep.requests.models import (
    STAFF_CHANNELS,
    DataRequest,
    RequestState,
    RequestStep,
    Said,
    VerificationMethod,
)
from voxkeep.requests.service import (
    MAY_VERIFY,
    StaffActor,
    clean_text,
    require_staff_role,
    staff_actor,
)
from voxkeep.requests.states import (
    VERIFIABLE,
    account_pseudonym,
    append_step,
    lock_request,
    says,
    seal_note,
    transition,
)
from voxkeep.vault import Vault

S = RequestState
CODE_DIGITS = 8


def _digest(vault: Vault, session: Session, request_id: str, code: str) -> bytes:
    return vault.keyring.lookup_hash(session, kind=f"request_code:{request_id}", value=code)


def _normalize(code: str) -> str:
    digits = "".join(ch for ch in code if ch not in " -")
    if not digits.isdigit() or len(digits) != CODE_DIGITS:
        raise InvalidInput(f"A verification code is {CODE_DIGITS} digits.")
    return digits


def _check_verifiable(request: DataRequest) -> None:
    if request.channel not in STAFF_CHANNELS:
        raise Conflict(
            "A portal request is verified by the person's re-authentication, not by a code."
        )
    if request.state not in VERIFIABLE:
        raise Conflict(f"This request is {request.state}; it needs no verification code.")


def send_code(vault: Vault, *, staff: StaffActor, request_id: str) -> datetime:
    """Mail a new code to the account's verified address and pause the clock.

    Returns when the code expires. A code sent earlier becomes void. If the
    mail server does not take the mail, the pause is undone and MailFailed
    raised: nobody was asked anything, so the clock runs on.
    """
    require_staff_role(staff, MAY_VERIFY, to="verify requests")
    actor = staff_actor(staff)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        _check_verifiable(request)
        address.require_confirmed(session, request)
        to = notices.verified_address(vault, session, request.account_id)
        language = notices.language_of(session, request.account_id)
        now = utcnow()
        expires = now + timedelta(seconds=vault.settings.request_code_ttl_s)
        request.code_hash = _digest(vault, session, request.id, code)
        request.code_expires_at = expires
        request.code_attempts = 0
        if request.state != S.VERIFYING:
            again = request.state == S.PAUSED
            said = says(Said.CODE_SENT_AGAIN if again else Said.CODE_BY_MAIL)
            transition(vault, session, request, S.VERIFYING, actor=actor, params=said, now=now)
        transition(
            vault,
            session,
            request,
            S.PAUSED,
            actor=actor,
            params=says(Said.CODE_AWAITED, until=expires.astimezone(UTC).isoformat()),
            now=now,
        )
        record(
            session,
            AuditAction.REQUEST_CODE_SENT,
            actor=actor,
            objects={"request": request.id, "account": account_pseudonym(vault, session, request)},
        )
        subject, body = notices.render(
            notices.Notice.CODE,
            language,
            ref=request.id,
            what=notices.kind_name(request.kind, language),
            code=f"{code[:4]} {code[4:]}",
            expires=notices.minute(expires),
        )
    try:
        get_mailer(vault).send(to=to, subject=subject, body=body)
    except MailFailed:
        _undo_pause(vault, request_id, actor=actor)
        raise
    return expires


def _undo_pause(vault: Vault, request_id: str, *, actor: str) -> None:
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        if request.state == S.PAUSED:
            request.code_hash = None
            transition(
                vault,
                session,
                request,
                S.VERIFYING,
                actor=actor,
                params=says(Said.CODE_MAIL_FAILED),
            )


def confirm_address(vault: Vault, *, staff: StaffActor, request_id: str) -> datetime:
    """A staff member confirms, for this request, the account's address as changed after
    the request was received: codes for it go to the new address from now on.

    Check first, through a channel already known, that the new address is the
    person's; who confirmed and when is recorded. Returns the time of the change.
    """
    require_staff_role(staff, MAY_VERIFY, to="verify requests")
    actor = staff_actor(staff)
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        _check_verifiable(request)
        change = address.unconfirmed_change(session, request)
        if change is None:
            raise Conflict(
                "There is no address change to confirm: the account's e-mail address has not "
                "changed since this request was received, or the change was confirmed.",
                hint="Send the code: `voxkeep requests verify ID --send-code`.",
            )
        now = utcnow()
        request.address_confirmed_by = actor
        request.address_confirmed_at = now
        append_step(
            vault,
            session,
            request,
            actor=actor,
            now=now,
            params=says(Said.ADDRESS_CONFIRMED),
            step=RequestStep.ADDRESS_CONFIRMED,
        )
        record(
            session,
            AuditAction.REQUEST_ADDRESS_CONFIRMED,
            actor=actor,
            objects={"request": request.id, "account": account_pseudonym(vault, session, request)},
        )
        return change.changed_at


def check_code(
    vault: Vault, *, staff: StaffActor, request_id: str, code: str, evidence: str
) -> None:
    """Take back the code the person gave and record how it came (the evidence).

    A wrong code counts an attempt, recorded even though the call fails; after
    ``request_code_attempts`` wrong codes (or at expiry) the code is void.
    """
    require_staff_role(staff, MAY_VERIFY, to="verify requests")
    text = clean_text(evidence, what="evidence (how the person gave the code)", required=True)
    assert text is not None
    digits = _normalize(code)
    actor = staff_actor(staff)
    problem: InvalidInput | None = None
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        _check_verifiable(request)
        now = utcnow()
        if request.code_hash is None or request.code_expires_at is None:
            raise Conflict(
                "No code is outstanding for this request.",
                hint="Send one: `voxkeep requests verify ID --send-code`.",
            )
        if now >= request.code_expires_at:
            request.code_hash = None
            append_step(
                vault,
                session,
                request,
                actor=actor,
                now=now,
                params=says(Said.CODE_EXPIRED),
            )
            problem = InvalidInput(
                "The code has expired.",
                hint="Send a new one: `voxkeep requests verify ID --send-code`.",
            )
        elif not hmac.compare_digest(
            request.code_hash, _digest(vault, session, request.id, digits)
        ):
            problem = _wrong_code(vault, session, request, actor=actor, now=now)
        else:
            request.code_hash = None
            request.code_expires_at = None
            request.verified_by = actor
            request.verified_at = now
            request.verification_method = VerificationMethod.EMAIL_CODE.value
            request.evidence_ct = seal_note(vault, session, request, "evidence", text)
            transition(
                vault,
                session,
                request,
                S.VERIFIED,
                actor=actor,
                note=text,
                params=says(Said.CODE_CONFIRMED),
                now=now,
            )
    if problem is not None:
        raise problem


def _wrong_code(
    vault: Vault, session: Session, request: DataRequest, *, actor: str, now: datetime
) -> InvalidInput:
    request.code_attempts += 1
    left = vault.settings.request_code_attempts - request.code_attempts
    if left <= 0:
        request.code_hash = None
    said = says(
        Said.CODE_VOID if left <= 0 else Said.CODE_WRONG,
        attempt=request.code_attempts,
        attempts=vault.settings.request_code_attempts,
    )
    append_step(vault, session, request, actor=actor, now=now, params=said)
    record(
        session,
        AuditAction.REQUEST_CODE_REJECTED,
        actor=actor,
        objects={"request": request.id, "account": account_pseudonym(vault, session, request)},
        counts={"attempt": request.code_attempts},
    )
    if left <= 0:
        return InvalidInput(
            "The code is not correct, and that was the last attempt: the code is void.",
            hint="Send a new one: `voxkeep requests verify ID --send-code`.",
        )
    return InvalidInput(f"The code is not correct; {left} attempt(s) left.")
