"""POST /api/v1/recordings rejects every malformed upload cleanly and stores nothing.

Each test changes exactly one thing from a valid upload (the control test shows
the valid one is accepted), then checks the exact status, the JSON error body
and that neither a recording row nor a blob file appeared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from helpers import (
    ago,
    assert_error,
    blob_contents,
    make_wav,
    pcm_wav,
    setup_account,
    stored_blobs,
)
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.recordings.models import Recording
from voxkeep.tokens.service import Scope, create_token, revoke_token
from voxkeep.vault import Vault, open_vault

ACCOUNTS = ("acct-1", "acct-2")


def meta(**changes: Any) -> dict[str, Any]:
    """Valid metadata for acct-1 / dev-1; keyword arguments replace (None drops) fields."""
    base: dict[str, Any] = {
        "id": "rec-1",
        "account": "acct-1",
        "device": "dev-1",
        "captured_at": ago(hours=1),
        "language": "de",
        "transcript": "Wie wird das Wetter morgen?",
        "speaker": "member-1",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def send(
    client: TestClient, *, metadata: dict[str, Any] | bytes, audio: bytes | None = None
) -> Any:
    raw = metadata if isinstance(metadata, bytes) else json.dumps(metadata).encode()
    return client.post(
        "/api/v1/recordings",
        files={
            "metadata": (None, raw, "application/json"),
            "audio": ("clip.wav", audio if audio is not None else make_wav(), "audio/wav"),
        },
    )


def outcome(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert body.get("discarded", False) is False  # (accounts here keep their recordings)
    return {k: body[k] for k in ("ok", "id", "created")}


def recording_rows(vault: Vault) -> int:
    with vault.reading() as session:
        return session.scalar(select(func.count()).select_from(Recording)) or 0


@pytest.fixture
def api(client: TestClient, vault: Vault) -> Iterator[TestClient]:
    """acct-1 (dev-1, member-1) and acct-2 (dev-2, member-2); nothing uploaded yet."""
    setup_account(client, "acct-1", ("dev-1",))
    setup_account(client, "acct-2", ("dev-2",))
    for account, member in (("acct-1", "member-1"), ("acct-2", "member-2")):
        put = client.put(f"/api/v1/accounts/{account}/members/{member}", json={"name": "Oma"})
        assert put.status_code == 201, put.text
    assert stored_blobs(vault.settings) == set()
    yield client


def assert_nothing_stored(client: TestClient, vault: Vault) -> None:
    for account in ACCOUNTS:
        page = client.get(f"/api/v1/accounts/{account}/recordings")
        assert page.status_code == 200, page.text
        assert page.json()["items"] == []
    assert recording_rows(vault) == 0
    assert stored_blobs(vault.settings) == set()


def rejected(
    client: TestClient, vault: Vault, response: Any, status: int, code: str
) -> dict[str, Any]:
    body = assert_error(response, status, code)
    assert_nothing_stored(client, vault)
    return body


# --- control -------------------------------------------------------------------


def test_valid_upload_is_stored(api: TestClient, vault: Vault) -> None:
    audio = make_wav(seed=5)
    response = send(api, metadata=meta(), audio=audio)
    assert response.status_code == 201, response.text
    assert outcome(response) == {"ok": True, "id": "rec-1", "created": True}
    assert [i["id"] for i in api.get("/api/v1/accounts/acct-1/recordings").json()["items"]] == [
        "rec-1"
    ]
    assert len(stored_blobs(vault.settings)) == 1
    assert api.get("/api/v1/accounts/acct-1/recordings/rec-1/audio").content == audio


# --- audio ---------------------------------------------------------------------


def test_truncated_riff(api: TestClient, vault: Vault) -> None:
    audio = make_wav(0.5)[:-1000]
    body = rejected(api, vault, send(api, metadata=meta(), audio=audio), 422, "invalid_audio")
    assert "truncated" in body["error"]


def test_truncated_below_minimum_header(api: TestClient, vault: Vault) -> None:
    audio = make_wav(0.5)[:30]
    body = rejected(api, vault, send(api, metadata=meta(), audio=audio), 422, "invalid_audio")
    assert "truncated" in body["error"]


@pytest.mark.parametrize(
    ("tag", "bits", "label"),
    [(3, 32, "IEEE float"), (2, 4, "Microsoft ADPCM"), (0x11, 4, "IMA ADPCM")],
)
def test_wrong_format_code(api: TestClient, vault: Vault, tag: int, bits: int, label: str) -> None:
    audio = pcm_wav(640, tag=tag, bits=bits)
    body = rejected(api, vault, send(api, metadata=meta(), audio=audio), 422, "invalid_audio")
    assert f"format code {tag}" in body["error"]
    assert label in body["error"]


def test_lying_riff_size(api: TestClient, vault: Vault) -> None:
    honest = pcm_wav(640)
    audio = pcm_wav(640, riff_size=len(honest) - 8 - 100)  # claims 100 bytes fewer
    body = rejected(api, vault, send(api, metadata=meta(), audio=audio), 422, "invalid_audio")
    assert "trailing data" in body["error"]


def test_huge_declared_chunk_length(api: TestClient, vault: Vault) -> None:
    audio = pcm_wav(640, data_size=0xFFFF_FFF0)
    body = rejected(api, vault, send(api, metadata=meta(), audio=audio), 422, "invalid_audio")
    assert str(0xFFFF_FFF0) in body["error"]


def test_32_bit_pcm(api: TestClient, vault: Vault) -> None:
    audio = pcm_wav(640, bits=32)
    body = rejected(api, vault, send(api, metadata=meta(), audio=audio), 422, "invalid_audio")
    assert "32 bits per sample" in body["error"]


def test_96_khz(api: TestClient, vault: Vault) -> None:
    audio = pcm_wav(1920, rate=96000)
    body = rejected(api, vault, send(api, metadata=meta(), audio=audio), 422, "invalid_audio")
    assert "96000 Hz" in body["error"]


def test_not_a_wav_at_all(api: TestClient, vault: Vault) -> None:
    audio = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4  # an MP3's start
    rejected(api, vault, send(api, metadata=meta(), audio=audio), 422, "invalid_audio")


def test_empty_audio_part(api: TestClient, vault: Vault) -> None:
    response = api.post(
        "/api/v1/recordings",
        files={
            "metadata": (None, json.dumps(meta()).encode(), "application/json"),
            "audio": ("clip.wav", b"", "audio/wav"),
        },
    )
    body = rejected(api, vault, response, 422, "invalid_audio")
    assert "empty" in body["error"]


# --- metadata ------------------------------------------------------------------


def test_non_utf8_transcript_bytes(api: TestClient, vault: Vault) -> None:
    # Latin-1, stray bytes, an overlong encoding and a UTF-8-encoded surrogate.
    for bad in (b"Gr\xfc\xdfe", b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80"):
        raw = json.dumps(meta(transcript="@@")).encode().replace(b"@@", bad)
        body = rejected(api, vault, send(api, metadata=raw), 422, "invalid_input")
        assert "UTF-8" in body["error"], bad


def test_non_utf8_metadata_key(api: TestClient, vault: Vault) -> None:
    raw = json.dumps(meta()).encode().replace(b'"language"', b'"l\xe4nguage"')
    body = rejected(api, vault, send(api, metadata=raw), 422, "invalid_input")
    assert "UTF-8" in body["error"]


def test_metadata_in_utf16(api: TestClient, vault: Vault) -> None:
    raw = json.dumps(meta()).encode("utf-16")
    rejected(api, vault, send(api, metadata=raw), 422, "invalid_input")


def test_lone_surrogate_escape_in_transcript(api: TestClient, vault: Vault) -> None:
    raw = json.dumps(meta(transcript="@@")).encode().replace(b"@@", b"a\\ud800b")
    rejected(api, vault, send(api, metadata=raw), 422, "invalid_input")


def test_nul_in_transcript(api: TestClient, vault: Vault) -> None:
    body = rejected(api, vault, send(api, metadata=meta(transcript="a\x00b")), 422, "invalid_input")
    assert "NUL" in body["error"]


def test_captured_at_in_the_future(api: TestClient, vault: Vault) -> None:
    when = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    body = rejected(api, vault, send(api, metadata=meta(captured_at=when)), 422, "invalid_input")
    assert "future" in body["error"]


def test_captured_at_without_timezone(api: TestClient, vault: Vault) -> None:
    naive = (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    body = rejected(api, vault, send(api, metadata=meta(captured_at=naive)), 422, "invalid_input")
    assert "`captured_at`" in body["error"]
    assert "with a time zone" in body["error"]


def test_unknown_device(api: TestClient, vault: Vault) -> None:
    body = rejected(api, vault, send(api, metadata=meta(device="dev-9")), 422, "invalid_input")
    assert "not registered" in body["error"]


def test_foreign_device(api: TestClient, vault: Vault) -> None:
    body = rejected(api, vault, send(api, metadata=meta(device="dev-2")), 422, "invalid_input")
    assert "different account" in body["error"]


def test_device_removed_before_capture(api: TestClient, vault: Vault) -> None:
    assert api.delete("/api/v1/accounts/acct-1/devices/dev-1").status_code == 200
    after_removal = (datetime.now(UTC) + timedelta(seconds=60)).isoformat()  # within clock skew
    response = send(api, metadata=meta(captured_at=after_removal))
    body = rejected(api, vault, response, 422, "invalid_input")
    assert "removed" in body["error"]


def test_unknown_account(api: TestClient, vault: Vault) -> None:
    body = rejected(api, vault, send(api, metadata=meta(account="acct-9")), 404, "not_found")
    assert "account" in body["error"]


def test_unknown_speaker(api: TestClient, vault: Vault) -> None:
    body = rejected(api, vault, send(api, metadata=meta(speaker="member-9")), 422, "invalid_input")
    assert "speaker" in body["error"]


def test_speaker_of_another_account(api: TestClient, vault: Vault) -> None:
    body = rejected(api, vault, send(api, metadata=meta(speaker="member-2")), 422, "invalid_input")
    assert "speaker" in body["error"]


def test_malformed_json(api: TestClient, vault: Vault) -> None:
    valid = json.dumps(meta()).encode()
    for raw in (
        b"{",
        b"",
        b"[]",
        b'"rec-1"',
        b"{'id': 'rec-1'}",
        b"null",
        valid[:-1],
        valid + b"x",
    ):
        body = rejected(api, vault, send(api, metadata=raw), 422, "invalid_input")
        assert "metadata" in body["error"], raw


def test_unknown_metadata_field(api: TestClient, vault: Vault) -> None:
    body = rejected(api, vault, send(api, metadata=meta(colour="red")), 422, "invalid_input")
    assert "colour" in body["error"]


def test_missing_metadata_field(api: TestClient, vault: Vault) -> None:
    for field in ("id", "account", "device", "captured_at", "language"):
        raw = meta()
        del raw[field]
        body = rejected(api, vault, send(api, metadata=raw), 422, "invalid_input")
        assert field in body["error"]


def test_unknown_language(api: TestClient, vault: Vault) -> None:
    rejected(api, vault, send(api, metadata=meta(language="xx")), 422, "invalid_input")


@pytest.mark.parametrize("missing", ["metadata", "audio"])
def test_missing_part(api: TestClient, vault: Vault, missing: str) -> None:
    parts = {
        "metadata": (None, json.dumps(meta()).encode(), "application/json"),
        "audio": ("clip.wav", make_wav(), "audio/wav"),
    }
    del parts[missing]
    body = rejected(api, vault, api.post("/api/v1/recordings", files=parts), 422, "invalid_input")
    assert "'metadata' part and an 'audio' part" in body["error"]


def test_extra_part(api: TestClient, vault: Vault) -> None:
    response = api.post(
        "/api/v1/recordings",
        files={
            "metadata": (None, json.dumps(meta()).encode(), "application/json"),
            "audio": ("clip.wav", make_wav(), "audio/wav"),
            "notes": (None, b"hello", "text/plain"),
        },
    )
    body = rejected(api, vault, response, 422, "invalid_input")
    assert "unexpected part" in body["error"]


def test_part_sent_twice(api: TestClient, vault: Vault) -> None:
    response = api.post(
        "/api/v1/recordings",
        files=[
            ("metadata", (None, json.dumps(meta()).encode(), "application/json")),
            ("audio", ("clip.wav", make_wav(), "audio/wav")),
            ("audio", ("clip2.wav", make_wav(seed=2), "audio/wav")),
        ],
    )
    body = rejected(api, vault, response, 422, "invalid_input")
    assert "twice" in body["error"]


def test_not_multipart(api: TestClient, vault: Vault) -> None:
    for content, content_type in (
        (json.dumps(meta()).encode(), "application/json"),
        (b"id=rec-1&account=acct-1", "application/x-www-form-urlencoded"),
        (make_wav(), "audio/wav"),
        (b"--x\r\n", "multipart/form-data"),  # no boundary parameter
        (b"--x\r\n", "multipart/mixed; boundary=x"),
    ):
        response = api.post(
            "/api/v1/recordings", content=content, headers={"content-type": content_type}
        )
        body = rejected(api, vault, response, 422, "invalid_input")
        assert "multipart/form-data" in body["error"], content_type


def test_malformed_multipart_body(api: TestClient, vault: Vault) -> None:
    response = api.post(
        "/api/v1/recordings",
        content=b"--xyz\r\nContent-Disposition: form-data; name=metadata\r\n\r\n{}",
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    rejected(api, vault, response, 422, "invalid_input")


BAD_IDS = ("rec/1", "réc-1", " rec-1", "-rec-1", "", "a" * 129, "rec 1", "rec\n", "../x", "a%2F")


@pytest.mark.parametrize("field", ["id", "account", "device", "speaker"])
def test_bad_id_characters(api: TestClient, vault: Vault, field: str) -> None:
    for value in BAD_IDS:
        response = send(api, metadata=meta(**{field: value}))
        body = rejected(api, vault, response, 422, "invalid_input")
        assert f"`{field}` must be 1–128 characters" in body["error"], value


# --- limits (a vault with small limits) ------------------------------------------------


LIMITS = {"max_transcript_chars": 40, "max_upload_bytes": 48_000, "max_duration_s": 1.0}


@pytest.fixture
def small(api: TestClient, settings: Settings, token: str) -> Iterator[TestClient]:
    """The same vault opened with small limits."""
    values = {name: getattr(settings, name) for name in Settings.model_fields}
    limited = open_vault(Settings(**(values | LIMITS)))
    try:
        with TestClient(create_app(limited), raise_server_exceptions=False) as test_client:
            test_client.headers["Authorization"] = f"Bearer {token}"
            yield test_client
    finally:
        limited.close()


def test_transcript_over_max_transcript_chars(small: TestClient, vault: Vault) -> None:
    too_long = "ü" * (LIMITS["max_transcript_chars"] + 1)
    response = send(small, metadata=meta(transcript=too_long))
    body = rejected(small, vault, response, 422, "invalid_input")
    assert "40 characters" in body["error"]


def test_transcript_at_max_transcript_chars_counts_characters(
    small: TestClient, vault: Vault
) -> None:
    exact = "ü" * int(LIMITS["max_transcript_chars"])  # 80 bytes of UTF-8, 40 characters
    response = send(small, metadata=meta(transcript=exact))
    assert response.status_code == 201, response.text
    got = small.get("/api/v1/accounts/acct-1/recordings/rec-1/transcript").json()
    assert got["transcript"] == exact


def test_audio_over_max_upload_bytes(small: TestClient, vault: Vault) -> None:
    header = len(pcm_wav(0))
    limit = int(LIMITS["max_upload_bytes"])
    audio = pcm_wav(limit - header + 2, rate=48000, bits=8)  # just over (even: no pad byte)
    assert len(audio) == limit + 2
    body = rejected(
        small, vault, send(small, metadata=meta(), audio=audio), 413, "payload_too_large"
    )
    assert body["error"] == "The 'audio' part is larger than 48000 bytes."


def test_body_far_over_max_upload_bytes_refused_from_content_length(
    small: TestClient, vault: Vault
) -> None:
    limit = int(LIMITS["max_upload_bytes"])
    audio = pcm_wav(b"\x01" * (limit + 300_000), rate=48000, bits=8)  # over limit + metadata cap
    response = send(small, metadata=meta(), audio=audio)
    body = rejected(small, vault, response, 413, "payload_too_large")
    assert body["error"] == "The upload is larger than the 48000-byte limit."


def test_audio_at_max_upload_bytes_accepted(small: TestClient, vault: Vault) -> None:
    header = len(pcm_wav(0))
    audio = pcm_wav(int(LIMITS["max_upload_bytes"]) - header, rate=48000)
    assert len(audio) == LIMITS["max_upload_bytes"]
    response = send(small, metadata=meta(), audio=audio)
    assert response.status_code == 201, response.text


def test_duration_over_max_duration_s(small: TestClient, vault: Vault) -> None:
    audio = pcm_wav(8001, rate=8000, bits=8)  # 1.000125 s of 8-bit mono, 8 kB
    response = send(small, metadata=meta(), audio=audio)
    body = rejected(small, vault, response, 422, "invalid_audio")
    assert "at most 1 s" in body["error"]


def test_duration_at_max_duration_s_accepted(small: TestClient, vault: Vault) -> None:
    response = send(small, metadata=meta(), audio=pcm_wav(8000, rate=8000, bits=8))
    assert response.status_code == 201, response.text
    assert small.get("/api/v1/accounts/acct-1/recordings/rec-1").json()["duration_ms"] == 1000


# --- authentication --------------------------------------------------------------


def test_missing_token(api: TestClient, vault: Vault, token: str) -> None:
    del api.headers["Authorization"]
    response = send(api, metadata=meta())
    body = assert_error(response, 401, "unauthorized")
    assert "token" in body["error"]
    api.headers["Authorization"] = f"Bearer {token}"
    assert_nothing_stored(api, vault)


def test_invalid_token(api: TestClient, vault: Vault, token: str) -> None:
    token_id = token.split("_")[1]
    for header in (
        "Bearer vk_000000000000_nope",
        f"Bearer vk_{token_id}_",
        f"Bearer vk_{token_id}",
        "Bearer nonsense",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
        token,  # the value without the scheme
    ):
        api.headers["Authorization"] = header
        assert_error(send(api, metadata=meta()), 401, "unauthorized")
    api.headers["Authorization"] = f"Bearer {token}"
    assert_nothing_stored(api, vault)


def test_token_with_wrong_secret(api: TestClient, vault: Vault, token: str) -> None:
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    api.headers["Authorization"] = f"Bearer {forged}"
    assert_error(send(api, metadata=meta()), 401, "unauthorized")
    api.headers["Authorization"] = f"Bearer {token}"
    assert_nothing_stored(api, vault)


def test_revoked_token(api: TestClient, vault: Vault, token: str) -> None:
    with vault.transaction() as session:
        info, value = create_token(session, name="soon revoked", scopes=[Scope.INGEST], actor="t")
    with vault.transaction() as session:
        revoke_token(session, info.id, actor="t")
    api.headers["Authorization"] = f"Bearer {value}"
    body = assert_error(send(api, metadata=meta()), 401, "unauthorized")
    assert "revoked" in body["error"]
    api.headers["Authorization"] = f"Bearer {token}"
    assert_nothing_stored(api, vault)


def test_token_lacking_ingest_scope(api: TestClient, vault: Vault, token: str) -> None:
    with vault.transaction() as session:
        _, value = create_token(session, name="reader", scopes=[Scope.READ], actor="t")
    api.headers["Authorization"] = f"Bearer {value}"
    body = assert_error(send(api, metadata=meta()), 403, "forbidden")
    assert "ingest" in body["error"]
    api.headers["Authorization"] = f"Bearer {token}"
    assert_nothing_stored(api, vault)


# --- idempotency -------------------------------------------------------------------


def test_same_id_same_bytes_is_idempotent(api: TestClient, vault: Vault) -> None:
    audio = make_wav(0.3, seed=7)
    first = send(api, metadata=meta(), audio=audio)
    assert first.status_code == 201, first.text
    blobs = stored_blobs(vault.settings)
    again = send(api, metadata=meta(), audio=audio)
    assert again.status_code == 200, again.text
    assert outcome(again) == {"ok": True, "id": "rec-1", "created": False}
    items = api.get("/api/v1/accounts/acct-1/recordings").json()["items"]
    assert [i["id"] for i in items] == ["rec-1"]
    assert recording_rows(vault) == 1
    assert stored_blobs(vault.settings) == blobs
    assert api.get("/api/v1/accounts/acct-1/recordings/rec-1/audio").content == audio


def test_same_id_different_bytes_conflicts(api: TestClient, vault: Vault) -> None:
    audio = make_wav(0.3, seed=7)
    assert send(api, metadata=meta(), audio=audio).status_code == 201
    blobs = stored_blobs(vault.settings)
    stored = blob_contents(vault.settings)
    assert set(stored) == blobs
    other = make_wav(0.3, seed=8)
    body = assert_error(send(api, metadata=meta(), audio=other), 409, "conflict")
    assert "already exists" in body["error"]
    assert recording_rows(vault) == 1
    assert blob_contents(vault.settings) == stored
    assert api.get("/api/v1/accounts/acct-1/recordings/rec-1/audio").content == audio
    transcript = api.get("/api/v1/accounts/acct-1/recordings/rec-1/transcript").json()
    assert transcript["transcript"] == meta()["transcript"]


def test_repeats_of_recordings_stored_before_sealed_hashes(api: TestClient, vault: Vault) -> None:
    """Rows from before migration 0002 have no sealed hash: the blob answers instead."""
    audio = make_wav(0.3, seed=7)
    assert send(api, metadata=meta(), audio=audio).status_code == 201
    with vault.transaction() as session:
        session.execute(update(Recording).values(audio_sha256=None))
    again = send(api, metadata=meta(), audio=audio)
    assert again.status_code == 200 and outcome(again)["created"] is False, again.text
    assert_error(send(api, metadata=meta(), audio=make_wav(0.3, seed=8)), 409, "conflict")
    assert recording_rows(vault) == 1


def test_same_id_same_bytes_other_account_conflicts(api: TestClient, vault: Vault) -> None:
    audio = make_wav(0.3, seed=7)
    assert send(api, metadata=meta(), audio=audio).status_code == 201
    foreign = meta(account="acct-2", device="dev-2", speaker="member-2")
    assert_error(send(api, metadata=foreign, audio=audio), 409, "conflict")
    assert api.get("/api/v1/accounts/acct-2/recordings").json()["items"] == []
    assert recording_rows(vault) == 1
    assert len(stored_blobs(vault.settings)) == 1
