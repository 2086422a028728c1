"""parse_wav: real encoder output is accepted, every malformed shape is rejected clearly."""

from __future__ import annotations

import io
import struct
import uuid
import wave

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voxkeep.errors import InvalidAudio
from voxkeep.recordings.wav import WavInfo, parse_wav

PCM_GUID = uuid.UUID("00000001-0000-0010-8000-00aa00389b71").bytes_le
FLOAT_GUID = uuid.UUID("00000003-0000-0010-8000-00aa00389b71").bytes_le

# --- builders ----------------------------------------------------------------


def stdlib_wav(
    *, rate: int = 16_000, channels: int = 1, width: int = 2, frames: int = 160
) -> bytes:
    """A WAV written by the stdlib encoder, i.e. what real tools emit."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        # A ramp rather than silence, so sample bytes vary.
        w.writeframes(bytes(i % 251 for i in range(frames * channels * width)))
    return buf.getvalue()


def chunk(chunk_id: bytes, payload: bytes) -> bytes:
    pad = b"\x00" if len(payload) % 2 else b""
    return chunk_id + struct.pack("<I", len(payload)) + payload + pad


def riff(*chunks: bytes, form: bytes = b"WAVE") -> bytes:
    body = form + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt_payload(
    *,
    tag: int = 1,
    channels: int = 1,
    rate: int = 16_000,
    bits: int = 16,
    block_align: int | None = None,
    byte_rate: int | None = None,
) -> bytes:
    align = channels * (bits // 8) if block_align is None else block_align
    brate = rate * align if byte_rate is None else byte_rate
    return struct.pack("<HHIIHH", tag, channels, rate, brate, align, bits)


def extensible_payload(
    *, channels: int = 2, rate: int = 48_000, bits: int = 24, sub_format: bytes = PCM_GUID
) -> bytes:
    base = fmt_payload(tag=0xFFFE, channels=channels, rate=rate, bits=bits)
    channel_mask = 0x3 if channels == 2 else 0x4
    return base + struct.pack("<HHI", 22, bits, channel_mask) + sub_format


def simple_wav(data_len: int = 320, **fmt: int) -> bytes:
    return riff(chunk(b"fmt ", fmt_payload(**fmt)), chunk(b"data", bytes(data_len)))


def rejected(data: bytes, **kwargs: float) -> str:
    with pytest.raises(InvalidAudio) as excinfo:
        parse_wav(data, **kwargs)
    assert excinfo.value.status == 422
    assert excinfo.value.code == "invalid_audio"
    return excinfo.value.message


# --- accepted files ----------------------------------------------------------


@pytest.mark.parametrize("width", [1, 2, 3])
@pytest.mark.parametrize("rate", [8_000, 16_000, 22_050, 44_100, 48_000])
@pytest.mark.parametrize("channels", [1, 2])
def test_stdlib_wav_every_accepted_combination(width: int, rate: int, channels: int) -> None:
    frames = rate // 2  # 0.5 s
    data = stdlib_wav(rate=rate, channels=channels, width=width, frames=frames)
    info = parse_wav(data)
    assert info == WavInfo(
        sample_rate=rate,
        channels=channels,
        bits_per_sample=width * 8,
        frames=frames,
        data_offset=44,
        data_length=frames * channels * width,
    )
    assert info.duration_s == pytest.approx(0.5)
    assert data[info.data_offset - 8 : info.data_offset - 4] == b"data"
    assert info.data_offset + info.data_length == len(data)


def test_stdlib_wav_with_odd_data_length_is_accepted() -> None:
    # 8-bit mono with an odd frame count: the data chunk is odd-sized and the
    # encoder writes no pad byte; the RIFF size is odd and exact.
    data = stdlib_wav(width=1, frames=8001, rate=8_000)
    info = parse_wav(data)
    assert info.frames == 8001
    assert info.data_length == 8001
    assert info.duration_s == pytest.approx(8001 / 8000)


def test_odd_data_chunk_with_pad_byte_outside_riff_size_is_accepted() -> None:
    data = stdlib_wav(width=1, frames=101) + b"\x00"
    assert parse_wav(data).frames == 101


def test_odd_data_chunk_with_pad_byte_inside_riff_size_is_accepted() -> None:
    data = riff(chunk(b"fmt ", fmt_payload(bits=8)), chunk(b"data", bytes(101)))
    assert len(data) % 2 == 0
    assert parse_wav(data).data_length == 101


def test_list_chunk_and_odd_sized_chunk_before_data_are_skipped() -> None:
    info_list = chunk(b"LIST", b"INFO" + chunk(b"ISFT", b"sox\x00"))
    odd = chunk(b"junk", b"abc")  # 3 bytes + pad byte
    assert len(odd) == 12
    payload = bytes(range(200)) * 2
    data = riff(
        chunk(b"fmt ", fmt_payload(channels=2, rate=22_050, bits=16)),
        info_list,
        odd,
        chunk(b"data", payload),
    )
    info = parse_wav(data)
    assert info.channels == 2
    assert info.sample_rate == 22_050
    assert info.frames == 100
    assert data[info.data_offset : info.data_offset + info.data_length] == payload


def test_chunks_after_data_are_skipped() -> None:
    data = riff(
        chunk(b"fmt ", fmt_payload()),
        chunk(b"data", bytes(320)),
        chunk(b"LIST", b"INFO"),
    )
    assert parse_wav(data).frames == 160


def test_fmt_chunk_of_18_bytes_is_accepted() -> None:
    # Many encoders write the WAVEFORMATEX cbSize field (0) even for plain PCM.
    data = riff(chunk(b"fmt ", fmt_payload() + b"\x00\x00"), chunk(b"data", bytes(320)))
    assert parse_wav(data).frames == 160


def test_extensible_pcm_is_accepted() -> None:
    payload = bytes(6 * 480)
    data = riff(
        chunk(b"fmt ", extensible_payload(channels=2, rate=48_000, bits=24)),
        chunk(b"fact", struct.pack("<I", 480)),
        chunk(b"data", payload),
    )
    info = parse_wav(data)
    assert info == WavInfo(
        sample_rate=48_000,
        channels=2,
        bits_per_sample=24,
        frames=480,
        data_offset=12 + 48 + 12 + 8,
        data_length=len(payload),
    )
    assert info.duration_s == pytest.approx(0.01)


def test_memoryview_input_is_accepted() -> None:
    data = stdlib_wav()
    assert parse_wav(memoryview(data)) == parse_wav(data)


def test_duration_at_the_limit_is_accepted() -> None:
    data = stdlib_wav(rate=8_000, frames=8_000)
    assert parse_wav(data, max_duration_s=1.0).duration_s == 1.0


def test_nonpositive_max_duration_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="max_duration_s"):
        parse_wav(stdlib_wav(), max_duration_s=0)


# --- rejected files ------------------------------------------------------------


def test_empty_bytes() -> None:
    assert "empty (0 bytes)" in rejected(b"")


def test_not_riff() -> None:
    message = rejected(b"ID3\x04" + bytes(200))
    assert "not a WAV file (no RIFF/WAVE header)" in message
    assert "Upload RIFF/WAVE PCM audio." in message


def test_riff_but_not_wave() -> None:
    data = riff(chunk(b"fmt ", fmt_payload()), chunk(b"data", bytes(320)), form=b"AVI ")
    assert "RIFF file but not WAVE audio" in rejected(data)


def test_truncated_header() -> None:
    assert "shorter than the 44-byte minimum WAV header" in rejected(stdlib_wav()[:30])


def test_truncated_data() -> None:
    data = stdlib_wav(frames=1000)
    message = rejected(data[:-100])
    assert f"says it is {len(data)} bytes long but {len(data) - 100} bytes arrived" in message
    assert "truncated" in message


def test_truncated_data_with_riff_size_fixed_up() -> None:
    data = bytearray(stdlib_wav(frames=1000)[:-100])
    struct.pack_into("<I", data, 4, len(data) - 8)
    assert "'data' chunk says it holds 2000 bytes but only 1900 bytes follow it" in rejected(
        bytes(data)
    )


def test_riff_size_larger_than_file() -> None:
    data = bytearray(stdlib_wav())
    struct.pack_into("<I", data, 4, 0xFFFFFFFF)
    message = rejected(bytes(data))
    assert f"says it is {0xFFFFFFFF + 8} bytes long but {len(data)} bytes arrived" in message


def test_trailing_garbage_after_riff_size() -> None:
    data = stdlib_wav() + b"\x00\x00"
    assert "trailing data" in rejected(data)


def test_huge_declared_chunk_length() -> None:
    data = bytearray(stdlib_wav())
    struct.pack_into("<I", data, 40, 0xFFFFFFFF)
    assert "'data' chunk says it holds 4294967295 bytes but only 320 bytes follow it" in (
        rejected(bytes(data))
    )


def test_huge_declared_unknown_chunk_length() -> None:
    data = riff(chunk(b"fmt ", fmt_payload()), b"LIST\xff\xff\xff\xff", chunk(b"data", bytes(8)))
    assert "chunk says it holds 4294967295 bytes" in rejected(data)


def test_data_before_fmt() -> None:
    data = riff(chunk(b"data", bytes(320)), chunk(b"fmt ", fmt_payload()))
    assert "'data' chunk comes before its 'fmt ' chunk" in rejected(data)


def test_missing_fmt() -> None:
    data = riff(chunk(b"LIST", b"INFO"), chunk(b"data", bytes(320)))
    assert "no 'fmt ' chunk" in rejected(data)


def test_missing_data() -> None:
    data = riff(chunk(b"fmt ", fmt_payload()), chunk(b"LIST", b"INFO" + bytes(20)))
    assert "no 'data' chunk" in rejected(data)


def test_duplicate_fmt() -> None:
    data = riff(chunk(b"fmt ", fmt_payload()), chunk(b"fmt ", fmt_payload()), chunk(b"data", b"ab"))
    assert "more than one 'fmt ' chunk" in rejected(data)


def test_duplicate_data() -> None:
    data = riff(chunk(b"fmt ", fmt_payload()), chunk(b"data", b"ab"), chunk(b"data", b"cd"))
    assert "more than one 'data' chunk" in rejected(data)


def test_short_fmt_chunk() -> None:
    data = riff(chunk(b"fmt ", fmt_payload()[:14]), chunk(b"data", bytes(320)))
    assert "'fmt ' chunk is 14 bytes; at least 16" in rejected(data)


def test_zero_length_data() -> None:
    data = riff(chunk(b"fmt ", fmt_payload()), chunk(b"data", b""), chunk(b"LIST", b"INFO"))
    assert "'data' chunk is empty" in rejected(data)


def test_format_code_3_float() -> None:
    data = simple_wav(tag=3, bits=32)
    assert (
        rejected(data) == "The WAV uses format code 3 (IEEE float); only PCM (code 1) is accepted."
    )


def test_format_code_2_adpcm() -> None:
    data = simple_wav(tag=2, bits=4, block_align=256, byte_rate=8_000)
    assert "format code 2 (Microsoft ADPCM); only PCM (code 1)" in rejected(data)


def test_unknown_format_code() -> None:
    assert "format code 4660; only PCM (code 1)" in rejected(simple_wav(tag=0x1234))


def test_extensible_with_float_subformat() -> None:
    data = riff(
        chunk(b"fmt ", extensible_payload(bits=32, sub_format=FLOAT_GUID)),
        chunk(b"data", bytes(8 * 10)),
    )
    assert "sub-format code 3 (IEEE float); only the PCM sub-format" in rejected(data)


def test_extensible_with_unknown_subformat() -> None:
    data = riff(
        chunk(b"fmt ", extensible_payload(sub_format=bytes(range(16)))),
        chunk(b"data", bytes(6 * 10)),
    )
    assert "a non-standard sub-format; only the PCM sub-format" in rejected(data)


def test_extensible_with_short_fmt_chunk() -> None:
    data = riff(
        chunk(b"fmt ", extensible_payload()[:18]),
        chunk(b"data", bytes(6 * 10)),
    )
    assert "WAVE_FORMAT_EXTENSIBLE needs 40" in rejected(data)


def test_32_bit_pcm() -> None:
    message = rejected(simple_wav(bits=32))
    assert "32 bits per sample; only 8-, 16- or 24-bit PCM" in message


def test_12_bit_pcm() -> None:
    data = simple_wav(bits=12, block_align=2, byte_rate=32_000)
    assert "12 bits per sample; only 8-, 16- or 24-bit PCM" in rejected(data)


def test_3_channels() -> None:
    data = simple_wav(channels=3, data_len=6 * 10)
    assert "3 channels; only mono (1) or stereo (2)" in rejected(data)


def test_0_channels() -> None:
    assert "0 channels; only mono (1) or stereo (2)" in rejected(simple_wav(channels=0))


def test_96_khz() -> None:
    assert rejected(simple_wav(rate=96_000)) == "Sample rate 96000 Hz is outside 8000–48000 Hz."


def test_4_khz() -> None:
    assert "Sample rate 4000 Hz is outside 8000–48000 Hz" in rejected(simple_wav(rate=4_000))


def test_inconsistent_block_align() -> None:
    data = simple_wav(channels=2, bits=16, block_align=2, byte_rate=64_000)
    assert "block align is 2 bytes but 2 channel(s) of 16-bit audio need 4" in rejected(data)


def test_inconsistent_byte_rate() -> None:
    data = simple_wav(rate=16_000, byte_rate=16_000)
    assert "byte rate is 16000 but 16000 Hz with 2-byte frames needs 32000" in rejected(data)


def test_data_length_not_multiple_of_block_align() -> None:
    data = simple_wav(channels=2, bits=24, data_len=6 * 10 + 4)
    assert "'data' chunk is 64 bytes, not a whole number of 6-byte frames" in rejected(data)


def test_duration_above_max() -> None:
    data = stdlib_wav(rate=8_000, frames=8_001)
    message = rejected(data, max_duration_s=1.0)
    assert message == "The recording is 1.00 s long; at most 1 s is accepted."
    message = rejected(stdlib_wav(rate=8_000, frames=80_000), max_duration_s=5)
    assert "is 10.00 s long; at most 5 s" in message


def test_too_many_chunks() -> None:
    filler = [chunk(b"JUNK", b"") for _ in range(70)]
    data = riff(chunk(b"fmt ", fmt_payload()), *filler, chunk(b"data", bytes(320)))
    assert "more than 64 chunks; at most 64 are accepted" in rejected(data)


def test_exactly_64_chunks_is_accepted() -> None:
    filler = [chunk(b"JUNK", b"") for _ in range(62)]
    data = riff(chunk(b"fmt ", fmt_payload()), *filler, chunk(b"data", bytes(320)))
    assert parse_wav(data).frames == 160


def test_stray_bytes_at_end_of_riff_body() -> None:
    data = riff(chunk(b"fmt ", fmt_payload()), chunk(b"data", bytes(320)), b"\x01\x02\x03\x04")
    assert "ends with 4 stray bytes" in rejected(data)


def test_messages_never_quote_file_contents() -> None:
    secret = b"SECRETNAME"
    data = riff(
        chunk(b"fmt ", fmt_payload()),
        b"SECR" + struct.pack("<I", 0xFFFFFFFF) + secret,
    )
    message = rejected(data)
    assert "SECR" not in message
    assert "chunk says it holds" in message


# --- property: nothing but InvalidAudio escapes ----------------------------------

BASES = [
    stdlib_wav(rate=8_000, channels=1, width=1, frames=33),
    stdlib_wav(rate=44_100, channels=2, width=3, frames=20),
    riff(
        chunk(b"fmt ", extensible_payload()),
        chunk(b"LIST", b"INFO" + chunk(b"INAM", b"x")),
        chunk(b"data", bytes(6 * 8)),
    ),
]


def assert_consistent(info: WavInfo, data: bytes) -> None:
    """A WavInfo that parse_wav returned must describe bytes that are really there."""
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WAVE"
    assert info.channels in (1, 2)
    assert info.bits_per_sample in (8, 16, 24)
    assert 8_000 <= info.sample_rate <= 48_000
    assert info.data_length > 0
    assert info.data_length == info.frames * info.channels * info.bits_per_sample // 8
    assert info.data_offset + info.data_length <= len(data)
    assert data[info.data_offset - 8 : info.data_offset - 4] == b"data"
    (declared,) = struct.unpack_from("<I", data, info.data_offset - 4)
    assert declared == info.data_length
    assert info.duration_s == info.frames / info.sample_rate


@st.composite
def mutated_wavs(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(0, 6))):
        # Past the magic: corrupting "RIFF"/"WAVE" is covered above and would
        # otherwise dominate, as hypothesis favours small indices.
        index = draw(st.integers(4, len(data) - 1))
        data[index] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        # Bias towards size and format fields (past the magic): that is where
        # the parser makes decisions.
        index = draw(st.integers(4, min(len(data) - 4, 76)))
        value = draw(st.sampled_from([0, 1, 2, 3, 16, 0xFFFE, 0x7FFFFFFF, 0xFFFFFFFF]))
        struct.pack_into("<I", data, index, value)
    if draw(st.booleans()):
        # Counted from the end, so small draws are near-complete uploads.
        del data[len(data) - draw(st.integers(0, len(data))) :]
    if draw(st.booleans()):
        data += draw(st.binary(max_size=16))
    return bytes(data)


@settings(max_examples=400, deadline=200, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_wavs())
def test_mutated_files_parse_consistently_or_raise_invalid_audio(data: bytes) -> None:
    try:
        info = parse_wav(data)
    except InvalidAudio as exc:
        assert exc.message
        return
    assert_consistent(info, data)


@settings(max_examples=300, deadline=200)
@given(st.binary(max_size=200))
def test_random_bytes_after_a_wav_header_never_crash(tail: bytes) -> None:
    data = b"RIFF" + struct.pack("<I", len(tail) + 4) + b"WAVE" + tail
    try:
        info = parse_wav(data)
    except InvalidAudio:
        return
    assert_consistent(info, data)
