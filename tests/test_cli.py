"""The `voxkeep` command: help everywhere, the version, clear one-line errors, and the
token round trip (create → use → revoke → 401) through the real CLI and the real API."""

from __future__ import annotations

import io
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from rich.console import Console

import voxkeep
from helpers import (
    assert_clean_failure,
    assert_clean_failure_in_process,
    assert_error,
    cli_env,
    engines_disposed,
    fresh_database,
    invoke_cli,
    run_cli,
    settings_env,
    walk_commands,
)
from voxkeep.app import create_app
from voxkeep.cli import cli
from voxkeep.clikit import progress
from voxkeep.config import Settings
from voxkeep.vault import Vault


@pytest.fixture(autouse=True)
def _no_leaked_engines() -> Iterator[None]:
    with engines_disposed():
        yield


def invoke(*args: str, env: dict[str, str | None]) -> Result:
    return invoke_cli(*args, env=env)  # type: ignore[no-any-return]


def env_of(data_dir: Path, url: str | None = None) -> dict[str, str | None]:
    return {"VOXKEEP_DATA_DIR": str(data_dir), "VOXKEEP_DATABASE_URL": url}


# --- help and version ------------------------------------------------------------


def command_paths(group: click.Group) -> list[tuple[str, ...]]:
    return [path for path, _ in walk_commands(group)]


def test_the_walk_finds_every_command() -> None:
    paths = command_paths(cli)
    for expected in (
        (),
        ("init",),
        ("serve",),
        ("demo",),
        ("import",),
        ("gc",),
        ("tokens",),
        ("tokens", "create"),
        ("tokens", "list"),
        ("tokens", "revoke"),
        ("keys",),
        ("keys", "rotate"),
    ):
        assert expected in paths


def test_help_works_for_every_command_and_subcommand(tmp_path: Path) -> None:
    env = env_of(tmp_path / "nowhere")
    for path in command_paths(cli):
        for flag in ("--help", "-h"):
            result = invoke(*path, flag, env=env)
            assert result.exit_code == 0, (path, result.output)
            assert result.exception is None
            usage = " ".join(("voxkeep", *path))
            assert result.stdout.startswith(f"Usage: {usage}"), result.stdout
            command = cli
            for name in path:
                found = command.get_command(click.Context(command), name)  # type: ignore[attr-defined]
                assert found is not None
                command = found
            assert command.help and command.help.strip(), f"`voxkeep {usage}` has no help text"
            summary = command.help.strip().splitlines()[0]
            assert summary[:40] in " ".join(result.stdout.split()), (path, result.stdout)
            if isinstance(command, click.Group):
                for name in command.list_commands(click.Context(command)):
                    assert re.search(rf"^\s+{re.escape(name)}\b", result.stdout, re.MULTILINE)
    assert not (tmp_path / "nowhere").exists()  # help touches nothing


def test_subcommand_help_works_with_invalid_settings(tmp_path: Path) -> None:
    result = invoke("init", "--help", env=env_of(tmp_path / "data") | {"VOXKEEP_PORT": "abc"})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: voxkeep init")


def test_help_and_version_from_the_installed_command(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "nowhere")
    version = run_cli("--version", env=env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"voxkeep, version {voxkeep.__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", voxkeep.__version__)
    helped = run_cli("tokens", "create", "--help", env=env)
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("Usage: voxkeep tokens create [OPTIONS] NAME")
    assert "--scope" in helped.stdout
    assert helped.stderr == ""
    assert not (tmp_path / "nowhere").exists()


# --- errors: one clear line, no traceback, non-zero exit ---------------------------------


def test_no_vault_is_one_clear_line(tmp_path: Path) -> None:
    with fresh_database() as url:  # SQLite: an empty data dir; PostgreSQL: an empty database
        result = run_cli("tokens", "list", env=cli_env(tmp_path / "empty", url))
        assert_clean_failure(result, "voxkeep init")
        assert result.returncode == 1
        for args in (("gc",), ("keys", "rotate"), ("import", str(tmp_path)), ("serve",)):
            outcome = invoke(*args, env=env_of(tmp_path / "empty", url))
            assert_clean_failure_in_process(outcome, "voxkeep init")


def test_bad_config_files_are_one_clear_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("port = = 3\n")
    result = run_cli("--config", str(broken), "tokens", "list", env=cli_env(tmp_path / "data"))
    assert_clean_failure(result, "config file could not be read")

    env = env_of(tmp_path / "data")
    missing = tmp_path / "missing.toml"
    assert_clean_failure_in_process(
        invoke("--config", str(missing), "tokens", "list", env=env), "does not exist"
    )
    assert_clean_failure_in_process(
        invoke("tokens", "list", env=env | {"VOXKEEP_CONFIG": str(missing)}),
        "VOXKEEP_CONFIG",
        "does not exist",
    )
    cases = {
        "unknown.toml": ('colour = "red"\n', "colour"),
        "wrong-type.toml": ('port = "eighty"\n', "port"),
        "out-of-range.toml": ("port = 70000\n", "port"),
        "binary.toml": ("\x00\x01", "could not be read"),
    }
    for name, (content, needle) in cases.items():
        path = tmp_path / name
        path.write_text(content)
        outcome = invoke("--config", str(path), "tokens", "list", env=env)
        assert_clean_failure_in_process(outcome, needle)


def test_a_valid_config_file_is_used(tmp_path: Path) -> None:
    data_dir = tmp_path / "from-toml"
    config = tmp_path / "voxkeep.toml"
    config.write_text(f'data_dir = "{data_dir}"\nfsync = false\n')
    with fresh_database() as url:
        result = invoke("--config", str(config), "init", env={"VOXKEEP_DATABASE_URL": url})
        assert result.exit_code == 0, result.output
        assert (data_dir / "master.key").is_file()
    assert "VOXKEEP_CONFIG" not in os.environ


def test_invalid_setting_value_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("tokens", "list", env=cli_env(tmp_path / "data", VOXKEEP_PORT="abc"))
    line = assert_clean_failure(result, "settings are not valid", "port")
    assert result.returncode == 1
    assert "docs/configuration.md" in line
    for name, value in (
        ("VOXKEEP_LOG_LEVEL", "loud"),
        ("VOXKEEP_MAX_UPLOAD_BYTES", "0"),
        ("VOXKEEP_FSYNC", "perhaps"),
        ("VOXKEEP_CLOCK_SKEW_S", "-1"),
    ):
        outcome = invoke("tokens", "list", env=env_of(tmp_path / "data") | {name: value})
        field = name.removeprefix("VOXKEEP_").lower()
        assert_clean_failure_in_process(outcome, "settings are not valid", field)


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:5432/voxkeep_missing_{uuid.uuid4().hex[:8]}"
    result = run_cli("tokens", "list", env=cli_env(tmp_path / "data", url))
    assert_clean_failure(result)


def test_unknown_command_and_option_fail_without_traceback(tmp_path: Path) -> None:
    for args in (("frobnicate",), ("tokens", "--nope"), ("tokens", "create")):
        result = invoke(*args, env=env_of(tmp_path / "data"))
        assert result.exit_code == 2, result.output
        assert isinstance(result.exception, SystemExit)
        assert "Error:" in result.stderr


# --- tokens ------------------------------------------------------------------------


def test_tokens_create_list_revoke_round_trip(
    settings: Settings, vault: Vault, tmp_path: Path
) -> None:
    env = settings_env(settings)
    created = run_cli(
        "tokens", "create", "backend", "--scope", "ingest", "--scope", "read", env=env
    )
    assert created.returncode == 0, created.stderr
    value = created.stdout.strip()
    assert re.fullmatch(r"vk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", value), "unexpected token shape"
    token_id = value.split("_")[1]
    assert f"Token {token_id} (ingest, read) created" in created.stderr
    assert value not in created.stderr

    url = settings.database_url.get_secret_value() if settings.database_url else None
    other = invoke("tokens", "create", "ingest-only", env=env_of(settings.data_dir, url))
    assert other.exit_code == 0, other.output
    other_value = other.stdout.strip()

    listed = invoke("tokens", "list", env=env_of(settings.data_dir, url))
    assert listed.exit_code == 0, listed.output
    line = next(x for x in listed.stdout.splitlines() if x.startswith(token_id))
    assert "backend" in line and "[ingest, read]" in line and line.endswith("active")
    assert value not in listed.stdout and value.split("_", 2)[2] not in listed.stdout
    assert other_value.split("_", 2)[2] not in listed.stdout

    with TestClient(create_app(vault), raise_server_exceptions=False) as api:
        api.headers["Authorization"] = f"Bearer {value}"
        assert api.put("/api/v1/accounts/cli-a", json={"language": "en"}).status_code == 201
        assert api.get("/api/v1/accounts/cli-a/recordings").status_code == 200
        api.headers["Authorization"] = f"Bearer {other_value}"
        assert_error(api.get("/api/v1/accounts/cli-a/recordings"), 403, "forbidden")

        revoked = run_cli("tokens", "revoke", token_id, env=env)
        assert revoked.returncode == 0, revoked.stderr
        assert f"Token {token_id} revoked." in revoked.stdout

        api.headers["Authorization"] = f"Bearer {value}"
        body = assert_error(api.get("/api/v1/accounts/cli-a/recordings"), 401, "unauthorized")
        assert "revoked" in body["error"]
        assert_error(api.put("/api/v1/accounts/cli-b", json={}), 401, "unauthorized")
        api.headers["Authorization"] = f"Bearer {other_value}"
        assert api.put("/api/v1/accounts/cli-b", json={}).status_code == 201

    listed = run_cli("tokens", "list", env=env)
    line = next(x for x in listed.stdout.splitlines() if x.startswith(token_id))
    assert re.search(r"revoked \d{4}-\d{2}-\d{2}$", line), line

    url = settings.database_url.get_secret_value() if settings.database_url else None
    again = invoke("tokens", "revoke", token_id, env=env_of(settings.data_dir, url))
    assert again.exit_code == 0, again.output  # idempotent
    missing = invoke("tokens", "revoke", "000000000000", env=env_of(settings.data_dir, url))
    assert_clean_failure_in_process(missing, "no token")


def test_token_name_and_scope_are_validated(settings: Settings) -> None:
    url = settings.database_url.get_secret_value() if settings.database_url else None
    env = env_of(settings.data_dir, url)
    assert_clean_failure_in_process(invoke("tokens", "create", "   ", env=env), "1–100 characters")
    assert_clean_failure_in_process(
        invoke("tokens", "create", "x" * 101, env=env), "1–100 characters"
    )
    bad_scope = invoke("tokens", "create", "x", "--scope", "root", env=env)
    assert bad_scope.exit_code == 2
    assert "'root' is not one of" in bad_scope.stderr


# --- progress ----------------------------------------------------------------------


def test_the_progress_bar_shows_the_time_taken_and_the_time_left() -> None:
    now = [1000.0]  # rich's own clock hook: ten seconds pass without sleeping
    screen = io.StringIO()
    console = Console(file=screen, width=120, force_terminal=False)
    with progress(console, auto_refresh=False, get_time=lambda: now[0]) as bar:
        task = bar.add_task("Working", total=4)
        for _ in range(2):
            now[0] += 2.5
            bar.advance(task)
        halfway = Console(file=io.StringIO(), width=120)
        halfway.print(bar.get_renderable())
        assert isinstance(halfway.file, io.StringIO)
        middle = halfway.file.getvalue()
        now[0] += 5.0
        bar.advance(task, 2)
    assert "2/4 0:00:05 0:00:05 left" in middle, middle
    last = screen.getvalue().strip().splitlines()[-1]
    assert "4/4 0:00:10" in last, last
    assert "left" not in last, last
