"""The portal's requests and answers over HTTP: re-authentication and its `next`, asking
for a copy, the timeline in words, withdrawing, the answer's page, the download behind a
fresh re-authentication, "this is not my data", and another person's pages."""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from portal_helpers import DAY, Clip, answered, ask_for_a_copy, household, post, reauth
from test_pages import csrf, sign_in

import staff_totp
from people.people_helpers import PASSWORD
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.jobs.worker import run_once
from voxkeep.people.staff import add_staff
from voxkeep.requests import service, verification
from voxkeep.requests.models import Channel, DataRequest, RequestKind
from voxkeep.vault import Vault


@pytest.fixture
def browser(vault: Vault, client: TestClient, mailbox: SmtpSink) -> TestClient:
    household(client, mailbox, password=PASSWORD)
    visitor = TestClient(create_app(vault), raise_server_exceptions=False, follow_redirects=False)
    sign_in(visitor)
    return visitor


def stale(browser: TestClient) -> None:
    """Sign out and in again: a new session, whose password was not re-entered yet."""
    post(browser, "/sign-out", "/requests")
    sign_in(browser)


# Re-authentication ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/requests",
        "//evil.example/requests",
        "/\\evil.example/requests",
        "/\t/evil.example/requests",
        "http:/evil.example",
        "javascript:alert(1)",
        "requests",
    ],
)
def test_reauth_next_never_leaves_the_site(browser: TestClient, target: str) -> None:
    shown = browser.get("/reauth", params={"next": target})
    assert shown.status_code == 200
    assert 'name="next" value="/history"' in shown.text  # the target was dropped
    done = reauth(browser, target)
    assert done.status_code == 303
    assert done.headers["location"] == "/history"


def test_reauth_returns_to_a_local_path(browser: TestClient) -> None:
    done = reauth(browser, "/requests?x=1")
    assert done.headers["location"] == "/requests?x=1"


def test_a_wrong_password_confirms_nothing(browser: TestClient) -> None:
    wrong = reauth(browser, "/requests/new/access", password="not the password at all")
    assert wrong.status_code == 403
    text = wrong.text
    assert 'class="error-summary"' in text and 'href="#password"' in text
    assert "The password is wrong" in text and "<title>Error: Confirm your password" in text
    assert 'name="next" value="/requests/new/access"' in text
    assert browser.get("/requests/new/access").status_code == 303  # still not confirmed


def test_reauth_needs_a_signed_in_person(vault: Vault) -> None:
    anonymous = TestClient(create_app(vault), follow_redirects=False)
    assert anonymous.get("/reauth?next=/requests").headers["location"] == "/"


# Requests --------------------------------------------------------------------------------


def test_asking_for_a_copy_reauthenticates_first_then_files_it(browser: TestClient) -> None:
    listed = browser.get("/requests")
    assert listed.status_code == 200 and "You have not made any requests yet." in listed.text
    assert listed.headers["cache-control"] == "no-store"
    first = browser.get("/requests/new/access")
    assert first.status_code == 303
    to = urlsplit(first.headers["location"])
    assert to.path == "/reauth" and parse_qs(to.query) == {"next": ["/requests/new/access"]}
    assert reauth(browser, "/requests/new/access").headers["location"] == "/requests/new/access"
    form = browser.get("/requests/new/access")
    assert form.status_code == 200 and "Send the request" in form.text
    request_id = ask_for_a_copy(browser)
    page = browser.get(f"/requests/{request_id}?sent").text
    assert "Your request has been sent" in page
    for words in (
        "We received your request.",
        "We confirmed that the request is yours.",
        "We started putting your data together.",
        "Being worked on",
        "Answer due by",
    ):
        assert words in page, words
    assert "Withdraw this request" not in page  # work on it has started
    assert f'href="/requests/{request_id}"' in browser.get("/requests").text
    again = post(browser, "/requests/new/access")
    assert again.status_code == 409  # one open request a kind


def test_an_unknown_kind_is_not_found(browser: TestClient) -> None:
    assert browser.get("/requests/new/everything").status_code == 404


def test_a_staff_entered_request_can_be_withdrawn_and_shows_address_steps(
    vault: Vault, client: TestClient, browser: TestClient
) -> None:
    add_staff(vault, name="alice", roles=("agent",), actor="system:test", password=PASSWORD)
    alice = staff_totp.sign_in(vault, "alice", PASSWORD).session
    request_id = service.enter_request(
        vault, staff=alice, account="acct-1", kind=RequestKind.ERASURE, channel=Channel.POST
    )
    moved = client.put("/api/v1/accounts/acct-1", json={"email": "anna.new@example.org"})
    assert moved.status_code == 200, moved.text
    verification.confirm_address(vault, staff=alice, request_id=request_id)
    page = browser.get(f"/requests/{request_id}").text
    assert "The e-mail address of your account was changed." in page
    assert "Our staff confirmed the new e-mail address for this request." in page
    assert "anna.new@example.org" not in page
    assert f'href="/requests/{request_id}/withdraw"' in page
    confirm = browser.get(f"/requests/{request_id}/withdraw")
    assert confirm.status_code == 200 and "Withdraw the request" in confirm.text
    done = post(browser, f"/requests/{request_id}/withdraw")
    assert done.headers["location"] == f"/requests/{request_id}?withdrawn"
    after = browser.get(f"/requests/{request_id}?withdrawn").text
    assert "You withdrew this request." in after and "Cancelled" in after
    assert "Withdraw this request" not in after
    with vault.reading() as session:
        row = session.get(DataRequest, request_id)
        assert row is not None and row.state == "cancelled"


def test_the_timeline_and_statuses_are_in_the_pages_language(browser: TestClient) -> None:
    request_id = ask_for_a_copy(browser)
    post(browser, "/language", "/requests", lang="de", next="/requests")
    german = browser.get(f"/requests/{request_id}").text
    assert '<html lang="de">' in german and "Wir haben Ihre Anfrage erhalten." in german
    post(browser, "/language", "/requests", lang="fr", next="/requests")
    french = browser.get("/requests").text
    assert "Vos demandes" in french and "En cours de traitement" in french


# Answers ---------------------------------------------------------------------------------


def test_the_download_needs_a_fresh_reauthentication_and_comes_back(
    vault: Vault, browser: TestClient
) -> None:
    export_id = answered(vault, browser, ask_for_a_copy(browser))
    stale(browser)
    page = browser.get(f"/answers/{export_id}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "It has not been downloaded yet." in page.text
    refused = browser.get(f"/answers/{export_id}/download")
    assert refused.status_code == 303
    to = urlsplit(refused.headers["location"])
    assert to.path == "/reauth" and parse_qs(to.query) == {"next": [f"/answers/{export_id}"]}
    back = reauth(browser, f"/answers/{export_id}")
    assert back.headers["location"] == f"/answers/{export_id}"
    got = browser.get(f"/answers/{export_id}/download", headers={"User-Agent": "Tests/1.0"})
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    assert got.headers["accept-ranges"] == "bytes" and got.headers["cache-control"] == "no-store"
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(got.content)).namelist()
    part = browser.get(f"/answers/{export_id}/download", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == got.content[:100]
    listed = browser.get(f"/answers/{export_id}").text
    assert "Tests/1.0" in listed and "testclient" in listed
    assert "The whole answer" in listed and "Bytes 0 to 99" in listed


def test_this_is_not_my_data_withdraws_the_answer_and_says_what_follows(
    vault: Vault, browser: TestClient
) -> None:
    export_id = answered(vault, browser, ask_for_a_copy(browser))
    page = browser.get(f"/answers/{export_id}").text
    assert f'href="/answers/{export_id}/not-mine"' in page
    # Prominent: before the download, in its own warning box.
    assert page.index("This is not my data") < page.index("Download the answer")
    confirm = browser.get(f"/answers/{export_id}/not-mine")
    assert confirm.status_code == 200 and "Yes, this is not my data" in confirm.text
    # Nothing happened yet: a GET changes nothing.
    assert browser.get(f"/answers/{export_id}/reported").headers["location"] == (
        f"/answers/{export_id}"
    )
    done = post(browser, f"/answers/{export_id}/not-mine")
    assert done.headers["location"] == f"/answers/{export_id}/reported"
    shown = browser.get(f"/answers/{export_id}/reported")
    assert shown.status_code == 200
    assert "Nobody can download it any more." in shown.text
    assert re.search(r"Incident reference: [0-9a-f]{32}", shown.text)
    assert "within 72 hours" in shown.text
    refused = browser.get(f"/answers/{export_id}/download")
    assert refused.status_code == 410 and "withdrawn" in refused.text
    after = browser.get(f"/answers/{export_id}").text
    assert "You told us that this is not your data." in after
    assert f"/answers/{export_id}/download" not in after


def test_another_persons_request_and_answer_pages_are_not_found(
    vault: Vault, client: TestClient, mailbox: SmtpSink, browser: TestClient
) -> None:
    request_id = ask_for_a_copy(browser)
    export_id = answered(vault, browser, request_id)
    household(
        client,
        mailbox,
        account="acct-2",
        email="bert@example.org",
        password=PASSWORD,
        clips=(Clip("rec-bert-1", "dev-bert", None, DAY, "Hallo"),),
        devices={"dev-bert": "Speaker"},
        members={},
    )
    bert = TestClient(create_app(vault), raise_server_exceptions=False, follow_redirects=False)
    page = bert.get("/")
    bert.post(
        "/",
        data={"email": "bert@example.org", "password": PASSWORD, "csrf_token": csrf(page.text)},
    )
    reauth(bert, "/requests")
    for path in (
        f"/requests/{request_id}",
        f"/requests/{request_id}/withdraw",
        f"/answers/{export_id}",
        f"/answers/{export_id}/download",
        f"/answers/{export_id}/not-mine",
        f"/answers/{export_id}/reported",
    ):
        answer = bert.get(path)
        assert answer.status_code == 404, path
        assert "Anna" not in answer.text and "anna@example.org" not in answer.text
    token = csrf(bert.get("/requests").text)
    for path in (f"/answers/{export_id}/not-mine", f"/requests/{request_id}/withdraw"):
        assert bert.post(path, data={"csrf_token": token}).status_code == 404, path
    # Anna's answer is untouched.
    assert "It has not been downloaded yet." in browser.get(f"/answers/{export_id}").text


def test_anonymous_visitors_are_sent_to_sign_in(vault: Vault) -> None:
    anonymous = TestClient(create_app(vault), follow_redirects=False)
    for path in ("/requests", "/requests/new/access", "/requests/rq_x", "/answers/x/download"):
        assert anonymous.get(path).headers["location"] == "/", path


def test_the_api_says_what_the_pages_show(
    vault: Vault, client: TestClient, browser: TestClient
) -> None:
    """can_withdraw and the incident of "not mine" reach a client app too (same services)."""
    request_id = ask_for_a_copy(browser)
    export_id = answered(vault, browser, request_id)
    api = TestClient(create_app(vault), raise_server_exceptions=False)
    api.cookies.set("voxkeep_session", browser.cookies["voxkeep_session"])
    mine = api.get(f"/api/v1/requests/mine/{request_id}").json()
    assert mine["can_withdraw"] is False and mine["export_id"] == export_id
    assert api.get(f"/api/v1/exports/{export_id}").json()["incident"] is None
    incident = api.post(f"/api/v1/exports/{export_id}/not-mine").json()["incident"]
    assert api.get(f"/api/v1/exports/{export_id}").json()["incident"] == incident
    assert [e["incident"] for e in api.get("/api/v1/exports").json()] == [incident]
    assert f"Incident reference: {incident}" in browser.get(f"/answers/{export_id}").text


def test_a_form_sent_with_a_stale_password_check_goes_to_reauth_and_back(
    browser: TestClient,
) -> None:
    reauth(browser, "/requests")
    assert browser.get("/requests/new/portability").status_code == 200  # fresh: the form
    stale(browser)
    token = csrf(browser.get("/requests").text)  # the new session's token
    sent = browser.post("/requests/new/portability", data={"csrf_token": token})
    assert sent.status_code == 303
    assert sent.headers["location"] == "/reauth?next=%2Frequests%2Fnew%2Fportability"
    assert browser.get("/requests").text.count('<td><a href="/requests/rq_') == 0


def test_asking_for_erasure_warns_then_erases_and_ends_the_session(
    vault: Vault, browser: TestClient, mailbox: SmtpSink
) -> None:
    reauth(browser, "/requests")
    form = browser.get("/requests/new/erasure").text
    assert "This cannot be undone" in form and "Yes, erase my data" in form
    sent = post(browser, "/requests/new/erasure")
    request_id = sent.headers["location"].removeprefix("/requests/").removesuffix("?sent")
    assert "We started erasing your data." in browser.get(f"/requests/{request_id}").text
    run_once(vault)
    receipt = mailbox.wait_for("anna@example.org", count=2)[-1]
    assert receipt.subject == "Your data has been erased"
    assert browser.get("/requests").headers["location"] == "/"  # the account is gone
