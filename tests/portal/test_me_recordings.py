"""The person's own recordings API: their session names the account, never the URL."""

from __future__ import annotations

import io
import wave
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from portal_helpers import CLIPS, DAY, household

from people.people_helpers import PASSWORD, bearer, sign_in
from smtp_sink import SmtpSink
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault


@pytest.fixture
def anna(client: TestClient, mailbox: SmtpSink) -> dict[str, str]:
    household(client, mailbox, password=PASSWORD)
    return bearer(sign_in(client, "anna@example.org"))


def _ids(client: TestClient, auth: dict[str, str], **params: str) -> list[str]:
    response = client.get("/api/v1/me/recordings", params=params, headers=auth)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return [item["id"] for item in response.json()["items"]]


def test_lists_own_recordings_newest_first_with_names_and_transcripts(
    client: TestClient, anna: dict[str, str]
) -> None:
    response = client.get("/api/v1/me/recordings", headers=anna)
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["id"] for i in items] == ["rec-kitchen-2", "rec-car-1", "rec-kitchen-1"]
    car = items[1]
    assert (car["device_name"], car["speaker_name"]) == ("Car", "Ben")
    assert car["transcript"] == "Navigate to the station"
    assert car["audio"] == "/api/v1/me/recordings/rec-car-1/audio"


def test_filters_by_date_device_member_and_transcript_words(
    client: TestClient, anna: dict[str, str]
) -> None:
    since = (DAY + timedelta(days=1)).replace(hour=0, minute=0).isoformat()
    until = (DAY + timedelta(days=2)).replace(hour=0, minute=0).isoformat()
    assert _ids(client, anna, **{"from": since, "to": until}) == ["rec-car-1"]
    assert _ids(client, anna, device="dev-kitchen") == ["rec-kitchen-2", "rec-kitchen-1"]
    assert _ids(client, anna, member="mem-anna") == ["rec-kitchen-1"]
    assert _ids(client, anna, q="TIMER tea") == ["rec-kitchen-2"]
    assert _ids(client, anna, q="timer station") == []


def test_pages_go_older_with_the_cursor(client: TestClient, anna: dict[str, str]) -> None:
    seen: list[str] = []
    params = {"limit": "2"}
    while True:
        page = client.get("/api/v1/me/recordings", params=params, headers=anna).json()
        seen += [i["id"] for i in page["items"]]
        if page["next"] is None:
            break
        params["before"] = page["next"]
    assert seen == [c.id for c in sorted(CLIPS, key=lambda c: c.captured_at, reverse=True)]


def test_search_pages_too(client: TestClient, anna: dict[str, str]) -> None:
    first = client.get("/api/v1/me/recordings", params={"q": "e", "limit": "1"}, headers=anna)
    assert first.json()["next"] is not None
    second = client.get(
        "/api/v1/me/recordings",
        params={"q": "e", "limit": "1", "before": first.json()["next"]},
        headers=anna,
    )
    assert second.json()["items"][0]["id"] == "rec-car-1"


def test_audio_is_whole_or_one_range(client: TestClient, anna: dict[str, str]) -> None:
    path = "/api/v1/me/recordings/rec-car-1/audio"
    whole = client.get(path, headers=anna)
    assert whole.status_code == 200
    assert whole.headers["accept-ranges"] == "bytes"
    with wave.open(io.BytesIO(whole.content)) as wav:
        assert wav.getnframes() == 48000  # three seconds at 16 kHz: the real file
    size = len(whole.content)
    # A span across the 64 KiB segment boundary, as a player seeking would ask.
    part = client.get(path, headers={**anna, "Range": "bytes=65000-70000"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 65000-70000/{size}"
    assert part.content == whole.content[65000:70001]
    tail = client.get(path, headers={**anna, "Range": "bytes=-10"})
    assert tail.content == whole.content[-10:]
    beyond = client.get(path, headers={**anna, "Range": f"bytes={size}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"


def test_another_persons_recording_is_not_found(
    client: TestClient, mailbox: SmtpSink, anna: dict[str, str]
) -> None:
    household(
        client,
        mailbox,
        account="acct-2",
        email="carl@example.org",
        password=PASSWORD,
        clips=(),
        devices={},
        members={},
    )
    carl = bearer(sign_in(client, "carl@example.org"))
    assert _ids(client, carl) == []
    response = client.get("/api/v1/me/recordings/rec-car-1/audio", headers=carl)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_operator_token_is_not_a_person(client: TestClient, anna: dict[str, str]) -> None:
    client.cookies.clear()  # only the operator's bearer token is left
    assert client.get("/api/v1/me/recordings").status_code == 401
    assert client.get("/api/v1/me/recordings/rec-car-1/audio").status_code == 401


def test_audio_that_fails_its_check_is_a_clean_error(
    client: TestClient, vault: Vault, anna: dict[str, str]
) -> None:
    # Swap two recordings' blobs: each is sealed to its own id, so neither opens.
    with vault.transaction() as session:
        car = session.get(Recording, "rec-car-1")
        kitchen = session.get(Recording, "rec-kitchen-1")
        assert car is not None and kitchen is not None
        blobs = car.audio_blob, kitchen.audio_blob
        car.audio_blob = "swap"
        session.flush()
        kitchen.audio_blob = blobs[0]
        session.flush()
        car.audio_blob = blobs[1]
    for headers in ({}, {"Range": "bytes=100-200"}):
        response = client.get("/api/v1/me/recordings/rec-car-1/audio", headers={**anna, **headers})
        assert response.status_code == 500
        assert response.json()["code"] == "integrity_error"
