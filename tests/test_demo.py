"""`voxkeep demo` and `make demo` through the real command: a busy port changes nothing,
the demo's own vault mails into its outbox from every command, its printed sign-ins
work, and its ids are not names."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
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
from voxkeep.cli import cli
from voxkeep.config import Settings
from voxkeep.demo import builder as demo
from voxkeep.demo.builder import DemoSummary, build_demo
from voxkeep.mail import get_mailer
from voxkeep.people import totp
from voxkeep.recordings.models import Recording
from voxkeep.tokens.service import list_tokens
from voxkeep.vault import Vault, open_vault

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


# --- points 5 and 11: a vault made by `voxkeep demo`, used from the command line -------

SIGN_IN = re.compile(
    r"^  (person|agent|approver|dpo \+ admin) +(\S+) +(\S+)(?:  TOTP key ([A-Z2-7]+))?$", re.M
)


def demo_env(settings: Settings) -> dict[str, str | None]:
    """The environment of a person at a terminal: no mail setting at all."""
    return settings_cli_env(
        settings,
        VOXKEEP_PASSWORD_HASH_TIME_COST="1",  # real argon2id, cheaply
        VOXKEEP_PASSWORD_HASH_MEMORY_KIB="1024",
    )


@pytest.fixture
def cli_demo(settings: Settings) -> dict[str, tuple[str, str, str]]:
    """`voxkeep demo --no-serve` on the test's vault: its printed sign-ins by role
    (login, password, and for staff the printed TOTP key)."""
    result = invoke_cli("demo", "--no-serve", env=demo_env(settings))
    assert result.exit_code == 0, result.output
    outbox = settings.data_dir.resolve().with_name("data-outbox")
    assert "Mail outbox   http://127.0.0.1:8000/demo/outbox" in result.stdout
    assert f"folder {outbox}" in result.stdout
    found = {who: (login, pw, key) for who, login, pw, key in SIGN_IN.findall(result.stdout)}
    line = re.search(r"^    (\S+ -c .+pyotp.+)$", result.stdout, re.M)
    assert line, "no line that prints a staff member's code"
    found["code line"] = (line.group(1), "", "")
    return found


_USED_STEPS: dict[str, int] = {}


def code_for(key: str) -> str:
    """A code an authenticator app with the printed key shows about now: each call takes a
    later step of the window, as a code is good once."""
    current = totp.step_of(datetime.now(UTC))
    # The current step, then the next: either stays in the window if a step boundary
    # passes before the server checks the code.
    step = max(current, _USED_STEPS.get(key, current - 1) + 1)
    assert step <= current + totp.DRIFT_STEPS, "more sign-ins than one window holds"
    _USED_STEPS[key] = step
    return totp.code_at(key, datetime.fromtimestamp(step * totp.STEP_S, tz=UTC))


def invoke_as(settings: Settings, staff: tuple[str, str, str], *args: str) -> Result:
    name, password, key = staff
    isolated = {k: None for k in os.environ if k.startswith("VOXKEEP_")} | demo_env(settings)
    return CliRunner().invoke(
        cli,
        ["requests", "--as", name, "--password-stdin", *args],
        input=f"{password}\n{code_for(key)}\n",
        env=isolated,
        prog_name="voxkeep",
    )


def outbox_mails(settings: Settings) -> list[EmailMessage]:
    outbox = settings.data_dir.resolve().with_name("data-outbox")
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for path in sorted(outbox.glob("*.eml"))
    ]


def test_every_command_on_a_demo_vault_mails_into_its_outbox(
    settings: Settings, cli_demo: dict[str, tuple[str, str, str]]
) -> None:
    invited = invoke_cli("people", "invite", "acct-0002", env=demo_env(settings))
    assert invited.exit_code == 0, invited.output
    [invitation] = outbox_mails(settings)
    assert invitation["To"] == "camille.dubois@example.fr"
    assert "http://127.0.0.1:8000/portal/set-password#vi_" in invitation.get_content()

    entered = invoke_as(
        settings, cli_demo["agent"], "enter", "acct-0001", "--kind", "access", "--channel", "post"
    )
    assert entered.exit_code == 0, entered.output
    request_id = entered.stdout.strip()
    sent = invoke_as(settings, cli_demo["agent"], "verify", request_id, "--send-code")
    assert sent.exit_code == 0, sent.output
    code_mail = outbox_mails(settings)[-1]
    assert code_mail["To"] == "familie.mueller@example.de"
    assert "Bestätigungscode" in code_mail["Subject"]


def test_the_printed_sign_ins_work_through_the_api(
    vault: Vault, cli_demo: dict[str, tuple[str, str, str]]
) -> None:
    assert set(cli_demo) == {"person", "agent", "approver", "dpo + admin", "code line"}
    with TestClient(create_app(vault)) as client:
        email, password, _ = cli_demo["person"]
        person = client.post("/api/v1/people/sessions", json={"email": email, "password": password})
        assert person.status_code == 201, person.text
        for who, (name, password, key) in cli_demo.items():
            if who in ("person", "code line"):
                continue
            body = {"name": name, "password": password, "totp": code_for(key)}
            signed = client.post("/api/v1/staff/sessions", json=body)
            assert signed.status_code == 201, signed.text
            me = client.get(
                "/api/v1/staff/sessions/current",
                headers={"Authorization": f"Bearer {signed.json()['token']}"},
            )
            assert sorted(me.json()["roles"]) == sorted(who.split(" + ")), me.text


def test_the_demo_settings_file_ranks_below_environment_and_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voxkeep.config import CONFIG_ENV, load_settings, write_demo_settings

    for key in [k for k in os.environ if k.startswith("VOXKEEP_")]:
        monkeypatch.delenv(key)
    data = tmp_path / "data"
    data.mkdir()
    write_demo_settings(data, {"public_url": "http://127.0.0.1:8123", "port": 8123})
    assert load_settings(data_dir=data).base_url == "http://127.0.0.1:8123"
    assert load_settings(data_dir=data).port == 8123
    assert load_settings(data_dir=data, demo_file=False).public_url is None

    config = tmp_path / "voxkeep.toml"
    config.write_text("port = 9300\n")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    assert load_settings(data_dir=data).port == 9300
    monkeypatch.setenv("VOXKEEP_PUBLIC_URL", "https://privacy.example")
    assert load_settings(data_dir=data).base_url == "https://privacy.example"
    # The data directory may itself come from the environment or the config file.
    monkeypatch.setenv("VOXKEEP_DATA_DIR", str(data))
    assert load_settings().port == 9300
    monkeypatch.delenv(CONFIG_ENV)
    assert load_settings().port == 8123


def test_the_demo_names_a_dpo_so_its_notices_can_be_sent(
    settings: Settings,
    cli_demo: dict[str, tuple[str, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from voxkeep.config import load_settings
    from voxkeep.incidents.notices import configured_contact

    for key in [k for k in os.environ if k.startswith("VOXKEEP_")]:
        monkeypatch.delenv(key)
    kept = load_settings(data_dir=settings.data_dir)  # as every command on the demo vault
    assert kept.dpo_contact == "dpo@demo.invalid" and kept.controller_name is not None
    assert "dpo@demo.invalid" in configured_contact(kept)


def test_a_second_demo_run_on_another_port_moves_the_links(
    settings: Settings, cli_demo: dict[str, tuple[str, str, str]]
) -> None:
    again = invoke_cli("demo", "--no-serve", "--port", "8011", env=demo_env(settings))
    assert again.exit_code == 0, again.output
    assert "http://127.0.0.1:8011/" in again.stdout
    invited = invoke_cli("people", "invite", "acct-0002", env=demo_env(settings))
    assert invited.exit_code == 0, invited.output
    [invitation] = outbox_mails(settings)
    assert "http://127.0.0.1:8011/portal/set-password#vi_" in invitation.get_content()


# --- the demo's outbox page ------------------------------------------------------------


def test_the_demo_outbox_page_lists_the_mails_newest_first_and_shows_each(
    settings: Settings, cli_demo: dict[str, tuple[str, str, str]]
) -> None:
    outbox = settings.data_dir.resolve().with_name("data-outbox")
    demo_vault = open_vault(settings.model_copy(update={"mail_outbox_dir": outbox}))
    try:
        with TestClient(create_app(demo_vault)) as client:
            empty = client.get("/demo/outbox").text
        assert "No mail has been sent yet" in empty and "Forgotten your password?" in empty
        invited = invoke_cli("people", "invite", "acct-0002", env=demo_env(settings))
        assert invited.exit_code == 0, invited.output
        get_mailer(demo_vault).send(
            to="someone@example.de", subject="Zweite Nachricht", body="Grüße aus dem Postausgang"
        )
        with TestClient(create_app(demo_vault)) as client:
            for page in ("/", "/console/sign-in"):
                assert 'href="/demo/outbox"' in client.get(page).text, page
            listing = client.get("/demo/outbox")
            assert listing.status_code == 200, listing.text
            assert listing.headers["Cache-Control"] == "no-store"
            newest, older = re.findall(r'href="(/demo/outbox/[^"]+)">([^<]+)<', listing.text)
            assert newest[1] == "Zweite Nachricht"
            assert "camille.dubois@example.fr" in listing.text
            assert "@" not in newest[0] + older[0]  # no address in a URL

            mail = client.get(newest[0])
            assert mail.status_code == 200
            assert '<pre class="mail-body">Grüße aus dem Postausgang' in mail.text
            invitation = client.get(older[0]).text
            assert "http://127.0.0.1:8000/portal/set-password#vi_" in invitation

            for missing in ("20990101T000000000000Z-deadbeef", "..%2Fdemo.toml", "x"):
                assert client.get(f"/demo/outbox/{missing}").status_code == 404, missing
    finally:
        demo_vault.close()


def test_no_outbox_page_outside_a_demo_vault_with_an_outbox(
    settings: Settings, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    plain = settings
    # An outbox configured by hand, but not a vault made by `voxkeep demo`.
    not_demo = settings.model_copy(update={"mail_outbox_dir": outbox})
    for each in (plain, not_demo):
        vault = open_vault(each)
        try:
            get_mailer(vault).send(to="a@example.org", subject="Hallo", body="Text")
            with TestClient(create_app(vault)) as client:
                assert client.get("/demo/outbox").status_code == 404
                assert "/demo/outbox" not in client.get("/").text
        finally:
            vault.close()


def test_the_printed_code_line_gives_a_code_that_signs_staff_in(
    vault: Vault, cli_demo: dict[str, tuple[str, str, str]]
) -> None:
    name, password, key = cli_demo["agent"]
    line = cli_demo["code line"][0].replace("KEY", key)
    printed = subprocess.run(shlex.split(line), capture_output=True, text=True, check=True)
    body = {"name": name, "password": password, "totp": printed.stdout.strip()}
    with TestClient(create_app(vault)) as client:
        signed = client.post("/api/v1/staff/sessions", json=body)
    assert signed.status_code == 201, signed.text
