"""Reading a multipart upload into raw bytes per part, with hard size caps.

Starlette's form parser decodes text fields and silently falls back to
Latin-1 on bad UTF-8; voxkeep must reject a non-UTF-8 transcript instead, so
parts are kept as bytes and decoded strictly by the caller.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from voxkeep.errors import InvalidInput, PayloadTooLarge


class _Collector:
    def __init__(self, allowed: dict[str, int]) -> None:
        self.allowed = allowed
        self.parts: dict[str, bytearray] = {}
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._name: str | None = None

    def on_part_begin(self) -> None:
        self._name = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if bytes(self._header_field).lower() == b"content-disposition":
            _, params = parse_options_header(bytes(self._header_value))
            raw = params.get(b"name")
            name = raw.decode("latin-1") if raw else ""
            if name not in self.allowed:
                raise InvalidInput(
                    "The upload has an unexpected part.",
                    hint=f"Send exactly these parts: {', '.join(self.allowed)}.",
                )
            if name in self.parts:
                raise InvalidInput(f"The upload has the part {name!r} twice.")
            self._name = name
            self.parts[name] = bytearray()
        self._header_field.clear()
        self._header_value.clear()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._name is None:
            raise InvalidInput("A part of the upload has no Content-Disposition name.")
        buffer = self.parts[self._name]
        if len(buffer) + (end - start) > self.allowed[self._name]:
            raise PayloadTooLarge(
                f"The {self._name!r} part is larger than {self.allowed[self._name]} bytes."
            )
        buffer += data[start:end]


async def read_parts(
    content_type: str, body: AsyncIterator[bytes], *, allowed: dict[str, int]
) -> dict[str, bytes]:
    """Parse a multipart/form-data body; allowed maps part name → maximum bytes."""
    ctype, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise InvalidInput(
            "The upload must be multipart/form-data.",
            hint="Send the parts 'metadata' (JSON) and 'audio' (the WAV file).",
        )
    collector = _Collector(allowed)
    parser = MultipartParser(
        boundary,
        callbacks={
            "on_part_begin": collector.on_part_begin,
            "on_header_field": collector.on_header_field,
            "on_header_value": collector.on_header_value,
            "on_header_end": collector.on_header_end,
            "on_part_data": collector.on_part_data,
        },
    )
    try:
        async for chunk in body:
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError:
        raise InvalidInput("The multipart body is malformed.") from None
    return {name: bytes(value) for name, value in collector.parts.items()}
