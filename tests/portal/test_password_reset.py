"""Resetting a forgotten password with a mailed code: the same answer for every address,
a code that works once and expires, throttled entries, every session ended."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from people.people_helpers import OTHER_PASSWORD, PASSWORD, bearer, person, sign_in, vault_with
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.jobs.models import Job
from voxkeep.jobs.worker import run_once
from voxkeep.people.mails import RESET
from voxkeep.people.models import PersonResetCode
from voxkeep.vault import Vault

CODE = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", re.M)
EMAIL = "anna@example.org"
TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
def anna(client: TestClient, mailbox: SmtpSink) -> str:
    return person(client, mailbox, email=EMAIL)


def ask(client: TestClient, email: str = EMAIL) -> Any:
    """Ask for a code, then run the job that mails it (tests run jobs themselves)."""
    answer = client.post("/api/v1/people/password-reset", json={"email": email})
    run_once(client.app.state.vault)  # type: ignore[attr-defined]
    return answer


def code_from(mailbox: SmtpSink, count: int = 1) -> str:
    mails = mailbox.wait_for(EMAIL, count=count)
    found = CODE.search(mails[-1].body)
    assert found is not None, "no code in the mail"
    return found.group(1)


def use(
    client: TestClient, code: str, password: str = OTHER_PASSWORD, email: str = EMAIL
) -> object:
    return client.post(
        "/api/v1/people/password-reset/confirm",
        json={"email": email, "code": code, "password": password},
    )


def test_the_same_answer_whether_or_not_an_account_has_the_address(
    client: TestClient, mailbox: SmtpSink, anna: str
) -> None:
    before = len(mailbox.to(EMAIL))
    known, unknown = ask(client), ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    mails = mailbox.wait_for(EMAIL, count=before + 1)
    assert len(mails) == before + 1
    assert mails[-1].subject == RESET["de"][0]  # the account's language (people_helpers: de)
    assert mailbox.to("nobody@example.org") == []
    # And a wrong code for an unknown address fails exactly as for a known one.
    assert (
        use(client, "AAAA-AAAA", email="nobody@example.org").json()
        == use(client, "AAAA-AAAA").json()
    )


def test_the_answer_never_waits_for_the_mail_which_a_job_sends(
    client: TestClient, mailbox: SmtpSink, vault: Vault, anna: str
) -> None:
    """Registered addresses and an unknown one get the same answer, and none sends mail
    while answering (which would make a registered one slower): the code's mail is a
    job committed with the code, and arrives once the worker runs it. (The portal's
    page answers alike too: test_the_pages_ask_mail_and_set.)"""
    person(client, mailbox, account="acct-2", email="ben@example.org")
    before = len(mailbox.to(EMAIL))
    api = client.post
    known = api("/api/v1/people/password-reset", json={"email": EMAIL})
    unknown = api("/api/v1/people/password-reset", json={"email": "nobody@example.org"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    ben = api("/api/v1/people/password-reset", json={"email": "ben@example.org"})
    assert (ben.status_code, ben.json()) == (unknown.status_code, unknown.json())
    assert len(mailbox.to(EMAIL)) == before  # nothing mailed while answering
    assert len(mailbox.to("ben@example.org")) == 1  # the invitation only
    with vault.reading() as session:
        kinds = session.scalars(select(Job.kind).where(Job.kind == "people.reset_mail")).all()
    assert len(kinds) == 2  # anna's and ben's, nobody's for the unknown addresses
    assert run_once(vault) == 2
    assert len(mailbox.wait_for("ben@example.org", count=2)) == 2
    mails = mailbox.wait_for(EMAIL, count=before + 1)
    found = CODE.search(mails[-1].body)
    assert found is not None
    assert use(client, found.group(1)).status_code == 204  # the mailed code works
    assert mailbox.to("nobody@example.org") == []


def test_the_code_sets_a_new_password_once_and_ends_every_session(
    client: TestClient, mailbox: SmtpSink, anna: str
) -> None:
    before = len(mailbox.to(EMAIL))
    ask(client)
    code = code_from(mailbox, before + 1)
    assert use(client, code.lower().replace("-", " ")).status_code == 204  # as typed
    assert client.get("/api/v1/people/sessions/current", headers=bearer(anna)).status_code == 401
    assert sign_in(client, EMAIL, OTHER_PASSWORD)
    again = use(client, code, password=PASSWORD)
    assert again.status_code == 401 and again.json()["code"] == "unauthorized"
    assert sign_in(client, EMAIL, OTHER_PASSWORD)  # unchanged by the second use


def test_an_expired_code_is_refused(
    client: TestClient, vault: Vault, mailbox: SmtpSink, anna: str
) -> None:
    before = len(mailbox.to(EMAIL))
    ask(client)
    code = code_from(mailbox, before + 1)
    with vault.transaction() as session:
        session.execute(update(PersonResetCode).values(expires_at=utcnow()))
    assert use(client, code).status_code == 401
    assert sign_in(client, EMAIL, PASSWORD)


def test_a_code_is_void_after_five_wrong_entries(
    client: TestClient, settings: Settings, mailbox: SmtpSink, anna: str
) -> None:
    before = len(mailbox.to(EMAIL))
    ask(client)
    code = code_from(mailbox, before + 1)
    # Limits high enough that the code's own count decides, not the rate limit.
    with vault_with(settings, signin_max_failures=50, signin_address_max_failures=50) as (
        _vault,
        lenient,
    ):
        assert [use(lenient, "ZZZZ-ZZZZ").status_code for _ in range(5)] == [401] * 5
        assert use(lenient, code).status_code == 401  # right, but too late
        assert sign_in(lenient, EMAIL, PASSWORD)


def test_wrong_codes_are_rate_limited_like_sign_in(
    client: TestClient, mailbox: SmtpSink, anna: str
) -> None:
    answers = [use(client, "ZZZZ-ZZZZ").status_code for _ in range(6)]
    assert answers == [401] * 5 + [429]
    paused = use(client, "ZZZZ-ZZZZ")
    assert paused.status_code == 429 and "Retry-After" in paused.headers


def test_a_short_password_is_refused_before_the_code_is_spent(
    client: TestClient, mailbox: SmtpSink, anna: str
) -> None:
    before = len(mailbox.to(EMAIL))
    ask(client)
    code = code_from(mailbox, before + 1)
    assert use(client, code, password="short").status_code == 422
    assert use(client, code).status_code == 204


def test_the_pages_ask_mail_and_set(vault: Vault, mailbox: SmtpSink, anna: str) -> None:
    browser = TestClient(create_app(vault), follow_redirects=False)
    form = browser.get("/reset")
    assert form.status_code == 200 and 'action="/reset"' in form.text
    assert 'href="/reset"' in browser.get("/").text  # linked from the sign-in page

    def token(text: str) -> str:
        found = TOKEN.search(text)
        assert found is not None
        return found.group(1)

    before = len(mailbox.to(EMAIL))
    known = browser.post("/reset", data={"email": EMAIL, "csrf_token": token(form.text)})
    unknown = browser.post(
        "/reset", data={"email": "nobody@example.org", "csrf_token": token(form.text)}
    )
    assert known.status_code == unknown.status_code == 200
    assert TOKEN.sub("", known.text).replace(EMAIL, "X") == TOKEN.sub("", unknown.text).replace(
        "nobody@example.org", "X"
    )
    run_once(vault)  # the job that mails the code
    code = code_from(mailbox, before + 1)

    def enter(code: str) -> Any:
        form = {"email": EMAIL, "code": code, "password": OTHER_PASSWORD, "again": OTHER_PASSWORD}
        return browser.post("/reset/code", data={**form, "csrf_token": token(known.text)})

    wrong = enter("ZZZZ-ZZZZ")
    assert wrong.status_code == 401 and "The code is wrong" in wrong.text
    done = enter(code)
    assert done.status_code == 303 and done.headers["location"] == "/?password-reset"
    assert "you are signed out everywhere" in browser.get("/?password-reset").text
    assert sign_in(browser, EMAIL, OTHER_PASSWORD)
