"""The import's heavy half: read, check and encrypt a batch of files into one pack.

``Stager.stage`` takes a batch of WAV paths and returns what became of each
file, in order: a row ready to insert (its audio already durable in the
batch's pack), "already present", "discard" (the account's retention is
"don't save") or a rejection with its reason. Nothing is committed here; the
importer commits a staged batch in one transaction (recordings.importer).

Per batch: every sidecar is read and checked first, so that one read
transaction can resolve all owners and find the recordings already stored.
Then each WAV file is read into a buffer that is reused for the next one,
checked, hashed and encrypted straight into the pack: no fresh memory per
recording, which on virtual machines costs more than the work itself.

``staged_batches`` runs stagers in worker processes (forked, so they start at
once with the vault already open; Linux only) while the importer commits:
the work is CPU-bound, and processes use every core where threads would share
one interpreter lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import multiprocessing
import os
import signal
import sys
import threading
import warnings
from collections import deque
from collections.abc import Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from pydantic import ValidationError

from voxkeep.errors import InvalidInput, PayloadTooLarge, StorageFailed, VoxkeepError
from voxkeep.recordings.bulk import delete_blobs
from voxkeep.recordings.schemas import RecordingMetadata
from voxkeep.recordings.service import (
    NewRecording,
    OwnerLookup,
    RowValues,
    Stored,
    audio_into,
    check_audio,
    check_metadata,
    check_owner,
    prepare,
    row_values,
    same_recording,
    stored_rows,
)
from voxkeep.retention import policy
from voxkeep.storage.blobs import Pack
from voxkeep.vault import Vault


@dataclass(frozen=True)
class Staged:
    """What became of one file of a batch."""

    path: str  # relative to the import folder, for the report
    rec_id: str | None  # the recording id its sidecar claims; None when unreadable
    row: RowValues | None = None  # stored in the pack, ready to insert
    present: bool = False  # stored before, with the same audio
    discard_for: str | None = None  # account id: valid, but its retention is "don't save"
    rejected: str | None = None  # why it was not imported


class _Reader:
    """Reads whole files into one buffer, reused from file to file."""

    def __init__(self) -> None:
        self._buffer = bytearray(1024 * 1024)

    def read(self, path: str, *, limit: int) -> memoryview:
        """The file's bytes, valid until the next read."""
        fd = os.open(path, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            if size > limit:
                raise PayloadTooLarge(f"The audio is larger than the {limit}-byte limit.")
            if len(self._buffer) <= size:
                self._buffer = bytearray(size + 1)
            view = memoryview(self._buffer)[: size + 1]
            done = 0
            while got := os.readv(fd, [view[done:]]):
                done += got
                if done > size:
                    raise InvalidInput("The file grew while it was read; import it again.")
            return view[:done]
        finally:
            os.close(fd)


def _read_small(path: str) -> bytes:
    """A small file's bytes, in as few system calls as possible."""
    fd = os.open(path, os.O_RDONLY)
    try:
        parts = [os.read(fd, 64 * 1024)]
        while parts[-1]:
            parts.append(os.read(fd, 1024 * 1024))
        return b"".join(parts)
    finally:
        os.close(fd)


def _read_ahead(paths: Sequence[str]) -> None:
    """Ask the kernel to start reading a batch's files, so they are in memory when needed.

    Files that are not in the page cache (written a while ago) would otherwise
    be read one at a time, each read waiting for the disk.
    """
    for path in paths:
        for name in (path[: -len(".wav")] + ".json", path):
            try:
                fd = os.open(name, os.O_RDONLY)
            except OSError:
                continue  # reported when the file is read
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            except OSError:
                pass
            finally:
                os.close(fd)


def _read_sidecar(vault: Vault, wav_path: str) -> NewRecording:
    sidecar = wav_path[: -len(".wav")] + ".json"
    try:
        raw = _read_small(sidecar)
    except FileNotFoundError:
        name = os.path.basename(sidecar)
        raise InvalidInput(f"There is no sidecar {name} beside the WAV file.") from None
    try:
        meta = RecordingMetadata.model_validate_json(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput("The sidecar is not valid UTF-8.") from None
    except ValidationError as exc:
        fields = ", ".join(sorted({str(e["loc"][0]) if e["loc"] else "body" for e in exc.errors()}))
        raise InvalidInput(f"The sidecar is not valid (fields: {fields}).") from None
    new = meta.recording()
    check_metadata(vault, new)
    return new


def _unreadable(exc: OSError) -> InvalidInput:
    return InvalidInput(f"The file could not be read ({os.strerror(exc.errno or errno.EIO)}).")


@dataclass(frozen=True)
class _Owned:
    index: int
    meta: NewRecording
    account_id: str
    key: bytes


class Stager:
    """Stages batches of files of one import folder; keeps its owner look-ups as a cache."""

    def __init__(self, vault: Vault, root: str) -> None:
        self.vault = vault
        self._prefix = len(os.path.join(root, ""))
        self._lookup: OwnerLookup | None = None
        self._reader = _Reader()

    def stage(self, paths: Sequence[str]) -> list[Staged]:
        ahead = threading.Thread(target=_read_ahead, args=(paths,), daemon=True)
        ahead.start()
        try:
            return self._stage(paths)
        finally:
            ahead.join()

    def _stage(self, paths: Sequence[str]) -> list[Staged]:
        relative = [path[self._prefix :] for path in paths]
        staged: list[Staged | None] = [None] * len(paths)
        metas: list[tuple[int, NewRecording]] = []
        for index, path in enumerate(paths):
            try:
                metas.append((index, _read_sidecar(self.vault, path)))
            except VoxkeepError as exc:
                staged[index] = Staged(relative[index], None, rejected=str(exc))
            except OSError as exc:
                staged[index] = Staged(relative[index], None, rejected=str(_unreadable(exc)))
        owned, dont_save, stored = self._owners(metas, relative, staged)
        try:
            with self.vault.blobs.new_pack() as pack:
                for item in owned:
                    staged[item.index] = self._one(
                        item, paths[item.index], relative[item.index], pack, dont_save, stored
                    )
        except OSError as exc:
            raise StorageFailed(
                f"The recordings could not be written to the blob store "
                f"({os.strerror(exc.errno or errno.EIO)})."
            ) from None
        done = [item for item in staged if item is not None]
        assert len(done) == len(paths), "every file has an outcome"
        return done

    def _owners(
        self,
        metas: list[tuple[int, NewRecording]],
        relative: list[str],
        staged: list[Staged | None],
    ) -> tuple[list[_Owned], set[str], dict[str, Stored]]:
        """In one read transaction: resolve owners, "don't save" accounts and stored ids."""
        owned: list[_Owned] = []
        with self.vault.reading() as session:
            if self._lookup is None:
                self._lookup = OwnerLookup(self.vault, session)
            lookup = self._lookup
            lookup.session = session
            lookup.prefetch([meta for _, meta in metas])
            for index, meta in metas:
                try:
                    owned.append(_Owned(index, meta, *check_owner(lookup, meta)))
                except VoxkeepError as exc:
                    staged[index] = Staged(relative[index], meta.id, rejected=str(exc))
            dont_save = policy.dont_save_accounts(
                self.vault, session, {item.account_id for item in owned}
            )
            stored = stored_rows(
                session, [item.meta.id for item in owned if item.account_id not in dont_save]
            )
        return owned, dont_save, stored

    def _one(
        self,
        item: _Owned,
        path: str,
        relative: str,
        pack: Pack,
        dont_save: set[str],
        stored: dict[str, Stored],
    ) -> Staged:
        meta = item.meta
        try:
            audio = self._reader.read(path, limit=self.vault.settings.max_upload_bytes)
            wav = check_audio(self.vault, audio)
        except VoxkeepError as exc:
            return Staged(relative, meta.id, rejected=str(exc))
        except OSError as exc:
            return Staged(relative, meta.id, rejected=str(_unreadable(exc)))
        if item.account_id in dont_save:
            return Staged(relative, meta.id, discard_for=item.account_id)
        prepared = prepare(meta, wav, audio, account_id=item.account_id, key=item.key)
        existing = stored.get(meta.id)
        if existing is not None:
            try:
                same_recording(self.vault, prepared, existing)
            except VoxkeepError as exc:
                return Staged(relative, meta.id, rejected=str(exc))
            return Staged(relative, meta.id, present=True)
        blob = audio_into(pack, prepared, audio)
        row = row_values(prepared, blob=blob, audio_bytes=len(audio))
        return Staged(relative, meta.id, row=row)


# --------------------------------------------------------------------------- worker processes

_stager: Stager | None = None  # a worker process's own


def _start_worker(vault: Vault, root: str) -> None:
    """Set up a forked worker: its own database connections, dying with the importer."""
    global _stager
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the importer's to handle
    _die_with_parent()
    vault.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
    _stager = Stager(vault, root)


def _die_with_parent() -> None:
    """A killed importer takes its workers along: none writes on after it."""
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(1)


def _stage_in_worker(paths: list[str]) -> list[Staged]:
    assert _stager is not None, "the worker was not started by staged_batches"
    return _stager.stage(paths)


def staged_batches(
    vault: Vault, root: str, batches: Sequence[list[str]], *, workers: int
) -> Generator[list[Staged], None, None]:
    """Each batch staged, in order; with workers > 1, in that many processes, ahead of the caller.

    At most workers + 1 batches are staged ahead. When the caller stops early
    (an error while committing), the batches staged for it are deleted again.
    """
    if workers <= 1 or len(batches) <= 1 or sys.platform != "linux":
        stager = Stager(vault, root)
        for batch in batches:
            yield stager.stage(batch)
        return
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork in a process with threads. The workers
        # only run the stager: a fresh database pool, files, and the keys they
        # inherit; no lock another thread might hold at the fork.
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork.*")
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
            initargs=(vault, root),
        )
        pending: deque[Future[list[Staged]]] = deque()
        ahead = iter(batches)
        for batch in ahead:
            pending.append(pool.submit(_stage_in_worker, batch))
            if len(pending) > workers:
                break
    try:
        while pending:
            staged = pending.popleft().result()
            following = next(ahead, None)
            if following is not None:
                pending.append(pool.submit(_stage_in_worker, following))
            yield staged
    finally:
        _discard(vault, pending)
        pool.shutdown(wait=True, cancel_futures=True)


def _discard(vault: Vault, pending: deque[Future[list[Staged]]]) -> None:
    """Delete what was staged for batches that will not be committed."""
    for future in pending:
        if future.cancel():
            continue
        with contextlib.suppress(Exception):
            staged = future.result()
            delete_blobs(vault, [item.row for item in staged if item.row is not None])
