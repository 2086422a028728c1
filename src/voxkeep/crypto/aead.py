"""AES-256-GCM bound to its owner, its kind and its id.

Every ciphertext carries associated data ``voxkeep/v1 | kind | owner | object
id``: bytes moved under another owner's row, or swapped between two objects of
one owner, fail to authenticate (DESIGN invariant 1).

Two formats:

* sealed values (transcripts, e-mail addresses, names): ``0x01 ‖ nonce(12) ‖
  ciphertext ‖ tag``;
* segmented blobs (audio, archives): ``b"VXS1" ‖ prefix(8)`` followed by
  segments of at most 64 KiB plaintext, each sealed with nonce ``prefix ‖
  index(4)``, where the top bit of the index marks the last segment. A reader
  authenticates each segment before releasing it, so audio streams without
  buffering, and truncation, reordering or splicing fail.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from voxkeep.errors import IntegrityFailure
from voxkeep.rawio import SizedReader

KEY_BYTES = 32
SEALED_VERSION = 0x01
STREAM_MAGIC = b"VXS1"
SEGMENT_BYTES = 64 * 1024
TAG_BYTES = 16
_PREFIX_BYTES = 8
_LAST = 0x8000_0000
HEADER_BYTES = len(STREAM_MAGIC) + _PREFIX_BYTES


def associated_data(*, kind: str, owner: str, object_id: str) -> bytes:
    """The binding every ciphertext carries; NUL separators keep fields apart."""
    for part in (kind, owner, object_id):
        if "\x00" in part:
            raise ValueError("associated-data fields cannot contain NUL")
    return b"\x00".join((b"voxkeep/v1", kind.encode(), owner.encode(), object_id.encode()))


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _integrity_error(kind: str) -> IntegrityFailure:
    return IntegrityFailure(
        f"The {kind} failed its integrity check: it was altered, or it is stored under "
        "an owner or id it does not belong to.",
        hint="Do not use this data; check the vault for tampering.",
    )


def seal(key: bytes, plaintext: bytes, *, ad: bytes) -> bytes:
    nonce = os.urandom(12)
    return bytes([SEALED_VERSION]) + nonce + AESGCM(key).encrypt(nonce, plaintext, ad)


def open_sealed(key: bytes, sealed: bytes, *, ad: bytes, kind: str) -> bytes:
    if len(sealed) < 1 + 12 + TAG_BYTES or sealed[0] != SEALED_VERSION:
        raise _integrity_error(kind)
    try:
        return AESGCM(key).decrypt(sealed[1:13], sealed[13:], ad)
    except InvalidTag:
        raise _integrity_error(kind) from None


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", index | (_LAST if last else 0))


def encrypt_stream(key: bytes, chunks: Iterable[bytes], *, ad: bytes) -> Iterator[bytes]:
    """Yield the segmented ciphertext of the concatenated chunks."""
    aead = AESGCM(key)
    prefix = os.urandom(_PREFIX_BYTES)
    yield STREAM_MAGIC + prefix
    pending = bytearray()
    index = 0
    for chunk in chunks:
        pending += chunk
        while len(pending) > SEGMENT_BYTES:
            segment = bytes(pending[:SEGMENT_BYTES])
            del pending[:SEGMENT_BYTES]
            yield aead.encrypt(_nonce(prefix, index, False), segment, ad)
            index += 1
    yield aead.encrypt(_nonce(prefix, index, True), bytes(pending), ad)


def stream_size(plaintext_bytes: int) -> int:
    """Size of the segmented ciphertext of plaintext_bytes (the inverse of plaintext_size)."""
    segments = max(1, -(-plaintext_bytes // SEGMENT_BYTES))
    return HEADER_BYTES + plaintext_bytes + segments * TAG_BYTES


def encrypt_into(key: bytes, data: bytes | memoryview, *, ad: bytes, out: memoryview) -> None:
    """Write the segmented ciphertext of one buffer into out (exactly stream_size bytes).

    Encrypting in place, straight into its destination, spares a copy and the
    fresh memory it would take.
    """
    if len(out) != stream_size(len(data)):
        raise ValueError("out must be exactly stream_size(len(data)) bytes")
    aead = AESGCM(key)
    prefix = os.urandom(_PREFIX_BYTES)
    out[:HEADER_BYTES] = STREAM_MAGIC + prefix
    view = memoryview(data)
    count = max(1, -(-len(data) // SEGMENT_BYTES))
    pos = HEADER_BYTES
    for index in range(count):
        segment = view[index * SEGMENT_BYTES : (index + 1) * SEGMENT_BYTES]
        end = pos + len(segment) + TAG_BYTES
        aead.encrypt_into(_nonce(prefix, index, index == count - 1), segment, ad, out[pos:end])
        pos = end


def encrypt_bytes(key: bytes, data: bytes, *, ad: bytes) -> bytes:
    """Segmented ciphertext of one buffer."""
    out = bytearray(stream_size(len(data)))
    encrypt_into(key, data, ad=ad, out=memoryview(out))
    return bytes(out)


def decrypt_stream(key: bytes, source: BinaryIO, *, ad: bytes, kind: str) -> Iterator[bytes]:
    """Yield authenticated plaintext segments; raise IntegrityFailure on any mismatch."""
    header = source.read(HEADER_BYTES)
    if len(header) != HEADER_BYTES or header[:4] != STREAM_MAGIC:
        raise _integrity_error(kind)
    prefix = header[4:]
    aead = AESGCM(key)
    index = 0
    segment = source.read(SEGMENT_BYTES + TAG_BYTES)
    while True:
        following = source.read(SEGMENT_BYTES + TAG_BYTES)
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, index, last), segment, ad)
        except InvalidTag:
            raise _integrity_error(kind) from None
        if last:
            return
        segment = following
        index += 1


def plaintext_size(ciphertext_size: int) -> int:
    """Plaintext length of a segmented ciphertext of the given size."""
    body = ciphertext_size - HEADER_BYTES
    segments = max(1, -(-body // (SEGMENT_BYTES + TAG_BYTES)))
    return body - segments * TAG_BYTES


class SegmentedReader(SizedReader):
    """A seekable, read-only view of the plaintext of a segmented blob.

    Reads decrypt (and authenticate) only the segments they touch, so a reader
    can jump to the zip central directory or serve an HTTP range without
    decrypting the whole blob. ``size`` is the ciphertext size: it tells which
    segment is the last, whose nonce carries the last-segment flag.
    """

    def __init__(self, key: bytes, source: BinaryIO, *, size: int, ad: bytes, kind: str) -> None:
        super().__init__(plaintext_size(size))
        header = source.read(HEADER_BYTES)
        if len(header) != HEADER_BYTES or header[:4] != STREAM_MAGIC:
            raise _integrity_error(kind)
        self._aead = AESGCM(key)
        self._source = source
        self._prefix = header[4:]
        self._ad = ad
        self._kind = kind
        body = size - HEADER_BYTES
        self._segments = max(1, -(-body // (SEGMENT_BYTES + TAG_BYTES)))
        self._cached_index = -1
        self._cached = b""

    @property
    def size(self) -> int:
        return self._size

    def _segment(self, index: int) -> bytes:
        if index != self._cached_index:
            self._source.seek(HEADER_BYTES + index * (SEGMENT_BYTES + TAG_BYTES))
            sealed = self._source.read(SEGMENT_BYTES + TAG_BYTES)
            last = index == self._segments - 1
            nonce = _nonce(self._prefix, index, last)
            try:
                self._cached = self._aead.decrypt(nonce, sealed, self._ad)
            except InvalidTag:
                raise _integrity_error(self._kind) from None
            if not last and len(self._cached) != SEGMENT_BYTES:
                raise _integrity_error(self._kind)
            self._cached_index = index
        return self._cached

    def read(self, size: int | None = -1) -> bytes:
        end = self._size if size is None or size < 0 else min(self._size, self._pos + size)
        parts: list[bytes] = []
        while self._pos < end:
            index, offset = divmod(self._pos, SEGMENT_BYTES)
            segment = self._segment(index)
            piece = segment[offset : offset + (end - self._pos)]
            if not piece:
                raise _integrity_error(self._kind)
            parts.append(piece)
            self._pos += len(piece)
        return b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._source.close()
        super().close()
