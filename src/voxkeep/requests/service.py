"""Filing, verifying, approving, extending, refusing and cancelling requests.

Every public function here is one unit of work: it opens its own transaction,
so mails go out only after the change they report has committed. Staff
actions take the staff member's session (anything with ``staff_id`` and
``roles``); portal actions take the person's session (``account_id`` and
``reauth_at``). Neither ever takes recordings or an owner to put into an
answer: the answer is built later from ``DataRequest.account_id`` alone
(invariant 2).
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account
from voxkeep.accounts.service import account_actor_pseudonym, find_account
from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, Forbidden, InvalidInput, NotFound
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import cause_of, open_incident
from voxkeep.jobs.queue import enqueue
from voxkeep.people.models import StaffRole as Role
from voxkeep.people.service import require_recent_reauth
from voxkeep.requests import deadlines
from voxkeep.requests.models import (
    STAFF_CHANNELS,
    Channel,
    DataRequest,
    RequestKind,
    RequestState,
    Said,
    VerificationMethod,
)
from voxkeep.requests.states import (
    OPEN,
    TERMINAL,
    VERIFIABLE,
    StepParams,
    account_pseudonym,
    allowed,
    append_event,
    lock_request,
    open_note,
    paused_days_for,
    recompute_due,
    says,
    seal_note,
    transition,
    unfinished_requests,
)
from voxkeep.vault import Vault

S = RequestState
NOTE_LIMIT = 2000

# Job kinds (handlers in requests/tasks.py). Payloads hold the request id only.
EXPORT_BUILD = "export.build"
ERASURE_RUN = "erasure.run"
NOTIFY = "request.notify"


class StaffActor(Protocol):
    """A signed-in staff member (people.service.StaffSession)."""

    @property
    def staff_id(self) -> str: ...

    @property
    def roles(self) -> Collection[str]: ...


class PersonActor(Protocol):
    """A signed-in person (people.service.PersonSession)."""

    @property
    def account_id(self) -> str: ...

    @property
    def reauth_at(self) -> datetime | None: ...


# Who may do what. Approving needs the approver role and four eyes (see approve).
MAY_READ = (Role.AGENT, Role.APPROVER, Role.DPO, Role.ADMIN)
MAY_ENTER = (Role.AGENT, Role.DPO)
MAY_VERIFY = (Role.AGENT, Role.DPO)
MAY_APPROVE = (Role.APPROVER,)
MAY_EXTEND = (Role.AGENT, Role.APPROVER, Role.DPO)
MAY_REFUSE = (Role.APPROVER, Role.DPO)
MAY_CANCEL = (Role.AGENT, Role.APPROVER, Role.DPO)


class StaffAction(enum.StrEnum):
    """What a staff member can do to a request (allowed_actions says which, now)."""

    SEND_CODE = "send_code"
    CONFIRM_ADDRESS = "confirm_address"
    CHECK_CODE = "check_code"
    APPROVE = "approve"
    EXTEND = "extend"
    REFUSE = "refuse"
    CANCEL = "cancel"


def _holds(staff: StaffActor, roles: Collection[str]) -> bool:
    return bool(set(staff.roles) & set(roles))


def four_eyes_conflict(request: DataRequest, staff: StaffActor) -> str | None:
    """ "entered" or "verified" when the staff member did that to the request (and so may
    not approve it: four eyes); None otherwise."""
    actor = staff_actor(staff)
    if actor == request.entered_by:
        return "entered"
    if actor == request.verified_by:
        return "verified"
    return None


def extension_closed(request: DataRequest, now: datetime) -> str | None:
    """Why the request's deadline cannot be extended now, or None if it can be."""
    state = RequestState(request.state)
    if state in TERMINAL or state in (S.READY, S.DELIVERED):
        return f"A {state.value} request needs no more time."
    if request.extension_months >= deadlines.MAX_EXTENSION_MONTHS:
        return f"This request has had its {deadlines.MAX_EXTENSION_MONTHS} months already."
    limit = deadlines.extension_deadline(
        request.received_at, paused_days=paused_days_for(request, now)
    )
    if now > limit:
        return (
            "The first month is over: an extension can no longer be announced in time "
            "(Art. 12(3): the person must be told within one month of receipt)."
        )
    return None


def allowed_actions(
    request: DataRequest, staff: StaffActor, *, address_change_pending: bool, now: datetime
) -> list[StaffAction]:
    """The actions this staff member may take on this request now: the console shows
    exactly these, and the staff API returns them. Each action's own function enforces
    the same rules (a forged call is refused there)."""
    kind, state = RequestKind(request.kind), RequestState(request.state)
    verifiable = request.channel in {c.value for c in STAFF_CHANNELS} and state in VERIFIABLE
    may_verify = _holds(staff, MAY_VERIFY) and verifiable
    checks = {
        StaffAction.SEND_CODE: may_verify and not address_change_pending,
        StaffAction.CONFIRM_ADDRESS: may_verify and address_change_pending,
        StaffAction.CHECK_CODE: may_verify and request.code_hash is not None,
        StaffAction.APPROVE: _holds(staff, MAY_APPROVE)
        and state in (S.VERIFIED, S.BLOCKED)
        and four_eyes_conflict(request, staff) is None,
        StaffAction.EXTEND: _holds(staff, MAY_EXTEND) and extension_closed(request, now) is None,
        StaffAction.REFUSE: _holds(staff, MAY_REFUSE) and allowed(kind, state, S.REFUSED),
        StaffAction.CANCEL: _holds(staff, MAY_CANCEL) and allowed(kind, state, S.CANCELLED),
    }
    return [action for action, ok in checks.items() if ok]


def may_enter(staff: StaffActor) -> bool:
    """Whether the staff member may enter requests that came by e-mail, post or phone."""
    return _holds(staff, MAY_ENTER)


def staff_actor(staff: StaffActor) -> str:
    return f"staff:{staff.staff_id}"


def require_staff_role(staff: StaffActor, allowed: Collection[str], *, to: str) -> None:
    if not set(staff.roles) & set(allowed):
        raise Forbidden(
            f"Only staff with the role {' or '.join(allowed)} may {to}.",
            hint="`voxkeep staff` manages roles.",
        )


def clean_text(text: str | None, *, what: str, required: bool) -> str | None:
    cleaned = (text or "").strip()
    if not cleaned:
        if required:
            raise InvalidInput(f"Give the {what}.", hint="It is kept encrypted with the request.")
        return None
    if len(cleaned) > NOTE_LIMIT:
        raise InvalidInput(f"The {what} must be at most {NOTE_LIMIT} characters.")
    return cleaned


# --- filing --------------------------------------------------------------------


def _refuse_duplicate(session: Session, account_id: str, kind: RequestKind) -> None:
    open_states = [s.value for s in OPEN]
    existing = session.scalar(
        select(DataRequest.id).where(
            DataRequest.account_id == account_id,
            DataRequest.kind == kind.value,
            DataRequest.state.in_(open_states),
        )
    )
    if existing is not None:
        raise Conflict(
            f"There is already an open {kind.value} request for this account ({existing}).",
            hint="It will be answered; cancel it first to file a new one.",
        )


def _new_request(
    vault: Vault,
    session: Session,
    *,
    account: Account,
    kind: RequestKind,
    channel: Channel,
    received_at: datetime,
    actor: str,
    note: str | None,
) -> DataRequest:
    if account.erased_at is not None:
        raise Conflict("This account has been erased; it has no data to ask about.")
    _refuse_duplicate(session, account.id, kind)
    request = DataRequest(
        id=f"rq_{secrets.token_hex(8)}",
        account_id=account.id,
        kind=kind.value,
        channel=channel.value,
        state=S.RECEIVED.value,
        received_at=received_at,
        paused_seconds=0,
        paused_days=0,
        extension_months=0,
        code_attempts=0,
    )
    recompute_due(request)
    if channel is not Channel.PORTAL:
        request.entered_by = actor
    session.add(request)
    session.flush()
    append_event(vault, session, request, actor=actor, from_state=None, note=note, now=utcnow())
    record(
        session,
        AuditAction.REQUEST_RECEIVED,
        actor=actor,
        objects={
            "request": request.id,
            "account": account_pseudonym(vault, session, request),
            "kind": kind.value,
            "channel": channel.value,
        },
    )
    return request


def _start_work(vault: Vault, session: Session, request: DataRequest, *, actor: str) -> None:
    """verified (or blocked) → building, with the job that does the work, in one transaction."""
    transition(vault, session, request, S.BUILDING, actor=actor)
    kind = ERASURE_RUN if request.kind == RequestKind.ERASURE else EXPORT_BUILD
    enqueue(session, kind, {"request_id": request.id}, ref=request.id)


def require_filing_reauth(vault: Vault, *, person: PersonActor) -> None:
    """Raise ReauthRequired unless the person re-entered their password recently enough
    to file a request now (``request_reauth_s``): the portal asks for it first."""
    require_recent_reauth(person, within_s=vault.settings.request_reauth_s)


def file_request(vault: Vault, *, person: PersonActor, kind: RequestKind) -> str:
    """A request the signed-in person files in the portal for their own account.

    The fresh re-authentication is its identity check (Art. 12(6) asks for no
    more): it is verified at once and, with no staff involved, work starts
    in the same transaction.
    """
    require_filing_reauth(vault, person=person)
    now = utcnow()
    with vault.transaction() as session:
        account = session.get(Account, person.account_id)
        if account is None:
            raise NotFound("Your account no longer exists.")
        actor = account_actor_pseudonym(vault, session, account.id)
        request = _new_request(
            vault,
            session,
            account=account,
            kind=kind,
            channel=Channel.PORTAL,
            received_at=now,
            actor=actor,
            note=None,
        )
        request.verified_by = actor
        request.verified_at = person.reauth_at
        request.verification_method = VerificationMethod.REAUTH.value
        transition(
            vault, session, request, S.VERIFIED, actor=actor, params=says(Said.REAUTHENTICATED)
        )
        _start_work(vault, session, request, actor=SYSTEM)
        return request.id


def received_time(day: date) -> datetime:
    """The time a request known only by its day was received: noon UTC, which is that
    same calendar day in every time zone from UTC-11 to UTC+11, so the one-month
    deadline (Art. 12(3)) counts from the day staff typed wherever they are."""
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def enter_request(
    vault: Vault,
    *,
    staff: StaffActor,
    account: str,
    kind: RequestKind,
    channel: Channel,
    received_at: datetime | None = None,
    received_on: date | None = None,
    note: str | None = None,
) -> str:
    """A request that reached staff by e-mail, post or phone, for the account ``account``
    (the operator's account id). The deadline runs from when the letter or mail
    arrived, not from when it was typed in: ``received_at``, or only the day,
    ``received_on`` (see received_time); neither means now."""
    require_staff_role(staff, MAY_ENTER, to="enter requests")
    if channel not in STAFF_CHANNELS:
        raise InvalidInput(
            "Staff enter requests that came by e-mail, post or phone.",
            hint="Portal requests are filed by the signed-in person.",
        )
    if received_at is not None and received_on is not None:
        raise InvalidInput("Give the time the request was received or its day, not both.")
    now = utcnow()
    received = received_at or (received_time(received_on) if received_on else now)
    if received.tzinfo is None:
        raise InvalidInput("The received-at time needs a time zone.")
    if received > now + timedelta(seconds=vault.settings.clock_skew_s):
        raise InvalidInput("A request cannot be received in the future.")
    note = clean_text(note, what="note", required=False)
    with vault.transaction() as session:
        subject = find_account(vault, session, account)
        request = _new_request(
            vault,
            session,
            account=subject,
            kind=kind,
            channel=channel,
            received_at=received,
            actor=staff_actor(staff),
            note=note,
        )
        return request.id


# --- approval, extension, refusal, cancellation ------------------------------------


def approve(vault: Vault, *, staff: StaffActor, request_id: str) -> None:
    """The second pair of eyes: starts building the answer (or the erasure).

    The approver holds the approver role and is neither the staff member who
    entered the request nor the one who verified it; a refusal on those grounds
    is recorded as a FOUR_EYES_REFUSED incident (it may be an attempt). A request blocked by the
    release gate needs the same approval again to be rebuilt.
    """
    require_staff_role(staff, MAY_APPROVE, to="approve requests")
    actor = staff_actor(staff)
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        if request.state not in (S.VERIFIED, S.BLOCKED):
            raise Conflict(
                f"Only a verified (or blocked) request can be approved; this one is "
                f"{request.state}.",
                hint="Verify it first: `voxkeep requests verify`.",
            )
        role = four_eyes_conflict(request, staff)
        if role is None:
            request.approved_by = actor
            request.approved_at = utcnow()
            _start_work(vault, session, request, actor=actor)
            return
        # Refused, and recorded: it commits with this transaction, then the refusal is raised.
        _four_eyes_refused(vault, session, request, actor=actor, role=role)
    raise Forbidden(
        f"Four eyes: you {role} this request, so someone else must approve it.",
        hint="Ask another staff member with the approver role.",
    )


def _four_eyes_refused(
    vault: Vault, session: Session, request: DataRequest, *, actor: str, role: str
) -> None:
    """One FOUR_EYES_REFUSED incident per request and staff member, joined on repeat."""
    open_incident(
        vault,
        session,
        kind=IncidentKind.FOUR_EYES_REFUSED,
        cause=cause_of(IncidentKind.FOUR_EYES_REFUSED, request.id, actor),
        request_id=request.id,
        details={
            "check": f"four_eyes_{role}",
            "staff": actor,
            "account": account_pseudonym(vault, session, request),
        },
        actor=actor,
    )


def extend(
    vault: Vault, *, staff: StaffActor, request_id: str, months: int, reason: str
) -> datetime:
    """Extend the deadline by 1 or 2 months (at most 2 in all), Art. 12(3).

    Allowed only within the first month, because the person must be told
    within it; the notice (with the reasons) is mailed by a job queued here.
    Returns the new due date.
    """
    require_staff_role(staff, MAY_EXTEND, to="extend deadlines")
    text = clean_text(reason, what="reason for the extension", required=True)
    assert text is not None
    now = utcnow()
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        state = RequestState(request.state)
        total = request.extension_months + months
        if months < 1 or total > deadlines.MAX_EXTENSION_MONTHS:
            left = deadlines.MAX_EXTENSION_MONTHS - request.extension_months
            raise InvalidInput(
                f"An extension is at most {deadlines.MAX_EXTENSION_MONTHS} months in all; "
                f"this request can get {left} more.",
                hint="Art. 12(3) allows two further months, no more.",
            )
        closed = extension_closed(request, now)
        if closed is not None:
            raise Conflict(closed)
        request.extension_months = total
        previous = (
            open_note(vault, session, request, "extension_reason", request.extension_reason_ct)
            if request.extension_reason_ct
            else None
        )
        combined = f"{previous}\n{text}" if previous else text
        request.extension_reason_ct = seal_note(
            vault, session, request, "extension_reason", combined
        )
        request.extension_notified_at = None
        recompute_due(request)
        actor = staff_actor(staff)
        append_event(
            vault,
            session,
            request,
            actor=actor,
            from_state=state,
            note=text,
            now=now,
            params=says(Said.EXTENDED, months=months),
        )
        record(
            session,
            AuditAction.REQUEST_EXTENDED,
            actor=actor,
            objects={"request": request.id, "account": account_pseudonym(vault, session, request)},
            counts={"months": months, "total_months": total},
        )
        enqueue(session, NOTIFY, {"request_id": request.id, "notice": "extended"}, ref=request.id)
        return request.due_at


def refuse(vault: Vault, *, staff: StaffActor, request_id: str, reason: str) -> None:
    """Refuse a manifestly unfounded or excessive request (Art. 12(5)), with reasons.

    The person is told the reasons and their right to complain to a supervisory
    authority and to a judicial remedy (Art. 12(4)) by a mail queued here.
    """
    require_staff_role(staff, MAY_REFUSE, to="refuse requests")
    text = clean_text(reason, what="reason for the refusal", required=True)
    assert text is not None
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        request.refusal_reason_ct = seal_note(vault, session, request, "refusal_reason", text)
        request.code_hash = None
        transition(vault, session, request, S.REFUSED, actor=staff_actor(staff), note=text)
        enqueue(session, NOTIFY, {"request_id": request.id, "notice": "refused"}, ref=request.id)


def cancel(vault: Vault, *, staff: StaffActor, request_id: str, reason: str) -> None:
    """Cancel on the person's behalf (they withdrew it, or never answered verification)."""
    require_staff_role(staff, MAY_CANCEL, to="cancel requests")
    text = clean_text(reason, what="reason for cancelling", required=True)
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        request.code_hash = None
        transition(vault, session, request, S.CANCELLED, actor=staff_actor(staff), note=text)


# Work on the answer has started: the person can no longer withdraw the request.
ANSWERING = frozenset({S.BUILDING, S.CHECKING})


def may_withdraw(kind: RequestKind, state: RequestState) -> bool:
    """Whether the person may withdraw a request of kind in state (cancel_own's rule)."""
    return state not in ANSWERING and allowed(kind, state, S.CANCELLED)


def cancel_own(vault: Vault, *, person: PersonActor, request_id: str) -> None:
    """The person withdraws their own request (before work on it started)."""
    with vault.transaction() as session:
        request = own_request(session, person, request_id, lock=True)
        if request.state in ANSWERING:
            raise Conflict(
                "Your request is being answered and can no longer be withdrawn.",
                hint="The answer will be ready shortly; you need not download it.",
            )
        actor = account_actor_pseudonym(vault, session, person.account_id)
        request.code_hash = None
        transition(vault, session, request, S.CANCELLED, actor=actor, params=says(Said.WITHDRAWN))


def own_request(
    session: Session, person: PersonActor, request_id: str, *, lock: bool
) -> DataRequest:
    request = (
        session.get(DataRequest, request_id, with_for_update=True, populate_existing=True)
        if lock
        else session.get(DataRequest, request_id)
    )
    # Another person's request does not exist, as far as this person can tell.
    if request is None or request.account_id != person.account_id:
        raise NotFound("You have no request with this id.")
    return request


def settle_for_erased_account(
    vault: Vault, session: Session, account_id: str, *, by: StepParams
) -> int:
    """End the open requests of an account that was erased: nothing is left to answer
    them from. Cancelled where that is a legal move, else closed; returns how many.
    ``by``: what erased it (``says(Said.ACCOUNT_ERASED, receipt=…)`` or ``request=…``).

    Call it in the transaction that destroys the account's key. An access or
    portability answer being built or checked is cancelled too (its job then
    releases nothing); the erasure request being carried out is left to its job.
    """
    count = 0
    for request in unfinished_requests(session, account_id):
        kind, state = RequestKind(request.kind), RequestState(request.state)
        if kind is RequestKind.ERASURE and state is S.BUILDING:
            continue
        for to in (S.CANCELLED, S.CLOSED):
            if allowed(kind, state, to):
                request.code_hash = None
                transition(vault, session, request, to, actor=SYSTEM, params=by)
                count += 1
                break
    return count
