"""Helpers shared by the tests: real WAV files and API calls."""

from __future__ import annotations

import io
import json
import wave
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient


def make_wav(
    seconds: float = 0.5,
    *,
    rate: int = 16000,
    channels: int = 1,
    width: int = 2,
    marker: bytes = b"",
    seed: int = 0,
) -> bytes:
    """A real RIFF/WAVE PCM file; marker bytes are woven into the samples."""
    frames = int(seconds * rate)
    body = bytearray((i * 37 + seed * 101) % 251 for i in range(frames * channels * width))
    if marker:
        for at in range(0, len(body) - len(marker), max(len(marker), len(body) // 4)):
            body[at : at + len(marker)] = marker
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(bytes(body))
    return buffer.getvalue()


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def ago(**delta: float) -> str:
    return iso(datetime.now(UTC) - timedelta(**delta))


def setup_account(
    client: TestClient, account: str = "acct-1", devices: tuple[str, ...] = ("dev-1",)
) -> None:
    assert client.put(f"/api/v1/accounts/{account}", json={"language": "de"}).status_code in (
        200,
        201,
    )
    for device in devices:
        response = client.put(
            f"/api/v1/accounts/{account}/devices/{device}",
            json={"kind": "speaker", "name": "Küche", "registered_at": ago(days=400)},
        )
        assert response.status_code in (200, 201), response.text


def upload(
    client: TestClient,
    *,
    rec_id: str = "rec-1",
    account: str = "acct-1",
    device: str = "dev-1",
    audio: bytes | None = None,
    transcript: str | None = "Wie wird das Wetter morgen?",
    captured_at: str | None = None,
    metadata: bytes | None = None,
) -> Any:
    meta = (
        metadata
        or json.dumps(
            {
                "id": rec_id,
                "account": account,
                "device": device,
                "captured_at": captured_at or ago(hours=1),
                "language": "de",
                "transcript": transcript,
            }
        ).encode()
    )
    return client.post(
        "/api/v1/recordings",
        files={
            "metadata": (None, meta, "application/json"),
            "audio": ("clip.wav", audio if audio is not None else make_wav(), "audio/wav"),
        },
    )
