"""The history's transcript search keeps the words out of every URL: the filter form
is posted with its CSRF token, a search answers with the page itself, and its paging
posts the words back; filters without words go to their URL, which may be kept."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from portal_helpers import DAY, Clip, household

from people.people_helpers import PASSWORD
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.recordings.pages import PAGE_SIZE
from voxkeep.vault import Vault

TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
URLS = re.compile(r'(?:href|src|action|hx-[a-z]+)="([^"]*)"')
WORD = "marmalade"  # in every clip's transcript, in no other text of the page


def _csrf(text: str) -> str:
    found = TOKEN.search(text)
    assert found is not None, "no CSRF token in the page"
    return found.group(1)


def _urls(text: str) -> list[str]:
    return [html.unescape(u) for u in URLS.findall(text)]


@pytest.fixture
def browser(vault: Vault, client: TestClient, mailbox: SmtpSink) -> TestClient:
    searched = [
        Clip(f"rec-{n:02d}", "dev-car", None, DAY + timedelta(hours=n), f"Buy {WORD} {n}", 0.2)
        for n in range(PAGE_SIZE + 2)
    ]
    tea = Clip("rec-tea", "dev-kitchen", None, DAY - timedelta(days=1), "Make tea", 0.2)
    clips = (*searched, tea)
    household(client, mailbox, password=PASSWORD, clips=clips)
    browser = TestClient(create_app(vault), follow_redirects=False)
    page = browser.get("/")
    signed = browser.post(
        "/",
        data={"email": "anna@example.org", "password": PASSWORD, "csrf_token": _csrf(page.text)},
    )
    assert signed.status_code == 303
    return browser


def test_the_filter_form_is_posted_with_a_csrf_token(browser: TestClient) -> None:
    page = browser.get("/history").text
    form = re.search(r'<form method="(\w+)" action="/history"[^>]*role="search"', page)
    assert form is not None and form.group(1) == "post"
    assert 'hx-history="false"' in page  # htmx keeps no copy of the page in localStorage
    refused = browser.post("/history", data={"q": WORD})  # no token
    assert refused.status_code == 403 and WORD not in refused.text


def test_a_search_answers_the_page_and_its_paging_posts_the_words(browser: TestClient) -> None:
    token = _csrf(browser.get("/history").text)
    first = browser.post("/history", data={"q": WORD, "device": "dev-car", "csrf_token": token})
    assert first.status_code == 200 and str(first.url).endswith("/history")
    assert first.text.count('<li class="recording">') == PAGE_SIZE
    assert "rec-tea/audio" not in first.text
    assert all(WORD not in url for url in _urls(first.text)), _urls(first.text)
    assert 'rel="next"' not in first.text  # no link to the next page: a form
    pager = re.search(r'<nav aria-label="Pages".*?</nav>', first.text, re.S)
    assert pager is not None
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', pager[0]))
    assert fields["q"] == WORD and fields["device"] == "dev-car" and fields["before"]
    second = browser.post("/history", data=fields)
    assert second.status_code == 200
    assert second.text.count('<li class="recording">') == 2
    assert "rec-01/audio" in second.text and "rec-00/audio" in second.text
    assert all(WORD not in url for url in _urls(second.text))
    assert "Back to the newest" in second.text  # a form too, with the words


def test_filters_without_words_go_to_their_url(browser: TestClient) -> None:
    token = _csrf(browser.get("/history").text)
    sent = browser.post(
        "/history", data={"q": "  ", "device": "dev-kitchen", "from": "", "csrf_token": token}
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/history?device=dev-kitchen"
    shown = browser.get(sent.headers["location"]).text
    assert "rec-tea/audio" in shown and "rec-00/audio" not in shown


def test_words_in_a_url_search_nothing(browser: TestClient) -> None:
    """An old bookmark with ?q= shows the unfiltered history and links without the words."""
    page = browser.get("/history", params={"q": "tea", "device": "dev-car"}).text
    assert "rec-21/audio" in page and "rec-tea/audio" not in page  # the device filter applies
    older = [url for url in _urls(page) if "before=" in url]
    assert older and all("q=" not in url and "tea" not in url for url in older)
