"""`voxkeep incidents contain ...`: each a thin shell, asking before it acts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from exports.factory import BASE, household, record
from helpers import assert_clean_failure_in_process, invoke_cli, settings_cli_env
from incidents.test_containment import incident_for, released
from voxkeep.config import Settings
from voxkeep.exports.models import Export
from voxkeep.people.staff import add_staff, get_staff
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault


def run(settings: Settings, *args: str, answer: str | None = None) -> Any:
    from click.testing import CliRunner

    from voxkeep.cli import cli

    if answer is None:
        return invoke_cli("incidents", "contain", *args, env=settings_cli_env(settings))
    env = {"VOXKEEP_FSYNC": "false", **settings_cli_env(settings)}
    return CliRunner().invoke(cli, ["incidents", "contain", *args], input=answer, env=env)


def test_each_command_contains_after_asking(vault: Vault, settings: Settings) -> None:
    _, request_id, export_id = released(vault)
    incident = incident_for(vault, request_id)
    no = run(settings, "revoke-answers", incident, answer="n\n")
    assert no.exit_code == 1
    with vault.reading() as session:
        assert session.scalar(select(Export.state).where(Export.id == export_id)) == "released"
    yes = run(settings, "revoke-answers", incident, "--yes")
    assert yes.exit_code == 0, yes.output
    assert f"1 answers revoked: {export_id}." in yes.output
    add_staff(vault, name="mallory", roles=("agent",), actor="system:test", password="x" * 16)
    assert run(settings, "suspend-staff", incident, "mallory", "--yes").exit_code == 0
    assert get_staff(vault, "mallory").disabled_at is not None
    reset = run(settings, "force-password-reset", incident, "anna", "--yes")
    assert "0 sessions ended" in reset.output


def test_moving_recordings_shows_progress_and_refuses_bad_input(
    vault: Vault, settings: Settings
) -> None:
    anna, ben = household(vault, "anna"), household(vault, "ben")
    for i in range(3):
        record(vault, anna, f"ben-{i}", at=BASE)
    incident = incident_for(vault)
    args = ("reassign-recordings", incident, "--device", anna.devices[0], "--to", "ben", "--yes")
    bad = run(settings, *args, "--since", "last week")
    assert_clean_failure_in_process(bad, "not a time")
    moved = run(settings, *args, "--since", "2024-03-01")
    assert moved.exit_code == 0, moved.output
    assert "3 recordings moved from account:" in moved.output
    with vault.reading() as session:
        owners = set(session.scalars(select(Recording.account_id)))
    assert owners == {ben.account_id}
    nobody = run(settings, *args[:-3], "--to", "nobody", "--yes", "--since", "2024-03-01")
    assert_clean_failure_in_process(nobody, "no account")
