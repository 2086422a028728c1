"""Helpers for the request tests: real accounts, real staff sessions, a person."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from smtp_sink import SmtpSink
from staff_totp import sign_in as staff_sign_in
from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import DeviceKind, Language
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.errors import MailFailed
from voxkeep.people.staff import StaffSession, add_staff
from voxkeep.requests import verification
from voxkeep.requests.models import DataRequest
from voxkeep.vault import Vault, open_vault

ACTOR = "system:test"
PASSWORD = "correct horse battery staple"


@dataclass
class Subject:
    """An account as the tests know it: the operator's id, the internal id, its address."""

    external_id: str
    account_id: str
    email: str | None


@dataclass
class Person:
    """A signed-in person as the request services see one (people.service.PersonSession)."""

    account_id: str
    reauth_at: datetime | None = field(default_factory=lambda: datetime.now(UTC))
    id: str = "session-for-tests"


def make_subject(
    vault: Vault,
    name: str,
    *,
    email: bool = True,
    devices: int = 1,
    language: Language = Language.EN,
) -> Subject:
    address = f"{name}@example.org" if email else None
    with vault.transaction() as session:
        account, _ = accounts.upsert_account(
            vault,
            session,
            external_id=name,
            changes=accounts.AccountChanges(email=address, language=language),
            actor=ACTOR,
        )
        for n in range(devices):
            accounts.upsert_device(
                vault,
                session,
                account=account,
                device_id=f"{name}-dev-{n}",
                kind=DeviceKind.SPEAKER,
                name="Kitchen",
                registered_at=None,
                actor=ACTOR,
            )
        return Subject(external_id=name, account_id=account.id, email=address)


@dataclass
class Team:
    """Signed-in staff: two agents, two approvers, a DPO, an admin."""

    tokens: dict[str, str]
    sessions: dict[str, StaffSession]

    def __getattr__(self, name: str) -> StaffSession:
        try:
            return self.sessions[name]
        except KeyError:
            raise AttributeError(name) from None


ROSTER = {
    "alice": ("agent",),
    "anton": ("agent",),
    "bob": ("approver",),
    "berta": ("approver",),
    "carol": ("agent", "approver"),
    "dora": ("dpo",),
    "erik": ("admin",),
}


def make_team(vault: Vault) -> Team:
    tokens: dict[str, str] = {}
    sessions: dict[str, StaffSession] = {}
    for name, roles in ROSTER.items():
        add_staff(vault, name=name, roles=roles, actor=ACTOR, password=PASSWORD)
        signed = staff_sign_in(vault, name, PASSWORD)
        tokens[name], sessions[name] = signed.token, signed.session
    return Team(tokens=tokens, sessions=sessions)


def change_address(vault: Vault, name: str, email: str) -> None:
    """The operator changes the account's verified e-mail address."""
    with vault.transaction() as session:
        accounts.upsert_account(
            vault,
            session,
            external_id=name,
            changes=accounts.AccountChanges(email=email),
            actor=ACTOR,
        )


def expire_code(vault: Vault, request_id: str) -> None:
    """The request's code runs out: its expiry moved into the past in the database."""
    with vault.transaction() as session:
        session.execute(
            update(DataRequest)
            .where(DataRequest.id == request_id)
            .values(code_expires_at=utcnow() - timedelta(seconds=1))
        )


def closed_port() -> int:
    """A local port nothing listens on: a mail server that takes no mail."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def send_code_unmailed(settings: Settings, staff: StaffSession, request_id: str) -> None:
    """Send a code while the mail server takes no mail: MailFailed, and the pause undone."""
    broken = open_vault(settings.model_copy(update={"smtp_port": closed_port()}))
    try:
        with pytest.raises(MailFailed):
            verification.send_code(broken, staff=staff, request_id=request_id)
    finally:
        broken.close()


def code_from(mail: SmtpSink, address: str, *, count: int = 1) -> str:
    """The verification code in the newest mail to address (formatted "1234 5678")."""
    body = mail.wait_for(address, count=count)[-1].body
    found = re.search(r"\b(\d{4}) (\d{4})\b", body)
    assert found, "no code in the mail"
    return found.group(1) + found.group(2)


def signed_in_person(client: Any, vault: Vault, mail: SmtpSink, who: Subject) -> str:
    """A real person session over HTTP: invitation mail, password, sign-in, re-auth.
    Returns the bearer token (vs_...)."""
    from voxkeep.people.service import invite_person

    assert who.email is not None
    before = len(mail.to(who.email))
    invite_person(vault, external_id=who.external_id, actor=ACTOR)
    body = mail.wait_for(who.email, count=before + 1)[-1].body
    token = re.search(r"#(\S+)", body)
    assert token, "no link in the invitation"
    response = client.post(
        "/api/v1/people/password", json={"token": token.group(1), "password": PASSWORD}
    )
    assert response.status_code == 204, response.text
    response = client.post(
        "/api/v1/people/sessions", json={"email": who.email, "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    bearer: str = response.json()["token"]
    client.cookies.clear()  # the API client authenticates by bearer only
    response = client.post(
        "/api/v1/people/sessions/current/reauth",
        json={"password": PASSWORD},
        headers={"Authorization": f"Bearer {bearer}"},
    )
    assert response.status_code == 200, response.text
    return bearer


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
