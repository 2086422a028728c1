"""The person's incident notices in the portal and the person's API: a banner on every
page while one is unread, the /notices page with the full text (which records read_at),
GET /api/v1/me/notices, and nobody sees another person's notice."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from portal_helpers import browser_for

from incidents.test_notices import ANNA, BEN, Pair, facts_for, send, two_people
from people.people_helpers import bearer
from people.people_helpers import sign_in as api_sign_in
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.audit.events import AuditAction
from voxkeep.audit.log import recent_events
from voxkeep.incidents import notices
from voxkeep.jobs.worker import run_once
from voxkeep.vault import Vault

BANNER = 'class="warning notice-banner"'
PORTAL_PAGES = ("/history", "/requests", "/retention", "/deletions", "/account/two-step")


@pytest.fixture
def pair(client: TestClient, mailbox: SmtpSink, vault: Vault) -> Pair:
    return two_people(client, mailbox, vault)


def test_the_banner_shows_on_every_page_until_the_notice_is_read(
    vault: Vault, pair: Pair, mailbox: SmtpSink
) -> None:
    anna = browser_for(vault, ANNA)
    assert BANNER not in anna.get("/history").text  # nothing to tell yet
    send(vault, pair, facts_for(pair), pair.anna)
    run_once(vault)
    for path in PORTAL_PAGES:
        page = anna.get(path)
        assert page.status_code == 200 and BANNER in page.text, path
        assert '<a href="/notices">' in page.text

    page = anna.get("/notices")
    assert page.status_code == 200 and BANNER not in page.text
    assert "Notices about your data" in page.text
    assert "were sent to another" in page.text and "Kitchen speaker, Car" in page.text
    assert "What we have done" in page.text and "We withdrew the answer at once" in page.text
    assert "Sent by e-mail on" in page.text and ">New<" in page.text
    assert "ben@example.org" not in page.text and "Hall" not in page.text
    (told,) = notices.incident_notices(vault, pair.incident)
    assert told.read_at is not None
    for path in PORTAL_PAGES:
        assert BANNER not in anna.get(path).text, path
    again = anna.get("/notices")
    assert ">New<" not in again.text
    assert notices.incident_notices(vault, pair.incident)[0].read_at == told.read_at  # first
    read = [
        e for e in recent_events(vault, limit=50) if e.action == AuditAction.INCIDENT_NOTICE_READ
    ]
    assert [e.objects["account"] for e in read] == [told.account]
    assert read[0].actor == told.account


def test_the_page_shows_notices_newest_first_in_the_page_language(
    vault: Vault, pair: Pair, mailbox: SmtpSink
) -> None:
    ben = browser_for(vault, BEN)
    assert "Es gibt keine Mitteilungen für Sie." in ben.get("/notices").text
    send(vault, pair, facts_for(pair), pair.ben)  # not mailed yet: no worker ran
    page = ben.get("/notices")
    assert "Noch nicht per E-Mail gesendet." in page.text
    assert "Was wir getan haben" in page.text and "Keine Ihrer eigenen Aufnahmen." in page.text


def test_the_api_lists_only_the_persons_own_notices(
    client: TestClient, vault: Vault, pair: Pair, mailbox: SmtpSink
) -> None:
    (anna_notice,) = send(vault, pair, facts_for(pair), pair.anna).queued
    run_once(vault)
    anna = bearer(api_sign_in(client, ANNA))
    ben = bearer(api_sign_in(client, BEN))
    mine = client.get("/api/v1/me/notices", headers=anna)
    assert mine.status_code == 200 and mine.headers["cache-control"] == "no-store"
    (item,) = mine.json()
    assert item["id"] == anna_notice and item["incident"] == pair.incident
    assert item["mailed_at"] is not None and item["read_at"] is None  # the API reads, not marks
    assert "Kitchen speaker" in item["body"] and item["subject"] in (
        m.subject for m in mailbox.to(ANNA)
    )
    assert [s["heading"] for s in item["sections"]][:2] == ["What happened", "What it concerns"]
    assert client.get(f"/api/v1/me/notices/{anna_notice}", headers=anna).json() == item
    assert client.get("/api/v1/me/notices", headers=ben).json() == []
    other = client.get(f"/api/v1/me/notices/{anna_notice}", headers=ben)
    assert other.status_code == 404 and "Kitchen" not in other.text
    with TestClient(create_app(vault), raise_server_exceptions=False) as nobody:
        assert nobody.get("/api/v1/me/notices").status_code == 401


def test_another_person_sees_no_banner_and_none_of_the_notices(
    vault: Vault, pair: Pair, mailbox: SmtpSink
) -> None:
    send(vault, pair, facts_for(pair), pair.anna)
    ben = browser_for(vault, BEN)
    assert BANNER not in ben.get("/history").text
    page = ben.get("/notices").text
    assert "Kitchen speaker" not in page and not re.search(pair.incident, page)
    assert notices.incident_notices(vault, pair.incident)[0].read_at is None
