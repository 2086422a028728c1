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
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from voxkeep.errors import IntegrityFailure

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


def encrypt_bytes(key: bytes, data: bytes, *, ad: bytes) -> bytes:
    """Segmented ciphertext of one buffer, without copying it into segments first."""
    aead = AESGCM(key)
    prefix = os.urandom(_PREFIX_BYTES)
    parts = [STREAM_MAGIC + prefix]
    view = memoryview(data)
    count = max(1, -(-len(data) // SEGMENT_BYTES))
    for index in range(count):
        segment = view[index * SEGMENT_BYTES : (index + 1) * SEGMENT_BYTES]
        parts.append(aead.encrypt(_nonce(prefix, index, index == count - 1), segment, ad))
    return b"".join(parts)


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
