"""Blob store interface and the local-directory implementation.

Blobs hold only ciphertext. The order is always: write the blob, then commit
the row that names it (invariant 8). A crash in between leaves an orphan blob,
which `voxkeep gc` finds and removes; never a row without its blob.

A blob is named by a reference: a key of its own (a file per blob: answer
archives, and recordings stored before packs), or ``<pack key>:<offset>`` for
an entry of a pack (storage/packs.py), which is how recordings are stored: a
batch of them is written as one pack, and each can still be deleted alone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import BinaryIO, Protocol, cast

from voxkeep.batching import map_all
from voxkeep.errors import NotFound, StorageFailed
from voxkeep.storage import packs


class Pack(Protocol):
    """A pack being written: ``add`` returns each entry's reference.

    As a context manager it is sealed (made durable) when the block ends, and
    removed when the block raises. No row may name an entry before it is sealed.
    """

    def add(self, size: int, fill: Callable[[memoryview], None]) -> str:
        """Reserve an entry of size bytes; fill writes them in place."""

    def __enter__(self) -> Pack: ...

    def __exit__(self, kind: object, exc: object, tb: object) -> None: ...


class BlobStore(Protocol):
    # How many bytes a reader of many blobs in a row should fetch ahead of the one it reads
    # (storage/readahead.py): 0 where a read costs no round trip.
    fetch_ahead_bytes: int

    def check(self) -> None:
        """Raise StorageFailed unless blobs can be stored and read now (for /healthz)."""

    def new_key(self) -> str: ...

    def new_pack(self) -> Pack:
        """Start a pack for a batch of blobs."""

    def put_stream(self, key: str, chunks: Iterable[bytes], *, durable: bool = True) -> int:
        """Store the chunks as one blob under key (which must be new); return its size."""

    def open(self, key: str) -> BinaryIO: ...

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> None:
        """Remove the blob; removing a missing blob is not an error (idempotent)."""

    def delete_many(self, keys: Iterable[str]) -> None:
        """delete() for each of keys, at once: the entries of one pack in one pass."""

    def keys_older_than(self, seconds: float) -> Iterator[str]:
        """The reference of every stored blob in files last written over seconds ago."""


_KEY = re.compile(r"[0-9a-f]{32}")
_ENTRY = re.compile(r"([0-9a-f]{32}):(0|[1-9][0-9]{0,15})")
_PACK_SUFFIX = ".pack"


DELETERS = 8
_WRITE_PACK = "write of a pack of recordings"
_READ = "read of a blob"


def _call(fn: Callable[[], None]) -> None:
    fn()


def _nothing(_: None) -> None:
    """A deletion done cannot be undone; nor need it be (deleting is idempotent)."""


def _missing() -> NotFound:
    return NotFound("The stored audio for this item is missing.")


def _open_entry(path: str, offset: int) -> tuple[int, int]:
    """(an open descriptor of the pack, the entry's payload length); NotFound when deleted."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise _missing() from None
    try:
        length = packs.entry_length(fd, offset)
    except BaseException:
        os.close(fd)
        raise
    if length is None:
        os.close(fd)
        raise _missing()
    return fd, length


# What an operating system error of the blob store means, and what the operator checks.
# Any other OSError is a fault of voxkeep and stays one (a 500 with its errno logged).
_CHECK = {
    errno.ENOSPC: "free space on the data directory's disk",
    errno.EDQUOT: "the disk quota of voxkeep's user on the data directory",
    errno.EROFS: "that the data directory's file system is mounted read-write",
    errno.EIO: "the data directory's disk (kernel log, SMART): it may be failing",
    errno.EACCES: "that the data directory and its files belong to voxkeep's user",
    errno.EPERM: "that the data directory and its files belong to voxkeep's user",
    errno.EFBIG: "the file-size limit of voxkeep's process (ulimit -f)",
}


def storage_failed(exc: OSError, operation: str) -> StorageFailed | None:
    """The StorageFailed an OSError of operation (e.g. "write of a pack") stands for; None when
    it is not a fault of the storage (then it is a bug, and stays the OSError it is)."""
    code = exc.errno
    if code not in _CHECK:
        return None
    name, words = errno.errorcode[code], os.strerror(code).lower()
    return StorageFailed(
        f"The vault's storage failed ({name}: {words}).",
        hint="Try again later: the operator finds the cause in the server's log.",
        cause=f"storage: {operation} failed: {name} ({words}) — check {_CHECK[code]}",
    )


@contextlib.contextmanager
def _faults(operation: str) -> Iterator[None]:
    """Turn the storage's faults inside the block into StorageFailed: the one place that does."""
    try:
        yield
    except OSError as exc:
        failed = storage_failed(exc, operation)
        if failed is None:
            raise
        raise failed from None


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class _Writer:
    """Writes a stream on a second thread in large blocks, flushing to disk as it goes.

    The producer (encryption, zip, hashing) and the kernel's copy into the page
    cache overlap, and with sync=True the data is written back in steps while
    the stream is still being made, so the final fsync has little left to do.
    """

    BLOCK = 1024 * 1024
    SYNC_EVERY = 16 * 1024 * 1024

    def __init__(self, fd: int, *, sync: bool) -> None:
        self._fd, self._sync = fd, sync
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self._error: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="voxkeep-blob-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        unsynced = 0
        try:
            while (block := self._queue.get()) is not None:
                view = memoryview(block)
                while view:
                    view = view[os.write(self._fd, view) :]
                unsynced += len(block)
                if self._sync and unsynced >= self.SYNC_EVERY:
                    os.fdatasync(self._fd)
                    unsynced = 0
            if self._sync:
                os.fsync(self._fd)
        except BaseException as exc:
            self._error.append(exc)
            while self._queue.get() is not None:  # drain: never leave the producer blocked
                pass

    def write(self, chunk: bytes) -> None:
        self._pending.append(chunk)
        self._pending_bytes += len(chunk)
        if self._pending_bytes >= self.BLOCK:
            self._hand_over()

    def _hand_over(self) -> None:
        if self._error:
            raise self._error[0]
        self._queue.put(b"".join(self._pending))
        self._pending.clear()
        self._pending_bytes = 0

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        try:
            if kind is None and self._pending:
                self._hand_over()
        finally:
            self._queue.put(None)
            self._thread.join()
            os.close(self._fd)
        if kind is None and self._error:
            raise self._error[0]


class LocalBlobStore:
    """Blobs as files under root/ab/cd/<key>, packs as root/ab/cd/<key>.pack."""

    # Keys come in runs that share their first four hex digits, so blobs
    # written together share a directory: on a young vault nearly every random
    # key would otherwise need two new directories, which costs more than
    # writing the blob. The runs' prefixes are random, so over time blobs still
    # spread evenly over all 65,536 directories.
    RUN = 256
    fetch_ahead_bytes = 0  # the page cache and the disk's own read-ahead do it

    def __init__(self, root: Path, *, fsync: bool = True) -> None:
        self.root = root
        self._root = os.fspath(root)  # paths as strings: pathlib costs more than the I/O
        self.fsync = fsync
        self._run_lock = threading.Lock()
        self._run_prefix = ""
        self._run_left = 0

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"

    def check(self) -> None:
        """Raise StorageFailed unless the blob directory (or, before the first blob made
        it, the directory it will be made in) is a directory this process can write."""
        where = self.root if self.root.exists() else self.root.parent
        if not (where.is_dir() and os.access(where, os.W_OK | os.X_OK)):
            raise StorageFailed(
                "The blob directory cannot be written.",
                hint="Check that the data directory exists and belongs to voxkeep's user.",
            )

    def new_key(self) -> str:
        with self._run_lock:
            if self._run_left == 0:
                self._run_prefix, self._run_left = secrets.token_hex(2), self.RUN
            self._run_left -= 1
            prefix = self._run_prefix
        return prefix + secrets.token_hex(14)

    def _dir(self, key: str) -> str:
        return f"{self._root}/{key[:2]}/{key[2:4]}"

    def _path(self, key: str) -> str:
        if _KEY.fullmatch(key) is None:
            raise ValueError("not a blob key")
        return f"{self._dir(key)}/{key}"

    def _entry(self, ref: str) -> tuple[str, int] | None:
        """(pack path, offset) for a pack entry's reference; None for a blob key."""
        match = _ENTRY.fullmatch(ref)
        if match is None:
            return None
        key, offset = match[1], int(match[2])
        if offset % packs.ALIGN:
            raise ValueError("not a blob reference")
        return f"{self._dir(key)}/{key}{_PACK_SUFFIX}", offset

    def _create(self, key: str) -> tuple[int, str]:
        path = self._path(key)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        return fd, path

    def new_pack(self) -> LocalPack:
        key = self.new_key()
        with _faults(_WRITE_PACK):
            return LocalPack(key, f"{self._dir(key)}/{key}{_PACK_SUFFIX}", durable=self.fsync)

    def put_stream(self, key: str, chunks: Iterable[bytes], *, durable: bool = True) -> int:
        with _faults("write of a blob"):
            fd, path = self._create(key)
            size = 0
            try:
                with _Writer(fd, sync=self.fsync and durable) as out:
                    for chunk in chunks:
                        out.write(chunk)
                        size += len(chunk)
            except BaseException:
                _unlink(path)
                raise
        return size

    def open(self, key: str) -> BinaryIO:
        entry = self._entry(key)
        with _faults(_READ):
            if entry is None:
                try:
                    return open(self._path(key), "rb")
                except FileNotFoundError:
                    raise _missing() from None
            fd, length = _open_entry(*entry)
        return cast(BinaryIO, packs.EntryReader(fd, entry[1] + packs.HEADER_BYTES, length))

    def size(self, key: str) -> int:
        entry = self._entry(key)
        with _faults(_READ):
            if entry is None:
                try:
                    return os.stat(self._path(key)).st_size
                except FileNotFoundError:
                    raise _missing() from None
            fd, length = _open_entry(*entry)
        os.close(fd)
        return length

    def delete(self, key: str) -> None:
        self.delete_many([key])

    def delete_many(self, keys: Iterable[str]) -> None:
        files: list[str] = []
        by_pack: dict[str, list[int]] = {}
        for key in keys:
            entry = self._entry(key)
            if entry is None:
                files.append(self._path(key))
            else:
                by_pack.setdefault(entry[0], []).append(entry[1])
        work: list[Callable[[], None]] = [partial(_unlink, path) for path in files]
        work += [
            partial(packs.delete_entries, path, offsets, durable=self.fsync)
            for path, offsets in by_pack.items()
        ]
        with _faults("deletion of blobs"):
            if len(work) == 1:
                work[0]()
            else:
                # Deletions wait on the file system (on a disk with online discard,
                # mostly): several packs and files in flight at once go faster.
                map_all(_call, work, undo=_nothing, tasks=min(len(work), DELETERS))

    def keys_older_than(self, seconds: float) -> Iterator[str]:
        cutoff = time.time() - seconds
        if not self.root.is_dir():
            return
        for path in self.root.glob("*/*/*"):
            name = path.name
            if name.endswith(_PACK_SUFFIX):
                key = name[: -len(_PACK_SUFFIX)]
                if _KEY.fullmatch(key) is not None:
                    yield from self._pack_refs(key, str(path), cutoff)
            elif _KEY.fullmatch(name) is not None and path.stat().st_mtime < cutoff:
                yield name

    @staticmethod
    def _pack_refs(key: str, path: str, cutoff: float) -> Iterator[str]:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return  # its last entry was deleted meanwhile
        try:
            if os.fstat(fd).st_mtime >= cutoff:
                return
            refs = [f"{key}:{offset}" for offset, _ in packs.entries(fd)]
        finally:
            os.close(fd)
        yield from refs


class LocalPack:
    """A pack file being written (see the Pack protocol)."""

    def __init__(self, key: str, path: str, *, durable: bool) -> None:
        self.key = key
        self._writer = packs.PackWriter(path, durable=durable)

    def add(self, size: int, fill: Callable[[memoryview], None]) -> str:
        with _faults(_WRITE_PACK):
            return f"{self.key}:{self._writer.add(size, fill)}"

    def __enter__(self) -> LocalPack:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if kind is not None or self._writer.entries == 0:
            self._writer.abort()
        else:
            try:
                with _faults(_WRITE_PACK):
                    self._writer.finish()
            except BaseException:
                self._writer.abort()
                raise
