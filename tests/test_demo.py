"""`voxkeep demo` and `make demo` through the real command: a busy port changes nothing,
the demo's own vault mails into its outbox from every command, its printed sign-ins
work, and its ids are not names."""

from __future__ import annotations

import re
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
from voxkeep.demo import builder as demo
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


# --- point 8 (the demo's part): ids that are not names -------------------------------


def name_parts() -> set[str]:
    """Every word of the demo's names and addresses, as an id might spell it."""
    folded = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e"})
    texts = [demo.NO_DEVICE_ACCOUNT[1]]
    for house in demo.HOUSEHOLDS:
        texts += [house.email, *house.members.values(), *(name for _, _, name in house.devices)]
    words = {w for t in texts for w in re.split(r"[^a-zß-ÿ]+", t.lower().translate(folded))}
    return {w for w in words if len(w) >= 3} - {"example", "org"}


def demo_ids() -> list[str]:
    ids = [demo.NO_DEVICE_ACCOUNT[0]]
    for house in demo.HOUSEHOLDS:
        ids += [house.account, *(device for device, _, _ in house.devices)]
        ids += [house.member_id(voice) for voice in house.members]
    return ids


def test_demo_ids_are_opaque_and_name_nobody() -> None:
    parts = name_parts()
    assert {"mueller", "dubois", "smith", "kueche", "anna"} <= parts  # the check can bite
    for object_id in demo_ids():
        assert re.fullmatch(r"(acct|dev|mem)-\d{4}(-[a-z0-9]+)?", object_id), object_id
        assert not [p for p in parts if p in object_id], object_id
    assert len(set(demo_ids())) == len(demo_ids())


def test_a_demo_vault_with_the_old_name_ids_is_refused_clearly(vault: Vault) -> None:
    from voxkeep.accounts.service import AccountChanges, upsert_account
    from voxkeep.errors import ConfigError

    with vault.transaction() as session:
        upsert_account(
            vault, session, external_id=demo.LEGACY_ACCOUNT, changes=AccountChanges(), actor="t"
        )
    with pytest.raises(ConfigError, match="older voxkeep") as refused:
        build_demo(vault, scale=0.01)
    assert "Remove that folder" in str(refused.value)
