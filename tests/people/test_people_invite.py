"""Invitations: a single-use, expiring link mailed through real SMTP to the account's
own address, followed to set an argon2id password."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from people_helpers import (
    OTHER_PASSWORD,
    PASSWORD,
    bearer,
    invite,
    link_in,
    register,
    run_cli,
    set_password,
    sign_in,
    vault_with,
)
from sqlalchemy import select

from smtp_sink import SmtpSink, free_port
from voxkeep.config import Settings
from voxkeep.people.models import PersonCredential, PersonInvite
from voxkeep.vault import Vault

EMAIL = "anna@example.org"


def test_the_invitation_reaches_the_accounts_own_address_in_its_language(
    client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    register(client, "acct-1", EMAIL, language="fr")
    response = client.post("/api/v1/accounts/acct-1/invite")
    assert response.status_code == 202
    assert set(response.json()) == {"invite_id", "expires_at"}
    [mail] = mailbox.to(EMAIL)
    assert mail.recipients == (EMAIL,)
    assert mail.sender == settings.smtp_from
    assert "mot de passe" in mail.subject
    page, token = link_in(mail.body)
    assert page == f"{settings.base_url}/portal/set-password"
    assert token.startswith("vi_")
    # The token rides in the fragment, which browsers never send to a server.
    assert f"/portal/set-password#{token}" in mail.body
    assert "acct-1" not in mail.body


def test_following_the_link_sets_a_password_that_signs_in(
    client: TestClient, mailbox: SmtpSink, vault: Vault
) -> None:
    register(client, "acct-1", EMAIL)
    token = invite(client, mailbox, "acct-1", EMAIL)
    assert set_password(client, token).status_code == 204
    session = sign_in(client, EMAIL)
    assert client.get("/api/v1/people/sessions/current", headers=bearer(session)).status_code == 200
    with vault.reading() as db:
        row = db.scalars(select(PersonCredential)).one()
        # Sealed under the account's data key: neither the password nor the hash in clear.
        assert b"argon2" not in row.password_ct and PASSWORD.encode() not in row.password_ct
        stored = db.scalars(select(PersonInvite)).one()
        assert token.split("_", 2)[2].encode() not in stored.secret_hash


def test_the_link_works_once(client: TestClient, mailbox: SmtpSink) -> None:
    register(client, "acct-1", EMAIL)
    token = invite(client, mailbox, "acct-1", EMAIL)
    assert set_password(client, token).status_code == 204
    again = set_password(client, token, OTHER_PASSWORD)
    assert again.status_code == 401
    assert "used already" in again.json()["error"]
    sign_in(client, EMAIL, PASSWORD)


def test_the_link_expires(client: TestClient, mailbox: SmtpSink, settings: Settings) -> None:
    register(client, "acct-1", EMAIL)
    with vault_with(settings, invite_ttl_s=0.3) as (_, short):
        short.headers.update(client.headers)
        token = invite(short, mailbox, "acct-1", EMAIL)
    time.sleep(0.4)
    assert set_password(client, token).status_code == 401


def test_a_new_invitation_replaces_the_old_link(client: TestClient, mailbox: SmtpSink) -> None:
    register(client, "acct-1", EMAIL)
    first = invite(client, mailbox, "acct-1", EMAIL)
    second = invite(client, mailbox, "acct-1", EMAIL)
    assert set_password(client, first).status_code == 401
    assert set_password(client, second).status_code == 204


def test_a_forged_or_malformed_token_sets_nothing(client: TestClient, mailbox: SmtpSink) -> None:
    register(client, "acct-1", EMAIL)
    token = invite(client, mailbox, "acct-1", EMAIL)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (forged, "vi_nonsense", "", token.replace("vi_", "vs_", 1)):
        assert set_password(client, bad).status_code == 401, bad
    assert set_password(client, token).status_code == 204


def test_a_short_password_is_refused_and_the_link_stays_usable(
    client: TestClient, mailbox: SmtpSink
) -> None:
    register(client, "acct-1", EMAIL)
    token = invite(client, mailbox, "acct-1", EMAIL)
    refused = set_password(client, token, "short")
    assert refused.status_code == 422
    assert "short" not in refused.text
    assert set_password(client, token).status_code == 204


def test_a_reset_through_a_new_link_ends_every_session(
    client: TestClient, mailbox: SmtpSink
) -> None:
    register(client, "acct-1", EMAIL)
    assert set_password(client, invite(client, mailbox, "acct-1", EMAIL)).status_code == 204
    session = sign_in(client, EMAIL)
    assert (
        set_password(client, invite(client, mailbox, "acct-1", EMAIL), OTHER_PASSWORD).status_code
        == 204
    )
    client.cookies.clear()
    assert client.get("/api/v1/people/sessions/current", headers=bearer(session)).status_code == 401
    sign_in(client, EMAIL, OTHER_PASSWORD)


def test_inviting_needs_an_ingest_token_an_account_and_an_address(
    client: TestClient, mailbox: SmtpSink
) -> None:
    register(client, "acct-1", EMAIL)
    assert (
        client.post("/api/v1/accounts/acct-1/invite", headers={"Authorization": ""}).status_code
        == 401
    )
    assert client.post("/api/v1/accounts/nobody/invite").status_code == 404
    assert client.put("/api/v1/accounts/no-mail", json={"language": "en"}).status_code == 201
    no_address = client.post("/api/v1/accounts/no-mail/invite")
    assert no_address.status_code == 409
    assert mailbox.messages == []


def test_a_mail_server_that_is_down_fails_the_invitation_cleanly(
    client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    register(client, "acct-1", EMAIL)
    with vault_with(settings, smtp_port=free_port(), smtp_timeout_s=2) as (_, down):
        down.headers.update(client.headers)
        failed = down.post("/api/v1/accounts/acct-1/invite")
    assert failed.status_code == 503
    assert failed.json()["code"] == "mail_failed"
    assert EMAIL not in failed.text
    token = invite(client, mailbox, "acct-1", EMAIL)  # inviting again works
    assert set_password(client, token).status_code == 204


def test_voxkeep_people_invite_sends_the_mail(
    client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    register(client, "acct-1", EMAIL)
    result = run_cli(settings, "people", "invite", "acct-1")
    assert result.exit_code == 0, result.output
    assert "Invitation" in result.output and EMAIL not in result.output
    [mail] = mailbox.to(EMAIL)
    token = link_in(mail.body)[1]
    assert token not in result.output
    assert set_password(client, token).status_code == 204


def test_voxkeep_people_invite_explains_an_unknown_account(settings: Settings) -> None:
    result = run_cli(settings, "people", "invite", "nobody")
    assert result.exit_code == 1
    assert "no account with this id" in result.output


def test_the_set_password_page_carries_no_token_and_a_strict_policy(client: TestClient) -> None:
    for path in ("/portal/set-password", "/console/set-password"):
        page = client.get(path)
        assert page.status_code == 200
        assert '<script src="/static/set-password.js" defer></script>' in page.text
        assert "<script>" not in page.text  # nothing inline: the script is a file
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"
    script = client.get("/static/set-password.js").text
    assert "location.hash" in script and "history.replaceState" in script


@pytest.mark.parametrize("path", ["/api/v1/people/password", "/api/v1/people/sessions"])
def test_people_routes_are_in_the_openapi_docs(client: TestClient, path: str) -> None:
    spec = client.get("/api/openapi.json").json()
    operations = spec["paths"][path]
    assert all("people" in op["tags"] for op in operations.values())
