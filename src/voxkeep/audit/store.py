"""Reading the audit log back in bounded memory: keyset batches in leaf order.

Nothing here loads the whole log; a verifier over millions of events holds one
batch of rows and the O(log n) peaks of the tree at any time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxkeep.audit.events import AuditCheckpoint, AuditEvent
from voxkeep.audit.leaves import StoredEvent
from voxkeep.audit.merkle import HASH_SIZE

EVENT_BATCH: Final = 2000
CHECKPOINT_BATCH: Final = 500


@dataclass(frozen=True)
class StoredCheckpoint:
    """One audit_checkpoints row as read back from the database."""

    size: int
    root_hash: bytes
    note: str
    frontier: bytes

    def peaks(self) -> list[bytes] | None:
        """The stored peaks, or None when the column is not a whole number of hashes."""
        frontier = bytes(self.frontier)
        if len(frontier) % HASH_SIZE:
            return None
        return [frontier[i : i + HASH_SIZE] for i in range(0, len(frontier), HASH_SIZE)]


def use_snapshot(session: Session) -> None:
    """Make every read of this (new) transaction see one snapshot of the database.

    Must run before the transaction's first statement. A verifier reading in
    batches must not see a checkpoint committed after its last event batch,
    or it would mistake the race for a truncated log. SQLite's WAL readers
    already read one snapshot; PostgreSQL's default READ COMMITTED does not.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def log_size(session: Session) -> int:
    """One past the highest leaf index: the tree size, if the log has no gaps."""
    last = session.scalar(select(func.max(AuditEvent.seq)))
    return 0 if last is None else last + 1


def event_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def iter_events(
    session: Session, *, start: int | None = 0, stop: int | None = None
) -> Iterator[StoredEvent]:
    """Events with start <= seq < stop in seq order, fetched a batch at a time.

    ``start=None`` also yields rows with a negative seq, which only tampering
    can produce and which a verifier must see.
    """
    columns = (AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.data)
    after = start
    while True:
        query = select(*columns)
        if after is not None:
            query = query.where(AuditEvent.seq >= after)
        if stop is not None:
            query = query.where(AuditEvent.seq < stop)
        rows = session.execute(query.order_by(AuditEvent.seq).limit(EVENT_BATCH)).all()
        for row in rows:
            yield StoredEvent(row.seq, row.at, row.actor, row.action, bytes(row.data))
        if len(rows) < EVENT_BATCH:
            return
        after = rows[-1].seq + 1


def iter_leaf_data(session: Session, *, start: int, stop: int) -> Iterator[tuple[int, bytes]]:
    """(seq, data) for start <= seq < stop in seq order: all a proof needs from each event."""
    after = start
    while True:
        rows = session.execute(
            select(AuditEvent.seq, AuditEvent.data)
            .where(AuditEvent.seq >= after, AuditEvent.seq < stop)
            .order_by(AuditEvent.seq)
            .limit(EVENT_BATCH)
        ).all()
        for row in rows:
            yield row.seq, bytes(row.data)
        if len(rows) < EVENT_BATCH:
            return
        after = rows[-1].seq + 1


_CHECKPOINT_COLUMNS = (
    AuditCheckpoint.size,
    AuditCheckpoint.root_hash,
    AuditCheckpoint.note,
    AuditCheckpoint.frontier,
)


def _checkpoint(row: Sequence[Any]) -> StoredCheckpoint:
    size, root_hash, note, frontier = row
    return StoredCheckpoint(size, bytes(root_hash), note, bytes(frontier))


def iter_checkpoints(session: Session) -> Iterator[StoredCheckpoint]:
    """Every checkpoint, smallest tree first, fetched a batch at a time."""
    after = -1
    while True:
        rows = session.execute(
            select(*_CHECKPOINT_COLUMNS)
            .where(AuditCheckpoint.size > after)
            .order_by(AuditCheckpoint.size)
            .limit(CHECKPOINT_BATCH)
        ).all()
        for row in rows:
            yield _checkpoint(row)
        if len(rows) < CHECKPOINT_BATCH:
            return
        after = rows[-1].size


def checkpoint_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditCheckpoint)) or 0


def newest_checkpoint(session: Session) -> StoredCheckpoint | None:
    row = session.execute(
        select(*_CHECKPOINT_COLUMNS).order_by(AuditCheckpoint.size.desc()).limit(1)
    ).first()
    return None if row is None else _checkpoint(row)


def checkpoint_at_or_below(session: Session, size: int) -> StoredCheckpoint | None:
    """The largest checkpoint of at most `size` leaves: where a tree walk can resume."""
    row = session.execute(
        select(*_CHECKPOINT_COLUMNS)
        .where(AuditCheckpoint.size <= size)
        .order_by(AuditCheckpoint.size.desc())
        .limit(1)
    ).first()
    return None if row is None else _checkpoint(row)
