"""Who is still to be told about an incident (Art. 34), and why someone is not (Art. 34(3)).

An incident assessed as a high risk is "people notified" only once every affected
person who must be told has been told, or the DPO recorded why they are not.
The DPO tells people one group at a time (Ben that his recordings were stored
under another account, later Anna that she received them: different texts), so
the first send is not the last: until the last one, the register stays where
it is, the timeline records each send as a step, and the incident page lists
who is still to be told.

Who must be told: each affected person whose account still lives, who has no
notice about the incident and for whom the DPO recorded no Art. 34(3) reason.
An erased person cannot be told (there is nobody left); the register keeps
their row without it holding up the incident.

Art. 34(3) lists when telling a person is not required: (a) the data were
unintelligible to anyone not authorised (encrypted), (b) later measures ensure
the high risk is no longer likely to materialise, (c) it would involve
disproportionate effort, and a public communication informs people instead.
The DPO records one of them for named people, with a reason: the basis goes
into the incident's details by pseudonym (no personal data), the reason is
sealed on the timeline, and an ``incident:not_told`` audit event names them.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account
from voxkeep.audit.events import AuditAction, record
from voxkeep.errors import Conflict, InvalidInput
from voxkeep.incidents.affected import affected_rows
from voxkeep.incidents.models import Incident, IncidentAffected, IncidentState, Risk
from voxkeep.incidents.notice_models import IncidentNotice
from voxkeep.incidents.states import Step, allowed, move, record_step, risk_of
from voxkeep.vault import Vault

# Where the Art. 34(3) bases are kept in ``Incident.details``: {pseudonym: basis}.
NOT_TOLD: Final = "not_told"


class NotTelling(enum.StrEnum):
    """Why a person is not told (Art. 34(3)), as the DPO records it."""

    UNINTELLIGIBLE = "unintelligible"  # (a) encrypted or otherwise unintelligible to others
    RISK_GONE = "risk_gone"  # (b) later measures: the high risk is no longer likely
    PUBLIC = "public"  # (c) disproportionate effort: a public communication instead


@dataclass(frozen=True)
class Standing:
    """Where the telling of an incident's people stands, by pseudonym."""

    told: frozenset[str]
    not_told: dict[str, NotTelling]  # with the DPO's Art. 34(3) basis
    pending: tuple[str, ...]  # still to be told, in the affected table's order
    erased: tuple[str, ...]  # nobody left to tell

    @property
    def complete(self) -> bool:
        """Nobody is left to tell, and somebody was told, recorded as not told, or erased
        (an incident whose people were all erased is not held up for ever)."""
        return not self.pending and bool(self.told or self.not_told or self.erased)


def not_told_of(incident: Incident) -> dict[str, NotTelling]:
    found = incident.details.get(NOT_TOLD)
    if not isinstance(found, dict):
        return {}
    return {str(name): NotTelling(basis) for name, basis in found.items()}


def _told(session: Session, incident_id: str) -> frozenset[str]:
    return frozenset(
        session.scalars(
            select(IncidentNotice.account_pseudonym).where(
                IncidentNotice.incident_id == incident_id
            )
        )
    )


def living(session: Session, row: IncidentAffected) -> bool:
    account = session.get(Account, row.account_id) if row.account_id else None
    return account is not None and account.erased_at is None


def standing(session: Session, incident: Incident) -> Standing:
    told, excused = _told(session, incident.id), not_told_of(incident)
    pending: list[str] = []
    erased: list[str] = []
    for row in affected_rows(session, [incident.id]):
        if row.account in told or row.account in excused:
            continue
        (pending if living(session, row) else erased).append(row.account)
    return Standing(told=told, not_told=excused, pending=tuple(pending), erased=tuple(erased))


def settle(vault: Vault, session: Session, incident: Incident, *, actor: str) -> bool:
    """In the caller's transaction: once nobody who must be told is left, move a high-risk
    incident to people_notified (where the state machine allows it: the authority was
    notified first). Whether it moved."""
    if risk_of(incident) is not Risk.HIGH:
        return False
    if not allowed(Risk.HIGH, IncidentState(incident.state), IncidentState.PEOPLE_NOTIFIED):
        return False
    now = standing(session, incident)
    if not now.complete:
        return False
    said = {"told": len(now.told), "not_told": len(now.not_told), "erased": len(now.erased)}
    move(
        vault,
        session,
        incident,
        IncidentState.PEOPLE_NOTIFIED,
        actor=actor,
        params=said,
        counts={"people": len(now.told), "not_told": len(now.not_told)},
    )
    return True


def record_sent(vault: Vault, session: Session, incident: Incident, *, actor: str) -> None:
    """After notices were queued: people_notified if they were the last, else a step."""
    if settle(vault, session, incident, actor=actor):
        return
    left = standing(session, incident)
    said = {"told": len(left.told), "pending": len(left.pending)}
    record_step(vault, session, incident, actor=actor, step=Step.NOTICES_SENT, params=said)


def refuse_pending(session: Session, incident: Incident) -> None:
    """Conflict while a high-risk incident has people still to tell (closing waits)."""
    if risk_of(incident) is not Risk.HIGH:
        return
    left = standing(session, incident).pending
    if left:
        raise Conflict(
            f"{len(left)} affected person(s) still to be told.",
            hint="Tell them, or record why they are not told (Art. 34(3)), before closing.",
        )


def record_not_told(
    vault: Vault,
    session: Session,
    incident: Incident,
    *,
    accounts: Sequence[str],
    basis: NotTelling,
    reason: str,
    actor: str,
) -> tuple[str, ...]:
    """Record, in the caller's transaction, that the people named (pseudonyms, each still
    to be told) are not told, on ``basis``, with the DPO's ``reason`` (sealed); then
    settle. Returns the pseudonyms recorded."""
    if risk_of(incident) is not Risk.HIGH:
        raise Conflict(
            "Only an incident assessed as a high risk needs the people told (Art. 34(1)).",
            hint="There is nothing to record for people who need not be told.",
        )
    wanted = list(dict.fromkeys(name.strip() for name in accounts if name.strip()))
    if not wanted:
        raise InvalidInput("Tick at least one person who is not told.")
    pending = set(standing(session, incident).pending)
    if not set(wanted) <= pending:
        raise InvalidInput(
            "A person named is not among those still to be told.",
            hint="Name people still to be told by the pseudonym (account:…) the page shows.",
        )
    incident.details = {
        **incident.details,
        NOT_TOLD: {
            **{k: v.value for k, v in not_told_of(incident).items()},
            **dict.fromkeys(wanted, basis.value),
        },
    }
    said = {"basis": basis.value, "people": len(wanted)}
    record_step(vault, session, incident, actor=actor, step=Step.NOT_TOLD, note=reason, params=said)
    record(
        session,
        AuditAction.INCIDENT_NOT_TOLD,
        actor=actor,
        objects={"incident": incident.id, "accounts": wanted, "basis": basis.value},
        counts={"people": len(wanted)},
    )
    settle(vault, session, incident, actor=actor)
    return tuple(wanted)
