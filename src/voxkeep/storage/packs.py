"""Pack files: many blobs in one file, each of them deletable on its own.

A batch of recordings is written as one pack instead of one file each: on
this kind of machine creating a file costs more kernel time than encrypting
the recording that goes in it, and one fsync makes the whole batch durable.

Layout: entries one after another, each starting at a multiple of 4 KiB::

    entry = b"VXE1" ‖ payload length (u32, little-endian) ‖ payload ‖ zero padding

Deleting an entry punches its blocks out of the file (``fallocate`` with
``FALLOC_FL_PUNCH_HOLE``): the file system frees them as it would for an
unlinked file, and since entries are block-aligned no block holds a deleted
entry and a live one. Where a file system cannot punch holes, the entry is
overwritten with zeros instead. Once no entry with data is left, the pack is
unlinked. A pack is written once; afterwards it only loses entries.

Writes are staged in a page-aligned buffer that is reused from pack to pack
(fresh memory is expensive to fault in on virtual machines) and, when the pack
must be durable, written with ``O_DIRECT``: the data goes to the disk without
filling the page cache, which costs far less CPU than a buffered write plus
its write-back. File systems without ``O_DIRECT`` get buffered writes.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import mmap
import os
import struct
import sys
import threading
from collections.abc import Callable, Collection, Iterator
from typing import Any

from voxkeep.errors import IntegrityFailure
from voxkeep.rawio import SizedReader

ALIGN = 4096
MAGIC = b"VXE1"
_HEADER = struct.Struct("<4sI")
HEADER_BYTES = _HEADER.size
MAX_PAYLOAD = 2**32 - 1
BUFFER_BYTES = 8 * 1024 * 1024

_FALLOC_FL_KEEP_SIZE = 0x01
_FALLOC_FL_PUNCH_HOLE = 0x02
_O_DIRECT = getattr(os, "O_DIRECT", 0)


def _load_fallocate() -> Any:
    if sys.platform != "linux":
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    fallocate = libc.fallocate
    fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
    fallocate.restype = ctypes.c_int
    return fallocate


_fallocate = _load_fallocate()


def aligned(size: int) -> int:
    return -(-size // ALIGN) * ALIGN


def entry_span(payload: int) -> int:
    """Bytes an entry with this payload takes in its pack, padding included."""
    return aligned(HEADER_BYTES + payload)


# --------------------------------------------------------------------------- buffers


def _private_memory(size: int) -> mmap.mmap:
    """Page-aligned anonymous memory of this process alone.

    Anonymous mmaps are shared by default, so a forked child (the importer's
    workers) would otherwise write into its parent's buffers, and they into
    each other's.
    """
    return mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE)


class _Buffers:
    """Page-aligned write buffers, kept for the next pack instead of unmapped."""

    KEEP = 4

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: list[mmap.mmap] = []

    def take(self) -> mmap.mmap:
        with self._lock:
            if self._free:
                return self._free.pop()
        return _private_memory(BUFFER_BYTES)

    def give_back(self, buffer: mmap.mmap) -> None:
        with self._lock:
            if len(self._free) < self.KEEP:
                self._free.append(buffer)
                return
        buffer.close()


_buffers = _Buffers()


# --------------------------------------------------------------------------- writing


class PackWriter:
    """Writes one new pack file; ``add`` returns each entry's offset.

    ``finish`` makes the pack durable (when asked for) and closes it; ``abort``
    removes it. Until ``finish`` returned, no row may name an entry of it.
    """

    def __init__(self, path: str, *, durable: bool) -> None:
        self.path = path
        self._durable = durable
        self._fd = self._open(path, direct=durable and bool(_O_DIRECT))
        self._buffer: mmap.mmap | None = _buffers.take()
        self._view = memoryview(self._buffer)
        self._used = 0  # bytes staged in the buffer, always a multiple of ALIGN
        self._written = 0  # bytes already in the file
        self.entries = 0

    @staticmethod
    def _open(path: str, *, direct: bool) -> int:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        try:
            return PackWriter._open_in_place(path, flags | (_O_DIRECT if direct else 0))
        except OSError as exc:
            if not direct or exc.errno != errno.EINVAL:
                raise
        return PackWriter._open_in_place(path, flags)  # no O_DIRECT here (tmpfs, say)

    @staticmethod
    def _open_in_place(path: str, flags: int) -> int:
        try:
            return os.open(path, flags, 0o600)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            return os.open(path, flags, 0o600)

    def add(self, payload: int, fill: Callable[[memoryview], None]) -> int:
        """Reserve an entry of payload bytes, let fill write them in place; return its offset."""
        if not 0 <= payload <= MAX_PAYLOAD:
            raise ValueError("entry too large for a pack")
        span = entry_span(payload)
        if self._used + span > BUFFER_BYTES:
            self._flush()
        offset = self._written + self._used
        if span > BUFFER_BYTES:  # larger than the buffer: an aligned buffer of its own
            with _private_memory(span) as own:
                self._fill(memoryview(own), payload, fill)
                self._write(memoryview(own))
        else:
            self._fill(self._view[self._used : self._used + span], payload, fill)
            self._used += span
        self.entries += 1
        return offset

    @staticmethod
    def _fill(view: memoryview, payload: int, fill: Callable[[memoryview], None]) -> None:
        end = HEADER_BYTES + payload
        _HEADER.pack_into(view, 0, MAGIC, payload)
        fill(view[HEADER_BYTES:end])
        view[end:] = bytes(len(view) - end)  # a reused buffer holds an earlier pack's bytes

    def _flush(self) -> None:
        if self._used:
            self._write(self._view[: self._used])
            self._used = 0

    def _write(self, view: memoryview) -> None:
        while view:
            try:
                done = os.write(self._fd, view)
            except OSError as exc:
                if exc.errno != errno.EINVAL or not self._direct():
                    raise
                # The device wants a larger alignment than 4 KiB: write through the page cache.
                flags = fcntl.fcntl(self._fd, fcntl.F_GETFL)
                fcntl.fcntl(self._fd, fcntl.F_SETFL, flags & ~_O_DIRECT)
                continue
            self._written += done
            view = view[done:]

    def _direct(self) -> bool:
        return bool(fcntl.fcntl(self._fd, fcntl.F_GETFL) & _O_DIRECT)

    def finish(self) -> None:
        """Write what is staged, make the pack durable if asked, and close it."""
        try:
            self._flush()
            if self._durable:
                os.fsync(self._fd)
                _fsync_dir(os.path.dirname(self.path))
        finally:
            self._close()

    def abort(self) -> None:
        """Close and remove the pack (nothing names its entries yet)."""
        self._close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def _close(self) -> None:
        if self._buffer is None:
            return
        self._view.release()
        _buffers.give_back(self._buffer)
        self._buffer = None
        os.close(self._fd)


def _fsync_dir(path: str) -> None:
    """Make the pack's directory entry durable too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- reading


def _damaged() -> IntegrityFailure:
    return IntegrityFailure(
        "A stored blob is damaged: its pack entry header is wrong.",
        hint="Do not use this data; check the vault's storage for tampering or disk errors.",
    )


def entry_length(fd: int, offset: int) -> int | None:
    """The payload length of the entry at offset; None when it was deleted."""
    header = os.pread(fd, HEADER_BYTES, offset)
    if len(header) < HEADER_BYTES or header == bytes(HEADER_BYTES):
        return None  # beyond the end, or punched out / zeroed
    magic, length = _HEADER.unpack(header)
    if magic != MAGIC or offset + HEADER_BYTES + length > os.fstat(fd).st_size:
        raise _damaged()
    return int(length)


class EntryReader(SizedReader):
    """A read-only, seekable file over one entry's payload; owns (and closes) fd."""

    def __init__(self, fd: int, start: int, length: int) -> None:
        super().__init__(length)
        self._fd, self._start = fd, start

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = max(0, min(len(view), self._size - self._pos))
        done = 0
        while done < want:
            got = os.preadv(self._fd, [view[done:want]], self._start + self._pos + done)
            if got == 0:
                raise _damaged()  # the file is shorter than its entry says
            done += got
        self._pos += done
        return done

    def read(self, size: int | None = -1) -> bytes:
        left = self._size - self._pos
        want = max(0, left if size is None or size < 0 else min(size, left))
        parts: list[bytes] = []
        got = 0
        while got < want:  # os.pread: one buffer per read, no copy
            chunk = os.pread(self._fd, want - got, self._start + self._pos + got)
            if not chunk:
                raise _damaged()  # the file is shorter than its entry says
            parts.append(chunk)
            got += len(chunk)
        self._pos += got
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def readall(self) -> bytes:
        return self.read(-1)

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def entries(fd: int) -> Iterator[tuple[int, int]]:
    """(offset, payload length) of every entry that still holds data, in file order."""
    size = os.fstat(fd).st_size
    pos = 0
    while pos < size:
        try:
            pos = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError as exc:
            if exc.errno == errno.ENXIO:  # only holes from here on
                return
            raise
        pos -= pos % ALIGN
        header = os.pread(fd, HEADER_BYTES, pos)
        magic, length = _HEADER.unpack(header) if len(header) == HEADER_BYTES else (b"", 0)
        if magic == MAGIC and pos + HEADER_BYTES + length <= size:
            yield pos, length
            pos += entry_span(length)
        else:  # a zeroed entry (no hole punching here): look at the next block
            pos += ALIGN


# --------------------------------------------------------------------------- deleting


def delete_entries(path: str, offsets: Collection[int], *, durable: bool) -> None:
    """Remove entries' bytes for good; unlink the pack once nothing is left in it.

    One pass per pack: when the doomed are all that is left, the pack is
    simply unlinked; otherwise adjacent entries are punched out together.
    Entries already deleted are skipped (deleting is idempotent).
    """
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return  # the whole pack is gone already
    doomed = set(offsets)
    try:
        survivor = any(offset not in doomed for offset, _ in entries(fd))
        if survivor:
            for start, span in _coalesced(fd, sorted(doomed)):
                _punch(fd, start, span, durable=durable)
            # Another deletion may have taken the survivors meanwhile.
            survivor = next(entries(fd), None) is not None
    finally:
        os.close(fd)
    if not survivor:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _coalesced(fd: int, offsets: list[int]) -> Iterator[tuple[int, int]]:
    """(start, length) of the byte ranges the live entries among offsets take, merged."""
    start = end = -1
    for offset in offsets:
        length = entry_length(fd, offset)
        if length is None:
            continue
        if offset != end:
            if end > start:
                yield start, end - start
            start = offset
        end = offset + entry_span(length)
    if end > start:
        yield start, end - start


def _punch(fd: int, offset: int, span: int, *, durable: bool) -> None:
    if _fallocate is not None:
        mode = _FALLOC_FL_PUNCH_HOLE | _FALLOC_FL_KEEP_SIZE
        if _fallocate(fd, mode, offset, span) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EOPNOTSUPP, errno.ENOSYS):
            raise OSError(code, os.strerror(code))
    zero_fill(fd, offset, span, durable=durable)


def zero_fill(fd: int, offset: int, span: int, *, durable: bool) -> None:
    """Overwrite a range with zeros: deletion where holes cannot be punched."""
    zeros = bytes(min(span, 1024 * 1024))
    done = 0
    while done < span:
        done += os.pwrite(fd, zeros[: span - done], offset + done)
    if durable:
        os.fdatasync(fd)
