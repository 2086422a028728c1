"""Blob store interface and the local-directory implementation.

Blobs hold only ciphertext. The order is always: write the blob, then commit
the row that names it (invariant 8). A crash in between leaves an orphan blob,
which `voxkeep gc` finds and removes; never a row without its blob.
"""

from __future__ import annotations

import os
import secrets
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

    def _path(self, key: str) -> Path:
        if len(key) != 32 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError("not a blob key")
        return self.root / key[:2] / key[2:4] / key

    def _create(self, key: str) -> tuple[int, Path]:
        path = self._path(key)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        return fd, path

    def put(self, key: str, data: bytes, *, durable: bool = True) -> int:
        return self.put_stream(key, (data,), durable=durable)

    def sync(self) -> None:
        if self.fsync:
            os.sync()  # one flush for a whole batch beats an fsync per file

    def put_stream(self, key: str, chunks: Iterable[bytes], *, durable: bool = True) -> int:
        fd, path = self._create(key)
        size = 0
        try:
            with os.fdopen(fd, "wb", closefd=True) as out:
                for chunk in chunks:
                    out.write(chunk)
                    size += len(chunk)
                if self.fsync and durable:
                    out.flush()
                    os.fsync(out.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return size

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise NotFound("The stored audio for this item is missing.") from None

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise NotFound("The stored audio for this item is missing.") from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys_older_than(self, seconds: float) -> Iterator[str]:
        cutoff = time.time() - seconds
        if not self.root.is_dir():
            return
        for path in self.root.glob("*/*/*"):
            if len(path.name) == 32 and path.stat().st_mtime < cutoff:
                yield path.name
