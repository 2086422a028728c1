"""Deleting recordings for good: blobs first, then rows, in batches; then the WAL.

The one deletion path that the sweeper, the person's deletions and account
erasure share. Each batch unlinks its audio blobs (idempotent), then deletes
its rows with the caller's audit event in one transaction (invariant 8). A
crash between the two leaves rows whose blobs are already gone; they are still
selected by the next run, which finishes them. Nothing is ever left the other
way round (a blob no row names, unreadable to any later purge). Batches are
pipelined (remove_where) so unlinking and the database work overlap.

Deleted rows must not linger in database files (invariant 6). SQLite runs
with ``secure_delete`` (freed pages and cells are zeroed) and WAL; the old
page images stay in the WAL file until it is checkpointed, so every deletion
ends with ``wal_checkpoint(TRUNCATE)``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, delete, select
from sqlalchemy.orm import Session

from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault

log = logging.getLogger("voxkeep.retention")


class Deleted(NamedTuple):
    """A recording a batch deleted, with its owner (to name it in the audit log)."""

    id: str
    account_id: str


# Called inside the deleting transaction with the recordings actually deleted and the counts.
AuditHook = Callable[[Session, list[Deleted], "Counts"], None]


@dataclass
class Counts:
    recordings: int = 0
    audio_blobs: int = 0
    transcripts: int = 0

    def add(self, other: Counts) -> None:
        self.recordings += other.recordings
        self.audio_blobs += other.audio_blobs
        self.transcripts += other.transcripts

    def as_dict(self) -> dict[str, int]:
        return {
            "recordings": self.recordings,
            "audio_blobs": self.audio_blobs,
            "transcripts": self.transcripts,
        }


@dataclass(frozen=True)
class Doomed:
    id: str
    audio_blob: str
    has_transcript: bool


def select_doomed(
    where: Sequence[ColumnElement[bool]], *, order: Any, limit: int
) -> Select[str, str, bool]:
    return (
        select(Recording.id, Recording.audio_blob, Recording.transcript_ct.is_not(None))
        .where(*where)
        .order_by(order)
        .limit(limit)
    )


def fetch(vault: Vault, query: Select[str, str, bool]) -> list[Doomed]:
    with vault.reading() as session:
        return [Doomed(rid, blob, bool(has_t)) for rid, blob, has_t in session.execute(query)]


def unlink(vault: Vault, batch: Sequence[Doomed]) -> None:
    """Delete the batch's audio blobs (idempotent: a missing blob is no error)."""
    vault.blobs.delete_many([item.audio_blob for item in batch])


def delete_rows(vault: Vault, batch: Sequence[Doomed], audit: AuditHook | None) -> Counts:
    """Delete the batch's rows, with the caller's audit event, in one transaction."""
    by_id = {item.id: item for item in batch}
    with vault.transaction() as session:
        deleted = [
            Deleted(rid, owner)
            for rid, owner in session.execute(
                delete(Recording)
                .where(Recording.id.in_(list(by_id)))
                .returning(Recording.id, Recording.account_id)
                .execution_options(synchronize_session=False)
            )
        ]
        counts = Counts(
            recordings=len(deleted),
            audio_blobs=len(deleted),
            transcripts=sum(by_id[item.id].has_transcript for item in deleted),
        )
        if audit is not None and deleted:
            audit(session, deleted, counts)
    return counts


@dataclass
class Removal:
    counts: Counts = field(default_factory=Counts)
    batches: int = 0
    stopped: bool = False


def remove_where(
    vault: Vault,
    where: Sequence[ColumnElement[bool]],
    *,
    order: Any,
    limit: int | None = None,
    audit: AuditHook | None = None,
    on_done: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Removal:
    """Remove every recording matching where (at most limit), batch by batch.

    Pipelined: while one batch's rows are deleted (a write transaction in a
    second thread), the next batch is selected and its blobs are unlinked.
    Each batch's own order is unchanged (blobs, then rows), and the batch in
    flight is excluded from the next selection, so nothing is done twice.
    """
    progress = Removal()
    size = vault.settings.retention_batch
    selected = 0
    flying: Future[Counts] | None = None
    flying_ids: list[str] = []

    def land() -> None:
        nonlocal flying
        if flying is not None:
            counts, flying = flying.result(), None
            progress.counts.add(counts)
            progress.batches += 1
            if on_done is not None:
                on_done(counts.recordings)

    with ThreadPoolExecutor(1, thread_name_prefix="voxkeep-purge") as writer:
        try:
            while limit is None or selected < limit:
                if selected and vault.settings.purge_pause_s:
                    land()  # the batches so far are whole: blobs and rows gone
                    _pause(vault.settings.purge_pause_s, should_stop)
                want = size if limit is None else min(size, limit - selected)
                clauses = [*where, Recording.id.not_in(flying_ids)] if flying_ids else where
                batch = fetch(vault, select_doomed(clauses, order=order, limit=want))
                if not batch:
                    break
                unlink(vault, batch)
                land()
                flying = writer.submit(delete_rows, vault, batch, audit)
                flying_ids = [item.id for item in batch]
                selected += len(batch)
                if should_stop is not None and should_stop():
                    progress.stopped = True
                    break
            land()
        finally:
            if flying is not None:  # an error above: let the write finish, then re-raise
                flying.exception()
    return progress


def _pause(seconds: float, should_stop: Callable[[], bool] | None) -> None:
    """The test-only pause between batches (settings.purge_pause_s)."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0 and not (should_stop and should_stop()):
        time.sleep(min(0.1, left))


def checkpoint_wal(vault: Vault, *, busy_timeout_ms: int = 2000) -> bool:
    """Copy the WAL into the database and truncate it (SQLite); True when that completed.

    Waits at most busy_timeout_ms for readers that still see old pages; when
    they do not finish, the next checkpoint completes the job.
    """
    if not vault.settings.is_sqlite:
        return True
    raw = vault.engine.raw_connection()
    try:
        cursor = raw.cursor()
        before = int(cursor.execute("PRAGMA busy_timeout").fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        try:
            busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            cursor.execute(f"PRAGMA busy_timeout={before}")
            cursor.close()
    finally:
        raw.close()
    if busy:
        log.info("WAL checkpoint postponed: readers still active")
    return not busy
