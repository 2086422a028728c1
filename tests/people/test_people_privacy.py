"""No e-mail address, password, token or staff name in a log line or an audit event;
every credential step leaves its audit event."""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from people_helpers import OTHER_PASSWORD, PASSWORD, bearer, link_in, register, run_cli
from sqlalchemy import select

from smtp_sink import SmtpSink
from staff_totp import api_sign_in
from voxkeep.app import create_app
from voxkeep.audit.events import AuditEvent
from voxkeep.config import Settings
from voxkeep.vault import Vault

EMAIL = "camille.dubois@example.fr"
STAFF = "c.secret-handle"


def _events(vault: Vault) -> list[dict[str, Any]]:
    with vault.reading() as db:
        return [json.loads(e.data) for e in db.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


def _everything(
    client: TestClient, mailbox: SmtpSink, settings: Settings, vault: Vault
) -> list[str]:
    """Every credential step once (and the failures); returns the secrets that went by."""
    register(client, "acct-1", EMAIL, language="fr")
    assert client.post("/api/v1/accounts/acct-1/invite").status_code == 202
    link_token = link_in(mailbox.to(EMAIL)[-1].body)[1]
    assert (
        client.post(
            "/api/v1/people/password", json={"token": link_token, "password": PASSWORD}
        ).status_code
        == 204
    )
    signed = client.post("/api/v1/people/sessions", json={"email": EMAIL, "password": PASSWORD})
    session = signed.json()["token"]
    known_client = signed.cookies["voxkeep_known_client"]
    current = "/api/v1/people/sessions/current"
    assert client.post(f"{current}/reauth", json={"password": PASSWORD}, headers=bearer(session))
    client.post(f"{current}/reauth", json={"password": OTHER_PASSWORD}, headers=bearer(session))
    app = create_app(vault)
    with TestClient(app, client=("192.0.2.1", 4000)) as guesser:
        for _ in range(settings.signin_max_failures):
            guesser.post(
                "/api/v1/people/sessions", json={"email": EMAIL, "password": OTHER_PASSWORD}
            )
        limited = guesser.post(
            "/api/v1/people/sessions", json={"email": EMAIL, "password": PASSWORD}
        )
        assert limited.status_code == 429
    with TestClient(app, client=("192.0.2.2", 4000)) as stranger:
        stranger.post("/api/v1/people/sessions", json={"email": "x" + EMAIL, "password": PASSWORD})
    assert client.delete(current, headers=bearer(session)).status_code == 204
    added = run_cli(settings, "staff", "add", STAFF, "--role", "admin")
    staff_link = added.stdout.strip().rpartition("#")[2]
    client.post("/api/v1/staff/password", json={"token": staff_link, "password": PASSWORD})
    api_sign_in(client, STAFF, OTHER_PASSWORD)
    staff = api_sign_in(client, STAFF, PASSWORD)
    assert staff.status_code == 201
    staff_token = staff.json()["token"]
    client.delete("/api/v1/staff/sessions/current", headers=bearer(staff_token))
    # A token reads <prefix>_<hex id>_<secret>; the secret itself may contain "_".
    secrets = [t.split("_", 2)[2] for t in (link_token, session, staff_link, staff_token)]
    return [EMAIL, PASSWORD, OTHER_PASSWORD, STAFF, *secrets, known_client]


def test_no_address_password_or_token_reaches_a_log_line(
    client: TestClient,
    mailbox: SmtpSink,
    settings: Settings,
    vault: Vault,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = _everything(client, mailbox, settings, vault)
    # aiosmtpd's own log ("mail.log") is the test's mail server talking, not voxkeep.
    ours = [r for r in caplog.records if not r.name.startswith("mail.")]
    assert any(r.name.startswith("voxkeep.people") for r in ours)
    for record in ours:
        line = record.getMessage()
        assert not [s for s in secrets if s.lower() in line.lower()], (record.name, line)


def test_audit_events_name_pseudonyms_never_addresses_or_passwords(
    client: TestClient, mailbox: SmtpSink, settings: Settings, vault: Vault
) -> None:
    secrets = _everything(client, mailbox, settings, vault)
    events = _events(vault)
    for event in events:
        raw = json.dumps(event).lower()
        assert not [s for s in secrets if s.lower() in raw], event
    actions = Counter(e["action"] for e in events)
    assert actions["person:invited"] == 1
    assert actions["person:password:set"] == 1
    assert actions["person:signed_in"] == 1
    assert actions["person:reauthenticated"] == 1
    assert actions["person:reauth:failed"] == 1
    # The failed re-authentication counts against the account too, so the guesser got
    # max - 1 wrong passwords in before 429; plus one unknown address. Throttled tries add none.
    assert actions["person:signin:failed"] == settings.signin_max_failures
    assert actions["person:signed_out"] == 1
    assert actions["staff:added"] == 1 and actions["staff:password:token"] == 1
    assert actions["staff:password:set"] == 1
    assert actions["staff:signin:failed"] == 1
    assert actions["staff:signed_in"] == 1 and actions["staff:signed_out"] == 1
    signed_in = next(e for e in events if e["action"] == "person:signed_in")
    pseudonym = signed_in["objects"]["account"]
    assert pseudonym.startswith("account:") and signed_in["actor"] == pseudonym
    failures = [e for e in events if e["action"] == "person:signin:failed"]
    assert all(e["actor"] == "system" for e in failures)
    assert [e["objects"] for e in failures].count({"account": pseudonym}) == (
        settings.signin_max_failures - 1
    )
    assert {} in [e["objects"] for e in failures]  # the unknown address: nothing named
    added = next(e for e in events if e["action"] == "staff:added")
    assert added["actor"] == "system" and added["objects"]["roles"] == ["admin"]


def test_nothing_at_rest_holds_the_address_or_the_password(
    client: TestClient, mailbox: SmtpSink, settings: Settings, vault: Vault
) -> None:
    _everything(client, mailbox, settings, vault)
    vault.close()  # checkpoint nothing: scan the database and its WAL as they are
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert EMAIL.encode() not in data, path
            assert PASSWORD.encode() not in data, path
