"""Helpers for the trigger tests: two households, a person's session, staff, the incidents.

The database is changed behind voxkeep's back (``sql``) exactly as a bug or an
insider with database access would; everything else goes through the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from exports.factory import BASE, Household, household, record
from voxkeep.incidents.models import Incident
from voxkeep.requests.models import DataRequest
from voxkeep.vault import Vault


@dataclass
class Person:
    """A signed-in person (people.service.PersonSession) as the delivery service sees one."""

    account_id: str
    id: str = "session-1"
    reauth_at: datetime | None = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member (people.service.StaffSession) as the request service sees one."""

    staff_id: str
    roles: tuple[str, ...] = ("approver",)


APPROVER = Staff("approver-1")


def sql(vault: Vault, statement: str, **params: Any) -> None:
    """Change the database behind voxkeep's back, as a bug would."""
    with vault.engine.begin() as connection:
        connection.execute(text(statement), params)


def two_households(vault: Vault, recordings: int = 3) -> tuple[Household, Household]:
    """Me (two devices) and a stranger (one bedroom speaker), each with recordings an hour
    apart, ingested a day before anyone asks (so every completeness check counts them)."""
    me = household(vault, "me", devices=(("kueche", "Küche"), ("flur", "Flur")))
    stranger = household(vault, "stranger", devices=(("schlafzimmer", "Schlafzimmer"),))
    for n in range(recordings):
        record(vault, me, f"me-{n}", device=me.devices[n % 2], at=BASE + timedelta(hours=n))
        record(
            vault,
            stranger,
            f"st-{n}",
            at=BASE + timedelta(days=2, hours=n),
            transcript="Gute Nacht",
        )
    sql(vault, "UPDATE recordings SET created_at = :at", at=datetime.now(UTC) - timedelta(days=1))
    return me, stranger


def incidents_of(vault: Vault, request_id: str | None = None) -> list[Incident]:
    with vault.reading() as session:
        query = select(Incident).order_by(Incident.opened_at)
        if request_id is not None:
            query = query.where(Incident.request_id == request_id)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def state_of(vault: Vault, request_id: str) -> str:
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        assert request is not None
        return request.state


def pseudonym(vault: Vault, account_id: str) -> str:
    with vault.reading() as session:
        return vault.keyring.pseudonym(session, kind="account", object_id=account_id)
