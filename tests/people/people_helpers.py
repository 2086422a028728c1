"""Helpers for the people and staff tests: invitations followed through real mail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.vault import Vault, open_vault

PASSWORD = "correct horse battery staple"
OTHER_PASSWORD = "a different long passphrase"
LINK = re.compile(r"(https?://\S+?)#((?:vi|vsp)_[A-Za-z0-9_-]+)")


def link_in(body: str) -> tuple[str, str]:
    """The page URL and the token of the set-password link in a mail body."""
    found = LINK.search(body)
    assert found is not None, "no set-password link in the mail"
    return found.group(1), found.group(2)


def register(client: TestClient, account: str, email: str, language: str = "de") -> None:
    response = client.put(
        f"/api/v1/accounts/{account}", json={"email": email, "language": language}
    )
    assert response.status_code in (200, 201), response.text


def invite(client: TestClient, mailbox: SmtpSink, account: str, email: str) -> str:
    """Invite the account through the API and return the token from the mail it got."""
    before = len(mailbox.to(email))
    response = client.post(f"/api/v1/accounts/{account}/invite")
    assert response.status_code == 202, response.text
    mails = mailbox.wait_for(email, count=before + 1)
    return link_in(mails[-1].body)[1]


def set_password(client: TestClient, token: str, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/people/password", json={"token": token, "password": password})


def person(
    client: TestClient,
    mailbox: SmtpSink,
    account: str = "acct-1",
    email: str = "anna@example.org",
    password: str = PASSWORD,
) -> str:
    """Register, invite, set a password through the mailed link, sign in: the bearer token."""
    register(client, account, email)
    token = invite(client, mailbox, account, email)
    assert set_password(client, token, password).status_code == 204
    return sign_in(client, email, password)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/people/sessions", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def cli_env(settings: Settings, **extra: str) -> dict[str, str | None]:
    url = settings.database_url.get_secret_value() if settings.database_url else None
    env: dict[str, str | None] = {
        "VOXKEEP_CONFIG": None,
        "VOXKEEP_DATA_DIR": str(settings.data_dir),
        "VOXKEEP_DATABASE_URL": url,
        "VOXKEEP_FSYNC": "false",
        "VOXKEEP_SMTP_HOST": settings.smtp_host,
        "VOXKEEP_SMTP_PORT": str(settings.smtp_port),
        "VOXKEEP_SMTP_FROM": settings.smtp_from,
        "VOXKEEP_PASSWORD_HASH_TIME_COST": str(settings.password_hash_time_cost),
        "VOXKEEP_PASSWORD_HASH_MEMORY_KIB": str(settings.password_hash_memory_kib),
    }
    env.update(extra)
    return env


def run_cli(settings: Settings, *args: str, input: str | None = None, **extra: str) -> Result:
    from voxkeep.cli import cli

    return CliRunner(env=cli_env(settings, **extra)).invoke(
        cli, list(args), input=input, catch_exceptions=False
    )


@contextmanager
def browser(vault: Vault, address: str = "192.0.2.10") -> Iterator[TestClient]:
    """A new browser (no cookies) at a network address."""
    app = create_app(vault)
    with TestClient(app, client=(address, 40000), raise_server_exceptions=False) as fresh:
        yield fresh


@contextmanager
def vault_with(settings: Settings, **changes: Any) -> Iterator[tuple[Vault, TestClient]]:
    """A second view of the test's vault with changed settings, and a client for it."""
    changed = settings.model_copy(update=changes)
    opened = open_vault(changed)
    try:
        with TestClient(create_app(opened), raise_server_exceptions=False) as client:
            yield opened, client
    finally:
        opened.close()
