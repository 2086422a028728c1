"""Helpers for the request tests: real accounts, real staff sessions, a person."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from smtp_sink import SmtpSink
from staff_totp import sign_in as staff_sign_in
from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import DeviceKind, Language
from voxkeep.people.staff import StaffSession, add_staff
from voxkeep.vault import Vault

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
