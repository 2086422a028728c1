"""Reading requests: the staff list (by due date), a request with its timeline and jobs,
and the person's own view (no staff ids, no internal notes)."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account
from voxkeep.accounts.service import account_actor_pseudonym, open_field
from voxkeep.audit.events import AuditAction, record
from voxkeep.db.base import utcnow
from voxkeep.errors import IntegrityFailure, NotFound
from voxkeep.exports.tasks import NOTIFY_READY
from voxkeep.incidents.models import Incident
from voxkeep.jobs.models import Job, JobState
from voxkeep.jobs.queue import jobs_for, waiting_for
from voxkeep.requests.address import confirmation_pending
from voxkeep.requests.models import Channel, DataRequest, RequestEvent, RequestKind, RequestState
from voxkeep.requests.service import (
    ERASURE_RUN,
    EXPORT_BUILD,
    MAY_READ,
    NOTIFY,
    PersonActor,
    StaffActor,
    allowed_actions,
    may_withdraw,
    own_request,
    require_staff_role,
    staff_actor,
)
from voxkeep.requests.states import (
    OPEN,
    account_pseudonym,
    effective_due_at,
    event_field,
    open_note,
)
from voxkeep.retention.receipt_mail import KIND as RECEIPT_MAIL
from voxkeep.vault import Vault

ERASED = "(unreadable: the account was erased)"
# An open request due within this many days is at risk: the queue marks it.
AT_RISK_DAYS = 7


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    at: datetime
    from_state: str | None
    to_state: str
    actor: str
    note: str | None  # what staff typed; on a step recorded before 0020, voxkeep's own words
    step: str | None  # a RequestStep: a step that is not a move (e.g. "address:changed")
    # What voxkeep says of a step it wrote itself: {"said": a Said, figures by name}.
    params: dict[str, str | int] | None = None


@dataclass(frozen=True)
class PersonStep:
    at: datetime
    state: str
    step: str | None


@dataclass(frozen=True)
class JobInfo:
    id: str
    kind: str
    state: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class Waiting:
    """A job of the request retrying a transient fault: what it does, which fault, since when.

    ``notice``: the job mails the person (a notice to them is late because of the fault)."""

    kind: str
    fault: str
    since: datetime
    notice: bool
    last_error: str | None
    gave_up: bool = False  # it stopped retrying (a person retries it; not a blocking kind)

    @property
    def text(self) -> str:
        what = "notice to the person late" if self.notice else "waiting"
        since = f"{self.since:%Y-%m-%d %H:%M} UTC"
        then = "gave up: retry with `voxkeep requests work --retry-failed`"
        return f"{what}: {self.cause} since {since}, {then if self.gave_up else 'retrying'}"

    @property
    def cause(self) -> str:
        return FAULT_WORDS.get(self.fault, self.fault)


# What each transient fault (jobs.faults.Fault) looks like to staff.
FAULT_WORDS = {
    "storage": "storage full or failing",
    "database": "database unavailable",
    "mail": "mail server unavailable",
}
# Jobs whose work is a mail to the person (a late one makes a notice late).
NOTICE_KINDS = frozenset({NOTIFY, NOTIFY_READY, RECEIPT_MAIL})
# Jobs whose give-up blocks the request (requests.tasks.give_up).
BLOCKING_KINDS = frozenset({EXPORT_BUILD, ERASURE_RUN})


def waiting_of(session: Session, request_ids: Collection[str]) -> dict[str, tuple[Waiting, ...]]:
    """The jobs of these requests that retry a fault, and those that gave up waiting without
    blocking the request (a notice, an answer's expiry), by request: one query."""
    found = waiting_for(session, request_ids)
    return {
        ref: tuple(
            Waiting(w.kind, w.fault, w.since, w.kind in NOTICE_KINDS, w.last_error, w.gave_up)
            for w in jobs
            # A request's answer or erasure job that gave up blocked it, which says why.
            if not w.gave_up or w.kind not in BLOCKING_KINDS
        )
        for ref, jobs in found.items()
    }


@dataclass(frozen=True)
class Blocked:
    """Why a blocked request is blocked: a reason made of codes and check names (for the API
    and the command line), and the incident that records it when the cause was an integrity
    failure. The rest says the same in codes and figures, for a page to word in its language."""

    reason: str
    incident: str | None
    cause: str = "unknown"  # "fault", "failed" (a job gave up), "incident" or "unknown"
    job: str | None = None  # the kind of the job that gave up
    fault: str | None = None  # the transient fault it waited out (jobs.faults.Fault)
    since: datetime | None = None  # when that fault began
    attempts: int | None = None
    error: str | None = None  # the job's last error: the operation and the error's class
    incident_kind: str | None = None
    check: str | None = None  # the failed check's name


@dataclass(frozen=True)
class RequestSummary:
    id: str
    kind: str
    channel: str
    state: str
    received_at: datetime
    due_at: datetime  # as of now: a running pause keeps moving it
    paused: bool
    extension_months: int
    overdue: bool
    days_left: int  # whole UTC days from today to the due date; negative once overdue
    at_risk: bool  # open, not overdue, due within AT_RISK_DAYS
    blocked: Blocked | None = None  # for a blocked request: why (blocked_of)
    # Its jobs that retry a transient fault (a full disk, the mail server down), oldest first.
    waiting: tuple[Waiting, ...] = ()


@dataclass(frozen=True)
class RequestDetail:
    summary: RequestSummary
    account: str | None  # the operator's account id; None once erased
    entered_by: str | None
    verified_by: str | None
    verified_at: datetime | None
    verification_method: str | None
    evidence: str | None
    approved_by: str | None
    approved_at: datetime | None
    extension_reason: str | None
    extension_notified_at: datetime | None
    refusal_reason: str | None
    code_expires_at: datetime | None
    # The account's address changed after receipt and no one confirmed it for this
    # request: no code can be sent until then (requests.address).
    address_change_pending: bool
    address_confirmed_by: str | None
    address_confirmed_at: datetime | None
    export_id: str | None
    receipt_id: str | None
    timeline: list[TimelineEntry]
    jobs: list[JobInfo]
    # What the staff member reading it may do now (service.allowed_actions).
    actions: list[str]


@dataclass(frozen=True)
class PersonView:
    """What the person sees of their own request: no staff ids, no internal notes."""

    summary: RequestSummary
    extension_reason: str | None
    refusal_reason: str | None
    export_id: str | None
    timeline: list[PersonStep]
    can_withdraw: bool  # the person may still withdraw it (requests.service.cancel_own)


def blocked_of(session: Session, request: DataRequest) -> Blocked | None:
    """Why the request is blocked: the newer of its newest incident and its newest job that
    failed for good (a job's give-up blocks its request; exports.failures)."""
    if request.state != RequestState.BLOCKED.value:
        return None
    incident = session.scalars(
        select(Incident)
        .where(Incident.request_id == request.id)
        .order_by(Incident.last_seen_at.desc(), Incident.opened_at.desc())
        .limit(1)
    ).first()
    job = session.scalars(
        select(Job)
        .where(Job.ref == request.id, Job.state == JobState.FAILED.value)
        .order_by(Job.finished_at.desc())
        .limit(1)
    ).first()
    seen = incident.last_seen_at or incident.opened_at if incident is not None else None
    if job is not None and job.finished_at is not None and (seen is None or job.finished_at > seen):
        if job.fault is not None and job.fault_since is not None:
            since = f"{job.fault_since:%Y-%m-%d %H:%M} UTC"
            reason = f"job {job.kind} gave up after a {job.fault} fault since {since}"
        else:
            reason = f"job {job.kind} failed after {job.attempts} attempts"
        return Blocked(
            reason=f"{reason}: {job.last_error}",
            incident=None,
            cause="fault" if job.fault is not None and job.fault_since is not None else "failed",
            job=job.kind,
            fault=job.fault,
            since=job.fault_since,
            attempts=job.attempts,
            error=job.last_error,
        )
    if incident is None:
        return Blocked(reason="blocked", incident=None)
    check = incident.details.get("check")
    reason = f"{incident.kind}: {check}" if isinstance(check, str) else incident.kind
    return Blocked(
        reason=reason,
        incident=incident.id,
        cause="incident",
        incident_kind=incident.kind,
        check=check if isinstance(check, str) else None,
    )


def summarize(
    request: DataRequest,
    now: datetime,
    *,
    session: Session | None = None,
    waiting: tuple[Waiting, ...] | None = None,
) -> RequestSummary:
    due = effective_due_at(request, now)
    still_owed = RequestState(request.state) in OPEN
    overdue = still_owed and now > due
    days_left = (due.date() - now.date()).days
    return RequestSummary(
        id=request.id,
        kind=request.kind,
        channel=request.channel,
        state=request.state,
        received_at=request.received_at,
        due_at=due,
        paused=request.paused_since is not None,
        extension_months=request.extension_months,
        overdue=overdue,
        days_left=days_left,
        at_risk=still_owed and not overdue and days_left <= AT_RISK_DAYS,
        blocked=blocked_of(session, request) if session is not None else None,
        waiting=_waiting(session, request.id) if waiting is None else waiting,
    )


def _waiting(session: Session | None, request_id: str) -> tuple[Waiting, ...]:
    if session is None:
        return ()
    return waiting_of(session, [request_id]).get(request_id, ())


def _read(
    vault: Vault, session: Session, request: DataRequest, field: str, sealed: bytes | None
) -> str | None:
    if sealed is None:
        return None
    try:
        return open_note(vault, session, request, field, sealed)
    except IntegrityFailure:  # KeyDestroyed is one: the account was erased
        return ERASED


def _events(session: Session, request_id: str) -> list[RequestEvent]:
    return list(
        session.scalars(
            select(RequestEvent)
            .where(RequestEvent.request_id == request_id)
            .order_by(RequestEvent.seq)
        )
    )


def list_requests(
    vault: Vault,
    *,
    staff: StaffActor,
    states: list[RequestState] | None = None,
    everything: bool = False,
    kinds: list[RequestKind] | None = None,
    channels: list[Channel] | None = None,
    limit: int = 1000,
) -> list[RequestSummary]:
    """Requests by due date, soonest first. Default: those whose answer is still owed;
    ``kinds`` and ``channels`` narrow the list further."""
    require_staff_role(staff, MAY_READ, to="read requests")
    wanted = states or (list(RequestState) if everything else sorted(OPEN))
    now = utcnow()
    query = select(DataRequest).where(DataRequest.state.in_([s.value for s in wanted]))
    if kinds:
        query = query.where(DataRequest.kind.in_([k.value for k in kinds]))
    if channels:
        query = query.where(DataRequest.channel.in_([c.value for c in channels]))
    with vault.reading() as session:
        rows = list(
            session.scalars(query.order_by(DataRequest.due_at, DataRequest.id).limit(limit))
        )
        waiting = waiting_of(session, [r.id for r in rows])
        summaries = [
            summarize(r, now, session=session, waiting=waiting.get(r.id, ())) for r in rows
        ]
    return sorted(summaries, key=lambda s: (s.due_at, s.id))


CSV_COLUMNS = (
    "id",
    "kind",
    "channel",
    "state",
    "received_at",
    "due_at",
    "days_left",
    "overdue",
    "at_risk",
    "paused",
    "extension_months",
)


def summaries_csv(rows: Iterable[RequestSummary]) -> str:
    """The queue as CSV: the request's own facts only (no account, no address, no notes)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = [getattr(row, column) for column in CSV_COLUMNS]
        writer.writerow(
            v.isoformat()
            if isinstance(v, datetime)
            else str(v).lower()
            if isinstance(v, bool)
            else v
            for v in values
        )
    return out.getvalue()


def summary_of(vault: Vault, *, staff: StaffActor, request_id: str) -> RequestSummary:
    require_staff_role(staff, MAY_READ, to="read requests")
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        if request is None:
            raise NotFound("There is no request with this id.", hint="`voxkeep requests list`.")
        return summarize(request, utcnow())


def _account_id_text(vault: Vault, session: Session, account_id: str) -> str | None:
    account = session.get(Account, account_id)
    if account is None or account.erased_at is not None:
        return None
    try:
        key = vault.keyring.data_key(session, account_id)
    except IntegrityFailure:
        return None
    return open_field(key, account_id, "external_id", account.external_id_ct)


def show_request(vault: Vault, *, staff: StaffActor, request_id: str) -> RequestDetail:
    """One request with its timeline and jobs; decrypting its notes is audited."""
    require_staff_role(staff, MAY_READ, to="read requests")
    with vault.transaction() as session:
        request = session.get(DataRequest, request_id)
        if request is None:
            raise NotFound("There is no request with this id.", hint="`voxkeep requests list`.")
        detail = _detail(vault, session, request, staff)
        record(
            session,
            AuditAction.REQUEST_READ,
            actor=staff_actor(staff),
            objects={"request": request.id, "account": account_pseudonym(vault, session, request)},
        )
        return detail


def _detail(
    vault: Vault, session: Session, request: DataRequest, staff: StaffActor
) -> RequestDetail:
    timeline = [
        TimelineEntry(
            seq=e.seq,
            at=e.at,
            from_state=e.from_state,
            to_state=e.to_state,
            actor=e.actor,
            note=_read(vault, session, request, event_field(e.seq), e.note_ct),
            step=e.step,
            params=e.params,
        )
        for e in _events(session, request.id)
    ]
    jobs = [
        JobInfo(id=j.id, kind=j.kind, state=j.state, attempts=j.attempts, last_error=j.last_error)
        for j in jobs_for(session, request.id)
    ]
    now = utcnow()
    pending = confirmation_pending(session, request)
    actions = allowed_actions(request, staff, address_change_pending=pending, now=now)
    return RequestDetail(
        summary=summarize(request, now, session=session),
        account=_account_id_text(vault, session, request.account_id),
        entered_by=request.entered_by,
        verified_by=request.verified_by,
        verified_at=request.verified_at,
        verification_method=request.verification_method,
        evidence=_read(vault, session, request, "evidence", request.evidence_ct),
        approved_by=request.approved_by,
        approved_at=request.approved_at,
        extension_reason=_read(
            vault, session, request, "extension_reason", request.extension_reason_ct
        ),
        extension_notified_at=request.extension_notified_at,
        refusal_reason=_read(vault, session, request, "refusal_reason", request.refusal_reason_ct),
        code_expires_at=request.code_expires_at if request.code_hash is not None else None,
        address_change_pending=pending,
        address_confirmed_by=request.address_confirmed_by,
        address_confirmed_at=request.address_confirmed_at,
        export_id=request.export_id,
        receipt_id=request.receipt_id,
        timeline=timeline,
        jobs=jobs,
        actions=[a.value for a in actions],
    )


def _person_view(vault: Vault, session: Session, request: DataRequest) -> PersonView:
    return PersonView(
        summary=summarize(request, utcnow()),
        extension_reason=_read(
            vault, session, request, "extension_reason", request.extension_reason_ct
        ),
        refusal_reason=_read(vault, session, request, "refusal_reason", request.refusal_reason_ct),
        export_id=request.export_id,
        timeline=[
            PersonStep(at=e.at, state=e.to_state, step=e.step)
            for e in _events(session, request.id)
            # moves, and the tagged steps that concern the person; not internal steps
            if e.from_state != e.to_state or e.step is not None
        ],
        can_withdraw=may_withdraw(RequestKind(request.kind), RequestState(request.state)),
    )


def list_own(vault: Vault, *, person: PersonActor) -> list[RequestSummary]:
    now = utcnow()
    with vault.reading() as session:
        rows = session.scalars(
            select(DataRequest)
            .where(DataRequest.account_id == person.account_id)
            .order_by(DataRequest.received_at.desc(), DataRequest.id)
        )
        return [summarize(r, now) for r in rows]


def show_own(vault: Vault, *, person: PersonActor, request_id: str) -> PersonView:
    with vault.transaction() as session:
        request = own_request(session, person, request_id, lock=False)
        view = _person_view(vault, session, request)
        actor = account_actor_pseudonym(vault, session, person.account_id)
        record(session, AuditAction.REQUEST_READ, actor=actor, objects={"request": request.id})
        return view
