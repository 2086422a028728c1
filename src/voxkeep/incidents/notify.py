"""Telling the people an incident affects, from the register (Art. 34): one service call.

``notify_affected`` is what the console's "Tell the people affected" form, the
``voxkeep incidents notify people`` command and ``POST /api/v1/incidents/{id}/notices``
call. The DPO chooses only the plain-words text of what happened and may add a
note; everything else comes from the register, so nothing is retyped:

* who: the incident's affected people (``incident_affected``), or those of them
  named by pseudonym in ``only``; a person whose account was erased is skipped
  and listed (there is nobody left to tell);
* each person's own figures: their row's recordings and period, its devices'
  pseudonyms mapped back to the person's own device ids, plus the recordings
  that containment moved to them in this incident (a resold device:
  recordings/reassign.py names the new device by the incident and the old one);
* consequences, measures and advice: the fixed texts (incidents/notice_texts.py)
  that fit what happened and what the register shows was done (the answer
  revoked, recordings moved, sessions ended, staff suspended, the authority
  notified);
* the contact point: the configured DPO (``configured_contact``).

Art. 34(1) asks for the notice when the risk is *high*: the incident must be
assessed as high risk, with its likely consequences and its measures written
down (they are the DPO's record of what the notices say in plain words). An
incident assessed as "risk" is refused: the DPO re-assesses it as high risk,
with the reason, to tell people (the reassessment is the record of why).
Sending again tells nobody twice (``send_notices`` finds each notice).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account, Device
from voxkeep.audit.events import AuditAction, AuditEvent
from voxkeep.audit.pseudonyms import names_for
from voxkeep.errors import Conflict, InvalidInput, NotFound
from voxkeep.exports.models import Export
from voxkeep.incidents import telling
from voxkeep.incidents.affected import affected_field, affected_rows
from voxkeep.incidents.models import Incident, IncidentAffected, IncidentKind, Risk
from voxkeep.incidents.notice_texts import (
    WHAT,
    WHAT_FOR_KIND,
    Advice,
    Consequence,
    Measure,
    What,
    pick,
)
from voxkeep.incidents.notices import (
    NOTE_MAX,
    NoticeFacts,
    NoticeRecord,
    PersonFacts,
    configured_contact,
    incident_notices,
    send_notices,
)
from voxkeep.incidents.service import ACTORS
from voxkeep.incidents.service import _acting as acting_on
from voxkeep.incidents.service import _clean as clean_text
from voxkeep.incidents.states import open_note, refuse_closed
from voxkeep.incidents.telling import NotTelling
from voxkeep.people.staff import StaffSession, require_role
from voxkeep.recordings.models import Recording
from voxkeep.recordings.reassign import moved_device_id
from voxkeep.vault import Vault

# What each plain-words text means for the person, in the fixed texts' terms.
CONSEQUENCES_OF: Final[dict[What, tuple[Consequence, ...]]] = {
    What.SENT_TO_OTHER: (Consequence.OTHERS_HEARD, Consequence.RECOGNISED),
    What.STORED_UNDER_OTHER: (Consequence.OTHERS_HEARD, Consequence.RECOGNISED),
    What.RECEIVED_OTHERS: (Consequence.HOLDING_OTHERS,),
    What.STOPPED_BY_CHECK: (Consequence.NONE_LIKELY,),
    What.ACCESSED_BY_OTHER: (Consequence.NONE_LIKELY,),
}
ADVICE_OF: Final[dict[What, tuple[Advice, ...]]] = {
    What.SENT_TO_OTHER: (Advice.REVIEW_RECORDINGS, Advice.BE_CAREFUL, Advice.COMPLAIN),
    What.STORED_UNDER_OTHER: (Advice.REVIEW_RECORDINGS, Advice.BE_CAREFUL, Advice.COMPLAIN),
    What.RECEIVED_OTHERS: (Advice.DELETE_RECEIVED, Advice.COMPLAIN),
    What.STOPPED_BY_CHECK: (Advice.COMPLAIN,),
    What.ACCESSED_BY_OTHER: (Advice.NEW_PASSWORD, Advice.COMPLAIN),
}
# Containment's audit events (each names the incident) and the measure they stand for.
MEASURE_OF_EVENT: Final[dict[AuditAction, Measure]] = {
    AuditAction.EXPORT_REVOKED: Measure.DOWNLOAD_REVOKED,
    AuditAction.RECORDINGS_REASSIGNED_OUT: Measure.RECORDINGS_REASSIGNED,
    AuditAction.PERSON_PASSWORD_LOCKED: Measure.SESSIONS_ENDED,
    AuditAction.STAFF_DISABLED: Measure.STAFF_SUSPENDED,
}
_GATE_KINDS: Final = frozenset(
    {IncidentKind.RELEASE_GATE_FAILED, IncidentKind.BUILD_FAILED, IncidentKind.KEY_FAILED}
)


@dataclass(frozen=True)
class Notified:
    """What one call did, by pseudonym: told now, told before, and erased (skipped)."""

    queued: tuple[str, ...]
    already: tuple[str, ...]
    erased: tuple[str, ...]
    pending: tuple[str, ...]  # still to be told (or recorded as not told) after this call


def notify_affected(
    vault: Vault,
    incident_id: str,
    *,
    actor: StaffSession,
    what: What | None = None,
    note: str | None = None,
    only: Sequence[str] | None = None,
) -> Notified:
    """Tell the incident's affected people (or ``only`` those pseudonyms), each in their
    language, by mail and in the portal, with ``what`` happened (default: the usual text
    for the incident's kind); refuses with a clear error and writes nothing
    when the incident is not assessed as high risk, no contact point is configured, or
    nobody is left to tell. Idempotent."""
    require_role(actor, *ACTORS)
    cleaned = (note or "").strip() or None
    if cleaned is not None and len(cleaned) > NOTE_MAX:
        raise InvalidInput(f"The note must be at most {NOTE_MAX} characters.")
    with vault.reading() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("There is no incident with this id.", hint="`voxkeep incidents list`.")
        refuse_closed(incident)
        _check_assessed(incident)
        contact = configured_contact(vault.settings)
        what = what or WHAT_FOR_KIND[IncidentKind(incident.kind)][0]
        _check_what(what, IncidentKind(incident.kind))
        rows = _chosen(affected_rows(session, [incident.id]), only)
        living, erased = _living(session, rows)
        if not living:
            raise Conflict(
                "Nobody affected by this incident can be told.",
                hint="Derive or add the affected people first; erased people cannot be told.",
            )
        moved = _moved_devices(session, incident)
        people = {r.account_id: _figures(vault, session, r, moved) for r in living if r.account_id}
        facts = NoticeFacts(
            what=what,
            consequences=CONSEQUENCES_OF[what],
            measures=_measures(session, incident),
            advice=ADVICE_OF[what],
            contact=contact,
            people=people,
            dpo_note=cleaned,
        )
    sent = send_notices(
        vault, incident_id, account_ids=list(people), facts=facts, actor=actor.actor
    )
    by_notice = _pseudonyms_of(vault, sent.queued + sent.already)
    return Notified(
        queued=tuple(by_notice[n] for n in sent.queued),
        already=tuple(by_notice[n] for n in sent.already),
        erased=tuple(r.account for r in erased),
        pending=pending_of(vault, incident_id),
    )


def pending_of(vault: Vault, incident_id: str) -> tuple[str, ...]:
    """Pseudonyms of the affected people still to be told about the incident."""
    with vault.reading() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("There is no incident with this id.")
        return telling.standing(session, incident).pending


def _check_assessed(incident: Incident) -> None:
    if incident.risk is None:
        raise Conflict(
            "The incident is not assessed yet.",
            hint="Assess it as high risk, with its likely consequences and measures, "
            "before telling the people (Art. 34(1)).",
        )
    if incident.risk != Risk.HIGH.value:
        raise Conflict(
            f"The incident is assessed as {incident.risk}, not as high risk.",
            hint="Art. 34(1) asks to tell the people when the risk is high: re-assess it "
            "as high risk, with the reason, to tell them.",
        )
    if incident.consequences_ct is None or (
        incident.measures_taken_ct is None and incident.measures_proposed_ct is None
    ):
        raise Conflict(
            "The assessment names no likely consequences or no measures.",
            hint="Re-assess with the likely consequences and the measures taken or "
            "proposed (Art. 34(2)).",
        )


def _check_what(what: What, kind: IncidentKind) -> None:
    if what not in WHAT_FOR_KIND[kind]:
        fitting = ", ".join(w.value for w in WHAT_FOR_KIND[kind])
        raise InvalidInput(
            f"The text {what.value!r} does not fit an incident of kind {kind.value}.",
            hint=f"Choose one of: {fitting}.",
        )


def _chosen(rows: list[IncidentAffected], only: Sequence[str] | None) -> list[IncidentAffected]:
    if only is None:
        return rows
    wanted = {name.strip() for name in only if name.strip()}
    listed = {r.account for r in rows}
    if not wanted:
        raise InvalidInput("Name at least one person to tell, or leave the choice out.")
    if wanted - listed:
        raise InvalidInput(
            "A person named is not among the incident's affected people.",
            hint="Name people by the pseudonym (account:…) the incident page shows.",
        )
    return [r for r in rows if r.account in wanted]


def _living(
    session: Session, rows: list[IncidentAffected]
) -> tuple[list[IncidentAffected], list[IncidentAffected]]:
    living: list[IncidentAffected] = []
    erased: list[IncidentAffected] = []
    for row in rows:
        account = session.get(Account, row.account_id) if row.account_id else None
        (living if account is not None and account.erased_at is None else erased).append(row)
    return living, erased


@dataclass(frozen=True)
class _Moved:
    """Devices containment moved in this incident (from its answer's account), and when the
    answer was built: only recordings stored before it can have been in it."""

    devices: frozenset[str] = frozenset()
    before: datetime | None = None


def _moved_devices(session: Session, incident: Incident) -> _Moved:
    export_id = incident.details.get("export")
    export = session.get(Export, export_id) if isinstance(export_id, str) else None
    if export is None:
        return _Moved()
    olds = session.scalars(select(Device.id).where(Device.account_id == export.account_id))
    return _Moved(frozenset(moved_device_id(incident.id, old) for old in olds), export.created_at)


def _figures(vault: Vault, session: Session, row: IncidentAffected, moved: _Moved) -> PersonFacts:
    """The person's own figures: their row's, and the recordings moved to them here."""
    assert row.account_id is not None
    account_id = row.account_id
    names = names_for(vault, session, account_id)
    own = list(session.scalars(select(Device.id).where(Device.account_id == account_id)))
    devices = [d for d in own if names.device(d) in set(row.devices)]
    count, first, last = row.recordings, row.first_at, row.last_at
    received = [d for d in own if d in moved.devices]
    if received and moved.before is not None:
        found = session.execute(
            select(
                func.count(), func.min(Recording.captured_at), func.max(Recording.captured_at)
            ).where(
                Recording.account_id == account_id,
                Recording.device_id.in_(received),
                Recording.created_at < moved.before,
            )
        ).one()
        if found[0]:
            count += int(found[0])
            first = min(x for x in (first, found[1]) if x is not None)
            last = max(x for x in (last, found[2]) if x is not None)
            devices += [d for d in received if d not in devices]
    return PersonFacts(
        recordings=count, first_at=first, last_at=last, device_ids=tuple(sorted(devices))
    )


def _measures(session: Session, incident: Incident) -> tuple[Measure, ...]:
    """What the register shows was done, in the fixed texts' order; always: reviewing."""
    done: set[Measure] = {Measure.REVIEWING}
    if IncidentKind(incident.kind) in _GATE_KINDS:
        done.add(Measure.CHECK_STOPPED)
    if incident.authority_notified_at is not None:
        done.add(Measure.AUTHORITY_NOTIFIED)
    events = session.execute(
        select(AuditEvent.action, AuditEvent.data).where(
            AuditEvent.action.in_([a.value for a in MEASURE_OF_EVENT])
        )
    )
    for action, data in events:
        if json.loads(data).get("objects", {}).get("incident") == incident.id:
            done.add(MEASURE_OF_EVENT[AuditAction(action)])
    return tuple(m for m in Measure if m in done)


def _pseudonyms_of(vault: Vault, notice_ids: Sequence[str]) -> dict[str, str]:
    from voxkeep.incidents.notice_models import IncidentNotice

    with vault.reading() as session:
        rows = session.execute(
            select(IncidentNotice.id, IncidentNotice.account_pseudonym).where(
                IncidentNotice.id.in_(list(notice_ids))
            )
        )
        return {notice_id: name for notice_id, name in rows}


# Not telling some people (Art. 34(3)) --------------------------------------------------


def record_not_told(
    vault: Vault,
    incident_id: str,
    *,
    actor: StaffSession,
    accounts: Sequence[str],
    basis: NotTelling,
    reason: str,
) -> tuple[str, ...]:
    """The DPO records why the people named (pseudonyms still to be told) are not told, on
    an Art. 34(3) basis with a reason; once nobody is left to tell, the incident is
    people_notified. Returns the pseudonyms recorded."""
    note = clean_text(reason, what="reason for not telling them", required=True)
    assert note is not None
    with vault.transaction() as session:
        incident = acting_on(session, actor, incident_id)
        return telling.record_not_told(
            vault,
            session,
            incident,
            accounts=accounts,
            basis=basis,
            reason=note,
            actor=actor.actor,
        )


# The console's section ------------------------------------------------------------------


@dataclass(frozen=True)
class ToTell:
    """One affected person as the section shows them, by pseudonym."""

    account: str
    # Their recordings as the notice would count them: their row's and those moved to them
    # in this incident (0 only when none of theirs are known to be involved).
    recordings: int
    reason: str | None  # why the DPO added them by hand (opened for the page)
    told: bool
    not_told: NotTelling | None  # the DPO's Art. 34(3) basis for not telling them
    erased: bool  # nobody left to tell


@dataclass(frozen=True)
class PeopleSection:
    """What the incident page's "Tell the people affected" section shows."""

    told: list[NoticeRecord]  # who was told when (pseudonyms and times)
    affected: list[ToTell]  # whom to tell, each with what the register holds for them
    pending: list[str]  # still to be told before the incident is "people notified"
    choices: list[tuple[str, str]]  # the texts that fit the kind: value, words in the language
    ready: bool  # assessed as high risk, with consequences and measures
    contact: bool  # a contact point is configured


def people_section(vault: Vault, incident_id: str, *, language: str) -> PeopleSection:
    with vault.reading() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("There is no incident with this id.")
        fitting = WHAT_FOR_KIND[IncidentKind(incident.kind)]
        try:
            _check_assessed(incident)
            ready = True
        except Conflict:
            ready = False
        now = telling.standing(session, incident)
        affected = _to_tell(vault, session, incident, now)
    try:
        configured_contact(vault.settings)
        contact = True
    except InvalidInput:
        contact = False
    return PeopleSection(
        told=incident_notices(vault, incident_id),
        affected=affected,
        pending=list(now.pending) if ready else [],
        choices=[(w.value, pick(WHAT[w], language)) for w in fitting],
        ready=ready,
        contact=contact,
    )


def _to_tell(
    vault: Vault, session: Session, incident: Incident, now: telling.Standing
) -> list[ToTell]:
    moved = _moved_devices(session, incident)
    found: list[ToTell] = []
    for row in affected_rows(session, [incident.id]):
        alive = telling.living(session, row)
        count = _figures(vault, session, row, moved).recordings if alive else row.recordings
        reason = open_note(vault, session, incident.id, affected_field(row.id), row.reason_ct)
        found.append(
            ToTell(
                account=row.account,
                recordings=count,
                reason=reason,
                told=row.account in now.told,
                not_told=now.not_told.get(row.account),
                erased=not alive,
            )
        )
    return found
