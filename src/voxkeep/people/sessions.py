"""Session rows of people and of staff: started, checked and ended the same way.

The two kinds differ in who owns a row (an account, a staff member), in the
token prefix and in how long a session lives; everything else (expired rows
dropped at sign-in, a secret compared in constant time, ended, expired or idle
sessions refused, the last use noted at most every SEEN_EVERY_S, every live
session ended at once) is written once, here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from voxkeep.db.base import utcnow
from voxkeep.errors import Unauthorized
from voxkeep.people import credentials
from voxkeep.people.models import PersonSessionRow, StaffSessionRow

if TYPE_CHECKING:
    from voxkeep.vault import Vault

SEEN_EVERY_S = 60  # a session's last use is written at most this often (reads stay reads)

Row = TypeVar("Row", PersonSessionRow, StaffSessionRow)


@dataclass(frozen=True)
class Kind(Generic[Row]):
    model: type[Row]
    owner: str  # the row's column naming its owner
    prefix: str  # of the bearer token
    noun: str  # "session" or "staff session", in messages

    def _owner_is(self, owner_id: str) -> Any:
        return getattr(self.model, self.owner) == owner_id

    def start(
        self, session: Session, owner_id: str, *, now: datetime, ttl_s: float
    ) -> tuple[credentials.Issued, Row]:
        """A new session row (added to the session); the owner's expired rows are dropped."""
        session.execute(
            delete(self.model).where(self._owner_is(owner_id), self.model.expires_at <= now)
        )
        issued = credentials.issue(self.prefix)
        row = self.model(
            id=issued.id,
            secret_hash=issued.secret_hash,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
            last_seen_at=now,
            **{self.owner: owner_id},
        )
        session.add(row)
        return issued, row

    def live(
        self,
        session: Session,
        token: str,
        *,
        idle_s: float,
        refused: Callable[..., Unauthorized],
    ) -> Row:
        """The row a token names, if its secret matches and it has not ended, expired
        or lain unused for more than ``idle_s`` seconds.

        ``refused()`` or ``refused(message)`` makes the error to raise otherwise.
        """
        presented = credentials.parse(token, self.prefix)
        row = session.get(self.model, presented.id) if presented is not None else None
        if presented is None or row is None or not presented.matches(row.secret_hash):
            raise refused()
        if row.revoked_at is not None:
            raise refused(f"This {self.noun} has ended.")
        now = utcnow()
        if row.expires_at <= now:
            raise refused(f"This {self.noun} has expired.")
        if row.last_seen_at is not None and now - row.last_seen_at > timedelta(seconds=idle_s):
            minutes = max(1, round(idle_s / 60))
            raise refused(f"This {self.noun} ended after {minutes} minutes without use.")
        return row

    def touch(self, vault: Vault, row_id: str, *, seen: datetime | None) -> None:
        """Note that the session is in use, in its own short transaction, unless that
        was noted less than SEEN_EVERY_S ago: the idle timeout counts from here."""
        now = utcnow()
        if seen is not None and (now - seen).total_seconds() < SEEN_EVERY_S:
            return
        with vault.transaction() as session:
            row = session.get(self.model, row_id)
            if row is not None and row.revoked_at is None:
                row.last_seen_at = now

    def end_all(self, session: Session, owner_id: str, *, now: datetime) -> int:
        """End every live session of the owner; returns how many."""
        active = session.scalars(
            select(self.model).where(
                self._owner_is(owner_id),
                self.model.revoked_at.is_(None),
                self.model.expires_at > now,
            )
        ).all()
        for row in active:
            row.revoked_at = now
        return len(active)


PERSON: Kind[PersonSessionRow] = Kind(
    PersonSessionRow, "account_id", credentials.PERSON_SESSION, "session"
)
STAFF: Kind[StaffSessionRow] = Kind(
    StaffSessionRow, "staff_id", credentials.STAFF_SESSION, "staff session"
)
