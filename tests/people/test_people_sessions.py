"""Sign-in, cookies and bearer tokens, rate limiting, expiry, re-authentication, sign-out,
and one person's token never acting for another."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from people_helpers import (
    OTHER_PASSWORD,
    PASSWORD,
    bearer,
    person,
    register,
    run_cli,
    sign_in,
    vault_with,
)
from sqlalchemy import select, update

from smtp_sink import SmtpSink
from voxkeep.accounts.models import Account
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.errors import ReauthRequired
from voxkeep.people import passwords, throttle
from voxkeep.people.models import PersonCredential, PersonSessionRow
from voxkeep.people.service import (
    PersonSession,
    current_person,
    require_recent_reauth,
)
from voxkeep.vault import Vault

EMAIL = "anna@example.org"
CURRENT = "/api/v1/people/sessions/current"


def _sign_in(client: TestClient, email: str = EMAIL, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/people/sessions", json={"email": email, "password": password})


def test_sign_in_returns_a_bearer_token_and_a_strict_cookie(
    client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    person(client, mailbox)
    response = client.post("/api/v1/people/sessions", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("vs_") and body["reauth_at"] is None
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"voxkeep_session={body['token']};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert f"Max-Age={int(settings.session_ttl_s)}" in cookie
    assert "Secure" not in cookie  # plain http on loopback: a Secure cookie would never return


def test_the_cookie_is_secure_over_https(
    vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    person(client, mailbox)
    with TestClient(create_app(vault), base_url="https://testserver") as secure:
        response = _sign_in(secure)
        assert response.status_code == 201
        assert "Secure" in response.headers["set-cookie"]


def test_the_cookie_alone_and_the_bearer_alone_each_authenticate(
    vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    token = person(client, mailbox)
    with TestClient(create_app(vault)) as browser:
        assert browser.get(CURRENT).status_code == 401
        assert _sign_in(browser).status_code == 201
        assert browser.get(CURRENT).status_code == 200  # the cookie jar sends it
    with TestClient(create_app(vault)) as api_client:
        assert api_client.get(CURRENT, headers=bearer(token)).status_code == 200


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(
    client: TestClient, mailbox: SmtpSink
) -> None:
    person(client, mailbox)
    wrong = _sign_in(client, password=OTHER_PASSWORD)
    unknown = _sign_in(client, email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "e-mail address or the password" in wrong.json()["error"]


def test_an_invited_account_without_a_password_cannot_sign_in(
    client: TestClient, mailbox: SmtpSink
) -> None:
    register(client, "acct-1", EMAIL)
    assert client.post("/api/v1/accounts/acct-1/invite").status_code == 202
    assert _sign_in(client).status_code == 401


def test_too_many_failures_get_429_even_with_the_right_password(
    client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    person(client, mailbox)
    for _ in range(settings.signin_max_failures):
        assert _sign_in(client, password=OTHER_PASSWORD).status_code == 401
    blocked = _sign_in(client)
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_requests"
    retry = int(blocked.headers["retry-after"])
    assert 0 < retry <= settings.signin_window_s


def test_the_limit_counts_per_account_across_client_addresses(
    vault: Vault, client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    person(client, mailbox)
    app = create_app(vault)
    for n in range(settings.signin_max_failures):
        with TestClient(app, client=(f"192.0.2.{n}", 40000)) as somewhere:
            assert _sign_in(somewhere, password=OTHER_PASSWORD).status_code == 401
    with TestClient(app, client=("198.51.100.7", 40000)) as elsewhere:
        assert _sign_in(elsewhere).status_code == 429


def test_the_window_passes(
    client: TestClient, mailbox: SmtpSink, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The throttle's clock, moved by the test: on a loaded machine the failures
    # themselves could outlast a short real window.
    now = [utcnow()]
    monkeypatch.setattr(throttle, "utcnow", lambda: now[0])
    person(client, mailbox)
    with vault_with(settings, signin_window_s=60) as (_, short):
        for _ in range(settings.signin_max_failures):
            assert _sign_in(short, password=OTHER_PASSWORD).status_code == 401
        assert _sign_in(short).status_code == 429
        now[0] += timedelta(seconds=59)
        assert _sign_in(short).status_code == 429
        now[0] += timedelta(seconds=2)
        assert _sign_in(short).status_code == 201


def test_a_session_expires(vault: Vault, client: TestClient, mailbox: SmtpSink) -> None:
    token = person(client, mailbox)
    client.cookies.clear()
    assert client.get(CURRENT, headers=bearer(token)).status_code == 200
    # The clock is moved by the test, not waited out: a loaded machine cannot outlast it.
    with vault.transaction() as db:
        db.execute(update(PersonSessionRow).values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = client.get(CURRENT, headers=bearer(token))
    assert expired.status_code == 401
    assert "expired" in expired.json()["error"]


def _last_used(vault: Vault, seconds_ago: float) -> None:
    with vault.transaction() as db:
        db.execute(
            update(PersonSessionRow).values(last_seen_at=utcnow() - timedelta(seconds=seconds_ago))
        )


def test_an_unused_session_ends_after_the_idle_time(
    vault: Vault, client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    token = person(client, mailbox)
    client.cookies.clear()
    assert client.get(CURRENT, headers=bearer(token)).status_code == 200
    _last_used(vault, settings.session_idle_s + 5)
    idle = client.get(CURRENT, headers=bearer(token))
    assert idle.status_code == 401 and idle.json()["code"] == "unauthorized"
    assert "without use" in idle.json()["error"]


def test_use_within_the_idle_time_keeps_a_session_and_is_noted(
    vault: Vault, client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    token = person(client, mailbox)
    client.cookies.clear()
    _last_used(vault, settings.session_idle_s - 60)
    assert client.get(CURRENT, headers=bearer(token)).status_code == 200
    with vault.reading() as db:
        seen = db.scalars(select(PersonSessionRow.last_seen_at)).one()
    assert seen is not None and utcnow() - seen < timedelta(seconds=60)
    _last_used(vault, settings.session_idle_s - 60)  # noted: the idle time counts anew
    assert client.get(CURRENT, headers=bearer(token)).status_code == 200


def test_reauth_is_recorded_on_the_session(
    vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    token = person(client, mailbox)
    before = utcnow()
    response = client.post(f"{CURRENT}/reauth", json={"password": PASSWORD}, headers=bearer(token))
    assert response.status_code == 200
    with vault.reading() as db:
        session = current_person(vault, db, token=token)
    assert session.reauth_at is not None and session.reauth_at >= before
    assert response.json()["reauth_at"] is not None
    require_recent_reauth(session, within_s=600)  # honoured: no error


def test_require_recent_reauth_refuses_without_or_with_a_stale_reauth(
    vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    token = person(client, mailbox)
    with vault.reading() as db:
        fresh = current_person(vault, db, token=token)
    with pytest.raises(ReauthRequired) as never:
        require_recent_reauth(fresh, within_s=600)
    assert never.value.status == 403 and never.value.code == "reauth_required"
    stale = PersonSession(
        id=fresh.id,
        account_id=fresh.account_id,
        created_at=fresh.created_at,
        expires_at=fresh.expires_at,
        reauth_at=utcnow() - timedelta(minutes=11),
    )
    with pytest.raises(ReauthRequired):
        require_recent_reauth(stale, within_s=600)
    require_recent_reauth(stale, within_s=3600)


def test_a_wrong_reauth_password_confirms_nothing_and_counts_as_a_failure(
    vault: Vault, client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    token = person(client, mailbox)
    for _ in range(settings.signin_max_failures):
        wrong = client.post(
            f"{CURRENT}/reauth", json={"password": OTHER_PASSWORD}, headers=bearer(token)
        )
        assert wrong.status_code == 403 and wrong.json()["code"] == "reauth_required"
    blocked = client.post(f"{CURRENT}/reauth", json={"password": PASSWORD}, headers=bearer(token))
    assert blocked.status_code == 429
    with vault.reading() as db:
        assert current_person(vault, db, token=token).reauth_at is None


def test_sign_out_ends_the_session_and_clears_the_cookie(
    client: TestClient, mailbox: SmtpSink
) -> None:
    token = person(client, mailbox)
    other = sign_in(client, EMAIL)  # a second session of the same person, e.g. a phone
    out = client.delete(CURRENT, headers=bearer(token))
    assert out.status_code == 204
    assert 'voxkeep_session=""' in out.headers["set-cookie"]
    client.cookies.clear()
    ended = client.get(CURRENT, headers=bearer(token))
    assert ended.status_code == 401 and "ended" in ended.json()["error"]
    assert client.get(CURRENT, headers=bearer(other)).status_code == 200


def test_another_persons_token_cannot_act_for_this_person(
    vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    anna = person(client, mailbox, "acct-anna", "anna@example.org")
    ben = person(client, mailbox, "acct-ben", "ben@example.org")
    client.cookies.clear()
    with vault.reading() as db:
        anna_session = current_person(vault, db, token=anna)
        ben_session = current_person(vault, db, token=ben)
    assert anna_session.account_id != ben_session.account_id
    assert client.get(CURRENT, headers=bearer(ben)).json()["session_id"] == ben_session.id
    # Anna's session id with Ben's secret is no session at all.
    spliced = f"vs_{anna_session.id}_{ben.split('_', 2)[2]}"
    assert client.get(CURRENT, headers=bearer(spliced)).status_code == 401
    # Ben's password confirms nothing on Anna's session, and Ben signing out leaves Anna in.
    client.post(f"{CURRENT}/reauth", json={"password": PASSWORD}, headers=bearer(ben))
    with vault.reading() as db:
        assert current_person(vault, db, token=anna).reauth_at is None
    assert client.delete(CURRENT, headers=bearer(ben)).status_code == 204
    assert client.get(CURRENT, headers=bearer(anna)).status_code == 200
    # An ingest token, or a staff-shaped token, is not a person's session.
    assert client.get(CURRENT).status_code == 401
    assert client.get(CURRENT, headers=bearer("vst_" + anna[3:])).status_code == 401


def test_an_erased_account_cannot_sign_in_and_its_sessions_end(
    vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    token = person(client, mailbox)
    client.cookies.clear()
    with vault.transaction() as db:
        db.execute(update(Account).values(erased_at=utcnow()))
    assert client.get(CURRENT, headers=bearer(token)).status_code == 401
    assert _sign_in(client).status_code == 401


def test_voxkeep_people_sign_out_ends_every_session(
    client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    first = person(client, mailbox)
    second = sign_in(client, EMAIL)
    client.cookies.clear()
    result = run_cli(settings, "people", "sign-out", "acct-1")
    assert result.exit_code == 0, result.output
    assert "2 sessions ended" in result.output
    for token in (first, second):
        assert client.get(CURRENT, headers=bearer(token)).status_code == 401


def test_hashes_are_upgraded_when_the_cost_settings_change(
    client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    person(client, mailbox)
    with vault_with(settings, password_hash_time_cost=2) as (stronger, other):
        assert _sign_in(other).status_code == 201
        with stronger.reading() as db:
            row = db.scalars(select(PersonCredential)).one()
            account = db.get(Account, row.account_id)
            assert account is not None
            from voxkeep.people.service import _open_password

            stored = _open_password(stronger, db, account)
    assert stored is not None and ",t=2," in stored
    assert _sign_in(client).status_code == 201


def test_the_default_cost_is_rfc_9106s_second_recommendation(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    hashed = passwords.hash_password(Settings(data_dir=tmp_path), PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
