"""`voxkeep audit checkpoint | key | tail | find | verify` and the `audit` token scope."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from helpers import settings_env
from voxkeep.accounts.models import DeviceKind
from voxkeep.accounts.service import AccountChanges, upsert_account, upsert_device
from voxkeep.audit import checkpoint as notes
from voxkeep.audit.log import verifier_key, write_checkpoint
from voxkeep.cli import cli
from voxkeep.retention.erasure import erase_account
from voxkeep.vault import Vault


def _run(vault: Vault, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=settings_env(vault.settings))


def test_key_prints_the_verifier_key(vault: Vault) -> None:
    result = _run(vault, "audit", "key")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == verifier_key(vault)
    name, _ = notes.parse_verifier_key(result.stdout.strip())
    assert name.startswith("voxkeep/")


def test_checkpoint_signs_once_and_then_reports_nothing_new(vault: Vault) -> None:
    name, public_key = notes.parse_verifier_key(verifier_key(vault))
    first = _run(vault, "audit", "checkpoint")
    assert first.exit_code == 0, first.output
    assert "Checkpoint written at tree size 2" in first.stderr
    signed = notes.parse_and_verify_checkpoint(first.stdout, name=name, public_key=public_key)
    assert (signed.origin, signed.size) == (name, 2)

    again = _run(vault, "audit", "checkpoint")
    assert again.exit_code == 0
    assert "No events since the newest checkpoint" in again.stderr
    assert again.stdout == first.stdout


def test_verify_summarises_an_intact_log(vault: Vault) -> None:
    unsigned = _run(vault, "audit", "verify")
    assert unsigned.exit_code == 0, unsigned.output
    assert "Audit log intact: 1 events, 0 checkpoints." in unsigned.stdout
    assert "No checkpoint yet" in unsigned.stdout

    write_checkpoint(vault)  # signs the first run's audit:verified event too
    signed = _run(vault, "audit", "verify")
    assert signed.exit_code == 0, signed.output
    assert "Audit log intact: 3 events, 1 checkpoints." in signed.stdout
    assert "Newest checkpoint: size 3, root " in signed.stdout
    assert "0 events after the newest checkpoint" in signed.stdout


def test_tail_shows_the_newest_events_oldest_first(vault: Vault) -> None:
    created = _run(vault, "tokens", "create", "auditor", "--scope", "audit")
    assert created.exit_code == 0, created.output
    assert "(audit)" in created.stderr
    write_checkpoint(vault)

    lines = _run(vault, "audit", "tail", "-n", "2").stdout.splitlines()
    assert len(lines) == 2
    assert "token:created" in lines[0] and "token=" in lines[0]
    assert "audit:checkpoint" in lines[1] and "tree_size=3" in lines[1]

    rows = [json.loads(line) for line in _run(vault, "audit", "tail", "--json").stdout.splitlines()]
    assert [row["seq"] for row in rows] == [0, 1, 2]
    assert rows[0]["action"] == "key:created" and rows[2]["counts"] == {"tree_size": 3}

    refused = _run(vault, "audit", "tail", "-n", "0")
    assert refused.exit_code == 2


def test_errors_are_one_clean_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "nowhere"), "audit", "verify"], env={}
    )
    assert result.exit_code == 1
    assert "There is no vault" in result.output
    assert "Traceback" not in result.output


def _household(vault: Vault, account: str, device: str) -> None:
    with vault.transaction() as session:
        owner, _ = upsert_account(
            vault, session, external_id=account, changes=AccountChanges(), actor="tests"
        )
        upsert_device(
            vault,
            session,
            account=owner,
            device_id=device,
            kind=DeviceKind.SPEAKER,
            name="Küche",
            registered_at=None,
            actor="tests",
        )


def test_find_shows_an_accounts_events_by_its_ids_until_it_is_erased(vault: Vault) -> None:
    _household(vault, "find-okapi", "find-okapi-kueche")
    _household(vault, "find-other", "find-other-kueche")
    found = _run(vault, "audit", "find", "find-okapi", "--json")
    assert found.exit_code == 0, found.output
    events = [json.loads(line) for line in found.stdout.splitlines()]
    assert [e["action"] for e in events] == ["account:registered", "device:registered"]
    assert events[1]["objects"]["device"].startswith("dev:")
    assert "find-okapi" not in found.stdout  # the log holds pseudonyms only
    plain = _run(vault, "audit", "find", "find-okapi")
    assert plain.exit_code == 0 and "device:registered" in plain.stdout

    erase_account(vault, external_id="find-okapi", actor="tests")
    gone = _run(vault, "audit", "find", "find-okapi")
    assert gone.exit_code == 1
    assert "Error:" in gone.stderr and "find-okapi" not in gone.stderr
