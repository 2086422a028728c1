"""Containment from the incident page: four actions, each one service call.

* ``revoke_answers``: every answer of the incident's request that can still be
  downloaded is revoked, its key destroyed, its archive deleted after the commit.
* ``suspend_staff``: a staff account is disabled and every session of it ends.
* ``force_password_reset``: every session of a person ends, the password signs in
  no more until the person sets a new one with a mailed reset code, and a mail
  tells them (a job, after the commit).
* ``reassign_recordings``: a device's recordings from a given time on move to the
  account they belong to (recordings/reassign.py), in batches.

Only the data protection officer contains an incident (admins read it). From
the console and the API each action needs a password re-entry within
``REAUTH_WITHIN_S`` (the staff session's ``reauth_at``); the command line runs
on the server, whose access is its authentication. Every audit event names
the incident (``objects["incident"]``), so the incident page shows them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Device
from voxkeep.accounts.service import account_actor_pseudonym, find_account
from voxkeep.audit.pseudonyms import names_for
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, InvalidInput, NotFound
from voxkeep.exports.delivery import revoke_request_answers
from voxkeep.exports.models import Export
from voxkeep.incidents.models import Incident
from voxkeep.incidents.states import Step, record_step, refuse_closed
from voxkeep.people import service as people
from voxkeep.people import staff as staff_accounts
from voxkeep.people.models import StaffRole
from voxkeep.people.service import require_recent_reauth
from voxkeep.people.staff import StaffSession, require_role
from voxkeep.recordings import reassign
from voxkeep.vault import Vault

CONTAINERS: Final = (StaffRole.DPO,)
# A containment action needs the staff member's password re-entered this recently.
REAUTH_WITHIN_S: Final = 600.0


@dataclass(frozen=True)
class OnServer:
    """Whoever runs `voxkeep incidents contain` on the server (its audit name: system)."""

    actor: str = "system"


By = StaffSession | OnServer


def check_may_contain(by: By) -> None:
    """A DPO with a fresh password re-entry, or the server's command line."""
    if isinstance(by, StaffSession):
        require_role(by, *CONTAINERS)
        require_recent_reauth(by, within_s=REAUTH_WITHIN_S)


def reauth_is_fresh(staff: StaffSession) -> bool:
    """Whether the console may show the final confirmation without asking for the password."""
    at = staff.reauth_at
    return at is not None and (utcnow() - at).total_seconds() <= REAUTH_WITHIN_S


def _incident(session: Session, incident_id: str, *, lock: bool = False) -> Incident:
    found = session.get(Incident, incident_id, with_for_update=lock) if incident_id else None
    if found is None:
        raise NotFound("There is no incident with this id.")
    refuse_closed(found)
    return found


# 1. Answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Revoked:
    exports: list[str]


def _request_of(session: Session, incident: Incident) -> str:
    if incident.request_id:
        return incident.request_id
    export_id = incident.details.get("export")
    export = session.get(Export, export_id) if isinstance(export_id, str) else None
    if export is None:
        raise Conflict(
            "This incident names no answer, so there is nothing to revoke.",
            hint="Revoke an answer from the incident of its request.",
        )
    return export.request_id


def revoke_answers(vault: Vault, *, incident_id: str, by: By) -> Revoked:
    """Revoke every answer of the incident's request still outstanding; keys destroyed at once.

    Idempotent: once everything is revoked, a repeat revokes nothing.
    """
    check_may_contain(by)
    with vault.transaction() as session:
        incident = _incident(session, incident_id, lock=True)
        request_id = _request_of(session, incident)
        exports, blobs = revoke_request_answers(
            vault, session, request_id=request_id, incident_id=incident.id, actor=by.actor
        )
        _contained(vault, session, incident, by, Action.REVOKE_ANSWERS, answers=len(exports))
    vault.blobs.delete_many(blobs)
    return Revoked(exports=exports)


def _contained(
    vault: Vault, session: Session, incident: Incident, by: By, action: Action, **said: str | int
) -> None:
    """The measure on the incident's timeline (a ``contained`` step: the measure's code and
    what it was done to, which the pages word in their language), in the action's own
    transaction: the audit event is the action's."""
    record_step(
        vault,
        session,
        incident,
        actor=by.actor,
        step=Step.CONTAINED,
        params={"measure": action.value, **said},
    )


# 2. Staff -----------------------------------------------------------------------


@dataclass(frozen=True)
class Suspended:
    staff_id: str
    name: str


def suspend_staff(vault: Vault, *, incident_id: str, staff: str, by: By) -> Suspended:
    """Disable a staff account (by name or id); every session of it ends at once."""
    check_may_contain(by)
    acting = by.staff_id if isinstance(by, StaffSession) else None
    with vault.transaction() as session:
        incident = _incident(session, incident_id, lock=True)
        info = staff_accounts.suspend_staff(
            session, ref=staff, actor=by.actor, acting=acting, incident=incident.id
        )
        _contained(vault, session, incident, by, Action.SUSPEND_STAFF, staff=f"staff:{info.id}")
    return Suspended(staff_id=info.id, name=info.name)


# 3. A person's password -----------------------------------------------------------


@dataclass(frozen=True)
class ResetForced:
    account: str  # pseudonym
    sessions_ended: int


def force_password_reset(vault: Vault, *, incident_id: str, account: str, by: By) -> ResetForced:
    """End every session of the account (the operator's id) and require a new password."""
    check_may_contain(by)
    with vault.transaction() as session:
        incident = _incident(session, incident_id, lock=True)
        owner = find_account(vault, session, account)
        ended = people.force_password_reset(
            vault, session, owner.id, actor=by.actor, incident=incident.id
        )
        pseudonym = account_actor_pseudonym(vault, session, owner.id)
        _contained(vault, session, incident, by, Action.FORCE_PASSWORD_RESET, account=pseudonym)
    return ResetForced(account=pseudonym, sessions_ended=ended)


# 4. Recordings ------------------------------------------------------------------


def _device_id(vault: Vault, session: Session, incident: Incident, device: str) -> str:
    """A device by its id, or by the pseudonym the incident page shows (``dev:…``), which
    names a device of the account whose answer the incident concerns."""
    if not device.startswith("dev:"):
        return device
    export_id = incident.details.get("export")
    export = session.get(Export, export_id) if isinstance(export_id, str) else None
    if export is not None:
        names = names_for(vault, session, export.account_id)
        for device_id in session.scalars(
            select(Device.id).where(Device.account_id == export.account_id)
        ):
            if names.device(device_id) == device:
                return device_id
    raise NotFound(
        "No device of the incident's account has this pseudonym.",
        hint="Give the device's id as the operator knows it.",
    )


def reassign_recordings(
    vault: Vault,
    *,
    incident_id: str,
    device: str,
    since: datetime,
    to_account: str,
    by: By,
    same_as: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> reassign.Moved:
    """Move a device's recordings captured at or after ``since`` to ``to_account`` (the
    operator's id of the right account), re-encrypted for it, in batches. The moved
    device is named by what it is, or as the new owner named his own device ``same_as``
    (the id the operator registered it under for him): never by the first owner's label.

    Safe to run again after an interruption: it moves what is left.
    """
    check_may_contain(by)
    if since > utcnow():
        raise InvalidInput("The start of the period lies in the future.")
    with vault.transaction() as session:
        incident = _incident(session, incident_id, lock=True)
        device_id = _device_id(vault, session, incident, device.strip())
        target = find_account(vault, session, to_account)
        move = reassign.Move(
            incident=incident.id,
            device_id=device_id,
            since=since,
            to_account=target.id,
            actor=by.actor,
            same_as=(same_as or "").strip() or None,
        )
        old, new_device = reassign.prepare_move(vault, session, move)
        from_name = account_actor_pseudonym(vault, session, old)
        to_name = account_actor_pseudonym(vault, session, target.id)
        _contained(
            vault,
            session,
            incident,
            by,
            Action.REASSIGN_RECORDINGS,
            source=from_name,
            target=to_name,
            since=since.astimezone(UTC).isoformat(),
        )
    moved = reassign.move_recordings(vault, move, old, new_device, progress=progress)
    return reassign.Moved(
        moved=moved, new_device=new_device, from_account=from_name, to_account=to_name
    )


# The console's forms: one action named in the path, its fields as typed -------------


class Action(enum.StrEnum):
    REVOKE_ANSWERS = "revoke-answers"
    SUSPEND_STAFF = "suspend-staff"
    FORCE_PASSWORD_RESET = "force-password-reset"  # noqa: S105 (an action name)
    REASSIGN_RECORDINGS = "reassign-recordings"


# The fields each action's form sends, in the order the page shows them.
FIELDS: Final[Mapping[Action, tuple[str, ...]]] = {
    Action.REVOKE_ANSWERS: (),
    Action.SUSPEND_STAFF: ("staff",),
    Action.FORCE_PASSWORD_RESET: ("account",),
    Action.REASSIGN_RECORDINGS: ("device", "since", "to_account", "same_as"),
}
OPTIONAL: Final = frozenset({"same_as"})  # every other field must be filled


def action_of(name: str) -> Action:
    try:
        return Action(name)
    except ValueError:
        raise NotFound("There is no such containment action.") from None


def fields_of(action: Action, form: Mapping[str, str]) -> dict[str, str]:
    """The action's fields from a form or a query, trimmed; others are ignored."""
    return {name: str(form.get(name) or "").strip() for name in FIELDS[action]}


def parse_since(text: str) -> datetime:
    """A time as the console's form takes it: ISO 8601, in UTC unless it says otherwise."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            "The start of the period is not a time.",
            hint="Write it as YYYY-MM-DD HH:MM (UTC), e.g. 2026-03-05 07:00.",
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Done:
    """What an action did, for the page that confirms it."""

    action: Action
    count: int  # answers revoked, sessions ended, recordings moved (1 for a suspension)
    names: dict[str, str]  # pseudonyms and ids to show


def contain(
    vault: Vault, *, action: Action, incident_id: str, fields: Mapping[str, str], by: By
) -> Done:
    """Run one containment action with the fields its form sent (each must be filled,
    but the optional ones)."""
    missing = [name for name in FIELDS[action] if name not in OPTIONAL and not fields.get(name)]
    if missing:
        raise InvalidInput(
            f"Fill in every field: {', '.join(missing)} is missing.",
            hint="Go back to the incident and fill in the form again.",
        )
    if action is Action.REVOKE_ANSWERS:
        revoked = revoke_answers(vault, incident_id=incident_id, by=by)
        return Done(action, len(revoked.exports), {})
    if action is Action.SUSPEND_STAFF:
        suspended = suspend_staff(vault, incident_id=incident_id, staff=fields["staff"], by=by)
        return Done(action, 1, {"name": suspended.name})
    if action is Action.FORCE_PASSWORD_RESET:
        forced = force_password_reset(
            vault, incident_id=incident_id, account=fields["account"], by=by
        )
        return Done(action, forced.sessions_ended, {"account": forced.account})
    moved = reassign_recordings(
        vault,
        incident_id=incident_id,
        device=fields["device"],
        since=parse_since(fields["since"]),
        to_account=fields["to_account"],
        by=by,
        same_as=fields.get("same_as"),
    )
    return Done(action, moved.moved, {"account": moved.to_account, "device": moved.new_device})
