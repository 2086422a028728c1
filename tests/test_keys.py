"""The master key: `voxkeep keys rotate`, interrupted rotations, `voxkeep init`, key-file
permissions and VOXKEEP_MASTER_KEY mode, through the real CLI where there is one."""

from __future__ import annotations

import base64
import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers import (
    ago,
    assert_clean_failure,
    assert_clean_failure_in_process,
    cli_env,
    engines_disposed,
    fresh_database,
    invoke_cli,
    make_wav,
    run_cli,
    settings_cli_env,
    settings_env,
    setup_account,
    upload,
)
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.crypto import aead
from voxkeep.crypto.master import LocalMasterKeys, next_key_file, write_key_file
from voxkeep.db import migrate
from voxkeep.errors import ConfigError, IntegrityFailure
from voxkeep.recordings import service as recordings
from voxkeep.tokens.service import Scope, create_token
from voxkeep.vault import Vault, open_vault

ACTOR = "test:keys"
Expected = dict[tuple[str, str], tuple[bytes, str]]
ROTATED = re.compile(
    r"Master key (?P<old>[0-9a-f]{16}) replaced by (?P<new>[0-9a-f]{16}): "
    r"(?P<data>\d+) data keys and (?P<instance>\d+) instance keys rewrapped\."
)


@pytest.fixture(autouse=True)
def _no_leaked_engines() -> Iterator[None]:
    with engines_disposed():
        yield


@pytest.fixture
def populated(client: TestClient) -> Expected:
    """Two accounts with recordings (one spans several 64 KiB segments)."""
    expected: Expected = {}
    for n, account in enumerate(("keys-a", "keys-b")):
        setup_account(client, account, (f"{account}-dev",))
        for m, seconds in enumerate((0.2, 2.5)):
            rec_id = f"{account}-rec-{m}"
            audio = make_wav(seconds, seed=10 * n + m)
            text = f"Transkript {rec_id} mit Umlauten: äöü"
            response = upload(
                client,
                rec_id=rec_id,
                account=account,
                device=f"{account}-dev",
                audio=audio,
                transcript=text,
            )
            assert response.status_code == 201, response.text
            expected[(account, rec_id)] = (audio, text)
    return expected


def assert_all_readable(vault: Vault, expected: Expected) -> None:
    """Every recording and transcript decrypts, through the services and the API."""
    for (account, rec_id), (audio, text) in expected.items():
        stream = recordings.open_audio(vault, account=account, recording_id=rec_id, actor=ACTOR)
        assert b"".join(stream.chunks) == audio
        got = recordings.read_transcript(vault, account=account, recording_id=rec_id, actor=ACTOR)
        assert got == text
    with vault.transaction() as session:
        _, token = create_token(session, name="reader", scopes=[Scope.READ], actor=ACTOR)
    with TestClient(create_app(vault), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        for (account, rec_id), (audio, text) in expected.items():
            base = f"/api/v1/accounts/{account}/recordings/{rec_id}"
            assert client.get(base + "/audio").content == audio
            assert client.get(base + "/transcript").json()["transcript"] == text


@pytest.fixture
def reopen(settings: Settings) -> Iterator[list[Vault]]:
    """Vaults opened during a test, closed after it."""
    opened: list[Vault] = []
    yield opened
    for vault in opened:
        vault.close()


def fresh_open(settings: Settings, opened: list[Vault], **overrides: object) -> Vault:
    values = {name: getattr(settings, name) for name in Settings.model_fields}
    vault = open_vault(Settings(**(values | overrides)))
    opened.append(vault)
    return vault


def quiet(**values: object) -> Settings:
    """Settings for a vault opened by hand: no fsync and no background job workers."""
    extra = {
        k: v for k, v in {"fsync": False, "job_workers": 0}.items() if k in Settings.model_fields
    }
    return Settings(**(extra | values))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- rotation ---------------------------------------------------------------------


def test_rotate_rewraps_every_key_and_the_old_key_no_longer_reads(
    settings: Settings, populated: Expected, reopen: list[Vault]
) -> None:
    key_file = settings.key_file
    old_text = key_file.read_text()
    old_key = base64.b64decode(old_text.strip())

    result = run_cli("keys", "rotate", env=settings_env(settings))
    assert result.returncode == 0, result.stdout + result.stderr
    match = ROTATED.search(result.stdout)
    assert match, result.stdout
    assert match["old"] != match["new"]
    assert int(match["data"]) == 2  # one data key per account
    assert int(match["instance"]) >= 4

    new_text = key_file.read_text()
    assert new_text != old_text
    assert len(base64.b64decode(new_text.strip(), validate=True)) == aead.KEY_BYTES
    assert mode(key_file) == 0o600
    assert not next_key_file(key_file).exists()

    assert_all_readable(fresh_open(settings, reopen), populated)
    with pytest.raises(ConfigError, match="does not open this vault"):
        fresh_open(settings, reopen, master_key=base64.b64encode(old_key).decode())

    # A second rotation works on top of the first.
    again = invoke_cli("keys", "rotate", env=settings_cli_env(settings))
    assert again.exit_code == 0, again.output
    assert ROTATED.search(again.stdout), again.stdout
    assert key_file.read_text() not in (old_text, new_text)
    assert_all_readable(fresh_open(settings, reopen), populated)


def test_vault_opened_before_a_rotation_keeps_reading(
    settings: Settings, vault: Vault, populated: Expected
) -> None:
    assert invoke_cli("keys", "rotate", env=settings_cli_env(settings)).exit_code == 0
    assert_all_readable(vault, populated)


def test_opening_with_the_old_key_after_rotation_fails_at_once(
    settings: Settings, populated: Expected, reopen: list[Vault]
) -> None:
    old_key = settings.key_file.read_text().strip()
    assert invoke_cli("keys", "rotate", env=settings_cli_env(settings)).exit_code == 0
    with pytest.raises((ConfigError, IntegrityFailure)):
        fresh_open(settings, reopen, master_key=old_key)


def test_interrupted_rotation_before_rewrap_discards_next_key(
    settings: Settings, populated: Expected, reopen: list[Vault]
) -> None:
    """Crash after master.key.next was written, before the database was rewrapped."""
    key_file = settings.key_file
    old_text = key_file.read_text()
    write_key_file(next_key_file(key_file), aead.new_key())

    vault = fresh_open(settings, reopen)
    assert not next_key_file(key_file).exists()
    assert key_file.read_text() == old_text
    assert_all_readable(vault, populated)


def test_interrupted_rotation_after_rewrap_promotes_next_key(
    settings: Settings, vault: Vault, populated: Expected, reopen: list[Vault]
) -> None:
    """Crash after the database was rewrapped, before master.key.next replaced master.key."""
    key_file = settings.key_file
    old_text = key_file.read_text()
    new_key = aead.new_key()
    write_key_file(next_key_file(key_file), new_key)
    with vault.transaction() as session:
        data_keys, _ = vault.keyring.rewrap_all(session, LocalMasterKeys(new_key))
    assert data_keys == 2

    # The state on disk is what a crash leaves; a real CLI process settles it on opening.
    listed = run_cli("tokens", "list", env=settings_env(settings))
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert not next_key_file(key_file).exists()
    assert base64.b64decode(key_file.read_text()) == new_key
    assert key_file.read_text() != old_text
    assert mode(key_file) == 0o600
    assert_all_readable(fresh_open(settings, reopen), populated)


def test_interrupted_rotation_with_empty_next_file_is_discarded(
    settings: Settings, populated: Expected, reopen: list[Vault]
) -> None:
    pending = next_key_file(settings.key_file)
    fd = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    vault = fresh_open(settings, reopen)
    assert not pending.exists()
    assert_all_readable(vault, populated)


# --- init -------------------------------------------------------------------------


def test_init_twice_is_idempotent_and_keeps_the_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    with fresh_database() as url:
        env = cli_env(data_dir, url)
        first = run_cli("init", env=env)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "Vault ready" in first.stdout
        assert "Master key written" in first.stdout
        key_file = data_dir / "master.key"
        key = key_file.read_text()
        assert mode(key_file) == 0o600
        assert mode(data_dir) == 0o700

        second = invoke_cli(
            "init", env={"VOXKEEP_DATA_DIR": str(data_dir), "VOXKEEP_DATABASE_URL": url}
        )
        assert second.exit_code == 0, second.output
        assert "Vault ready" in second.stdout
        assert "Master key written" not in second.stdout
        assert key_file.read_text() == key
        assert sorted(p.name for p in data_dir.iterdir() if p.name.startswith("master")) == [
            "master.key"
        ]

        vault = open_vault(quiet(data_dir=data_dir, database_url=url))
        try:
            assert migrate.current_revision(vault.engine) == migrate.head_revision()
            with vault.reading() as session:
                vault.keyring.lookup_hash(session, kind="probe", value="x")  # keys unwrap
        finally:
            vault.close()


def test_init_on_a_populated_vault_keeps_key_and_data(
    settings: Settings, populated: Expected, reopen: list[Vault]
) -> None:
    key = settings.key_file.read_text()
    result = invoke_cli("init", env=settings_cli_env(settings))
    assert result.exit_code == 0, result.output
    assert "Master key written" not in result.stdout
    assert settings.key_file.read_text() == key
    assert_all_readable(fresh_open(settings, reopen), populated)


# --- key-file permissions -----------------------------------------------------------


def test_key_file_readable_by_others_is_refused(
    settings: Settings, populated: Expected, reopen: list[Vault]
) -> None:
    settings.key_file.chmod(0o644)
    result = run_cli("tokens", "list", env=settings_env(settings))
    line = assert_clean_failure(result, "readable by others", f"chmod 600 {settings.key_file}")
    assert "mode 644" in line
    for bad_mode in (0o640, 0o604, 0o660, 0o601):
        settings.key_file.chmod(bad_mode)
        with pytest.raises(ConfigError, match=f"readable by others \\(mode {bad_mode:o}\\)"):
            open_vault(settings)
    settings.key_file.chmod(0o400)  # read-only for the owner is fine
    assert_all_readable(fresh_open(settings, reopen), populated)


def test_missing_key_file_is_a_clear_error(settings: Settings) -> None:
    settings.key_file.unlink()
    result = invoke_cli("tokens", "list", env=settings_cli_env(settings))
    assert_clean_failure_in_process(result, "no master key file")


# --- VOXKEEP_MASTER_KEY -------------------------------------------------------------


def test_master_key_from_environment(tmp_path: Path) -> None:
    data_dir = tmp_path / "env-mode"
    key = base64.b64encode(aead.new_key()).decode()
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "accounts.json").write_text(
        json.dumps([{"id": "env-a", "devices": [{"id": "env-dev", "kind": "car", "name": "A"}]}])
    )
    audio = make_wav(0.3, seed=3)
    (drop / "one.wav").write_bytes(audio)
    (drop / "one.json").write_text(
        json.dumps(
            {
                "id": "env-rec",
                "account": "env-a",
                "device": "env-dev",
                "captured_at": ago(hours=2),
                "language": "en",
                "transcript": "from the environment",
            }
        )
    )
    with fresh_database() as url:
        env = cli_env(data_dir, url, VOXKEEP_MASTER_KEY=key)
        init = run_cli("init", env=env)
        assert init.returncode == 0, init.stdout + init.stderr
        assert "Master key written" not in init.stdout
        assert not (data_dir / "master.key").exists()
        imported = invoke_cli(
            "import",
            str(drop),
            env={"VOXKEEP_DATA_DIR": str(data_dir), "VOXKEEP_DATABASE_URL": url}
            | {"VOXKEEP_MASTER_KEY": key},
        )
        assert imported.exit_code == 0, imported.output
        assert "1 imported" in imported.stdout

        rotate = run_cli("keys", "rotate", env=env)
        assert_clean_failure(rotate, "VOXKEEP_MASTER_KEY", "cannot rewrite")
        assert not (data_dir / "master.key").exists()
        assert not (data_dir / "master.key.next").exists()

        expected = {("env-a", "env-rec"): (audio, "from the environment")}
        vault = open_vault(quiet(data_dir=data_dir, database_url=url, master_key=key))
        try:
            assert_all_readable(vault, expected)
        finally:
            vault.close()
        other = base64.b64encode(aead.new_key()).decode()
        with pytest.raises(ConfigError, match="does not open this vault"):
            open_vault(quiet(data_dir=data_dir, database_url=url, master_key=other))


def test_invalid_master_key_in_environment_is_a_clear_error(settings: Settings) -> None:
    value = "not base64!"
    result = run_cli("tokens", "list", env=settings_env(settings, VOXKEEP_MASTER_KEY=value))
    line = assert_clean_failure(result, "VOXKEEP_MASTER_KEY", "not valid base64")
    assert value not in line  # the secret (even a wrong one) is not echoed
    short = base64.b64encode(b"short").decode()
    outcome = invoke_cli("tokens", "list", env=settings_cli_env(settings, VOXKEEP_MASTER_KEY=short))
    line = assert_clean_failure_in_process(outcome, "VOXKEEP_MASTER_KEY", "5 bytes", "32 bytes")
    assert short not in line


def test_a_refused_key_file_leaves_no_connection_open(settings: Settings) -> None:
    settings.key_file.chmod(0o644)
    with engines_disposed() as made:
        with pytest.raises(ConfigError, match="readable by others"):
            open_vault(settings)
        assert len(made) == 1
        assert made[0].pool.checkedin() == 0, "a pooled connection was left open"
