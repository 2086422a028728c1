"""The docs stay true: every setting and every command is documented."""

from __future__ import annotations

from pathlib import Path

import click

from helpers import walk_commands
from voxkeep.cli import cli
from voxkeep.config import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_setting_is_in_the_configuration_reference() -> None:
    text = (DOCS / "configuration.md").read_text()
    missing = [
        f"VOXKEEP_{name.upper()}"
        for name in Settings.model_fields
        if f"`VOXKEEP_{name.upper()}`" not in text
    ]
    assert missing == []


def test_every_documented_setting_exists() -> None:
    import re

    text = (DOCS / "configuration.md").read_text()
    documented = set(re.findall(r"`VOXKEEP_([A-Z0-9_]+)`", text)) - {"CONFIG"}
    assert documented == {name.upper() for name in Settings.model_fields}


def _commands(group: click.Group) -> list[str]:
    """Every runnable command, as "voxkeep a b"."""
    return [
        " ".join(("voxkeep", *path))
        for path, command in walk_commands(group)
        if not isinstance(command, click.Group)
    ]


def test_every_command_is_in_the_cli_reference() -> None:
    text = (DOCS / "cli.md").read_text()
    missing = [path for path in _commands(cli) if f"`{path}" not in text]
    assert missing == []


def test_readme_names_the_two_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
