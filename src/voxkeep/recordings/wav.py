"""Strict validation of uploaded WAV audio, from the bytes alone.

Uploads are untrusted: the file name and Content-Type say nothing reliable, so
the RIFF structure itself is checked. Only plain PCM is accepted (format tag 1,
or WAVE_FORMAT_EXTENSIBLE with the PCM sub-format) at 8/16/24 bits, 1–2
channels and 8–48 kHz, which covers what voice assistants record.

The stdlib ``wave`` module is deliberately not used: it tolerates lying chunk
sizes and trailing garbage. Here every declared size is checked against the
bytes that actually arrived before it is trusted, nothing is copied, and the
chunk walk is capped, so a crafted header cannot make parsing slow or costly.

Errors are :class:`~voxkeep.errors.InvalidAudio` (HTTP 422). Messages quote
header numbers (sizes, rates, format codes) but never the file's contents.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass

from voxkeep.errors import InvalidAudio

__all__ = [
    "ACCEPTED_BITS_PER_SAMPLE",
    "ACCEPTED_CHANNELS",
    "MAX_CHUNKS",
    "MAX_SAMPLE_RATE",
    "MIN_SAMPLE_RATE",
    "WavInfo",
    "parse_wav",
]

ACCEPTED_BITS_PER_SAMPLE = (8, 16, 24)
ACCEPTED_CHANNELS = (1, 2)
MIN_SAMPLE_RATE = 8_000
MAX_SAMPLE_RATE = 48_000
# Real recordings carry a handful of chunks (fmt, data, maybe LIST/fact/bext);
# the cap keeps the walk O(1) however the header is crafted.
MAX_CHUNKS = 64

_ACCEPTED = "Upload RIFF/WAVE PCM audio."
_RIFF_HEADER = 12  # "RIFF" <u32 size> "WAVE"
_CHUNK_HEADER = 8  # <4-byte id> <u32 size>
# RIFF header + a 16-byte fmt chunk + the data chunk header: nothing valid is shorter.
_MIN_WAV_BYTES = _RIFF_HEADER + _CHUNK_HEADER + 16 + _CHUNK_HEADER

_FMT_PCM_SIZE = 16
_FMT_EXTENSIBLE_SIZE = 40
_EXTENSIBLE_CB_SIZE = 22
_WAVE_FORMAT_PCM = 0x0001
_WAVE_FORMAT_EXTENSIBLE = 0xFFFE
# Sub-format GUIDs are the format tag in the first field of this template,
# stored little-endian in the file (hence bytes_le).
_KSDATAFORMAT_TEMPLATE = uuid.UUID("00000000-0000-0010-8000-00aa00389b71").bytes_le
_KSDATAFORMAT_SUBTYPE_PCM = uuid.UUID("00000001-0000-0010-8000-00aa00389b71").bytes_le

# Names for the codes people actually run into, so the message is actionable.
_FORMAT_NAMES = {
    0x0002: "Microsoft ADPCM",
    0x0003: "IEEE float",
    0x0006: "A-law",
    0x0007: "µ-law",
    0x0011: "IMA ADPCM",
    0x0031: "GSM 6.10",
    0x0055: "MPEG Layer 3",
    0x00FF: "AAC",
    0x0161: "Windows Media Audio",
    0x1610: "AAC",
}


@dataclass(frozen=True)
class WavInfo:
    """What was learnt about a valid WAV file; offsets index into the uploaded bytes."""

    sample_rate: int
    channels: int
    bits_per_sample: int
    frames: int
    data_offset: int
    data_length: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


@dataclass(frozen=True)
class _Chunk:
    offset: int  # of the payload, just past the 8-byte chunk header
    size: int


@dataclass(frozen=True)
class _Format:
    sample_rate: int
    channels: int
    bits_per_sample: int
    block_align: int


def parse_wav(data: bytes | memoryview, *, max_duration_s: float | None = None) -> WavInfo:
    """Validate ``data`` as RIFF/WAVE PCM audio and describe it.

    Raises :class:`InvalidAudio` for anything that is not well-formed PCM WAV
    within the accepted parameters, or longer than ``max_duration_s``.
    """
    if max_duration_s is not None and not max_duration_s > 0:
        # A caller bug, not a bad upload: it must not surface as a 422.
        raise ValueError("max_duration_s must be a positive number of seconds")
    # A byte view lets memoryviews of any item format be sliced without copying.
    view = memoryview(data).cast("B")
    body_end = _check_riff_header(view)
    fmt_chunk, data_chunk = _walk_chunks(view, body_end)
    fmt = _parse_fmt(view, fmt_chunk)
    info = _describe(fmt, data_chunk)
    if max_duration_s is not None and info.duration_s > max_duration_s:
        raise InvalidAudio(
            f"The recording is {info.duration_s:.2f} s long; "
            f"at most {max_duration_s:g} s is accepted."
        )
    return info


def _check_riff_header(view: memoryview) -> int:
    """Check magic and overall length; return the end offset of the RIFF body."""
    size = len(view)
    if size == 0:
        raise InvalidAudio(f"The audio upload is empty (0 bytes). {_ACCEPTED}")
    if bytes(view[0:4]) != b"RIFF":
        raise InvalidAudio(f"The audio is not a WAV file (no RIFF/WAVE header). {_ACCEPTED}")
    if size >= _RIFF_HEADER and bytes(view[8:12]) != b"WAVE":
        raise InvalidAudio(
            "The audio is a RIFF file but not WAVE audio (it could be AVI or WebP, "
            f"for example). {_ACCEPTED}"
        )
    if size < _MIN_WAV_BYTES:
        raise InvalidAudio(
            f"The WAV file is only {size} bytes, shorter than the {_MIN_WAV_BYTES}-byte "
            "minimum WAV header; the upload is truncated."
        )
    riff_size: int = struct.unpack_from("<I", view, 4)[0]
    declared = riff_size + 8
    if declared > size:
        raise InvalidAudio(
            f"The WAV file says it is {declared} bytes long but {size} bytes arrived; "
            "the upload is truncated or the header is wrong."
        )
    # Encoders write exact sizes. The one allowance: an odd RIFF size whose
    # final chunk's pad byte was written but not counted in it.
    allowed = declared + (riff_size & 1)
    if size > allowed:
        raise InvalidAudio(
            f"The WAV file says it is {declared} bytes long but {size} bytes arrived; "
            "it has trailing data after the audio or the header is wrong."
        )
    return declared


def _walk_chunks(view: memoryview, body_end: int) -> tuple[_Chunk, _Chunk]:
    """Find the single fmt and data chunks, bounds-checking every chunk on the way."""
    fmt_chunk: _Chunk | None = None
    data_chunk: _Chunk | None = None
    pos = _RIFF_HEADER
    for _ in range(MAX_CHUNKS):
        if pos >= body_end:  # > when the last chunk's pad byte lies past the RIFF size
            break
        chunk_id, chunk = _read_chunk(view, pos, body_end)
        if chunk_id == b"fmt ":
            if fmt_chunk is not None:
                raise InvalidAudio("The WAV file has more than one 'fmt ' chunk; it is corrupt.")
            fmt_chunk = chunk
        elif chunk_id == b"data":
            if data_chunk is not None:
                raise InvalidAudio("The WAV file has more than one 'data' chunk; it is corrupt.")
            data_chunk = chunk
        # Other chunks (LIST, fact, bext, ...) carry metadata we do not need.
        # Odd-sized chunks are followed by one pad byte to keep 2-byte alignment.
        pos = chunk.offset + chunk.size + (chunk.size & 1)
    else:
        if pos < body_end:
            raise InvalidAudio(
                f"The WAV file has more than {MAX_CHUNKS} chunks; at most {MAX_CHUNKS} "
                "are accepted."
            )
    return _require_fmt_then_data(fmt_chunk, data_chunk)


def _read_chunk(view: memoryview, pos: int, body_end: int) -> tuple[bytes, _Chunk]:
    remaining = body_end - pos
    if remaining < _CHUNK_HEADER:
        raise InvalidAudio(
            f"The WAV file ends with {remaining} stray bytes that do not form a chunk; "
            "it is corrupt."
        )
    chunk_id = bytes(view[pos : pos + 4])
    chunk_size: int = struct.unpack_from("<I", view, pos + 4)[0]
    available = remaining - _CHUNK_HEADER
    if chunk_size > available:
        raise InvalidAudio(
            f"The WAV {_chunk_name(chunk_id)} says it holds {chunk_size} bytes but only "
            f"{available} bytes follow it; the file is truncated or corrupt."
        )
    return chunk_id, _Chunk(offset=pos + _CHUNK_HEADER, size=chunk_size)


def _chunk_name(chunk_id: bytes) -> str:
    # Only name the chunks that matter: an arbitrary id is file content.
    if chunk_id in (b"fmt ", b"data"):
        return f"'{chunk_id.decode('ascii')}' chunk"
    return "chunk"


def _require_fmt_then_data(
    fmt_chunk: _Chunk | None, data_chunk: _Chunk | None
) -> tuple[_Chunk, _Chunk]:
    if fmt_chunk is None:
        raise InvalidAudio(f"The WAV file has no 'fmt ' chunk describing the audio. {_ACCEPTED}")
    if data_chunk is None:
        raise InvalidAudio(f"The WAV file has no 'data' chunk, so it holds no audio. {_ACCEPTED}")
    if data_chunk.offset < fmt_chunk.offset:
        # Streaming readers need the format before the samples; so does the spec.
        raise InvalidAudio(
            "The WAV file's 'data' chunk comes before its 'fmt ' chunk; 'fmt ' must come first."
        )
    return fmt_chunk, data_chunk


def _parse_fmt(view: memoryview, chunk: _Chunk) -> _Format:
    if chunk.size < _FMT_PCM_SIZE:
        raise InvalidAudio(
            f"The WAV 'fmt ' chunk is {chunk.size} bytes; at least {_FMT_PCM_SIZE} are "
            "required. The file is corrupt."
        )
    tag, channels, rate, byte_rate, block_align, bits = struct.unpack_from(
        "<HHIIHH", view, chunk.offset
    )
    if tag == _WAVE_FORMAT_EXTENSIBLE:
        _check_extensible(view, chunk, bits)
    elif tag != _WAVE_FORMAT_PCM:
        raise InvalidAudio(
            f"The WAV uses format code {tag}{_format_label(tag)}; only PCM (code 1) is accepted."
        )
    _check_parameters(channels, rate, bits)
    _check_consistency(channels, rate, bits, block_align, byte_rate)
    return _Format(
        sample_rate=rate, channels=channels, bits_per_sample=bits, block_align=block_align
    )


def _format_label(tag: int) -> str:
    name = _FORMAT_NAMES.get(tag)
    return f" ({name})" if name else ""


def _check_extensible(view: memoryview, chunk: _Chunk, bits: int) -> None:
    if chunk.size < _FMT_EXTENSIBLE_SIZE:
        raise InvalidAudio(
            f"The WAV 'fmt ' chunk is {chunk.size} bytes; WAVE_FORMAT_EXTENSIBLE needs "
            f"{_FMT_EXTENSIBLE_SIZE}. The file is corrupt."
        )
    cb_size, valid_bits = struct.unpack_from("<HH", view, chunk.offset + 16)
    if cb_size < _EXTENSIBLE_CB_SIZE:
        raise InvalidAudio(
            f"The WAV extension size is {cb_size}; WAVE_FORMAT_EXTENSIBLE needs "
            f"{_EXTENSIBLE_CB_SIZE}. The file is corrupt."
        )
    sub_format = bytes(view[chunk.offset + 24 : chunk.offset + 40])
    if sub_format != _KSDATAFORMAT_SUBTYPE_PCM:
        raise InvalidAudio(
            f"The WAV is WAVE_FORMAT_EXTENSIBLE with {_sub_format_label(sub_format)}; "
            "only the PCM sub-format is accepted."
        )
    # 0 is written by some encoders to mean "all bits valid"; more than the
    # container holds is impossible.
    if valid_bits > bits:
        raise InvalidAudio(
            f"The WAV says {valid_bits} of its {bits} bits per sample are valid; "
            "the header is inconsistent."
        )


def _sub_format_label(sub_format: bytes) -> str:
    # Standard sub-formats embed the classic format code in the template GUID.
    if sub_format[4:] == _KSDATAFORMAT_TEMPLATE[4:]:
        (code,) = struct.unpack_from("<I", sub_format)
        return f"sub-format code {code}{_format_label(code)}"
    return "a non-standard sub-format"


def _check_parameters(channels: int, rate: int, bits: int) -> None:
    if channels not in ACCEPTED_CHANNELS:
        raise InvalidAudio(
            f"The WAV has {channels} channels; only mono (1) or stereo (2) is accepted."
        )
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise InvalidAudio(
            f"Sample rate {rate} Hz is outside {MIN_SAMPLE_RATE}–{MAX_SAMPLE_RATE} Hz."
        )
    if bits not in ACCEPTED_BITS_PER_SAMPLE:
        raise InvalidAudio(
            f"The WAV uses {bits} bits per sample; only 8-, 16- or 24-bit PCM is accepted."
        )


def _check_consistency(
    channels: int, rate: int, bits: int, block_align: int, byte_rate: int
) -> None:
    # Players trust these derived fields; a mismatch means a broken or crafted header.
    expected_align = channels * (bits // 8)
    if block_align != expected_align:
        raise InvalidAudio(
            f"The WAV header's block align is {block_align} bytes but {channels} channel(s) "
            f"of {bits}-bit audio need {expected_align}; the header is inconsistent."
        )
    expected_rate = rate * expected_align
    if byte_rate != expected_rate:
        raise InvalidAudio(
            f"The WAV header's byte rate is {byte_rate} but {rate} Hz with "
            f"{expected_align}-byte frames needs {expected_rate}; the header is inconsistent."
        )


def _describe(fmt: _Format, data_chunk: _Chunk) -> WavInfo:
    if data_chunk.size == 0:
        raise InvalidAudio("The WAV file's 'data' chunk is empty, so it holds no audio.")
    if data_chunk.size % fmt.block_align:
        raise InvalidAudio(
            f"The WAV 'data' chunk is {data_chunk.size} bytes, not a whole number of "
            f"{fmt.block_align}-byte frames; the file is truncated or corrupt."
        )
    return WavInfo(
        sample_rate=fmt.sample_rate,
        channels=fmt.channels,
        bits_per_sample=fmt.bits_per_sample,
        frames=data_chunk.size // fmt.block_align,
        data_offset=data_chunk.offset,
        data_length=data_chunk.size,
    )
