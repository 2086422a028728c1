"""Moving a vault's blobs from its data directory to a bucket (`voxkeep storage migrate`).

Blobs are ciphertext bound to their owner and their own id (the AEAD's
associated data names kind, owner and object, never where the bytes lie), so
they are copied byte for byte: nothing is decrypted or encrypted again.

One batch at a time, in this order, so that a kill at any moment leaves every
row naming a blob that exists (invariant 8):

1. each of the batch's blobs is read from the directory and uploaded under a
   new key, its SHA-256 computed on the way;
2. the copies (old reference, new key, size, SHA-256) are appended to the
   journal (``<data dir>/blob-migration.jsonl``) and made durable;
3. one transaction points each row at its copy, only if the row still names
   the old reference (a row deleted or changed meanwhile keeps what it has,
   and its copy is deleted), with a ``blob:moved`` audit event;
4. a line closes the batch in the journal.

A run killed between 1 and 4 leaves objects no row may name: the next run
deletes those of the unclosed batch that no row names, then goes on with
the rows that still name a local blob. The directory's blobs stay until a
verification re-read every copy from the bucket and found the size and
SHA-256 it had when copied (``verify``); only then ``remove_local`` deletes
them, with the journal. While a migration runs, the vault reads both stores
(storage/moving.py).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import InstrumentedAttribute

from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.batching import map_all, map_each
from voxkeep.errors import ConfigError, IntegrityFailure, NotFound, StorageFailed, VoxkeepError
from voxkeep.exports.models import Export
from voxkeep.recordings.models import Recording
from voxkeep.storage.blobs import LocalBlobStore
from voxkeep.storage.gc import named_blobs
from voxkeep.storage.moving import MovingBlobStore, is_entry
from voxkeep.storage.s3 import S3BlobStore
from voxkeep.vault import Vault

JOURNAL_NAME = "blob-migration.jsonl"
DEFAULT_BATCH = 64
_PAGE = 1000
_CHECKS = 256  # rows or copies checked at once
_READ = 1024 * 1024
_TAIL = 64 * 1024  # far more than a journal line

# (primary key, blob reference) of every table whose rows name blobs.
_COLUMNS: tuple[tuple[InstrumentedAttribute[Any], InstrumentedAttribute[Any]], ...] = (
    (Recording.id, Recording.audio_blob),
    (Export.id, Export.blob),  # answer archives
)

T = TypeVar("T")
Progress = Callable[[int, int], None]  # blobs and bytes done since the last call


class MigrationFailed(VoxkeepError):
    """A migration cannot go on, or its copies did not verify."""

    status = 500
    code = "migration_failed"


@dataclass(frozen=True)
class _Row:
    table: int  # index into _COLUMNS
    id: str
    ref: str


@dataclass(frozen=True)
class Copy:
    """A blob copied to the bucket: where from, under which key, and what was read."""

    source: str
    target: str
    size: int
    sha256: str


@dataclass
class MoveReport:
    moved: int = 0
    bytes: int = 0
    gone: int = 0  # deleted (or changed) while being copied: nothing to move
    cleaned: int = 0  # objects of an interrupted run's last batch that no row names
    damaged: int = 0  # local blobs that failed their check when read: not moved
    stopped: bool = False


@dataclass
class VerifyReport:
    rows: int = 0  # rows whose blob was found in the bucket
    copies: int = 0  # copies re-read and hashed
    bytes: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    put_back: int = 0  # damaged copies whose rows name their local blob again


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _read_chunks(source: BinaryIO, digest: Any) -> Iterator[bytes]:
    while chunk := source.read(_READ):
        digest.update(chunk)
        yield chunk


class Journal:
    """The copies made, a JSON line each, and a line closing each committed batch.

    Held under an exclusive lock while open: one migration at a time per vault.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise MigrationFailed(
                "Another `voxkeep storage migrate` is running on this vault.",
                hint="Let it finish or stop it (Ctrl-C); then run this again: it goes on "
                "where the other stopped.",
            ) from None
        self._fd = fd
        self._drop_torn_line()

    def _drop_torn_line(self) -> None:
        """A kill mid-write leaves a line without its end: it was never made durable."""
        size = os.fstat(self._fd).st_size
        if size == 0 or os.pread(self._fd, 1, size - 1) == b"\n":
            return
        tail = os.pread(self._fd, min(size, _TAIL), size - min(size, _TAIL))
        os.ftruncate(self._fd, size - len(tail) + tail.rfind(b"\n") + 1)

    def _lines(self) -> Iterator[dict[str, Any]]:
        with self.path.open("rb") as source:
            for line in source:
                if line.endswith(b"\n"):
                    yield json.loads(line)

    def copies(self) -> Iterator[Copy]:
        for entry in self._lines():
            if "target" in entry:
                yield Copy(**entry)

    def unclosed(self) -> list[Copy]:
        """The copies after the last closing line: a batch a kill interrupted."""
        open_batch: list[Copy] = []
        for entry in self._lines():
            if "target" in entry:
                open_batch.append(Copy(**entry))
            else:
                open_batch.clear()
        return open_batch

    def _write(self, entries: Iterable[dict[str, Any]]) -> None:
        data = b"".join(json.dumps(entry).encode() + b"\n" for entry in entries)
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        os.fsync(self._fd)

    def append(self, copies: Iterable[Copy]) -> None:
        self._write(vars(copy) for copy in copies)

    def close_batch(self, moved: int) -> None:
        self._write([{"moved": moved}])

    def close(self) -> None:
        """Release the lock; a journal with nothing in it (nothing was moved) is removed."""
        if self._fd < 0:
            return
        if os.fstat(self._fd).st_size == 0:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        os.close(self._fd)
        self._fd = -1

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.close()


def _stores(vault: Vault) -> tuple[MovingBlobStore | None, S3BlobStore]:
    """(the store of both, while the directory holds blobs; the bucket)."""
    if isinstance(vault.blobs, MovingBlobStore):
        return vault.blobs, vault.blobs.bucket
    if isinstance(vault.blobs, S3BlobStore):
        return None, vault.blobs
    raise ConfigError(
        "There is no bucket to move the blobs to.",
        hint="Set VOXKEEP_S3_BUCKET (and VOXKEEP_S3_ENDPOINT, VOXKEEP_S3_REGION and the "
        "credentials, see docs/storage.md) as every voxkeep process of this vault will use them.",
    )


class Migration:
    """One run of `voxkeep storage migrate` over an open vault (see the module's docstring)."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.moving, self.bucket = _stores(vault)
        self.journal = Journal(vault.settings.data_dir / JOURNAL_NAME)

    def __enter__(self) -> Migration:
        return self

    def __exit__(self, *_: object) -> None:
        self.journal.close()

    @property
    def local(self) -> LocalBlobStore | None:
        return self.moving.local if self.moving is not None else None

    def _is_local(self, ref: str) -> bool:
        return self.moving is not None and self.moving.is_local(ref)

    def _still_local(self, ref: str) -> bool:
        """Whether the directory still has the blob's bytes (a pack entry may be deleted)."""
        if self.local is None:
            return False
        try:
            self.local.size(ref)
        except NotFound:
            return False
        return True

    # ------------------------------------------------------------------ rows

    def _rows(self) -> Iterator[_Row]:
        """Every row naming a blob, table by table in key order, a page per transaction."""
        for table, (id_col, ref_col) in enumerate(_COLUMNS):
            last = ""
            while True:
                with self.vault.reading() as session:
                    page = session.execute(
                        select(id_col, ref_col)
                        .where(ref_col.is_not(None), id_col > last)
                        .order_by(id_col)
                        .limit(_PAGE)
                    ).all()
                if not page:
                    break
                for row_id, ref in page:
                    yield _Row(table, row_id, ref)
                last = page[-1][0]

    def _local_rows(self) -> Iterator[_Row]:
        return (row for row in self._rows() if self._is_local(row.ref))

    def plan(self) -> tuple[int, int]:
        """How many rows name a local blob (those move() goes through), and its bytes."""
        count = size = 0
        local = self.local
        for row in self._local_rows():
            assert local is not None
            count += 1
            with contextlib.suppress(NotFound, IntegrityFailure):  # move() counts those
                size += local.size(row.ref)
        return count, size

    # ------------------------------------------------------------------ moving

    def settle(self) -> int:
        """Delete the objects of an interrupted batch that no row names; how many."""
        unclosed = self.journal.unclosed()
        if not unclosed:
            return 0
        named = named_blobs(self.vault, [copy.target for copy in unclosed])
        orphans = [copy.target for copy in unclosed if copy.target not in named]
        self.bucket.delete_many(orphans)
        self.journal.close_batch(0)
        return len(orphans)

    def move(
        self,
        *,
        batch: int = DEFAULT_BATCH,
        on_done: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> MoveReport:
        """Copy every blob the directory still holds for a row, a committed batch at a time."""
        report = MoveReport(cleaned=self.settle())
        for rows in _chunks(self._local_rows(), batch):
            if should_stop is not None and should_stop():
                report.stopped = True
                break
            copies, damaged = self._copy(rows)
            moved = self._commit(copies) if copies else {}
            report.moved += len(moved)
            report.bytes += sum(moved.values())
            report.damaged += damaged
            report.gone += len(rows) - len(moved) - damaged
            if on_done is not None:
                on_done(len(rows), sum(copy.size for copy, _ in copies))
        return report

    def _copy(self, rows: list[_Row]) -> tuple[list[tuple[Copy, _Row]], int]:
        """Upload each row's blob under a new key, in parallel; a blob deleted meanwhile, or
        damaged (counted), is skipped. Either every upload lands or none is left (map_all
        undoes them)."""
        local = self.local
        assert local is not None
        damaged: list[_Row] = []

        def one(row: _Row) -> tuple[Copy, _Row] | None:
            try:
                source = local.open(row.ref)
            except NotFound:
                return None
            except IntegrityFailure:  # a damaged pack entry: no copy could be read from it
                damaged.append(row)
                return None
            key, digest = self.bucket.new_key(), hashlib.sha256()
            with source:
                size = self.bucket.put_stream(key, _read_chunks(source, digest))
            return Copy(row.ref, key, size, digest.hexdigest()), row

        def undo(done: tuple[Copy, _Row] | None) -> None:
            if done is not None:
                self.bucket.delete(done[0].target)

        tasks = min(len(rows), self.bucket.connections)
        done = [done for done in map_all(one, rows, undo=undo, tasks=tasks) if done is not None]
        return done, len(damaged)

    def _commit(self, copies: list[tuple[Copy, _Row]]) -> dict[str, int]:
        """Journal the copies, point their rows at them, close the batch: {key: bytes} moved."""
        self.journal.append(copy for copy, _ in copies)
        moved: dict[str, int] = {}
        with self.vault.transaction() as session:
            for copy, row in copies:
                id_col, ref_col = _COLUMNS[row.table]
                done = session.execute(
                    update(ref_col.class_)
                    .where(id_col == row.id, ref_col == row.ref)
                    .values({ref_col: copy.target})
                    .returning(id_col)
                    .execution_options(synchronize_session=False)
                ).first()
                if done is not None:
                    moved[copy.target] = copy.size
            if moved:
                record(
                    session,
                    AuditAction.BLOBS_MOVED,
                    actor=SYSTEM,
                    counts={"blobs": len(moved), "bytes": sum(moved.values())},
                )
        lost = [copy.target for copy, _ in copies if copy.target not in moved]
        if lost:  # their rows went meanwhile: nothing may keep their copies
            self.bucket.delete_many(lost)
        self.journal.close_batch(len(moved))
        return moved

    # ------------------------------------------------------------------ verifying

    def to_check(self) -> int:
        """Rows and copies verify() looks at (for a progress bar)."""
        with self.vault.reading() as session:
            rows = sum(
                session.scalar(select(func.count()).where(ref_col.is_not(None))) or 0
                for _, ref_col in _COLUMNS
            )
        return rows + sum(1 for _ in self.journal.copies())

    def verify(self, *, on_done: Progress | None = None) -> VerifyReport:
        """Check that every row names an object in the bucket, and re-read every copy the
        rows name: its size and SHA-256 must be those of the blob it was copied from.

        A damaged copy whose local blob is still there is put back: its row names the
        local blob again and its object is deleted, so the next run copies it again.
        Raises MigrationFailed naming what failed; returns what was checked.
        """
        report = VerifyReport()
        for rows in _chunks(self._rows(), _CHECKS):
            for problem in map_each(self._check_row, rows, tasks=8):
                if problem is None:
                    report.rows += 1
                else:
                    report.problems[problem] += 1
            if on_done is not None:
                on_done(len(rows), 0)
        for copies in _chunks(self.journal.copies(), _CHECKS):
            named = named_blobs(self.vault, [copy.target for copy in copies])
            live = [copy for copy in copies if copy.target in named]
            damaged = []
            for copy, outcome in zip(live, map_each(self._check_copy, live, tasks=8), strict=True):
                if isinstance(outcome, str):
                    if outcome != "missing":  # a missing object was counted with its row
                        report.problems[outcome] += 1
                    damaged.append(copy)
                else:
                    report.copies += 1
                    report.bytes += outcome
            report.put_back += self._put_back(damaged)
            if on_done is not None:
                on_done(len(copies), sum(copy.size for copy in live))
        if report.problems:
            raise MigrationFailed(_problems_text(report), hint=_problems_hint(report))
        return report

    def _check_row(self, row: _Row) -> str | None:
        if self._is_local(row.ref):
            return "not moved yet"
        if is_entry(row.ref):
            return "missing"  # a pack entry, and no directory to hold it
        try:
            self.bucket.size(row.ref)
        except NotFound:
            return "missing"
        return None

    def _check_copy(self, copy: Copy) -> int | str:
        """The copy's size when it reads back as copied, else what is wrong with it."""
        digest, size = hashlib.sha256(), 0
        try:
            with self.bucket.open(copy.target) as source:
                for chunk in _read_chunks(source, digest):
                    size += len(chunk)
        except NotFound:
            return "missing"
        except StorageFailed:
            return "unreadable"
        if size != copy.size:
            return "of the wrong size"
        if digest.hexdigest() != copy.sha256:
            return "with the wrong SHA-256"
        return size

    def _put_back(self, damaged: list[Copy]) -> int:
        """Point the rows of damaged copies back at their local blobs, where those remain."""
        back = [copy for copy in damaged if self._still_local(copy.source)]
        if not back:
            return 0
        restored: list[str] = []
        with self.vault.transaction() as session:
            for copy in back:
                for _, ref_col in _COLUMNS:
                    done = session.execute(
                        update(ref_col.class_)
                        .where(ref_col == copy.target)
                        .values({ref_col: copy.source})
                        .execution_options(synchronize_session=False)
                    )
                    if getattr(done, "rowcount", 0):
                        restored.append(copy.target)
        self.bucket.delete_many(restored)
        return len(restored)

    # ------------------------------------------------------------------ removing

    def remove_local(self) -> int:
        """Delete every blob of the directory (after verify()), the directory and the journal.

        Refuses while any row still names a local blob: a process that still writes to
        the directory (one not restarted with the bucket's settings) would lose its blobs.
        """
        local = self.local
        if local is None:
            self.journal.remove()
            return 0
        hint = (
            "Run `voxkeep storage migrate --to-s3 --remove-local` again; if a voxkeep process "
            "still stores blobs there, restart it with the bucket's settings first."
        )
        left = sum(1 for _ in self._local_rows())
        if left:
            raise MigrationFailed(f"{left} row(s) still name blobs in {local.root}.", hint=hint)
        removed = 0
        for refs in _chunks(local.keys_older_than(-math.inf), _PAGE):
            named = named_blobs(self.vault, refs)
            if named:  # named since the check above: a process still on the directory alone
                raise MigrationFailed(
                    f"{len(named)} row(s) still name blobs in {local.root}; nothing more was "
                    "removed.",
                    hint=hint,
                )
            local.delete_many(refs)
            removed += len(refs)
        _remove_empty_dirs(local.root)
        with self.vault.transaction() as session:
            record(
                session, AuditAction.BLOBS_LOCAL_REMOVED, actor=SYSTEM, counts={"blobs": removed}
            )
        self.journal.remove()
        return removed


def _remove_empty_dirs(root: Path) -> None:
    """The blob directory's empty folders, deepest first, then root itself if empty."""
    for folder, _, _ in sorted(os.walk(root), key=lambda step: -len(step[0])):
        with contextlib.suppress(OSError):  # not empty: something else lives there
            os.rmdir(folder)


def _problems_text(report: VerifyReport) -> str:
    found = ", ".join(f"{count} {what}" for what, count in sorted(report.problems.items()))
    return f"The verification failed: {found} (of the blobs the rows name)."


def _problems_hint(report: VerifyReport) -> str:
    again = "Run `voxkeep storage migrate --to-s3` again to copy what is not in the bucket"
    if report.put_back:
        again += f" ({report.put_back} damaged copies point at their local blobs again)"
    return (
        again + ", then verify again; the data directory keeps its blobs until a verification "
        "passes. A blob missing from both stores was lost before the migration, or its "
        "recording is being deleted: `voxkeep retention run` finishes interrupted deletions."
    )
