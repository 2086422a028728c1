"""Blob store interface and the local-directory implementation.

Blobs hold only ciphertext. The order is always: write the blob, then commit
the row that names it (invariant 8). A crash in between leaves an orphan blob,
which `voxkeep gc` finds and removes; never a row without its blob.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import re
import secrets
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from voxkeep.errors import NotFound


class BlobStore(Protocol):
    def new_key(self) -> str: ...

    def put(self, key: str, data: bytes, *, durable: bool = True) -> int:
        """Store data under key (which must be new) and return its size.

        durable=False defers durability to the next sync() (for batches).
        """

    def put_stream(self, key: str, chunks: Iterable[bytes], *, durable: bool = True) -> int: ...

    def sync(self) -> None:
        """Make every blob written so far durable."""

    def open(self, key: str) -> BinaryIO: ...

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> None:
        """Remove the blob; removing a missing blob is not an error (idempotent)."""

    def keys_older_than(self, seconds: float) -> Iterator[str]: ...


_KEY = re.compile(r"[0-9a-f]{32}")
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _syncfs(path: str) -> None:
    """Flush the file system holding path to disk."""
    if _libc is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.syncfs(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), path)
    finally:
        os.close(fd)


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
    """Blobs as files under root/ab/cd/<key>, written in place and fsynced on request."""

    # Keys come in runs that share their first four hex digits, so blobs
    # written together share a directory: on a young vault nearly every random
    # key would otherwise need two new directories, which costs more than
    # writing the blob. The runs' prefixes are random, so over time blobs still
    # spread evenly over all 65,536 directories.
    RUN = 256

    def __init__(self, root: Path, *, fsync: bool = True) -> None:
        self.root = root
        self._root = os.fspath(root)  # paths as strings: pathlib costs more than the I/O
        self.fsync = fsync
        self._run_lock = threading.Lock()
        self._run_prefix = ""
        self._run_left = 0

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"

    def new_key(self) -> str:
        with self._run_lock:
            if self._run_left == 0:
                self._run_prefix, self._run_left = secrets.token_hex(2), self.RUN
            self._run_left -= 1
            prefix = self._run_prefix
        return prefix + secrets.token_hex(14)

    def _path(self, key: str) -> str:
        if _KEY.fullmatch(key) is None:
            raise ValueError("not a blob key")
        return f"{self._root}/{key[:2]}/{key[2:4]}/{key}"

    def _create(self, key: str) -> tuple[int, str]:
        path = self._path(key)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        return fd, path

    def put(self, key: str, data: bytes, *, durable: bool = True) -> int:
        fd, path = self._create(key)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                if self.fsync and durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
        except BaseException:
            _unlink(path)
            raise
        return len(data)

    def sync(self) -> None:
        # One flush for a whole batch beats an fsync per file. syncfs(2) flushes
        # only the blob store's file system; sync(2) where it is missing.
        if self.fsync:
            _syncfs(self._root)

    def put_stream(self, key: str, chunks: Iterable[bytes], *, durable: bool = True) -> int:
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
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError:
            raise NotFound("The stored audio for this item is missing.") from None

    def size(self, key: str) -> int:
        try:
            return os.stat(self._path(key)).st_size
        except FileNotFoundError:
            raise NotFound("The stored audio for this item is missing.") from None

    def delete(self, key: str) -> None:
        _unlink(self._path(key))

    def keys_older_than(self, seconds: float) -> Iterator[str]:
        cutoff = time.time() - seconds
        if not self.root.is_dir():
            return
        for path in self.root.glob("*/*/*"):
            if len(path.name) == 32 and path.stat().st_mtime < cutoff:
                yield path.name
