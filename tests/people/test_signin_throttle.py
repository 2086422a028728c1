"""Rate limiting that stops guessing without locking anybody out: per-account limits, a
slowed (never locked) network address, known-client cookies, and separate counters for
people and staff (issue 10, point 1)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from people_helpers import OTHER_PASSWORD, PASSWORD, bearer, browser, person, vault_with
from sqlalchemy import func, select

from smtp_sink import SmtpSink
from staff_totp import api_sign_in
from voxkeep.accounts.models import Account
from voxkeep.app import create_app
from voxkeep.audit.events import AuditEvent
from voxkeep.config import Settings
from voxkeep.people import known_clients
from voxkeep.people.models import SigninFailure
from voxkeep.people.staff import add_staff
from voxkeep.vault import Vault

EMAIL = "anna@example.org"
STAFF = "dpo.one"
OFFICE = "192.0.2.10"
KNOWN = "voxkeep_known_client"


def _person(client: TestClient, email: str = EMAIL, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/people/sessions", json={"email": email, "password": password})


def _staff(client: TestClient, name: str = STAFF, password: str = PASSWORD) -> Any:
    return api_sign_in(client, name, password)


def _add_staff(vault: Vault) -> None:
    add_staff(vault, name=STAFF, roles=["dpo"], actor="system", password=PASSWORD)


def _later(vault: Vault, seconds: float) -> None:
    """Let time pass for the rate limiter: every counted attempt moves into the past."""
    with vault.transaction() as db:
        for row in db.scalars(select(SigninFailure)):
            row.at -= timedelta(seconds=seconds)


def _audited(vault: Vault, action: str) -> int:
    with vault.reading() as db:
        return (
            db.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
            )
            or 0
        )


def _refused(response: Any, *, within_s: float) -> None:
    """A 429 that says what happened and when to retry, naming nobody."""
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["code"] == "too_many_requests" and re.search(r"\d+ (second|minute)", body["hint"])
    assert 0 < int(response.headers["retry-after"]) <= within_s
    assert EMAIL not in response.text and STAFF not in response.text


@pytest.mark.parametrize("address_slowed", [False, True])
def test_failures_for_a_made_up_address_lock_out_nobody_behind_the_same_address(
    client: TestClient, mailbox: SmtpSink, settings: Settings, address_slowed: bool
) -> None:
    """The reproduction: five wrong sign-ins for a made-up address from a shared office
    address, then a person and a staff member there sign in with their passwords."""
    person(client, mailbox)
    limit = {"signin_address_max_failures": settings.signin_max_failures}
    with vault_with(settings, **(limit if address_slowed else {})) as (opened, _):
        _add_staff(opened)
        with browser(opened, OFFICE) as prankster:
            for _ in range(settings.signin_max_failures):
                assert _person(prankster, "made-up@example.org", OTHER_PASSWORD).status_code == 401
        with browser(opened, OFFICE) as colleague:
            assert _person(colleague).status_code == 201
        with browser(opened, OFFICE) as privacy_team:
            assert _staff(privacy_team).status_code == 201


@pytest.mark.parametrize("flooded", ["people", "staff"])
def test_people_and_staff_never_share_a_counter(
    vault: Vault, client: TestClient, mailbox: SmtpSink, settings: Settings, flooded: str
) -> None:
    person(client, mailbox)
    _add_staff(vault)
    flood, other = (_person, _staff) if flooded == "people" else (_staff, _person)
    guess = "x@example.org" if flooded == "people" else "x"
    with browser(vault, OFFICE) as office:
        for n in range(settings.signin_address_max_failures + 2):
            if n in (settings.signin_max_failures, settings.signin_address_max_failures + 1):
                for _ in range(2):  # the other realm is not even slowed: again, at once
                    with browser(vault, OFFICE) as colleague:
                        assert other(colleague).status_code == 201
            expected = 429 if n > settings.signin_address_max_failures else 401
            assert flood(office, f"{n}{guess}", OTHER_PASSWORD).status_code == expected


def test_a_slowed_address_stops_rapid_guessing_across_accounts_but_locks_nobody_out(
    vault: Vault, client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    person(client, mailbox)
    interval = settings.signin_address_interval_s
    with browser(vault, OFFICE) as prober:
        for n in range(settings.signin_address_max_failures):
            assert _person(prober, f"guess{n}@example.org", OTHER_PASSWORD).status_code == 401
        # Slowed: one attempt now (its password is checked), then nothing for a while.
        assert _person(prober, "one-more@example.org", OTHER_PASSWORD).status_code == 401
        checked = _audited(vault, "person:signin:failed")
        for n in range(3):
            _refused(_person(prober, f"rapid{n}@example.org", OTHER_PASSWORD), within_s=interval)
        rapid = _person(prober)
        _refused(rapid, within_s=interval)
        assert "network address" in rapid.json()["error"]
        assert _audited(vault, "person:signin:failed") == checked  # none of them was checked
        _later(vault, interval)
        assert _person(prober).status_code == 201  # the right password gets in: slowed, not locked
    with browser(vault, OFFICE) as owner:  # a browser that signed in before is not slowed
        owner.cookies.set(KNOWN, client.cookies[KNOWN])
        assert _person(owner).status_code == 201
        assert _person(owner).status_code == 201


def _attack(vault: Vault, settings: Settings, sign_in: Any, who: str) -> None:
    """Wrong passwords for one account from many addresses, until it is paused."""
    for n in range(settings.signin_max_failures):
        with browser(vault, f"198.51.100.{n}") as attacker:
            assert sign_in(attacker, who, OTHER_PASSWORD).status_code == 401
    with browser(vault, "198.51.100.200") as attacker:
        _refused(sign_in(attacker, who, PASSWORD), within_s=settings.signin_window_s)


@pytest.mark.parametrize("realm", ["people", "staff"])
def test_an_account_under_attack_still_admits_its_owner_from_a_known_browser(
    vault: Vault, client: TestClient, mailbox: SmtpSink, settings: Settings, realm: str
) -> None:
    if realm == "people":
        person(client, mailbox)
        sign_in, who, cookie = _person, EMAIL, KNOWN
    else:
        _add_staff(vault)
        assert _staff(client).status_code == 201
        sign_in, who, cookie = _staff, STAFF, "voxkeep_staff_known_client"
    _attack(vault, settings, sign_in, who)
    with browser(vault, "203.0.113.5") as new_browser:  # brute force is still stopped
        _refused(sign_in(new_browser, who, PASSWORD), within_s=settings.signin_window_s)
    with browser(vault, "203.0.113.6") as laptop:  # the owner's browser, on another network
        laptop.cookies.set(cookie, client.cookies[cookie])
        assert sign_in(laptop, who, PASSWORD).status_code == 201
    with browser(vault, "203.0.113.5") as new_browser:  # and that opened nothing for others
        _refused(sign_in(new_browser, who, PASSWORD), within_s=settings.signin_window_s)


def test_re_authentication_follows_the_same_rules(
    vault: Vault, client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    token = person(client, mailbox)
    _attack(vault, settings, _person, EMAIL)
    reauth = "/api/v1/people/sessions/current/reauth"
    with browser(vault, "203.0.113.5") as elsewhere:  # the session alone is not a known client
        paused = elsewhere.post(reauth, json={"password": PASSWORD}, headers=bearer(token))
        _refused(paused, within_s=settings.signin_window_s)
        assert "re-authentication" in paused.json()["error"]
    confirmed = client.post(reauth, json={"password": PASSWORD}, headers=bearer(token))
    assert confirmed.status_code == 200 and confirmed.json()["reauth_at"] is not None


def test_a_known_client_cookie_helps_only_its_account_and_adds_no_guesses(
    vault: Vault, client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    person(client, mailbox)
    annas = client.cookies[KNOWN]
    person(client, mailbox, "acct-ben", "ben@example.org")
    _attack(vault, settings, _person, EMAIL)
    forged = annas[:-1] + ("0" if annas[-1] != "0" else "1")
    for cookie in (client.cookies[KNOWN], forged):  # Ben's browser; a forged cookie
        with browser(vault, "203.0.113.7") as thief:
            thief.cookies.set(KNOWN, cookie)
            _refused(_person(thief), within_s=settings.signin_window_s)
    with browser(vault, "203.0.113.8") as thief:  # a copy of Anna's cookie
        thief.cookies.set(KNOWN, annas)
        for _ in range(settings.signin_max_failures):
            assert _person(thief, password=OTHER_PASSWORD).status_code == 401
        _refused(_person(thief), within_s=settings.signin_window_s)


def test_the_known_client_cookie_is_httponly_strict_secure_and_names_nobody(
    vault: Vault, client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    person(client, mailbox)
    with vault.reading() as db:
        account_id = db.scalars(select(Account.id)).one()
    with TestClient(create_app(vault), base_url="https://testserver") as https:
        signed = _person(https)
    assert signed.status_code == 201
    header = next(h for h in signed.headers.get_list("set-cookie") if h.startswith(f"{KNOWN}="))
    attributes = header.lower()
    assert "httponly" in attributes and "samesite=strict" in attributes and "secure" in attributes
    assert f"max-age={int(settings.signin_known_client_ttl_s)}" in attributes
    value = header.split(";")[0].split("=", 1)[1]
    assert EMAIL not in value and account_id not in value and "acct-1" not in value


def test_a_known_client_cookie_is_bound_to_its_realm_owner_and_lifetime(vault: Vault) -> None:
    with vault.reading() as db:
        keyring = vault.keyring
        value = known_clients.issue(keyring, db, realm="people", owner="a1", ttl_s=60)
        nonce = known_clients.verify(keyring, db, realm="people", owner="a1", value=value)
        assert nonce is not None and nonce in value
        assert known_clients.verify(keyring, db, realm="staff", owner="a1", value=value) is None
        assert known_clients.verify(keyring, db, realm="people", owner="a2", value=value) is None
        expired = known_clients.issue(keyring, db, realm="people", owner="a1", ttl_s=-1)
        assert known_clients.verify(keyring, db, realm="people", owner="a1", value=expired) is None
        for bad in ("", "kc_", value + "0", value.replace("kc_", "xx_"), value.upper()):
            assert known_clients.verify(keyring, db, realm="people", owner="a1", value=bad) is None
