from __future__ import annotations

from fastapi.testclient import TestClient

from helpers import ago, make_wav, setup_account, upload


def test_upload_list_fetch_and_stream_audio(client: TestClient) -> None:
    setup_account(client)
    audio = make_wav(1.0, seed=3)
    response = upload(client, audio=audio)
    assert response.status_code == 201, response.text
    page = client.get("/api/v1/accounts/acct-1/recordings").json()
    assert [item["id"] for item in page["items"]] == ["rec-1"]
    assert page["items"][0]["duration_ms"] == 1000
    got = client.get("/api/v1/accounts/acct-1/recordings/rec-1/audio")
    assert got.status_code == 200
    assert got.content == audio
    transcript = client.get("/api/v1/accounts/acct-1/recordings/rec-1/transcript").json()
    assert transcript["transcript"] == "Wie wird das Wetter morgen?"


def test_api_docs_are_served_without_any_cdn(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text and "https://" not in page.text.split("<body")[1]
    script = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/recordings" in spec["paths"]


def test_the_recording_list_offers_a_next_page_only_when_one_exists(client: TestClient) -> None:
    setup_account(client)
    for n in range(3):
        assert upload(client, rec_id=f"rec-{n}", captured_at=ago(hours=3 - n)).status_code == 201
    whole = client.get("/api/v1/accounts/acct-1/recordings", params={"limit": 3}).json()
    assert [r["id"] for r in whole["items"]] == ["rec-0", "rec-1", "rec-2"]
    assert whole["next"] is None
    first = client.get("/api/v1/accounts/acct-1/recordings", params={"limit": 2}).json()
    assert [r["id"] for r in first["items"]] == ["rec-0", "rec-1"]
    rest = client.get(
        "/api/v1/accounts/acct-1/recordings", params={"limit": 2, "after": first["next"]}
    ).json()
    assert [r["id"] for r in rest["items"]] == ["rec-2"]
    assert rest["next"] is None
