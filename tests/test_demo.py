"""`voxkeep demo` and `make demo` through the real command: a busy port changes nothing,
the demo's own vault mails into its outbox from every command, its printed sign-ins
work, and its ids are not names."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import (
    assert_clean_failure_in_process,
    engines_disposed,
    invoke_cli,
    settings_cli_env,
    settings_env,
)
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.demo.builder import DemoSummary, build_demo
from voxkeep.recordings.models import Recording
from voxkeep.tokens.service import list_tokens
from voxkeep.vault import Vault

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_leaked_engines() -> Iterator[None]:
    with engines_disposed():
        yield


@pytest.fixture
def demo_vault(vault: Vault) -> DemoSummary:
    """The test's vault made into a (small) demo vault, as `voxkeep demo` makes it."""
    return build_demo(vault, scale=0.01)


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that a listening socket holds, as a running server would."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def state_of(vault: Vault) -> tuple[int, list[tuple[str, bool]]]:
    with vault.reading() as session:
        recordings = session.scalar(select(func.count()).select_from(Recording)) or 0
        tokens = [(t.id, t.revoked_at is None) for t in list_tokens(session)]
    return recordings, tokens


def token_works(vault: Vault, token: str, account: str) -> bool:
    with TestClient(create_app(vault)) as client:
        response = client.get(
            f"/api/v1/accounts/{account}/recordings",
            headers={"Authorization": f"Bearer {token}"},
        )
    return response.status_code == 200


# --- point 4: a busy port ------------------------------------------------------------


def test_demo_on_a_busy_port_says_so_and_changes_nothing(
    vault: Vault, settings: Settings, demo_vault: DemoSummary, busy_port: int
) -> None:
    account = demo_vault.sample[0]
    assert token_works(vault, demo_vault.token, account)
    before = state_of(vault)

    result = invoke_cli("demo", "--port", str(busy_port), env=settings_cli_env(settings))

    line = assert_clean_failure_in_process(result, f"Port {busy_port} on 127.0.0.1")
    assert "make demo PORT=" in line and "voxkeep demo --port " in line
    assert result.stdout == ""  # no address, no token printed
    assert state_of(vault) == before  # nothing built, no token made or revoked
    assert token_works(vault, demo_vault.token, account)


def test_make_demo_passes_port_through(
    vault: Vault, settings: Settings, demo_vault: DemoSummary, busy_port: int
) -> None:
    before = state_of(vault)
    result = subprocess.run(
        # -o: take the virtual environment as made (this test runs inside it).
        [
            *("make", "-s", "-o", ".venv/.installed", "demo", f"PORT={busy_port}"),
            f"BIN={Path(sys.executable).parent}",
        ],
        cwd=REPO,
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert f"Error: Port {busy_port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr
    assert state_of(vault) == before
    assert token_works(vault, demo_vault.token, demo_vault.sample[0])


def test_serve_on_a_busy_port_is_one_clear_line(settings: Settings, busy_port: int) -> None:
    result = invoke_cli("serve", "--port", str(busy_port), env=settings_cli_env(settings))
    line = assert_clean_failure_in_process(result, f"Port {busy_port} on 127.0.0.1")
    assert "voxkeep serve --port " in line
    assert "Errno" not in line
