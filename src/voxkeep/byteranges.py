"""HTTP byte ranges over encrypted blobs: one ``Range`` per request (RFC 9110 §14).

Answers (exports.delivery) and recordings' audio (recordings.service) both
serve a span of a segmented blob; the span is parsed here and read through a
``SegmentedReader``, which decrypts only the segments it touches, so seeking
in a long recording or resuming a download costs what it serves.
"""

from __future__ import annotations

import io
import re
from collections.abc import Generator
from dataclasses import dataclass

from voxkeep.crypto.aead import SegmentedReader
from voxkeep.errors import VoxkeepError

_READ = 256 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class RangeNotSatisfiable(VoxkeepError):
    status = 416
    code = "range_not_satisfiable"

    def __init__(self, size: int) -> None:
        super().__init__(
            "The requested byte range is not part of this file.",
            hint="Send one range like `Range: bytes=0-` within the file's size.",
        )
        self.size = size

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Range": f"bytes */{self.size}"}


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """One ``bytes=`` range (RFC 9110 §14.1.2), or None for the whole file."""
    if header is None or not header.strip():
        return None
    match = _RANGE.fullmatch(header.strip().replace(" ", ""))
    if match is None or (not match[1] and not match[2]):
        raise RangeNotSatisfiable(size)
    if not match[1]:  # suffix: the last N bytes
        suffix = int(match[2])
        if suffix == 0:
            raise RangeNotSatisfiable(size)
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(match[1])
    end = min(int(match[2]), size - 1) if match[2] else size - 1
    if start >= size or end < start:
        raise RangeNotSatisfiable(size)
    return ByteRange(start, end)


def read_span(reader: SegmentedReader, span: ByteRange) -> Generator[bytes]:
    """The plaintext bytes of span, in chunks; closes the reader when done."""
    with reader:
        reader.seek(span.start, io.SEEK_SET)
        left = span.length
        while left > 0:
            chunk = reader.read(min(_READ, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk


def first_checked(chunks: Generator[bytes]) -> Generator[bytes]:
    """Read the first chunk now, so a damaged blob fails before any header goes out; the
    result yields every chunk and closes chunks however it ends (a player seeking away)."""
    first = next(chunks, b"")

    def all_of_them() -> Generator[bytes]:
        try:
            yield first
            yield from chunks
        finally:
            chunks.close()

    return all_of_them()
