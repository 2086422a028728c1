"""The portal's pages over HTTP: headers, CSRF, sign-in and sign-out, the voice history."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from portal_helpers import DAY, Clip, household

from people.people_helpers import PASSWORD, vault_with
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.recordings.pages import PAGE_SIZE
from voxkeep.vault import Vault

TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
def browser(vault: Vault, client: TestClient, mailbox: SmtpSink) -> TestClient:
    """A household in the vault, and a cookie-keeping client with no operator token."""
    household(client, mailbox, password=PASSWORD)
    return TestClient(create_app(vault), raise_server_exceptions=False, follow_redirects=False)


def csrf(page_text: str) -> str:
    found = TOKEN.search(page_text)
    assert found is not None, "no CSRF token in the page"
    return found.group(1)


def sign_in(browser: TestClient, password: str = PASSWORD) -> object:
    page = browser.get("/")
    return browser.post(
        "/",
        data={"email": "anna@example.org", "password": password, "csrf_token": csrf(page.text)},
    )


def test_sign_in_then_history_then_sign_out(browser: TestClient) -> None:
    signed = sign_in(browser)
    assert signed.status_code == 303 and signed.headers["location"] == "/history"
    page = browser.get("/history")
    assert page.status_code == 200
    assert "Navigate to the station" in page.text and "Kitchen speaker" in page.text
    assert 'src="/api/v1/me/recordings/rec-car-1/audio"' in page.text
    assert "anna@example.org" not in page.text
    out = browser.post("/sign-out", data={"csrf_token": csrf(page.text)})
    assert out.status_code == 303
    assert browser.get("/history").status_code == 303


def test_anonymous_history_goes_to_sign_in(browser: TestClient) -> None:
    response = browser.get("/history?device=dev-car")
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_every_page_has_a_strict_policy(browser: TestClient) -> None:
    pages = [browser.get("/"), browser.get("/history")]
    sign_in(browser)
    pages += [browser.get("/history"), browser.get("/history?from=nonsense")]
    pages.append(browser.post("/sign-out", data={}))  # refused: the error page
    for page in pages:
        policy = page.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "no-referrer"
        if page.status_code == 200:
            assert "<script>" not in page.text and "style=" not in page.text


def test_a_post_without_the_token_is_refused_and_changes_nothing(browser: TestClient) -> None:
    sign_in(browser)
    refused = browser.post("/sign-out", data={})
    assert refused.status_code == 403
    assert "This form could not be accepted" in refused.text
    wrong = browser.post("/sign-out", data={"csrf_token": "0" * 64})
    assert wrong.status_code == 403
    assert browser.get("/history").status_code == 200  # still signed in
    # Sign-in itself is protected too (no login CSRF).
    browser.cookies.clear()
    forged = browser.post("/", data={"email": "anna@example.org", "password": PASSWORD})
    assert forged.status_code == 403 and "voxkeep_session" not in forged.headers.get(
        "set-cookie", ""
    )


def test_sign_in_starts_a_new_session_and_ends_the_old(browser: TestClient) -> None:
    sign_in(browser)
    first = browser.cookies["voxkeep_session"]
    assert browser.get("/").headers["location"] == "/history"  # signed in: no form at /
    page = browser.get("/history")
    again = browser.post(
        "/",
        data={"email": "anna@example.org", "password": PASSWORD, "csrf_token": csrf(page.text)},
    )
    assert again.status_code == 303
    second = browser.cookies["voxkeep_session"]
    assert second != first
    stale = TestClient(browser.app, follow_redirects=False)
    stale.cookies.set("voxkeep_session", first)
    assert stale.get("/history").status_code == 303  # the old session has ended


def test_wrong_password_shows_an_error_summary(browser: TestClient) -> None:
    page = sign_in(browser, password="not the password at all")
    assert page.status_code == 401
    assert 'class="error-summary"' in page.text and 'href="#email"' in page.text
    assert "The e-mail address or the password is wrong" in page.text
    assert "<title>Error: Sign in" in page.text


def test_missing_fields_are_named_beside_each_field(browser: TestClient) -> None:
    page = browser.get("/")
    answer = browser.post("/", data={"csrf_token": csrf(page.text)})
    assert answer.status_code == 422
    assert 'id="email-error"' in answer.text and 'id="password-error"' in answer.text


def test_throttled_sign_in_says_how_many_minutes(browser: TestClient, settings: Settings) -> None:
    with vault_with(settings, signin_max_failures=2, signin_window_s=600) as (_, other):
        other.follow_redirects = False
        token = csrf(other.get("/").text)
        form = {"email": "anna@example.org", "password": "wrong wrong wrong", "csrf_token": token}
        for _ in range(2):
            assert other.post("/", data=form).status_code == 401
        page = other.post("/", data={**form, "password": PASSWORD})
    assert page.status_code == 429
    minutes = -(-int(page.headers["retry-after"]) // 60)
    assert f"Wait {minutes} minutes, then try again." in page.text
    assert 'href="#email"' in page.text


def test_language_follows_the_account_and_can_be_switched(browser: TestClient) -> None:
    sign_in(browser)
    page = browser.get("/history")
    assert '<html lang="en">' in page.text
    switched = browser.post(
        "/language",
        data={"lang": "fr", "next": "/history?device=dev-car", "csrf_token": csrf(page.text)},
    )
    assert switched.headers["location"] == "/history?device=dev-car"
    french = browser.get("/history")
    assert '<html lang="fr">' in french.text and "Historique vocal" in french.text


def test_language_switch_never_leaves_the_site(browser: TestClient) -> None:
    page = browser.get("/")
    for target in ("https://evil.example/", "//evil.example/"):
        answer = browser.post(
            "/language", data={"lang": "de", "next": target, "csrf_token": csrf(page.text)}
        )
        assert answer.headers["location"] == "/"


def test_history_filters_by_device_and_searches(browser: TestClient) -> None:
    sign_in(browser)
    car = browser.get("/history", params={"device": "dev-car"}).text
    assert "rec-car-1/audio" in car and "rec-kitchen-1/audio" not in car
    token = csrf(browser.get("/history").text)
    tea = browser.post("/history", data={"q": "tea", "csrf_token": token}).text
    assert "rec-kitchen-2/audio" in tea and "rec-car-1/audio" not in tea
    bad = browser.get("/history", params={"from": "31/03/2026"})
    assert 'href="#from"' in bad.text and "rec-car-1/audio" not in bad.text


def test_static_files_are_served(browser: TestClient) -> None:
    assert browser.get("/static/portal.css").status_code == 200
    htmx = browser.get("/static/vendor/htmx/htmx.min.js")
    assert htmx.status_code == 200 and b"htmx" in htmx.content


def test_history_pages_older_and_back(vault: Vault, client: TestClient, mailbox: SmtpSink) -> None:
    clips = tuple(
        Clip(f"rec-{n:02d}", "dev-car", None, DAY + timedelta(hours=n), f"Clip {n}", 0.2)
        for n in range(PAGE_SIZE + 2)
    )
    household(client, mailbox, password=PASSWORD, clips=clips)
    browser = TestClient(create_app(vault), follow_redirects=False)
    sign_in(browser)
    first = browser.get("/history", params={"device": "dev-car"}).text
    assert first.count('<li class="recording">') == PAGE_SIZE
    assert "rec-21/audio" in first and "rec-02/audio" in first and "rec-01/audio" not in first
    older = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert older is not None
    link = html.unescape(older.group(1))
    assert "device=dev-car" in link  # the filters stay on the way
    second = browser.get(link).text
    assert second.count('<li class="recording">') == 2
    assert "rec-01/audio" in second and "rec-00/audio" in second
    assert 'rel="next"' not in second and "Back to the newest" in second
