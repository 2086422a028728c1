"""Notifying the supervisory authority from the register (Art. 33(1), (3), (4)).

``authority_report`` fills the document (incidents.authority) from the
register: the DPO's assessment (its sealed words opened for the document
only), the affected people and records as ``incident_affected`` counts them,
the awareness time and its 72-hour deadline, when the authority was notified
and the reasons for a delay, and each follow-up. Where the register knows
nothing yet, the draft's guess or "not yet known" stands.

``notify_authority`` records that the document was sent and
``add_follow_up`` adds phase n+1; each is one transaction with its audit
events, and keeps on the timeline the SHA-256 of the JSON document of that
phase as it was at that moment, so what was sent can be proven later.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.audit.events import AuditAction, record
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, InvalidInput, NotFound
from voxkeep.incidents import affected as affected_people
from voxkeep.incidents import authority, telling
from voxkeep.incidents.authority import AuthorityReport, FollowUp
from voxkeep.incidents.models import Incident, IncidentEvent
from voxkeep.incidents.service import (
    ACTORS,
    NOTIFY_WITHIN,
    READERS,
    _clean,
    _column,
    _summary,
    aware_at_of,
    mark_authority_notified,
)
from voxkeep.incidents.states import (
    Step,
    event_field,
    lock_incident,
    open_note,
    record_step,
    refuse_closed,
    seal_note,
)
from voxkeep.people.staff import StaffSession, require_role
from voxkeep.vault import Vault

FORMATS: Final = ("pdf", "json")
REFERENCE_MAX: Final = 200


def _report_in(
    vault: Vault, session: Session, incident: Incident, *, now: datetime
) -> AuthorityReport:
    """Every phase so far, from the register, in the caller's transaction."""
    draft = authority.draft_report(
        _summary(incident, now),
        vault.settings,
        notified_at=incident.authority_notified_at or now,
    )

    def opened(name: str) -> str | None:
        return open_note(vault, session, incident.id, name, getattr(incident, _column(name)))

    events = list(
        session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident.id)
            .order_by(IncidentEvent.seq)
        )
    )

    def note_of(event: IncidentEvent) -> str | None:
        return open_note(vault, session, incident.id, event_field(event.seq), event.note_ct)

    notified = [e for e in events if e.action == Step.AUTHORITY_NOTIFIED.value]
    follow_ups = tuple(
        FollowUp(phase=n, at=e.at, news=note_of(e) or "")
        for n, e in enumerate((e for e in events if e.action == Step.FOLLOW_UP.value), 2)
    )
    rows = affected_people.affected_rows(session, [incident.id])
    firsts = [r.first_at for r in rows if r.first_at is not None]
    lasts = [r.last_at for r in rows if r.last_at is not None]
    counted = {}
    if rows:
        counted = {
            "people_approx": len(rows),
            "records_approx": sum(r.recordings for r in rows),
            "records_period": (min(firsts), max(lasts)) if firsts and lasts else None,
        }
    return dataclasses.replace(
        draft,
        nature=opened("nature"),
        consequences=opened("consequences"),
        measures_taken=opened("measures_taken"),
        measures_proposed=opened("measures_proposed"),
        delay_reasons=note_of(notified[-1]) if notified else None,
        follow_ups=follow_ups,
        **counted,  # type: ignore[arg-type]
    )


def _phase_of(report: AuthorityReport, phase: int | None) -> AuthorityReport:
    return report if phase is None else report.at_phase(phase)


def authority_report(
    vault: Vault,
    incident_id: str,
    *,
    phase: int | None = None,
    reader: StaffSession,
    delay_reasons: str | None = None,
    now: datetime | None = None,
) -> AuthorityReport:
    """The authority's document for ``phase`` (default: the latest), from the register.

    Before the authority is notified it is a draft dated now. A draft past the 72 hours
    needs ``delay_reasons`` (the renderers refuse it without them, Art. 33(1)). The
    reading is audited (``incident:document``); the sealed words never reach the log.
    """
    require_role(reader, *READERS)
    with vault.transaction() as session:
        incident = lock_incident(session, incident_id)
        report = _report_in(vault, session, incident, now=now or utcnow())
        if incident.authority_notified_at is None and delay_reasons:
            report = dataclasses.replace(report, delay_reasons=delay_reasons)
        chosen = _phase_of(report, phase)
        record(
            session,
            AuditAction.INCIDENT_DOCUMENT,
            actor=reader.actor,
            objects={"incident": incident.id},
            counts={"phase": chosen.phase},
        )
    return chosen


def document(report: AuthorityReport, *, format: str, language: str = "en") -> bytes:
    """The document's bytes in ``format`` (pdf or json); the PDF in ``language``."""
    if format == "json":
        return authority.render_json(report)
    if format == "pdf":
        return authority.render_pdf(report, language)
    raise InvalidInput(f"There is no {format!r} format.", hint="Choose pdf or json.")


def sha256_of(report: AuthorityReport) -> str:
    """The SHA-256 (hex) of the JSON document: the one the timeline keeps."""
    return hashlib.sha256(authority.render_json(report)).hexdigest()


@dataclass(frozen=True)
class Sent:
    """A phase recorded as sent: its number, when, and its JSON document's SHA-256."""

    phase: int
    at: datetime
    sha256: str
    report: AuthorityReport


def _sent(
    vault: Vault, session: Session, incident: Incident, step: IncidentEvent, action: AuditAction
) -> Sent:
    """Keep the SHA-256 of the phase ``step`` recorded on it and in the audit log."""
    session.flush()
    report = _report_in(vault, session, incident, now=step.at)
    digest = sha256_of(report)
    step.sha256 = digest
    record(
        session,
        action,
        actor=step.actor,
        objects={"incident": incident.id, "sha256": digest},
        counts={"phase": report.phase},
    )
    return Sent(phase=report.phase, at=step.at, sha256=digest, report=report)


def _last_event(session: Session, incident_id: str) -> IncidentEvent:
    event = session.scalar(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident_id)
        .order_by(IncidentEvent.seq.desc())
        .limit(1)
    )
    assert event is not None  # the step that was just recorded
    return event


def notify_authority(
    vault: Vault,
    incident_id: str,
    *,
    actor: StaffSession,
    at: datetime | None = None,
    reference: str | None = None,
    late_reason: str | None = None,
) -> Sent:
    """Record that the authority was notified (phase 1) at ``at`` (default now).

    Past the 72 hours it is refused without ``late_reason`` (Art. 33(1)). The
    reference the authority gave and the reasons are sealed; the SHA-256 of the
    phase-1 JSON document goes on the timeline and into the audit log.
    """
    require_role(actor, *ACTORS)
    ref = _clean(reference, what="authority's reference", required=False)
    if ref is not None and len(ref) > REFERENCE_MAX:
        raise InvalidInput(f"The authority's reference is longer than {REFERENCE_MAX} characters.")
    with vault.transaction() as session:
        locked = lock_incident(session, incident_id)
        refuse_closed(locked)
        _refuse_late_without_reasons(locked, at, late_reason)
        incident = mark_authority_notified(
            vault, session, incident_id, actor=actor.actor, at=at, late_reason=late_reason
        )
        if ref is not None:
            incident.authority_reference_ct = seal_note(
                vault, session, incident.id, "authority_reference", ref
            )
        step = _last_event(session, incident.id)
        sent = _sent(vault, session, incident, step, AuditAction.INCIDENT_DOCUMENT_SENT)
        # Everyone may have been told before the authority was: then they are notified now.
        telling.settle(vault, session, incident, actor=actor.actor)
        return sent


def _refuse_late_without_reasons(
    incident: Incident, at: datetime | None, late_reason: str | None
) -> None:
    """Art. 33(1): past the 72 hours, the reasons for the delay come with the notification."""
    deadline = aware_at_of(incident) + NOTIFY_WITHIN
    when = at or utcnow()
    if when > deadline and not (late_reason or "").strip():
        hours = -int(-(when - deadline).total_seconds() // 3600)
        raise InvalidInput(
            f"This notification is {hours} hour(s) past its 72-hour deadline "
            f"({deadline:%Y-%m-%d %H:%M} UTC) and gives no reasons for the delay.",
            hint="Art. 33(1) requires them: give the reasons for the delay and record it again.",
        )


def add_follow_up(
    vault: Vault,
    incident_id: str,
    *,
    actor: StaffSession,
    what_is_new: str,
    now: datetime | None = None,
) -> Sent:
    """Record phase n+1 of the notification (Art. 33(4)): what is new, sealed, with
    the SHA-256 of that phase's JSON document on the timeline and in the audit log."""
    require_role(actor, *ACTORS)
    news = _clean(what_is_new, what="what is new in this phase", required=True)
    assert news is not None
    when = now or utcnow()
    with vault.transaction() as session:
        incident = lock_incident(session, incident_id)
        refuse_closed(incident)
        if incident.authority_notified_at is None:
            raise Conflict(
                "The authority has not been notified of this incident yet.",
                hint="Record the first notification; a follow-up adds to it (Art. 33(4)).",
            )
        step = record_step(
            vault, session, incident, actor=actor.actor, step=Step.FOLLOW_UP, note=news, now=when
        )
        return _sent(vault, session, incident, step, AuditAction.INCIDENT_FOLLOW_UP)


def reference_of(vault: Vault, incident_id: str, *, reader: StaffSession) -> str | None:
    """The authority's reference for the notification, opened for staff who may read it."""
    require_role(reader, *READERS)
    with vault.reading() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("There is no incident with this id.")
        return open_note(
            vault, session, incident.id, "authority_reference", incident.authority_reference_ct
        )
