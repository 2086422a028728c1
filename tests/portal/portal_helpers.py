"""A household with real recordings, and a person who can sign in to it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from helpers import iso, make_wav
from people.people_helpers import invite, register, set_password
from smtp_sink import SmtpSink

# Fixed days in the past, so date filters have known answers.
DAY = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Clip:
    id: str
    device: str
    speaker: str | None
    captured_at: datetime
    transcript: str
    seconds: float = 2.0


CLIPS = (
    Clip("rec-kitchen-1", "dev-kitchen", "mem-anna", DAY, "Wie wird das Wetter morgen"),
    Clip(
        "rec-car-1", "dev-car", "mem-ben", DAY + timedelta(days=1), "Navigate to the station", 3.0
    ),
    Clip("rec-kitchen-2", "dev-kitchen", None, DAY + timedelta(days=2), "Set a timer for tea"),
)
DEVICES = {"dev-kitchen": "Kitchen speaker", "dev-car": "Car"}
MEMBERS = {"mem-anna": "Anna", "mem-ben": "Ben"}


def upload_clip(client: TestClient, account: str, clip: Clip) -> None:
    meta = {
        "id": clip.id,
        "account": account,
        "device": clip.device,
        "captured_at": iso(clip.captured_at),
        "language": "en",
        "transcript": clip.transcript,
    }
    if clip.speaker:
        meta["speaker"] = clip.speaker
    response = client.post(
        "/api/v1/recordings",
        files={
            "metadata": (None, json.dumps(meta).encode(), "application/json"),
            "audio": ("clip.wav", make_wav(clip.seconds, seed=len(clip.id)), "audio/wav"),
        },
    )
    assert response.status_code == 201, response.text


def household(
    client: TestClient,
    mailbox: SmtpSink,
    *,
    account: str = "acct-1",
    email: str = "anna@example.org",
    password: str,
    clips: tuple[Clip, ...] = CLIPS,
    devices: dict[str, str] = DEVICES,
    members: dict[str, str] = MEMBERS,
    language: str = "en",
) -> None:
    """An account with devices, members and recordings, whose owner has a password.

    client must carry the operator's token (the `client` fixture does)."""
    register(client, account, email, language=language)
    for device, name in devices.items():
        response = client.put(
            f"/api/v1/accounts/{account}/devices/{device}",
            json={"kind": "speaker", "name": name, "registered_at": iso(DAY - timedelta(days=30))},
        )
        assert response.status_code in (200, 201), response.text
    for member, name in members.items():
        response = client.put(f"/api/v1/accounts/{account}/members/{member}", json={"name": name})
        assert response.status_code in (200, 201), response.text
    for clip in clips:
        upload_clip(client, account, clip)
    assert (
        set_password(client, invite(client, mailbox, account, email), password).status_code == 204
    )


OTHER_CLIPS = (Clip("rec-hall-1", "dev-hall", None, DAY, "Play the radio"),)


def other_household(client: TestClient, mailbox: SmtpSink, *, password: str) -> None:
    """A second account (ben@example.org) with one device and one recording of its own."""
    household(
        client,
        mailbox,
        account="acct-2",
        email="ben@example.org",
        password=password,
        clips=OTHER_CLIPS,
        devices={"dev-hall": "Hall"},
        members={},
    )
