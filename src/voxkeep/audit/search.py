"""Finding audit events for the console: by action, by object, by time; newest first, paged.

An object is named in the log by an opaque id (a request, an export, an
incident, ``staff:<id>``) or by a pseudonym (``account:…``, ``dev:…``,
``mem:…``, ``rec:…``). Staff who hold an id the operator chose (an account's,
a device's, a member's, a recording's) never type it into a URL: the console
posts it, and ``names_for_object`` turns it into the pseudonyms the log uses,
with the account's key, as ``voxkeep audit find`` does.

Action, time and position are filtered by the database; names are matched in
Python against each event's parsed objects (exact values, not substrings),
reading keyset batches newest first until a page is full.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Device, HouseholdMember
from voxkeep.accounts.service import find_account
from voxkeep.audit.events import AuditAction, AuditEvent
from voxkeep.audit.log import EventView, names_in, view_of
from voxkeep.audit.pseudonyms import ObjectKind, names_for, pseudonyms_of
from voxkeep.errors import InvalidInput, NotFound
from voxkeep.people.models import StaffRole
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault

# Who may read the audit log: the data protection officer and admins.
READERS: Final = (StaffRole.DPO, StaffRole.ADMIN)
PAGE_SIZE: Final = 50
MAX_PAGE: Final = 500
_BATCH: Final = 500


class ObjectRef(enum.StrEnum):
    """What the console's object field holds."""

    LOGGED = "logged"  # an id or pseudonym as the log writes it
    ACCOUNT = "account"  # the operator's account id: the account and all its current objects
    DEVICE = "device"  # the operator's device id
    MEMBER = "member"  # the operator's household member id
    RECORDING = "recording"  # the operator's recording id


@dataclass(frozen=True)
class EventQuery:
    """What to look for; every field narrows, none given finds every event."""

    action: AuditAction | None = None
    names: frozenset[str] | None = None  # the event must name one of these (actor or object)
    since: datetime | None = None  # at or after
    until: datetime | None = None  # before


@dataclass(frozen=True)
class EventPage:
    events: list[EventView]  # newest first
    older: int | None  # pass as ``before`` for the next page; None on the last page


def parse_action(value: str | None) -> AuditAction | None:
    if not value:
        return None
    try:
        return AuditAction(value)
    except ValueError:
        raise InvalidInput(
            "That is not an audit action.", hint="Choose one of the listed actions."
        ) from None


def names_for_object(vault: Vault, ref: ObjectRef, value: str) -> frozenset[str]:
    """The names the log uses for an object, from what staff typed."""
    value = value.strip()
    if not value:
        raise InvalidInput("Enter an id to search for.")
    if ref is ObjectRef.LOGGED:
        return frozenset({value})
    with vault.reading() as session:
        if ref is ObjectRef.ACCOUNT:
            account = find_account(vault, session, value)
            return frozenset(pseudonyms_of(vault, session, account.id))
        owner = _owner_of(session, ref, value)
        names = names_for(vault, session, owner)
        kind: ObjectKind = ref.value  # type: ignore[assignment]  # device, member, recording
        return frozenset({names.of(kind, value)})


_OWNERS = {
    ObjectRef.DEVICE: (Device.account_id, Device.id),
    ObjectRef.MEMBER: (HouseholdMember.account_id, HouseholdMember.id),
    ObjectRef.RECORDING: (Recording.account_id, Recording.id),
}


def _owner_of(session: Session, ref: ObjectRef, value: str) -> str:
    owner_column, id_column = _OWNERS[ref]
    owner = session.scalar(select(owner_column).where(id_column == value))
    if owner is None:
        raise NotFound(
            f"No stored {ref.value} has this id.",
            hint="For one since removed or deleted, search by its account's id, or use "
            "`voxkeep audit find ACCOUNT --" + ref.value + " ID` on the server.",
        )
    return owner


def search_events(
    vault: Vault, query: EventQuery, *, before: int | None = None, limit: int = PAGE_SIZE
) -> EventPage:
    """One page of matching events, newest first, older than leaf ``before`` if given."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"A page holds between 1 and {MAX_PAGE} events.")
    if query.since and query.until and query.since >= query.until:
        raise InvalidInput("The start of the time range must come before its end.")
    found: list[EventView] = []
    with vault.reading() as session:
        for view in _newest_first(session, query, before):
            if query.names is None or names_in(view) & query.names:
                found.append(view)
                if len(found) > limit:
                    break
    if len(found) > limit:
        return EventPage(found[:limit], found[limit - 1].seq)
    return EventPage(found, None)


def _newest_first(session: Session, query: EventQuery, before: int | None) -> Iterator[EventView]:
    while True:
        statement = _filtered(select(AuditEvent), query).order_by(AuditEvent.seq.desc())
        if before is not None:
            statement = statement.where(AuditEvent.seq < before)
        rows: list[AuditEvent] = list(session.scalars(statement.limit(_BATCH)))
        yield from map(view_of, rows)
        if len(rows) < _BATCH:
            return
        before = rows[-1].seq


def _filtered(statement: Select[tuple[AuditEvent]], query: EventQuery) -> Select[tuple[AuditEvent]]:
    if query.action is not None:
        statement = statement.where(AuditEvent.action == query.action.value)
    if query.since is not None:
        statement = statement.where(AuditEvent.at >= query.since)
    if query.until is not None:
        statement = statement.where(AuditEvent.at < query.until)
    return statement
