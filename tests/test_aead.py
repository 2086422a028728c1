"""The AEAD formats: round trips, and every way of moving or cutting ciphertext fails."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxkeep.crypto import aead
from voxkeep.errors import IntegrityFailure

KEY = bytes(range(32))
AD = aead.associated_data(kind="audio", owner="acct", object_id="rec")


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=3 * aead.SEGMENT_BYTES + 17))
def test_stream_round_trip_matches_bytes_and_sizes(data: bytes) -> None:
    sealed = aead.encrypt_bytes(KEY, data, ad=AD)
    chunked = b"".join(aead.encrypt_stream(KEY, [data[:1000], data[1000:]], ad=AD))
    assert len(sealed) == len(chunked)
    assert aead.plaintext_size(len(sealed)) == len(data)
    for ciphertext in (sealed, chunked):
        out = b"".join(aead.decrypt_stream(KEY, io.BytesIO(ciphertext), ad=AD, kind="audio"))
        assert out == data


def test_other_owner_or_object_fails() -> None:
    sealed = aead.encrypt_bytes(KEY, b"voice", ad=AD)
    for other in (
        aead.associated_data(kind="audio", owner="other", object_id="rec"),
        aead.associated_data(kind="audio", owner="acct", object_id="rec2"),
        aead.associated_data(kind="transcript", owner="acct", object_id="rec"),
    ):
        with pytest.raises(IntegrityFailure):
            b"".join(aead.decrypt_stream(KEY, io.BytesIO(sealed), ad=other, kind="audio"))


def test_truncating_a_stream_at_a_segment_boundary_fails() -> None:
    data = bytes(3 * aead.SEGMENT_BYTES)
    sealed = aead.encrypt_bytes(KEY, data, ad=AD)
    cut = sealed[: aead.HEADER_BYTES + 2 * (aead.SEGMENT_BYTES + aead.TAG_BYTES)]
    with pytest.raises(IntegrityFailure):
        b"".join(aead.decrypt_stream(KEY, io.BytesIO(cut), ad=AD, kind="audio"))


def test_reordering_segments_fails() -> None:
    data = bytes(range(256)) * (aead.SEGMENT_BYTES // 128)
    sealed = aead.encrypt_bytes(KEY, data, ad=AD)
    seg = aead.SEGMENT_BYTES + aead.TAG_BYTES
    head, first, second = (
        sealed[: aead.HEADER_BYTES],
        sealed[aead.HEADER_BYTES : aead.HEADER_BYTES + seg],
        sealed[aead.HEADER_BYTES + seg :],
    )
    with pytest.raises(IntegrityFailure):
        b"".join(aead.decrypt_stream(KEY, io.BytesIO(head + second + first), ad=AD, kind="a"))


def test_sealed_values_bind_their_associated_data() -> None:
    sealed = aead.seal(KEY, "Grüße".encode(), ad=AD)
    assert aead.open_sealed(KEY, sealed, ad=AD, kind="transcript").decode() == "Grüße"
    with pytest.raises(IntegrityFailure, match="integrity check") as caught:
        aead.open_sealed(KEY, sealed, ad=AD + b"x", kind="transcript")
    assert "Grüße" not in str(caught.value)


def test_associated_data_fields_cannot_smuggle_separators() -> None:
    with pytest.raises(ValueError):
        aead.associated_data(kind="audio", owner="a\x00b", object_id="c")
