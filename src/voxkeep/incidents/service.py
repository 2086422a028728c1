"""The breach register (Art. 33(5)): opening, assessing, notifying and closing incidents.

Details hold ids, pseudonyms and counts, never content; what staff type is
sealed (incidents.states). The clock runs 72 hours from awareness, which is
the opening time until the DPO sets it, with a reason (``set_awareness``).
Each public function here is the one service call that a console page, a
command and an API route share; ``mark_authority_notified`` is for the
authority's document that records the notification, in its transaction. The
people are notified by ``telling.settle`` alone, once nobody who must be told
is left (incidents/telling.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.log import EventView
from voxkeep.audit.search import EventQuery, search_events
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, InvalidInput, KeyDestroyed, NotFound, VoxkeepError
from voxkeep.incidents import affected as affected_people
from voxkeep.incidents import telling
from voxkeep.incidents.models import (
    AffectedSource,
    Incident,
    IncidentEvent,
    IncidentKind,
    IncidentState,
    Risk,
)
from voxkeep.incidents.states import (
    Step,
    event_field,
    lock_incident,
    move,
    next_states,
    open_note,
    record_step,
    refuse_closed,
    risk_of,
    seal_note,
)
from voxkeep.people.models import StaffRole
from voxkeep.people.staff import StaffSession, require_role
from voxkeep.requests.models import DataRequest
from voxkeep.vault import Vault

# Art. 33(1): notify the supervisory authority within 72 hours of awareness.
NOTIFY_WITHIN = timedelta(hours=72)
# Who sees incidents: the data protection officer, and admins who run the vault.
READERS: Final = (StaffRole.DPO, StaffRole.ADMIN)
# Who acts on them: the data protection officer.
ACTORS: Final = (StaffRole.DPO,)
# The longest staff-typed text kept for one field.
TEXT_MAX: Final = 4000


def open_incident(
    vault: Vault,
    session: Session,
    *,
    kind: IncidentKind,
    request_id: str | None,
    details: Mapping[str, Any],
    actor: str,
    cause: str | None = None,
) -> Incident:
    """Record an incident in the caller's transaction (with its audit event).

    ``cause`` names what opened it (a kind and server-made ids, see ``cause_of``):
    when an incident with that cause exists, this occurrence joins it (counted,
    with an ``incident:joined`` audit event) and that incident is returned, so a
    repeated event never opens a duplicate.
    """
    now = utcnow()
    if cause is not None:
        earlier = incident_by_cause(session, cause, lock=True)
        if earlier is not None:
            return _join(session, earlier, actor=actor, now=now)
    incident = Incident(
        id=secrets.token_hex(16),
        opened_at=now,
        kind=kind.value,
        request_id=request_id,
        details={**details, "notify_authority_by": (now + NOTIFY_WITHIN).isoformat()},
        cause=cause,
        occurrences=1,
        last_seen_at=now,
        state=IncidentState.OPEN.value,
    )
    try:
        # A savepoint: on PostgreSQL a concurrent transaction may commit the same
        # cause first; then the unique index refuses ours and we join theirs.
        with session.begin_nested():
            session.add(incident)
            session.flush()
    except IntegrityError:
        earlier = incident_by_cause(session, cause, lock=True) if cause is not None else None
        if earlier is None:
            raise
        return _join(session, earlier, actor=actor, now=now)
    objects: dict[str, str] = {"incident": incident.id, "kind": kind.value}
    if request_id is not None:
        objects["request"] = request_id
    record(session, AuditAction.INCIDENT_OPENED, actor=actor, objects=objects)
    record_step(vault, session, incident, actor=actor, step=Step.OPENED, now=now)
    _derive_quietly(vault, session, incident, actor=actor)
    return incident


def _derive_quietly(vault: Vault, session: Session, incident: Incident, *, actor: str) -> None:
    """Derive the affected people as the incident opens; a failure to derive never stops
    the incident from being recorded (the DPO derives again from its page)."""
    try:
        with session.begin_nested():
            affected_people.derive_in(vault, session, incident, actor=actor)
    except (VoxkeepError, KeyDestroyed, IntegrityError):
        pass


def cause_of(kind: IncidentKind, *ids: str) -> str:
    """The cause key of an event: its kind and the server-made ids that make it one cause."""
    return ":".join((kind.value, *ids))


def incident_by_cause(session: Session, cause: str, *, lock: bool = False) -> Incident | None:
    query = select(Incident).where(Incident.cause == cause)
    return session.scalar(query.with_for_update() if lock else query)


def incidents_by_cause(session: Session, causes: Collection[str]) -> dict[str, str]:
    """The ids of the incidents of these causes, by cause, in one query (absent: none)."""
    if not causes:
        return {}
    rows = session.execute(
        select(Incident.cause, Incident.id).where(Incident.cause.in_(list(causes)))
    )
    return {cause: incident_id for cause, incident_id in rows if cause is not None}


def _join(session: Session, incident: Incident, *, actor: str, now: datetime) -> Incident:
    incident.occurrences += 1
    incident.last_seen_at = now
    record(
        session,
        AuditAction.INCIDENT_JOINED,
        actor=actor,
        objects={"incident": incident.id, "kind": incident.kind},
        counts={"occurrences": incident.occurrences},
    )
    return incident


def incidents_for_request(session: Session, request_id: str) -> list[Incident]:
    return list(
        session.scalars(
            select(Incident).where(Incident.request_id == request_id).order_by(Incident.opened_at)
        )
    )


def list_incidents(session: Session, *, limit: int = 100) -> list[Incident]:
    return list(session.scalars(select(Incident).order_by(Incident.opened_at.desc()).limit(limit)))


@dataclass(frozen=True)
class Clock:
    """Art. 33(1): the authority is to be notified within 72 hours of awareness.

    The clock stops when the authority is notified; an incident closed without
    notifying it (assessed as unlikely to result in a risk) needs none.
    """

    aware_at: datetime
    notify_by: datetime
    left: timedelta  # at notification, or now; negative once the deadline has passed
    notified_at: datetime | None = None
    needed: bool = True

    @property
    def overdue(self) -> bool:
        """The authority was not notified within 72 hours (and had to be)."""
        return self.needed and self.left < timedelta(0)

    @property
    def running(self) -> bool:
        return self.needed and self.notified_at is None

    @property
    def hours_left(self) -> int:
        """Whole hours left, rounded down; negative hours past the deadline when overdue."""
        return int(self.left.total_seconds() // 3600)

    @property
    def hours_over(self) -> int:
        """Whole hours past the deadline, rounded down (0 while not overdue)."""
        return max(0, int(-self.left.total_seconds() // 3600))


def aware_at_of(incident: Incident) -> datetime:
    return incident.aware_at or incident.opened_at


def clock_of(incident: Incident, now: datetime) -> Clock:
    aware_at = aware_at_of(incident)
    notify_by = aware_at + NOTIFY_WITHIN
    notified = incident.authority_notified_at
    needed = not (incident.state == IncidentState.CLOSED.value and notified is None)
    return Clock(
        aware_at=aware_at,
        notify_by=notify_by,
        left=notify_by - (notified or now),
        notified_at=notified,
        needed=needed,
    )


@dataclass(frozen=True)
class IncidentSummary:
    id: str
    kind: IncidentKind
    request_id: str | None
    clock: Clock
    opened_at: datetime
    details: dict[str, Any]
    state: IncidentState = IncidentState.OPEN
    risk: Risk | None = None
    occurrences: int = 1


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    at: datetime
    actor: str  # staff:<id>, system, or an account's pseudonym
    action: str  # an incidents.states.Step
    state: IncidentState  # after the step
    note: str | None  # what staff typed, opened for staff who may read it
    # What voxkeep says of the step, as codes and figures; None for a step it did not
    # word (and for steps recorded before it kept them: their note holds its words).
    params: dict[str, str | int] | None = None
    sha256: str | None = None  # the document sent to the authority at this step


@dataclass(frozen=True)
class AffectedView:
    id: str
    account: str  # pseudonym
    erased: bool  # the account was purged: only the pseudonym and counts remain
    source: AffectedSource
    recordings: int
    first_at: datetime | None
    last_at: datetime | None
    devices: tuple[str, ...]  # pseudonyms
    reason: str | None  # why the DPO added them
    added_at: datetime
    added_by: str


@dataclass(frozen=True)
class Assessment:
    """The DPO's assessment; its words feed the authority's document and the notices."""

    risk: Risk
    assessed_at: datetime
    reason: str | None
    nature: str | None
    consequences: str | None
    measures_taken: str | None
    measures_proposed: str | None


@dataclass(frozen=True)
class DownloadSeen:
    """One download of the incident's answer: for the DPO's eyes, never for a log."""

    at: datetime
    range_start: int
    range_end: int
    address: str | None  # None once the owner's key is destroyed
    user_agent: str | None


@dataclass(frozen=True)
class AudioSeen:
    """A recording that failed its build check, and whose stored audio it really held
    (pseudonyms; ``owner`` None when the vault cannot show it)."""

    recording: str
    owner: str | None
    found_by: str | None  # "sealed_sha256" or "stored_bytes"


def _audio(details: dict[str, Any]) -> list[AudioSeen]:
    seen = details.get("audio")
    if not isinstance(seen, list):
        return []
    return [
        AudioSeen(str(a.get("recording", "")), _text(a.get("owner")), _text(a.get("found_by")))
        for a in seen
        if isinstance(a, dict)
    ]


@dataclass(frozen=True)
class IncidentDetail:
    """An incident with its evidence and its register entry."""

    summary: IncidentSummary
    cause: str | None  # the failed release-gate check, for a gate failure
    export_id: str | None  # the answer it came from
    account: str | None  # the affected account's pseudonym
    recordings: int | None  # how many recordings the answer held
    downloads: int | None  # how many downloads of it were recorded
    bytes_served: int | None
    events: list[EventView]  # every audit event naming it, its request or its answer, newest first
    timeline: list[TimelineEntry] = field(default_factory=list)
    affected: list[AffectedView] = field(default_factory=list)
    assessment: Assessment | None = None
    download_log: list[DownloadSeen] = field(default_factory=list)
    next_states: list[IncidentState] = field(default_factory=list)
    audio: list[AudioSeen] = field(default_factory=list)  # whose audio failed rows held


LIST_LIMIT: Final = 200
EVIDENCE_EVENTS: Final = 200
DEADLINES: Final = 5


def _summary(incident: Incident, now: datetime) -> IncidentSummary:
    return IncidentSummary(
        id=incident.id,
        kind=IncidentKind(incident.kind),
        request_id=incident.request_id,
        clock=clock_of(incident, now),
        opened_at=incident.opened_at,
        details=dict(incident.details),
        state=IncidentState(incident.state),
        risk=risk_of(incident),
        occurrences=incident.occurrences,
    )


def incident_summaries(
    vault: Vault,
    *,
    now: datetime | None = None,
    limit: int = LIST_LIMIT,
    staff: StaffSession | None = None,
) -> list[IncidentSummary]:
    """The newest incidents first, each with the time left on its clock at ``now``.

    With ``staff``, only for the DPO and admins (pages and routes check it first).
    """
    if staff is not None:
        require_role(staff, *READERS)
    if not 1 <= limit <= LIST_LIMIT:
        raise InvalidInput(f"The number of incidents must be between 1 and {LIST_LIMIT}.")
    when = now or utcnow()
    with vault.reading() as session:
        return [_summary(row, when) for row in list_incidents(session, limit=limit)]


def nearest_deadlines(
    vault: Vault, *, now: datetime | None = None, limit: int = DEADLINES
) -> list[IncidentSummary]:
    """The incidents whose authority is still to be notified, nearest deadline first
    (for the dashboard); an incident not yet assessed still counts."""
    waiting = (IncidentState.OPEN.value, IncidentState.ASSESSED.value)
    aware = func.coalesce(Incident.aware_at, Incident.opened_at)
    with vault.reading() as session:
        rows = session.scalars(
            select(Incident)
            .where(Incident.state.in_(waiting))
            .order_by(aware, Incident.id)
            .limit(limit)
        )
        when = now or utcnow()
        return [_summary(row, when) for row in rows]


def show_incident(
    vault: Vault,
    incident_id: str,
    *,
    now: datetime | None = None,
    reader: StaffSession | None = None,
) -> IncidentDetail:
    """One incident with its evidence, timeline, affected people and assessment.

    With ``reader``, the sealed words and the download addresses are opened
    for them, and the reading is recorded in the audit log.
    """
    if reader is not None:
        require_role(reader, *READERS)
    with vault.transaction() if reader else vault.reading() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("There is no incident with this id.")
        summary = _summary(incident, now or utcnow())
        details = summary.details
        # Nothing names the request before it was received: the search starts there.
        received = session.scalar(
            select(DataRequest.received_at).where(DataRequest.id == incident.request_id)
        )
        opened = reader is not None
        register = _register(vault, session, incident, opened=opened)
        if reader is not None:
            record(
                session,
                AuditAction.INCIDENT_READ,
                actor=reader.actor,
                objects={"incident": incident.id},
                counts={"downloads": len(register["download_log"])},
            )
    export_id = _text(details.get("export"))
    names = {incident.id} | {n for n in (incident.request_id, export_id) if n}
    since = min(received, incident.opened_at) if received else incident.opened_at
    query = EventQuery(names=frozenset(names), since=since)
    page = search_events(vault, query, limit=EVIDENCE_EVENTS)
    downloads = details.get("downloads")
    return IncidentDetail(
        summary=summary,
        cause=_text(details.get("check")),
        export_id=export_id,
        account=_text(details.get("account")),
        recordings=_number(details.get("recordings")),
        downloads=len(downloads) if isinstance(downloads, list) else None,
        bytes_served=_number(details.get("bytes_served")),
        # Its own readings are in the log, not in its evidence.
        events=[e for e in page.events if e.action != AuditAction.INCIDENT_READ.value],
        next_states=next_states(summary.risk, summary.state),
        audio=_audio(details),
        **register,
    )


def _register(
    vault: Vault, session: Session, incident: Incident, *, opened: bool
) -> dict[str, Any]:
    def note(name: str, sealed: bytes | None) -> str | None:
        return open_note(vault, session, incident.id, name, sealed) if opened else None

    timeline = [
        TimelineEntry(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            action=e.action,
            state=IncidentState(e.state),
            note=note(event_field(e.seq), e.note_ct),
            params=dict(e.params) if e.params else None,
            sha256=e.sha256,
        )
        for e in session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident.id)
            .order_by(IncidentEvent.seq)
        )
    ]
    affected = [
        AffectedView(
            id=row.id,
            account=row.account,
            erased=row.account_id is None,
            source=AffectedSource(row.source),
            recordings=row.recordings,
            first_at=row.first_at,
            last_at=row.last_at,
            devices=tuple(row.devices),
            reason=note(affected_people.affected_field(row.id), row.reason_ct),
            added_at=row.added_at,
            added_by=row.added_by,
        )
        for row in affected_people.affected_rows(session, [incident.id])
    ]
    assessment = None
    if incident.risk is not None and incident.assessed_at is not None:
        assessment = Assessment(
            risk=Risk(incident.risk),
            assessed_at=incident.assessed_at,
            **{name: note(name, getattr(incident, _column(name))) for name in ASSESSMENT_TEXTS},
        )
    return {
        "timeline": timeline,
        "affected": affected,
        "assessment": assessment,
        "download_log": _download_log(vault, session, incident) if opened else [],
    }


def _download_log(vault: Vault, session: Session, incident: Incident) -> list[DownloadSeen]:
    from voxkeep.exports.delivery import download_log
    from voxkeep.exports.models import Export

    export_id = incident.details.get("export")
    export = session.get(Export, export_id) if isinstance(export_id, str) else None
    if export is None:
        return []
    try:
        return [
            DownloadSeen(
                at=d.at,
                range_start=d.range_start,
                range_end=d.range_end,
                address=d.address,
                user_agent=d.user_agent,
            )
            for d in download_log(vault, session, export)
        ]
    except KeyDestroyed:
        return []


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# The register: awareness, assessment, affected people, notifications, closing ----------

# The assessment's words, each sealed in incidents.<name>_ct.
ASSESSMENT_TEXTS: Final = (
    "reason",
    "nature",
    "consequences",
    "measures_taken",
    "measures_proposed",
)


def _column(name: str) -> str:
    """The column that keeps an assessment's text sealed."""
    return "risk_reason_ct" if name == "reason" else f"{name}_ct"


def _clean(text: str | None, *, what: str, required: bool) -> str | None:
    cleaned = (text or "").strip()
    if not cleaned:
        if required:
            raise InvalidInput(
                f"Give the {what}.", hint="It is kept encrypted with the incident's record."
            )
        return None
    if len(cleaned) > TEXT_MAX:
        raise InvalidInput(
            f"The {what} is longer than {TEXT_MAX} characters.", hint="Say it more briefly."
        )
    return cleaned


def _acting(session: Session, staff: StaffSession, incident_id: str) -> Incident:
    """The incident, locked, for a DPO to act on; Conflict once it is closed."""
    require_role(staff, *ACTORS)
    incident = lock_incident(session, incident_id)
    refuse_closed(incident)
    return incident


def set_awareness(
    vault: Vault,
    *,
    staff: StaffSession,
    incident_id: str,
    aware_at: datetime,
    reason: str,
    now: datetime | None = None,
) -> datetime:
    """The DPO records when voxkeep became aware (reasonable certainty, Art. 33(1)).

    The 72-hour clock runs from it. Never in the future; the reason is sealed.
    """
    now = now or utcnow()
    if aware_at.tzinfo is None:
        raise InvalidInput("Give the awareness time with its time zone (UTC).")
    if aware_at > now:
        raise InvalidInput(
            "The awareness time cannot be in the future.",
            hint="Give the moment reasonable certainty was reached, or leave it as it is.",
        )
    note = _clean(reason, what="reason for the awareness time", required=True)
    with vault.transaction() as session:
        incident = _acting(session, staff, incident_id)
        incident.aware_at = aware_at
        record_step(
            vault, session, incident, actor=staff.actor, step=Step.AWARE, note=note, now=now
        )
        record(
            session,
            AuditAction.INCIDENT_AWARE,
            actor=staff.actor,
            objects={"incident": incident.id, "aware_at": aware_at.isoformat()},
        )
    return aware_at


def assess(
    vault: Vault,
    *,
    staff: StaffSession,
    incident_id: str,
    risk: Risk,
    reason: str,
    nature: str | None = None,
    consequences: str | None = None,
    measures_taken: str | None = None,
    measures_proposed: str | None = None,
) -> IncidentState:
    """Record the DPO's risk assessment; the first one moves an open incident to assessed,
    a later one replaces it (a step on the timeline). Returns the state after it."""
    texts = {
        "reason": _clean(reason, what="reason for the risk assessment", required=True),
        "nature": _clean(nature, what="nature of the breach", required=False),
        "consequences": _clean(consequences, what="likely consequences", required=False),
        "measures_taken": _clean(measures_taken, what="measures taken", required=False),
        "measures_proposed": _clean(measures_proposed, what="measures proposed", required=False),
    }
    with vault.transaction() as session:
        incident = _acting(session, staff, incident_id)
        now = utcnow()
        incident.risk, incident.assessed_at = risk.value, now
        for name, text in texts.items():
            sealed = seal_note(vault, session, incident.id, name, text) if text else None
            setattr(incident, _column(name), sealed)
        note, said = texts["reason"], {"risk": risk.value}
        if incident.state == IncidentState.OPEN.value:
            move(
                vault,
                session,
                incident,
                IncidentState.ASSESSED,
                actor=staff.actor,
                note=note,
                params=said,
            )
        else:
            record_step(
                vault,
                session,
                incident,
                actor=staff.actor,
                step=Step.ASSESSED,
                note=note,
                params=said,
            )
            record(
                session,
                AuditAction.INCIDENT_ASSESSED,
                actor=staff.actor,
                objects={"incident": incident.id, "from": incident.state},
            )
        return IncidentState(incident.state)


def close(vault: Vault, *, staff: StaffSession, incident_id: str, reason: str) -> None:
    """Close the incident, with the DPO's reason; only as far as its risk allows."""
    note = _clean(reason, what="reason for closing", required=True)
    with vault.transaction() as session:
        incident = _acting(session, staff, incident_id)
        telling.refuse_pending(session, incident)
        move(vault, session, incident, IncidentState.CLOSED, actor=staff.actor, note=note)


def derive_affected(vault: Vault, *, staff: StaffSession, incident_id: str) -> int:
    """Derive (again) who the incident's answer affects; returns how many people it names."""
    with vault.transaction() as session:
        incident = _acting(session, staff, incident_id)
        found = affected_people.derive_in(vault, session, incident, actor=staff.actor)
        if found is None:
            raise Conflict(
                "This incident names no answer to derive the affected people from.",
                hint="Add each affected person with a reason.",
            )
        record_step(vault, session, incident, actor=staff.actor, step=Step.AFFECTED_DERIVED)
        return found


def add_affected(
    vault: Vault, *, staff: StaffSession, incident_id: str, account: str, reason: str
) -> str:
    """The DPO lists one more person by their account id, with a reason; returns the pseudonym."""
    from voxkeep.accounts.service import find_account

    note = _clean(reason, what="reason for adding this person", required=True)
    assert note is not None
    with vault.transaction() as session:
        incident = _acting(session, staff, incident_id)
        found = find_account(vault, session, account.strip())
        row = affected_people.add_in(
            vault, session, incident, account_id=found.id, reason=note, actor=staff.actor
        )
        return row.account


def mark_authority_notified(
    vault: Vault,
    session: Session,
    incident_id: str,
    *,
    actor: str,
    at: datetime | None = None,
    late_reason: str | None = None,
) -> Incident:
    """Record, in the caller's transaction, that the authority was notified (Art. 33):
    who (``actor``) and when (``at``, default now; never in the future).

    Past the 72 hours Art. 33(1) asks for the reasons of the delay:
    ``late_reason`` (sealed on the timeline) is then required.
    """
    now = utcnow()
    when = _not_future(at, now)
    incident = lock_incident(session, incident_id)
    late = when > aware_at_of(incident) + NOTIFY_WITHIN
    note = _clean(late_reason, what="reasons for the delay", required=late)
    move(
        vault, session, incident, IncidentState.AUTHORITY_NOTIFIED, actor=actor, note=note, at=when
    )
    return incident


def _not_future(at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    if at.tzinfo is None or at > now:
        raise InvalidInput("The time of a notification cannot be in the future (give it in UTC).")
    return at
