"""Optional two-step sign-in for people: turned on with an app's first code, asked for at
sign-in (API and portal), a code good once, turned off only with a current code."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from people_helpers import PASSWORD, bearer, person
from sqlalchemy import select, text

from helpers import assert_error
from smtp_sink import SmtpSink
from staff_totp import person_code
from voxkeep.accounts.models import Account
from voxkeep.app import create_app
from voxkeep.vault import Vault

EMAIL = "anna@example.org"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _account_id(vault: Vault) -> str:
    with vault.reading() as session:
        return session.scalars(select(Account.id)).one()


def _sign_in(client: TestClient, **extra: str) -> object:
    body = {"email": EMAIL, "password": PASSWORD, **extra}
    return client.post("/api/v1/people/sessions", json=body, headers={"Authorization": ""})


def test_two_step_through_the_api(client: TestClient, mailbox: SmtpSink, vault: Vault) -> None:
    token = person(client, mailbox)
    me = bearer(token)
    account = _account_id(vault)
    assert client.get("/api/v1/people/two-step", headers=me).json() == {"on": False}
    started = client.post("/api/v1/people/two-step", headers=me)
    assert started.status_code == 201 and started.headers["cache-control"] == "no-store"
    secret = started.json()["secret"]
    with vault.reading() as session:
        stored = session.execute(text("SELECT totp_pending_ct FROM person_credentials")).one()[0]
    assert secret.encode() not in bytes(stored)  # sealed under the account's key
    wrong = client.post("/api/v1/people/two-step/confirm", json={"code": "000000"}, headers=me)
    assert_error(wrong, 422, "invalid_input")
    assert _sign_in(client).status_code == 201  # not on until confirmed
    code = person_code(vault, account, secret)
    ok = client.post("/api/v1/people/two-step/confirm", json={"code": code}, headers=me)
    assert ok.status_code == 204
    assert client.get("/api/v1/people/two-step", headers=me).json() == {"on": True}

    assert_error(_sign_in(client), 401, "totp_required")
    assert_error(_sign_in(client, totp="123456"), 401, "totp_wrong")
    code = person_code(vault, account, secret)
    assert _sign_in(client, totp=code).status_code == 201
    assert_error(_sign_in(client, totp=code), 401, "totp_wrong")  # a code is good once

    refused = client.post("/api/v1/people/two-step/off", json={"code": "000000"}, headers=me)
    assert_error(refused, 422, "invalid_input")
    code = person_code(vault, account, secret)
    assert (
        client.post("/api/v1/people/two-step/off", json={"code": code}, headers=me).status_code
        == 204
    )
    assert _sign_in(client).status_code == 201


def test_two_step_through_the_portal(client: TestClient, mailbox: SmtpSink, vault: Vault) -> None:
    person(client, mailbox)
    account = _account_id(vault)
    with TestClient(create_app(vault), follow_redirects=False) as browser:
        browser.cookies.set("voxkeep_lang", "en")  # the account's own language is German

        def post(path: str, form: dict[str, str], page: str) -> object:
            found = CSRF.search(browser.get(page).text)
            assert found
            return browser.post(path, data={"csrf_token": found.group(1), **form})

        assert post("/", {"email": EMAIL, "password": PASSWORD}, "/").status_code == 303
        page = browser.get("/account/two-step")
        assert page.status_code == 200 and "Two-step sign-in is off" in page.text
        assert post("/account/two-step/start", {}, "/account/two-step").status_code == 303
        page = browser.get("/account/two-step")
        found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text)
        assert found and "<svg" in page.text
        secret = found.group(1).replace(" ", "")
        empty = post("/account/two-step/confirm", {"code": ""}, "/account/two-step")
        assert empty.status_code == 422 and 'href="#code"' in empty.text
        code = person_code(vault, account, secret)
        on = post("/account/two-step/confirm", {"code": code}, "/account/two-step")
        assert on.headers["location"] == "/account/two-step?done=on"
        post("/sign-out", {}, "/history")

        asked = post("/", {"email": EMAIL, "password": PASSWORD}, "/")
        assert asked.status_code == 401 and "Two-step sign-in is on" in asked.text
        assert "voxkeep_session" not in asked.headers.get("set-cookie", "")
        code = person_code(vault, account, secret)
        signed = post("/", {"email": EMAIL, "password": PASSWORD, "code": code}, "/")
        assert signed.status_code == 303 and signed.headers["location"] == "/history"
        code = person_code(vault, account, secret)
        off = post("/account/two-step/off", {"code": code}, "/account/two-step")
        assert off.headers["location"] == "/account/two-step?done=off"
        assert "Signing in asks only for your password" in browser.get(off.headers["location"]).text


def _count(vault: Vault, action: str) -> int:
    with vault.reading() as session:
        return len(
            session.execute(
                text("SELECT seq FROM audit_events WHERE action = :a"), {"a": action}
            ).all()
        )


def test_wrong_codes_to_turn_two_step_off_pause_the_account(
    client: TestClient, mailbox: SmtpSink, vault: Vault
) -> None:
    """A stolen session cannot guess the code that turns two-step sign-in off: wrong codes
    count as failed sign-ins of the account, and while it is paused the right code is
    refused too, with how long to wait."""
    me = bearer(person(client, mailbox))
    account = _account_id(vault)
    secret = client.post("/api/v1/people/two-step", headers=me).json()["secret"]
    code = person_code(vault, account, secret)
    assert client.post(
        "/api/v1/people/two-step/confirm", json={"code": code}, headers=me
    ).is_success
    limit = vault.settings.signin_max_failures
    answers = [
        client.post("/api/v1/people/two-step/off", json={"code": "000000"}, headers=me)
        for _ in range(limit + 1)
    ]
    assert [a.status_code for a in answers] == [422] * limit + [429]
    assert _count(vault, "person:two_step:failed") == limit
    code = person_code(vault, account, secret)
    refused = client.post("/api/v1/people/two-step/off", json={"code": code}, headers=me)
    body = assert_error(refused, 429, "too_many_requests")
    assert "paused" in body["error"] and "minute" in body["hint"]
    assert int(refused.headers["retry-after"]) > 0
    assert client.get("/api/v1/people/two-step", headers=me).json() == {"on": True}
    # The same counter as sign-in: a browser new to the account is paused there too.
    client.cookies.clear()  # no known-client cookie
    assert _sign_in(client, totp=person_code(vault, account, secret)).status_code == 429


def test_wrong_codes_to_turn_two_step_on_in_the_portal_pause_it(
    client: TestClient, mailbox: SmtpSink, vault: Vault
) -> None:
    person(client, mailbox)
    account = _account_id(vault)
    with TestClient(create_app(vault), follow_redirects=False) as browser:
        browser.cookies.set("voxkeep_lang", "en")

        def post(path: str, form: dict[str, str]) -> Any:
            found = CSRF.search(browser.get("/account/two-step").text)
            assert found
            return browser.post(path, data={"csrf_token": found.group(1), **form})

        page = browser.get("/")
        found = CSRF.search(page.text)
        assert found
        signed = browser.post(
            "/", data={"email": EMAIL, "password": PASSWORD, "csrf_token": found.group(1)}
        )
        assert signed.status_code == 303
        assert post("/account/two-step/start", {}).status_code == 303
        shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', browser.get("/account/two-step").text)
        assert shown
        secret = shown.group(1).replace(" ", "")
        wrong = [post("/account/two-step/confirm", {"code": "000000"}) for _ in range(6)]
        assert [w.status_code for w in wrong[:5]] == [422] * 5 and wrong[5].status_code == 429
        right = post("/account/two-step/confirm", {"code": person_code(vault, account, secret)})
        assert right.status_code == 429 and "retry-after" in right.headers
        assert "Too many wrong codes or passwords" in right.text and 'href="#code"' in right.text
        assert "Two-step sign-in is on" not in browser.get("/account/two-step").text
