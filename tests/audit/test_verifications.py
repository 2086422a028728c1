"""Every `audit verify` run leaves its result in the log; the newest is what the console shows."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from audit.audit_helpers import sql
from helpers import settings_env
from voxkeep.audit.errors import LogTampered
from voxkeep.audit.events import AuditEvent
from voxkeep.audit.log import write_checkpoint
from voxkeep.audit.verifications import latest_verification, verify_and_record
from voxkeep.audit.verify import verify_log
from voxkeep.cli import cli
from voxkeep.vault import Vault


def test_no_run_no_result(vault: Vault) -> None:
    assert latest_verification(vault) is None


def test_the_command_records_an_intact_run(vault: Vault) -> None:
    write_checkpoint(vault)
    result = CliRunner().invoke(cli, ["audit", "verify"], env=settings_env(vault.settings))
    assert result.exit_code == 0, result.output

    latest = latest_verification(vault)
    assert latest is not None
    assert (latest.intact, latest.events, latest.checkpoints) == (True, 2, 1)
    assert latest.seq == 2  # appended after the two events it checked
    assert verify_log(vault).events == 3  # and the record itself verifies


def test_a_failed_run_is_recorded_naming_the_bad_event_then_raised(vault: Vault) -> None:
    verify_and_record(vault, actor="staff:0123456789abcdef")
    with vault.reading() as session:
        first = session.get(AuditEvent, 0)
        assert first is not None
        data = json.loads(first.data)
    data["actor"] = "someone-else"
    sql(vault, "UPDATE audit_events SET data = :d WHERE seq = 0", d=json.dumps(data).encode())

    with pytest.raises(LogTampered):
        verify_and_record(vault)

    latest = latest_verification(vault)
    assert latest is not None
    assert (latest.intact, latest.first_bad_event, latest.events) == (False, 0, None)
    assert latest.seq == 2
