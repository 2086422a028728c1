"""The docs stay true: every setting and every command is documented, and the runbook's
screenshots are taken by the browser journeys."""

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


# Pages whose screenshots the browser journeys take (Visit.docs_shot; `make shots` writes
# them into docs/img), so that each shows the pages as they are.
SHOT_PAGES = ("breaches.md",)
# Single screenshots of other pages that a journey takes too.
SHOTS = ("console/dashboard", "console/request-verified", "console/request-approved")


def test_every_screenshot_of_a_shot_page_is_taken_by_a_journey() -> None:
    import re

    journeys = "\n".join(
        path.read_text() for path in (DOCS.parent / "tests" / "browser").glob("test_*.py")
    )
    taken = set(re.findall(r"docs_shot\(\s*\"([^\"]+)\"", journeys))
    assert sorted(set(SHOTS) - taken) == [], "no journey takes these"
    assert all((DOCS / "img" / f"{name}.png").is_file() for name in SHOTS)
    for page in SHOT_PAGES:
        shown = re.findall(r"!\[[^\]]*\]\(img/([^)]+)\.png\)", (DOCS / page).read_text())
        assert shown, f"{page} shows no screenshot"
        assert sorted(set(shown) - taken) == [], f"{page}: no journey takes these"
        assert all((DOCS / "img" / f"{name}.png").is_file() for name in shown)
