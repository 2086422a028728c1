"""`voxkeep requests`: the staff commands and the worker, through the real command."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner, Result
from request_helpers import PASSWORD, Team, code_from, make_subject

from helpers import settings_env
from smtp_sink import SmtpSink
from staff_totp import fresh_code
from voxkeep.cli import cli
from voxkeep.config import Settings
from voxkeep.vault import Vault

Run = Callable[..., Result]


@pytest.fixture
def run(settings: Settings) -> Run:
    env = settings_env(
        settings,
        VOXKEEP_SMTP_HOST=settings.smtp_host,
        VOXKEEP_SMTP_PORT=str(settings.smtp_port),
        VOXKEEP_JOB_WORKERS="0",
        VOXKEEP_PASSWORD_HASH_TIME_COST="1",
        VOXKEEP_PASSWORD_HASH_MEMORY_KIB="1024",
    )

    def invoke(*args: str, token: str | None = None, input: str | None = None) -> Result:
        extra = {"VOXKEEP_STAFF_TOKEN": token} if token else {"VOXKEEP_STAFF_TOKEN": None}
        return CliRunner().invoke(
            cli, ["requests", *args], env={**env, **extra}, input=input, catch_exceptions=False
        )

    return invoke


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def failed(result: Result, needle: str) -> None:
    assert result.exit_code != 0
    assert needle in result.output, result.output
    assert "Traceback" not in result.output


def test_the_whole_staff_path_on_the_command_line(
    run: Run, vault: Vault, team: Team, mail: SmtpSink
) -> None:
    make_subject(vault, "ute")
    alice, anton, bob = (team.tokens[n] for n in ("alice", "anton", "bob"))
    entered = ok(run("enter", "ute", "--kind", "access", "--channel", "post", token=alice)).strip()
    request_id = entered.splitlines()[-1]
    assert re.fullmatch(r"rq_[0-9a-f]{16}", request_id)
    assert "Code mailed" in ok(run("verify", request_id, "--send-code", token=alice))
    code = code_from(mail, "ute@example.org")
    ok(run("verify", request_id, "--code", code, "--evidence", "phone call", token=anton))
    failed(run("approve", request_id, token=anton), "approver")
    assert "approved" in ok(run("approve", request_id, token=bob))
    shown = ok(run("show", request_id, token=team.tokens["dora"]))
    assert "account      ute" in shown
    assert "evidence     phone call" in shown
    assert "paused → verified" in shown
    assert "verified → building" in shown
    assert "Job " in shown and "export.build queued" in shown


def test_four_eyes_on_the_command_line(run: Run, vault: Vault, team: Team, mail: SmtpSink) -> None:
    make_subject(vault, "vito")
    carol = team.tokens["carol"]
    request_id = ok(run("enter", "vito", "--kind", "erasure", "--channel", "email", token=carol))
    request_id = request_id.strip().splitlines()[-1]
    ok(run("verify", request_id, "--send-code", token=carol))
    code = code_from(mail, "vito@example.org")
    ok(run("verify", request_id, "--code", code, "--evidence", "reply mail", token=carol))
    failed(run("approve", request_id, token=carol), "Four eyes")
    code = fresh_code(vault, "bob")
    stdin = f"{PASSWORD}\n{code}\n"
    out = ok(run("--as", "bob", "--password-stdin", "approve", request_id, input=stdin))
    assert "approved" in out


def test_list_by_due_date_with_overdue_flags(run: Run, vault: Vault, team: Team) -> None:
    now = datetime.now(UTC)
    for name, days in (("wanda", 2), ("xaver", 40), ("yusuf", 15)):
        make_subject(vault, name)
        received = (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")
        ok(
            run(
                "enter", name, "--kind", "access", "--channel", "phone",
                "--received-at", received, token=team.tokens["alice"],
            )
        )  # fmt: skip
    lines = ok(run("list", token=team.tokens["erik"])).strip().splitlines()
    dues = [re.search(r"due (\S+ \S+)", line).group(1) for line in lines]  # type: ignore[union-attr]
    assert dues == sorted(dues) and len(lines) == 3
    assert "OVERDUE" in lines[0] and "OVERDUE" not in lines[1]
    assert ok(run("list", "--state", "closed", token=team.tokens["erik"])).strip() == "No requests."


def test_extend_refuse_cancel_and_work(run: Run, vault: Vault, team: Team, mail: SmtpSink) -> None:
    ids = {}
    for name in ("zeno", "abel", "bruno"):
        make_subject(vault, name)
        out = ok(run("enter", name, "--kind", "portability", "--channel", "email",
                     token=team.tokens["alice"]))  # fmt: skip
        ids[name] = out.strip().splitlines()[-1]
    out = ok(
        run("extend", ids["zeno"], "--months", "1", "--reason", "archive migration",
            token=team.tokens["alice"])
    )  # fmt: skip
    assert "now due" in out
    ok(run("refuse", ids["abel"], "--reason", "manifestly excessive", token=team.tokens["dora"]))
    ok(run("cancel", ids["bruno"], "--reason", "withdrawn", token=team.tokens["alice"]))
    assert "2 job(s) run" in ok(run("work", "--once"))
    assert "archive migration" in mail.wait_for("zeno@example.org")[0].body
    assert "manifestly excessive" in mail.wait_for("abel@example.org")[0].body
    failed(
        run("extend", ids["bruno"], "--months", "1", "--reason", "x", token=team.tokens["alice"]),
        "needs no more time",
    )


def test_commands_say_who_must_run_them(run: Run, vault: Vault, team: Team) -> None:
    failed(run("list"), "--as NAME")
    failed(run("list", token="vst_nonsense"), "not signed in")
    failed(run("--as", "bob", "--password-stdin", "list", input="wrong password\n"), "Error")
    failed(run("verify", "rq_0000000000000000", token=team.tokens["alice"]), "--send-code")


@pytest.mark.parametrize(
    "command", ["list", "show", "enter", "verify", "approve", "extend", "refuse", "cancel", "work"]
)
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(cli, ["requests", command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_a_changed_address_is_confirmed_on_the_command_line(
    run: Run, vault: Vault, team: Team, mail: SmtpSink
) -> None:
    from voxkeep.accounts import service as accounts

    make_subject(vault, "vroni")
    alice = team.tokens["alice"]
    entered = ok(run("enter", "vroni", "--kind", "access", "--channel", "post", token=alice))
    request_id = entered.strip().splitlines()[-1]
    with vault.transaction() as session:
        accounts.upsert_account(
            vault,
            session,
            external_id="vroni",
            changes=accounts.AccountChanges(email="vroni.neu@example.org"),
            actor="system:test",
        )
    failed(run("verify", request_id, "--send-code", token=alice), "confirm-address")
    assert "changed after receipt" in ok(run("show", request_id, token=alice))
    failed(run("confirm-address", request_id, token=team.tokens["bob"]), "agent or dpo")
    assert "send the code" in ok(run("confirm-address", request_id, token=alice))
    shown = ok(run("show", request_id, token=alice))
    assert "change confirmed by staff:" in shown and "@" not in shown
    ok(run("verify", request_id, "--send-code", token=alice))
    assert code_from(mail, "vroni.neu@example.org")
