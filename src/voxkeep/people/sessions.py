"""Session rows of people and of staff: started, checked and ended the same way.

The two kinds differ in who owns a row (an account, a staff member), in the
token prefix and in how long a session lives; everything else (expired rows
dropped at sign-in, a secret compared in constant time, ended or expired
sessions refused, every live session ended at once) is written once, here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from voxkeep.db.base import utcnow
from voxkeep.errors import Unauthorized
from voxkeep.people import credentials
from voxkeep.people.models import PersonSessionRow, StaffSessionRow

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
            **{self.owner: owner_id},
        )
        session.add(row)
        return issued, row

    def live(self, session: Session, token: str, *, refused: Callable[..., Unauthorized]) -> Row:
        """The row a token names, if its secret matches and it has not ended or expired.

        ``refused()`` or ``refused(message)`` makes the error to raise otherwise.
        """
        presented = credentials.parse(token, self.prefix)
        row = session.get(self.model, presented.id) if presented is not None else None
        if presented is None or row is None or not presented.matches(row.secret_hash):
            raise refused()
        if row.revoked_at is not None:
            raise refused(f"This {self.noun} has ended.")
        if row.expires_at <= utcnow():
            raise refused(f"This {self.noun} has expired.")
        return row

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
