"""The portal's deleting and retention pages over HTTP: confirmation before anything goes,
the receipt after, CSRF, another's recordings untouchable, re-authentication first."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from portal_helpers import CLIPS, household, other_household
from sqlalchemy import select
from test_me_deletions import stored

from people.people_helpers import PASSWORD
from smtp_sink import SmtpSink
from voxkeep.accounts.models import Account
from voxkeep.app import create_app
from voxkeep.vault import Vault

TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf(page_text: str) -> str:
    found = TOKEN.search(page_text)
    assert found is not None, "no CSRF token in the page"
    return found.group(1)


def signed_in(vault: Vault, email: str) -> TestClient:
    browser = TestClient(create_app(vault), raise_server_exceptions=False, follow_redirects=False)
    page = browser.get("/")
    answer = browser.post(
        "/", data={"email": email, "password": PASSWORD, "csrf_token": csrf(page.text)}
    )
    assert answer.status_code == 303
    return browser


@pytest.fixture
def anna(vault: Vault, client: TestClient, mailbox: SmtpSink) -> TestClient:
    household(client, mailbox, password=PASSWORD)
    return signed_in(vault, "anna@example.org")


@pytest.fixture
def ben(vault: Vault, client: TestClient, mailbox: SmtpSink, anna: TestClient) -> TestClient:
    other_household(client, mailbox, password=PASSWORD)
    return signed_in(vault, "ben@example.org")


def confirm(browser: TestClient, page: str, **form: str | list[str]) -> str:
    """POST form from a page's token; returns the next page's text (a 200)."""
    data: dict[str, str | list[str]] = {"csrf_token": csrf(page), **form}
    answer = browser.post("/delete/confirm", data=data)
    assert answer.status_code == 200, answer.text
    return answer.text


def test_history_selection_confirms_then_deletes_and_shows_the_receipt(
    anna: TestClient, vault: Vault
) -> None:
    history = anna.get("/history").text
    assert 'name="recording" value="rec-car-1"' in history
    page = confirm(anna, history, recording=["rec-car-1", "rec-kitchen-1"])
    assert "You are about to delete the recordings you selected: 2." in page
    assert "This cannot be undone" in page
    assert stored(vault) == {c.id for c in CLIPS}  # confirming asks; nothing went yet
    done = anna.post(
        "/delete",
        data={
            "csrf_token": csrf(page),
            "kind": "selection",
            "recording": ["rec-car-1", "rec-kitchen-1"],
        },
    )
    assert done.status_code == 303
    receipt_path = done.headers["location"]
    assert receipt_path.startswith("/deletions/") and "rec-" not in receipt_path
    receipt = anna.get(receipt_path)
    assert receipt.status_code == 200 and receipt.headers["cache-control"] == "no-store"
    assert "Recordings deleted: 2." in receipt.text
    assert "Recordings you selected (2)" in receipt.text
    assert stored(vault) == {"rec-kitchen-2"}
    listed = anna.get("/deletions").text
    assert receipt_path in listed


def test_one_recording_from_its_button(anna: TestClient, vault: Vault) -> None:
    history = anna.get("/history").text
    page = confirm(anna, history, only="rec-car-1", recording="rec-kitchen-1")
    assert "You are about to delete 1 recording: the one from 2026-03-11 09:30 UTC." in page
    anna.post(
        "/delete", data={"csrf_token": csrf(page), "kind": "recording", "recording": "rec-car-1"}
    )
    assert stored(vault) == {"rec-kitchen-1", "rec-kitchen-2"}


def test_a_date_range_and_a_device_say_what_will_go(anna: TestClient, vault: Vault) -> None:
    history = anna.get("/history?from=2026-03-11&to=2026-03-12").text
    link = re.search(r'href="(/delete\?kind=range[^"]*)"', history)
    assert link is not None
    page = anna.get(link.group(1).replace("&amp;", "&")).text
    assert "You are about to delete every recording from 2026-03-11 to 2026-03-12: 2." in page
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    anna.post(
        "/delete",
        data={
            "csrf_token": csrf(page),
            "kind": "range",
            "from": query["from"][0],
            "to": query["to"][0],
        },
    )
    assert stored(vault) == {"rec-kitchen-1"}
    device = anna.get("/delete?kind=device&device=dev-kitchen").text
    assert "every recording of the device “Kitchen speaker”: 1." in device


def test_another_persons_recording_cannot_be_deleted_from_a_page(
    anna: TestClient, ben: TestClient, vault: Vault
) -> None:
    before = stored(vault)
    history = ben.get("/history").text
    asked = ben.post("/delete/confirm", data={"csrf_token": csrf(history), "only": "rec-car-1"})
    assert asked.status_code == 404
    forged = ben.post(
        "/delete",
        data={"csrf_token": csrf(history), "kind": "recording", "recording": "rec-car-1"},
    )
    assert forged.status_code == 404
    assert stored(vault) == before
    # The same form with Ben's own recording does delete: the 404 was about ownership.
    own = ben.post(
        "/delete",
        data={"csrf_token": csrf(history), "kind": "recording", "recording": "rec-hall-1"},
    )
    assert own.status_code == 303
    assert stored(vault) == before - {"rec-hall-1"}


def test_a_post_without_the_csrf_token_deletes_nothing(anna: TestClient, vault: Vault) -> None:
    for form in (
        {"kind": "recording", "recording": "rec-car-1"},
        {"kind": "recording", "recording": "rec-car-1", "csrf_token": "0" * 64},
    ):
        refused = anna.post("/delete", data=form)
        assert refused.status_code == 403
        assert "This form could not be accepted" in refused.text
    assert anna.post("/retention", data={"retention": "dont_save"}).status_code == 403
    assert stored(vault) == {c.id for c in CLIPS}


def test_deleting_everything_asks_for_the_password_first(anna: TestClient, vault: Vault) -> None:
    page = anna.get("/delete?kind=all").text
    assert "You are about to delete all your recordings: 3." in page
    refused = anna.post("/delete", data={"csrf_token": csrf(page), "kind": "all"})
    assert refused.status_code == 303
    assert refused.headers["location"] == "/reauth?next=%2Fdelete%3Fkind%3Dall"
    assert stored(vault) == {c.id for c in CLIPS}
    again = anna.post("/api/v1/people/sessions/current/reauth", json={"password": PASSWORD})
    assert again.status_code == 200
    done = anna.post("/delete", data={"csrf_token": csrf(page), "kind": "all"})
    assert done.status_code == 303 and done.headers["location"].startswith("/deletions/")
    assert stored(vault) == set()


def test_retention_page_explains_and_changes_after_reauthentication(
    anna: TestClient, vault: Vault
) -> None:
    page = anna.get("/retention")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    assert "For 3 months (your choice now)" in text
    assert "Each recording is deleted 18 months after it was made." in text
    assert (
        "3 of the recordings stored now are older than that and are deleted within minutes." in text
    )
    refused = anna.post("/retention", data={"csrf_token": csrf(text), "retention": "18_months"})
    assert refused.headers["location"] == "/reauth?next=%2Fretention%3Fchoice%3D18_months"
    back = anna.get("/retention?choice=18_months").text
    assert re.search(r'value="18_months"[^>]* checked>', back)
    anna.post("/api/v1/people/sessions/current/reauth", json={"password": PASSWORD})
    changed = anna.post("/retention", data={"csrf_token": csrf(text), "retention": "18_months"})
    assert changed.headers["location"] == "/retention?changed"
    shown = anna.get("/retention?changed").text
    assert "Saved. Your recordings are now kept: For 18 months." in shown
    with vault.reading() as session:
        assert session.scalar(select(Account.retention)) == "18_months"


def test_anonymous_visitors_are_sent_to_sign_in(vault: Vault) -> None:
    browser = TestClient(create_app(vault), follow_redirects=False)
    for path in ("/retention", "/deletions", "/delete?kind=all"):
        answer = browser.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/"
