"""A household with real recordings, a person who can sign in to it, and that person's
browser: signed in, asking for a copy, re-entering the password, fetching the answer."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx2
from fastapi.testclient import TestClient

from console.console_helpers import csrf_of
from helpers import iso, make_wav
from people.people_helpers import PASSWORD, invite, register, set_password
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.jobs.worker import run_once
from voxkeep.vault import Vault

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


# The person's browser ----------------------------------------------------------------

ANSWER = re.compile(r'href="/answers/([^"/]+)"')


def browser_for(vault: Vault, email: str, password: str = PASSWORD) -> TestClient:
    """A new cookie-keeping browser, signed in to the portal as the person with this e-mail."""
    browser = TestClient(create_app(vault), raise_server_exceptions=False, follow_redirects=False)
    page = browser.get("/")
    signed = browser.post(
        "/", data={"email": email, "password": password, "csrf_token": csrf_of(page)}
    )
    assert signed.status_code == 303, signed.text
    return browser


def post(browser: TestClient, path: str, page: str | None = None, **fields: str) -> httpx2.Response:
    """Send the form on the page at `page` (default: path) with its CSRF token."""
    token = csrf_of(browser.get(page or path))
    return browser.post(path, data={"csrf_token": token, **fields})


def reauth(browser: TestClient, back: str, password: str = PASSWORD) -> httpx2.Response:
    page = browser.get("/reauth", params={"next": back})
    return browser.post(
        "/reauth", data={"csrf_token": csrf_of(page), "next": back, "password": password}
    )


def ask_for_a_copy(browser: TestClient) -> str:
    """File an access request through the pages (re-authenticating first); its id."""
    if browser.get("/requests/new/access").status_code == 303:
        assert reauth(browser, "/requests/new/access").headers["location"] == (
            "/requests/new/access"
        )
    sent = post(browser, "/requests/new/access")
    location = sent.headers["location"]
    assert sent.status_code == 303 and location.endswith("?sent")
    return location.removeprefix("/requests/").removesuffix("?sent")


def answered(vault: Vault, browser: TestClient, request_id: str) -> str:
    """Build and release the answer with the real job worker; its export id."""
    run_once(vault)
    found = ANSWER.search(browser.get(f"/requests/{request_id}").text)
    assert found is not None, "the request page links no answer"
    return found.group(1)
