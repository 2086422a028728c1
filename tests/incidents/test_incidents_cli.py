"""`voxkeep incidents`: each command a thin shell over one service call, as a signed-in DPO."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result
from factory import household
from register_helpers import PASSWORD, reported, signed_in

from console.oversight_helpers import staff_token
from helpers import settings_env
from staff_totp import fresh_code
from voxkeep.cli import cli
from voxkeep.config import Settings
from voxkeep.vault import Vault

Run = Callable[..., Result]
REASON = "Frau Muster rief an und beschrieb die Aufnahmen"


@pytest.fixture
def run(settings: Settings) -> Run:
    env = settings_env(settings, VOXKEEP_JOB_WORKERS="0")

    def invoke(*args: str, token: str | None = None, input: str | None = None) -> Result:
        return CliRunner().invoke(
            cli,
            ["incidents", *args],
            env={**env, "VOXKEEP_STAFF_TOKEN": token},
            input=input,
            catch_exceptions=False,
        )

    return invoke


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def failed(result: Result, needle: str) -> None:
    assert result.exit_code != 0, result.output
    assert needle in result.output, result.output
    assert "Traceback" not in result.output


def test_the_dpo_works_an_incident_from_the_command_line(vault: Vault, run: Run) -> None:
    household(vault, "ben")
    incident = reported(vault)
    dpo = staff_token(vault, "dora", "dpo")
    listed = ok(run("list", token=dpo))
    assert incident in listed and "open" in listed and "h left" in listed
    ok(run("aware", incident, "--at", "2020-01-01T08:00", "--reason", REASON, token=dpo))
    assert "OVERDUE" in ok(run("list", token=dpo))
    failed(run("aware", incident, "--at", "soon", "--reason", "x", token=dpo), "--at")
    failed(run("aware", incident, "--at", "2999-01-01T00:00", "--reason", "x", token=dpo), "future")
    out = ok(
        run(
            "assess",
            incident,
            "--risk",
            "unlikely",
            "--reason",
            "Nothing readable",
            "--nature",
            "A misdirected link",
            token=dpo,
        )
    )
    assert "assessed" in out
    ok(run("affected", "add", incident, "ben", "--reason", REASON, token=dpo))
    failed(run("affected", "add", incident, "ben", "--reason", REASON, token=dpo), "already")
    failed(run("affected", "derive", incident, token=dpo), "names no answer")
    shown = ok(run("show", incident, token=dpo))
    assert "risk       unlikely" in shown and "A misdirected link" in shown
    assert shown.count(REASON) == 2 and "added" in shown
    ok(run("close", incident, "--reason", "No risk to anyone", token=dpo))
    assert "no notification needed" in ok(run("list", token=dpo))
    failed(run("close", incident, "--reason", "again", token=dpo), "closed")


def test_admins_read_and_others_are_refused(vault: Vault, run: Run) -> None:
    incident = reported(vault)
    admin = staff_token(vault, "erik", "admin")
    assert incident in ok(run("show", incident, token=admin))
    failed(run("assess", incident, "--risk", "high", "--reason", "x", token=admin), "dpo role")
    agent = staff_token(vault, "alice", "agent")
    failed(run("list", token=agent), "role")
    failed(run("list"), "Say who you are")


def test_signing_in_for_one_command_with_as(vault: Vault, run: Run) -> None:
    incident = reported(vault)
    signed_in(vault, "dora", "dpo")  # enrols the authenticator
    result = run(
        "--as",
        "dora",
        "--password-stdin",
        "close",
        incident,
        "--reason",
        "x",
        input=f"{PASSWORD}\n{fresh_code(vault, 'dora')}\n",
    )
    failed(result, "From open it can become: assessed")
