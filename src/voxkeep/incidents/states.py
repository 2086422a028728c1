"""The incident state machine: which state may follow which, and the one function that moves.

open → assessed → authority_notified → people_notified → closed. The risk the
DPO assessed decides how far an incident must go before it may close:

* unlikely to result in a risk: closed after the assessment (Art. 33(1)
  needs no notification; 33(5) still documents it, with the reason);
* a risk: the authority is notified first (Art. 33);
* a high risk: the people are told too (Art. 34).

Closed is final: nothing reopens an incident, and every action on one (a step,
containment, a notice, a follow-up) is refused by ``refuse_closed`` with a clear
error; what turns up later is a new incident.

Every change of state goes through ``move``: it checks the move, stamps who
and when, and appends the timeline entry and the audit event in the caller's
transaction, so all of it commits or none. Steps that are not moves (the
awareness time, the affected people, containment, follow-ups) go through
``record_step``. Staff-typed notes are sealed under the vault's notes key,
bound to the incident and the entry. What voxkeep itself says of a step (how
many people were told, which measure, which risk) is never text: it is kept as
codes and figures (``params``), which the pages word in their language.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import TypeAlias

from sqlalchemy.orm import Session

from voxkeep.audit.events import AuditAction, record
from voxkeep.crypto import aead
from voxkeep.crypto.keyring import NOTES
from voxkeep.db.base import utcnow
from voxkeep.db.timeline import next_seq
from voxkeep.errors import Conflict, NotFound
from voxkeep.incidents.models import Incident, IncidentEvent, IncidentState, Risk
from voxkeep.vault import Vault

S = IncidentState

NEXT: dict[IncidentState, frozenset[IncidentState]] = {
    S.OPEN: frozenset({S.ASSESSED}),
    S.ASSESSED: frozenset({S.AUTHORITY_NOTIFIED, S.CLOSED}),
    S.AUTHORITY_NOTIFIED: frozenset({S.PEOPLE_NOTIFIED, S.CLOSED}),
    S.PEOPLE_NOTIFIED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
# The last state an incident of each risk must reach before it may close.
CLOSES_AFTER: dict[Risk, IncidentState] = {
    Risk.UNLIKELY: S.ASSESSED,
    Risk.RISK: S.AUTHORITY_NOTIFIED,
    Risk.HIGH: S.PEOPLE_NOTIFIED,
}
# What voxkeep says of a step: codes and figures by name (counts, pseudonyms, ids, times).
StepParams: TypeAlias = Mapping[str, str | int]
_ORDER = list(IncidentState)
# States in which the 72-hour clock may still matter and the DPO may still act.
ACTIVE = frozenset(S) - {S.CLOSED}

ACTION = {
    S.ASSESSED: AuditAction.INCIDENT_ASSESSED,
    S.AUTHORITY_NOTIFIED: AuditAction.INCIDENT_AUTHORITY_NOTIFIED,
    S.PEOPLE_NOTIFIED: AuditAction.INCIDENT_PEOPLE_NOTIFIED,
    S.CLOSED: AuditAction.INCIDENT_CLOSED,
}


class Step(enum.StrEnum):
    """What a timeline entry records: a move (named for the state entered) or a step."""

    OPENED = "opened"
    ASSESSED = "assessed"  # also a re-assessment, which is a step, not a move
    AUTHORITY_NOTIFIED = "authority_notified"
    PEOPLE_NOTIFIED = "people_notified"
    CLOSED = "closed"
    AWARE = "aware"  # the DPO set the awareness time, with a reason
    AFFECTED_DERIVED = "affected_derived"
    AFFECTED_ADDED = "affected_added"
    CONTAINED = "contained"  # a containment measure was taken (incidents.containment)
    FOLLOW_UP = "follow_up"  # a phased follow-up to the authority (Art. 33(4))
    NOTICES_SENT = "notices_sent"  # some of the people were told; others are still to be
    NOT_TOLD = "not_told"  # the DPO recorded why some people are not told (Art. 34(3))


def allowed(risk: Risk | None, current: IncidentState, to: IncidentState) -> bool:
    """Whether an incident assessed as ``risk`` may go from ``current`` to ``to``."""
    if to not in NEXT[current]:
        return False
    if to is S.CLOSED:
        return risk is not None and _ORDER.index(current) >= _ORDER.index(CLOSES_AFTER[risk])
    return True


def next_states(risk: Risk | None, current: IncidentState) -> list[IncidentState]:
    return [to for to in IncidentState if allowed(risk, current, to)]


def risk_of(incident: Incident) -> Risk | None:
    return Risk(incident.risk) if incident.risk is not None else None


# Sealed notes --------------------------------------------------------------------


def _ad(incident_id: str, field: str) -> bytes:
    return aead.associated_data(kind=f"incident_{field}", owner="incident", object_id=incident_id)


def seal_note(vault: Vault, session: Session, incident_id: str, field: str, text: str) -> bytes:
    """Seal staff-typed text (it may hold personal data) for one field of one incident."""
    key = vault.keyring.instance_key(session, NOTES)
    return aead.seal(key, text.encode(), ad=_ad(incident_id, field))


def open_note(
    vault: Vault, session: Session, incident_id: str, field: str, sealed: bytes | None
) -> str | None:
    if sealed is None:
        return None
    key = vault.keyring.instance_key(session, NOTES)
    opened = aead.open_sealed(key, sealed, ad=_ad(incident_id, field), kind="incident note")
    return opened.decode()


def event_field(seq: int) -> str:
    return f"event_{seq}"


# The timeline --------------------------------------------------------------------


def record_step(
    vault: Vault,
    session: Session,
    incident: Incident,
    *,
    actor: str,
    step: Step,
    note: str | None = None,
    params: StepParams | None = None,
    now: datetime | None = None,
) -> IncidentEvent:
    """Append a timeline entry in the caller's transaction: ``note`` is what staff typed
    (sealed), ``params`` what voxkeep says of the step (worded where it is shown).

    For other domains' steps (containment, follow-ups) too: their audit event
    is theirs to record, in the same transaction.
    """
    seq = next_seq(session, IncidentEvent.seq, IncidentEvent.incident_id, incident.id)
    event = IncidentEvent(
        incident_id=incident.id,
        seq=seq,
        at=now or utcnow(),
        actor=actor,
        action=step.value,
        state=incident.state,
        note_ct=seal_note(vault, session, incident.id, event_field(seq), note) if note else None,
        params=dict(params) if params else None,
    )
    session.add(event)
    return event


def lock_incident(session: Session, incident_id: str) -> Incident:
    """The incident, locked for update until the transaction ends."""
    incident = session.get(Incident, incident_id, with_for_update=True, populate_existing=True)
    if incident is None:
        raise NotFound("There is no incident with this id.", hint="`voxkeep incidents list`.")
    return incident


CLOSED_IS_FINAL = (
    "The incident is closed: it cannot be changed any more.",
    "Closed is final (there is no reopening). Record anything new about the breach as a "
    "new incident.",
)


def refuse_closed(incident: Incident) -> None:
    """Conflict when the incident is closed: a closed incident is read-only, for good."""
    if incident.state == S.CLOSED.value:
        message, hint = CLOSED_IS_FINAL
        raise Conflict(message, hint=hint)


def move(
    vault: Vault,
    session: Session,
    incident: Incident,
    to: IncidentState,
    *,
    actor: str,
    note: str | None = None,
    params: StepParams | None = None,
    at: datetime | None = None,
    counts: dict[str, int] | None = None,
) -> IncidentEvent:
    """Move ``incident`` to ``to`` or raise Conflict; stamp, timeline and audit in one go.

    ``at`` is when it happened (the authority may have been told by telephone an
    hour ago); the timeline entry carries it. Load the incident with
    ``lock_incident`` first, so two concurrent moves cannot both pass the check.
    """
    when = at or utcnow()
    current, risk = IncidentState(incident.state), risk_of(incident)
    if not allowed(risk, current, to):
        raise Conflict(
            f"An incident that is {current.value} cannot become {to.value}.",
            hint=_why_not(risk, current, to),
        )
    incident.state = to.value
    if to is S.AUTHORITY_NOTIFIED:
        incident.authority_notified_at, incident.authority_notified_by = when, actor
    elif to is S.PEOPLE_NOTIFIED:
        incident.people_notified_at, incident.people_notified_by = when, actor
    elif to is S.CLOSED:
        incident.closed_at = when
    event = record_step(
        vault,
        session,
        incident,
        actor=actor,
        step=Step(to.value),
        note=note,
        params=params,
        now=when,
    )
    record(
        session,
        ACTION[to],
        actor=actor,
        objects={"incident": incident.id, "from": current.value},
        counts=counts,
    )
    return event


def _why_not(risk: Risk | None, current: IncidentState, to: IncidentState) -> str:
    if to is S.CLOSED and current in NEXT and S.CLOSED in NEXT[current]:
        if risk is None:
            return "Assess the risk first."
        needed = CLOSES_AFTER[risk]
        return f"An incident assessed as {risk.value} closes only once it is {needed.value}" + (
            " (Art. 33)." if needed is S.AUTHORITY_NOTIFIED else " (Art. 34)."
        )
    options = ", ".join(s.value for s in next_states(risk, current)) or "none (it is closed)"
    return f"From {current.value} it can become: {options}."
