"""Staff sign in to the console with password and TOTP; enrolment on the first sign-in;
codes are good once; secrets sealed at rest; idle and absolute timeouts; sign-out."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from console_helpers import (
    PASSWORD,
    add_member,
    browser,
    code_now,
    post_form,
    secret_on,
    sign_in,
)
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from helpers import assert_error
from staff_totp import fresh_code
from voxkeep.db.base import utcnow
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.people.models import StaffMember, StaffSessionRow
from voxkeep.people.staff import reset_totp
from voxkeep.vault import Vault

SIGN_IN = "/console/sign-in"
CODE = "/console/sign-in/code"


def _password(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    return post_form(client, SIGN_IN, {"name": name, "password": password}, page=SIGN_IN)


def test_first_sign_in_enrols_an_app_and_only_then_starts_a_session(vault: Vault) -> None:
    add_member(vault, "alice", "agent")
    with browser(vault) as client:
        assert client.get("/console/requests").headers["location"] == SIGN_IN
        moved = _password(client, "alice")
        assert moved.status_code == 303 and moved.headers["location"] == CODE
        assert STAFF_COOKIE not in client.cookies
        page = client.get(CODE)
        assert page.status_code == 200
        secret = secret_on(page)
        assert "otpauth://totp/voxkeep:alice?secret=" + secret in page.text.replace("&amp;", "&")
        assert "<svg" in page.text  # the QR code, drawn on the server
        # Not signed in yet: the console still sends the browser to sign in.
        assert client.get("/console/requests").status_code == 303
        wrong = post_form(client, CODE, {"code": "000000"}, page=CODE)
        assert wrong.status_code == 401 and "wrong" in wrong.text
        assert STAFF_COOKIE not in client.cookies
        done = post_form(client, CODE, {"code": code_now(secret)}, page=CODE)
        assert done.status_code == 303 and done.headers["location"] == "/console/requests"
        queue = client.get("/console/requests")
        assert queue.status_code == 200
        assert "Signed in as alice" in queue.text and "(agent)" in queue.text
        assert 'aria-current="page">Requests' in queue.text
    with vault.reading() as session:
        member = session.scalars(select(StaffMember).where(StaffMember.name == "alice")).one()
        assert member.totp_secret_ct is not None and member.totp_pending_ct is None


def test_a_later_sign_in_asks_for_the_code_and_a_code_is_good_once(vault: Vault) -> None:
    add_member(vault, "bob", "approver")
    with browser(vault) as client:
        sign_in(client, vault, "bob")
    with browser(vault) as client:
        _password(client, "bob")
        page = client.get(CODE)
        assert "totp-secret" not in page.text  # no enrolment: the app is set up
        code = fresh_code(vault, "bob")
        assert post_form(client, CODE, {"code": code}, page=CODE).status_code == 303
    with browser(vault) as replay:
        _password(replay, "bob")
        again = post_form(replay, CODE, {"code": code}, page=CODE)
        assert again.status_code == 401
        assert STAFF_COOKIE not in replay.cookies


def test_the_api_enforces_the_code_and_enrols_with_its_first_code(vault: Vault) -> None:
    add_member(vault, "carol", "agent")
    body = {"name": "carol", "password": PASSWORD}
    with browser(vault) as client:
        assert_error(
            client.post("/api/v1/staff/sessions", json=body), 401, "totp_enrolment_required"
        )
        wrong = client.post("/api/v1/staff/totp/enrolment", json={**body, "password": "nope"})
        assert wrong.status_code == 401
        enrolled = client.post("/api/v1/staff/totp/enrolment", json=body)
        assert enrolled.status_code == 201 and enrolled.headers["cache-control"] == "no-store"
        secret = enrolled.json()["secret"]
        assert enrolled.json()["uri"].startswith("otpauth://totp/")
        assert_error(
            client.post("/api/v1/staff/sessions", json=body), 401, "totp_enrolment_required"
        )
        code = code_now(secret)
        signed = client.post("/api/v1/staff/sessions", json={**body, "totp": code})
        assert signed.status_code == 201, signed.text
        assert_error(client.post("/api/v1/staff/sessions", json=body), 401, "totp_required")
        replay = client.post("/api/v1/staff/sessions", json={**body, "totp": code})
        assert_error(replay, 401, "totp_wrong")
        again = client.post("/api/v1/staff/totp/enrolment", json=body)
        assert_error(again, 409, "conflict")


def test_totp_secrets_are_sealed_at_rest(vault: Vault) -> None:
    add_member(vault, "dora", "dpo")
    with browser(vault) as client:
        _password(client, "dora")
        secret = secret_on(client.get(CODE))
        with vault.reading() as session:
            rows = session.execute(text("SELECT totp_pending_ct FROM staff")).all()
        assert all(secret.encode() not in bytes(r[0] or b"") for r in rows)
        post_form(client, CODE, {"code": code_now(secret)}, page=CODE)
    with vault.reading() as session:
        stored = session.execute(text("SELECT totp_secret_ct FROM staff")).all()
    assert any(r[0] for r in stored)
    assert all(secret.encode() not in bytes(r[0] or b"") for r in stored)


def test_an_unused_session_ends_after_the_idle_timeout(vault: Vault) -> None:
    add_member(vault, "erik", "admin")
    with browser(vault) as client:
        sign_in(client, vault, "erik")
        assert client.get("/console/requests").status_code == 200
        idle = vault.settings.staff_session_idle_s
        with vault.transaction() as session:
            session.execute(
                update(StaffSessionRow).values(last_seen_at=utcnow() - timedelta(seconds=idle + 5))
            )
        assert client.get("/console/requests").headers["location"] == SIGN_IN
        token = client.cookies[STAFF_COOKIE]
        current = client.get(
            "/api/v1/staff/sessions/current", headers={"Authorization": f"Bearer {token}"}
        )
        assert_error(current, 401, "unauthorized")
        assert "without use" in current.json()["error"]


def test_use_keeps_a_session_alive_until_its_absolute_end(vault: Vault) -> None:
    add_member(vault, "fritz", "agent")
    with browser(vault) as client:
        sign_in(client, vault, "fritz")
        with vault.transaction() as session:
            session.execute(
                update(StaffSessionRow).values(last_seen_at=utcnow() - timedelta(seconds=120))
            )
        assert client.get("/console/requests").status_code == 200
        with vault.reading() as session:
            seen = session.scalars(select(StaffSessionRow.last_seen_at)).one()
        assert seen is not None and utcnow() - seen < timedelta(seconds=60)
        with vault.transaction() as session:
            session.execute(update(StaffSessionRow).values(expires_at=utcnow()))
        assert client.get("/console/requests").headers["location"] == SIGN_IN


def test_sign_out_ends_the_session(vault: Vault) -> None:
    add_member(vault, "gina", "agent")
    with browser(vault) as client:
        sign_in(client, vault, "gina")
        token = client.cookies[STAFF_COOKIE]
        out = post_form(client, "/console/sign-out", {}, page="/console/requests")
        assert out.status_code == 303 and out.headers["location"] == f"{SIGN_IN}?signed-out"
        current = client.get(
            "/api/v1/staff/sessions/current", headers={"Authorization": f"Bearer {token}"}
        )
        assert current.status_code == 401


def test_a_wrong_password_says_so_without_saying_which(vault: Vault) -> None:
    add_member(vault, "hanna", "agent")
    with browser(vault) as client:
        for name, password in (("hanna", "wrong password"), ("nobody", PASSWORD)):
            page = _password(client, name, password)
            assert page.status_code == 401
            assert "The login name or the password is wrong" in page.text
        empty = _password(client, "", "")
        assert empty.status_code == 422
        assert 'href="#name"' in empty.text and 'href="#password"' in empty.text


def test_a_person_session_does_not_open_the_console(vault: Vault) -> None:
    with browser(vault) as client:
        client.cookies.set("voxkeep_session", "vs_0123456789abcdef_nonsense")
        assert client.get("/console/requests").headers["location"] == SIGN_IN


def test_an_admin_resets_a_lost_app_and_the_next_sign_in_enrols_again(vault: Vault) -> None:
    add_member(vault, "ines", "agent")
    with browser(vault) as client:
        sign_in(client, vault, "ines")
        assert client.get("/console/requests").status_code == 200
        reset_totp(vault, ref="ines", actor="system:test")
        assert client.get("/console/requests").headers["location"] == SIGN_IN
        _password(client, "ines")
        assert "totp-secret" in client.get(CODE).text  # enrolling again


def test_a_signed_in_member_switches_the_console_to_german(vault: Vault) -> None:
    add_member(vault, "gina", "agent")
    with browser(vault) as client:
        sign_in(client, vault, "gina")
        queue = client.get("/console/requests")
        found = re.search(r'action="([^"]+)" class="language-form"', queue.text)
        assert found, "the console has no language control"
        switched = post_form(
            client,
            found.group(1),
            {"lang": "de", "next": "/console/requests"},
            page="/console/requests",
        )
        assert switched.status_code == 303, switched.status_code
        assert switched.headers["location"] == "/console/requests"
        assert '<html lang="de">' in client.get("/console/requests").text
