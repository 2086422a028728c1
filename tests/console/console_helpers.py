"""The console as a browser without scripts sees it: forms, CSRF tokens, cookies."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from staff_totp import fresh_code
from voxkeep.app import create_app
from voxkeep.people import totp
from voxkeep.people.staff import add_staff
from voxkeep.vault import Vault

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')


@contextmanager
def browser(vault: Vault) -> Iterator[TestClient]:
    """A client with no operator token that keeps cookies and does not follow redirects."""
    with TestClient(
        create_app(vault), raise_server_exceptions=False, follow_redirects=False
    ) as client:
        yield client


def add_member(vault: Vault, name: str, *roles: str) -> None:
    add_staff(vault, name=name, roles=roles, actor="system:test", password=PASSWORD)


def csrf_of(page: Any) -> str:
    found = CSRF.search(page.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def post_form(client: TestClient, path: str, form: dict[str, str], *, page: str) -> Any:
    """Open page (for its CSRF token), then post form to path as that page's form would."""
    token = csrf_of(client.get(page))
    return client.post(path, data={"csrf_token": token, **form})


def secret_on(page: Any) -> str:
    found = SECRET.search(page.text)
    assert found, "the page shows no secret to enrol"
    return found.group(1).replace(" ", "")


def code_now(secret: str) -> str:
    return totp.code_at(secret, datetime.now(UTC))


def sign_in(client: TestClient, vault: Vault, name: str, password: str = PASSWORD) -> Any:
    """The console's sign-in, enrolling an app on the first one; the final response."""
    first = post_form(
        client, "/console/sign-in", {"name": name, "password": password}, page="/console/sign-in"
    )
    assert first.status_code == 303 and first.headers["location"] == "/console/sign-in/code", (
        first.status_code
    )
    code = fresh_code(vault, name)
    done = post_form(client, "/console/sign-in/code", {"code": code}, page="/console/sign-in/code")
    assert done.status_code == 303, html.unescape(done.text)[:2000]
    return done
