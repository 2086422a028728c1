"""The deployment examples in deploy/ stay true to voxkeep (docs/deployment.md).

The systemd units parse (and `systemd-analyze verify` accepts them where it is
installed), the compose file loads, every command they run is a real voxkeep
command with real options (parsed by the click CLI itself), and every variable
they set is a real setting.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from helpers import voxkeep_command
from voxkeep.cli import cli
from voxkeep.config import CONFIG_ENV, Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
ENV_FILE = DEPLOY / "systemd" / "voxkeep.env"
COMPOSE = DEPLOY / "compose" / "docker-compose.yml"
DOCKERFILE = DEPLOY / "compose" / "Dockerfile"
SETTINGS = {f"VOXKEEP_{name.upper()}" for name in Settings.model_fields} | {CONFIG_ENV}
INSTALLED = "/opt/voxkeep/.venv/bin/voxkeep"


def _unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as sections of keys, each with every value it was given (a key
    such as Environment= may repeat). Anything but a section, a key=value line, a
    comment or a blank line fails."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, equals, value = line.partition("=")
        assert equals and current is not None and key.strip(), f"{path.name}:{number}: {line}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def _env_lines(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, equals, value = line.partition("=")
            assert equals, line
            values[key.strip()] = value.strip()
    return values


def _check_command(args: Sequence[str]) -> str:
    """Parse args (after `voxkeep`) with the real CLI, as running them would: an unknown
    command, an unknown option or a bad value fails here. The command's name."""
    ctx = cli.make_context("voxkeep", [], resilient_parsing=True)
    command: click.Command = cli
    rest, path = list(args), []
    while isinstance(command, click.Group):
        name, found, rest = command.resolve_command(ctx, rest)
        assert found is not None and name is not None, args
        path.append(name)
        command = found
    with command.make_context(path[-1], list(rest), parent=ctx) as checked:
        assert checked.args == [], f"stray arguments {checked.args} in {args}"
    return " ".join(path)


def _environment_keys(values: list[str]) -> set[str]:
    return {shlex.split(value)[0].partition("=")[0] for value in values}


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_a_unit_runs_a_real_command_with_real_settings(unit: Path) -> None:
    sections = _unit(unit)
    assert set(sections) == {"Unit", "Service", "Install"}
    service = sections["Service"]
    [start] = service["ExecStart"]
    program, *args = shlex.split(start)
    assert program == INSTALLED
    assert _check_command(args) in {"serve", "worker"}
    assert set(_environment_keys(service.get("Environment", []))) <= SETTINGS
    assert service["EnvironmentFile"] == [f"/etc/voxkeep/{ENV_FILE.name}"]
    assert sections["Install"]["WantedBy"] == ["multi-user.target"]


def test_the_units_serve_without_jobs_and_work_apart() -> None:
    commands = {shlex.split(_unit(unit)["Service"]["ExecStart"][0])[1] for unit in UNITS}
    assert commands == {"serve", "worker"}
    [serve] = [u for u in UNITS if "serve" in u.name]
    assert "--no-jobs" in _unit(serve)["Service"]["ExecStart"][0]


def test_the_units_environment_file_holds_real_settings() -> None:
    values = _env_lines(ENV_FILE)
    assert set(values) <= SETTINGS, set(values) - SETTINGS
    # The values are valid too: the settings accept them as they are.
    Settings(**{key.removeprefix("VOXKEEP_").lower(): value for key, value in values.items()})


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    """systemd's own check, with ExecStart pointing at this installation's voxkeep
    (it checks the program exists). Any warning (an unknown key, say) fails too."""
    program = voxkeep_command()[0]
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, program))
    checked = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / unit.name) for unit in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def _voxkeep_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image") == "voxkeep:local"
    }


def test_the_compose_file_runs_real_commands_with_real_settings() -> None:
    compose = _compose()
    services = compose["services"]
    nodes = _voxkeep_services(compose)
    commands = {name: _check_command(service["command"]) for name, service in nodes.items()}
    assert sorted(commands.values()) == ["init", "serve", "serve", "worker"], commands
    for name, service in nodes.items():
        assert set(service["environment"]) <= SETTINGS, (name, set(service["environment"]))
        for needed in service.get("depends_on", {}):
            assert needed in services, (name, needed)
    serving = [s["command"] for s in nodes.values() if s["command"][0] == "serve"]
    assert all("--no-jobs" in command for command in serving)
    assert {"postgres", "seaweedfs"} <= set(services)


def test_the_compose_image_runs_voxkeep() -> None:
    builds = [service["build"] for service in _voxkeep_services(_compose()).values()]
    assert all(build == builds[0] for build in builds)
    context = (COMPOSE.parent / builds[0]["context"]).resolve()
    assert (context, context / builds[0]["dockerfile"]) == (ROOT, DOCKERFILE)
    lines = [line.split() for line in DOCKERFILE.read_text().splitlines() if line.strip()]
    assert ["ENTRYPOINT", '["voxkeep"]'] in lines
    for line in lines:
        if line[0] == "COPY":
            assert all((context / source).exists() for source in line[1:-1]), line


def test_the_deployment_guide_names_every_example() -> None:
    guide = (ROOT / "docs" / "deployment.md").read_text()
    examples = [*UNITS, ENV_FILE, COMPOSE, DOCKERFILE]
    missing = [str(p.relative_to(ROOT)) for p in examples if str(p.relative_to(ROOT)) not in guide]
    assert missing == []
