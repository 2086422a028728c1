"""Opening, listing and showing incidents, each with its Art. 33 clock.

Details hold ids, pseudonyms and counts, never content. The clock runs 72
hours from awareness; voxkeep becomes aware when it opens the incident (a
failed release gate, a person's "this is not my data"), so ``aware_at`` is
the opening time until the breach workflow lets staff record an earlier one.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.log import EventView
from voxkeep.audit.search import EventQuery, search_events
from voxkeep.db.base import utcnow
from voxkeep.errors import InvalidInput, NotFound
from voxkeep.incidents.models import Incident, IncidentKind
from voxkeep.people.models import StaffRole
from voxkeep.requests.models import DataRequest
from voxkeep.vault import Vault

# Art. 33(1): notify the supervisory authority within 72 hours of awareness.
NOTIFY_WITHIN = timedelta(hours=72)
# Who sees incidents: the data protection officer, and admins who run the vault.
READERS: Final = (StaffRole.DPO, StaffRole.ADMIN)


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
    return incident


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
    """Art. 33(1): the authority is to be notified within 72 hours of awareness."""

    aware_at: datetime
    notify_by: datetime
    left: timedelta  # negative once the deadline has passed

    @property
    def overdue(self) -> bool:
        return self.left < timedelta(0)

    @property
    def hours_left(self) -> int:
        """Whole hours left, rounded down; negative hours past the deadline when overdue."""
        return int(self.left.total_seconds() // 3600)

    @property
    def hours_over(self) -> int:
        """Whole hours past the deadline, rounded down (0 while not overdue)."""
        return max(0, int(-self.left.total_seconds() // 3600))


def clock_of(incident: Incident, now: datetime) -> Clock:
    aware_at = incident.opened_at
    notify_by = aware_at + NOTIFY_WITHIN
    return Clock(aware_at=aware_at, notify_by=notify_by, left=notify_by - now)


@dataclass(frozen=True)
class IncidentSummary:
    id: str
    kind: IncidentKind
    request_id: str | None
    clock: Clock
    opened_at: datetime
    details: dict[str, Any]


@dataclass(frozen=True)
class IncidentDetail:
    """An incident with its evidence: ids and pseudonyms only, never content."""

    summary: IncidentSummary
    cause: str | None  # the failed release-gate check, for a gate failure
    export_id: str | None  # the answer it came from
    account: str | None  # the affected account's pseudonym
    recordings: int | None  # how many recordings the answer held
    downloads: int | None  # how many downloads of it were recorded
    bytes_served: int | None
    events: list[EventView]  # every audit event naming it, its request or its answer, newest first


LIST_LIMIT: Final = 200
EVIDENCE_EVENTS: Final = 200


def _summary(incident: Incident, now: datetime) -> IncidentSummary:
    return IncidentSummary(
        id=incident.id,
        kind=IncidentKind(incident.kind),
        request_id=incident.request_id,
        clock=clock_of(incident, now),
        opened_at=incident.opened_at,
        details=dict(incident.details),
    )


def incident_summaries(
    vault: Vault, *, now: datetime | None = None, limit: int = LIST_LIMIT
) -> list[IncidentSummary]:
    """The newest incidents first, each with the time left on its clock at ``now``."""
    if not 1 <= limit <= LIST_LIMIT:
        raise InvalidInput(f"The number of incidents must be between 1 and {LIST_LIMIT}.")
    when = now or utcnow()
    with vault.reading() as session:
        return [_summary(row, when) for row in list_incidents(session, limit=limit)]


def show_incident(vault: Vault, incident_id: str, *, now: datetime | None = None) -> IncidentDetail:
    with vault.reading() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("There is no incident with this id.")
        summary = _summary(incident, now or utcnow())
        details = summary.details
        # Nothing names the request before it was received: the search starts there.
        received = session.scalar(
            select(DataRequest.received_at).where(DataRequest.id == incident.request_id)
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
        events=page.events,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
