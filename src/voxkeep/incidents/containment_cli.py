"""`voxkeep incidents contain ...`: containment from the server's command line.

Each command is a thin shell over one function of incidents/containment.py,
acting as ``system`` (whoever runs commands on the server). Each asks for a
confirmation unless given ``--yes``; moving recordings shows its progress.
"""

from __future__ import annotations

from datetime import datetime

import click
from rich.console import Console

out = Console(highlight=False)
YES = click.option("--yes", is_flag=True, help="Do it without asking for a confirmation.")


def _confirm(yes: bool, what: str) -> None:
    if not yes:
        click.confirm(f"{what} This takes effect at once. Go on?", abort=True)


@click.group("contain")
def contain_group() -> None:
    """Contain an incident: revoke answers, suspend staff, force resets, move recordings."""


@contain_group.command("revoke-answers")
@click.argument("incident")
@YES
@click.pass_context
def revoke_answers(ctx: click.Context, incident: str, yes: bool) -> None:
    """Revoke every answer of INCIDENT's request still downloadable (keys destroyed)."""
    from voxkeep.clikit import vault_of
    from voxkeep.incidents import containment

    _confirm(yes, "Every answer of the incident's request will be revoked.")
    done = containment.revoke_answers(
        vault_of(ctx), incident_id=incident, by=containment.OnServer()
    )
    out.print(f"{len(done.exports)} answers revoked: {', '.join(done.exports) or '-'}.")


@contain_group.command("suspend-staff")
@click.argument("incident")
@click.argument("staff")
@YES
@click.pass_context
def suspend_staff(ctx: click.Context, incident: str, staff: str, yes: bool) -> None:
    """Disable STAFF (a name or id); every session of it ends at once."""
    from voxkeep.clikit import vault_of
    from voxkeep.incidents import containment

    _confirm(yes, f"The staff account {staff} will be disabled.")
    done = containment.suspend_staff(
        vault_of(ctx), incident_id=incident, staff=staff, by=containment.OnServer()
    )
    out.print(f"Staff account {done.name} suspended; its sessions have ended.", markup=False)


@contain_group.command("force-password-reset")
@click.argument("incident")
@click.argument("account")
@YES
@click.pass_context
def force_password_reset(ctx: click.Context, incident: str, account: str, yes: bool) -> None:
    """End every session of ACCOUNT (the operator's id) and require a new password."""
    from voxkeep.clikit import vault_of
    from voxkeep.incidents import containment

    _confirm(yes, "The person's sessions will end and their password stop working.")
    done = containment.force_password_reset(
        vault_of(ctx), incident_id=incident, account=account, by=containment.OnServer()
    )
    out.print(
        f"{done.account}: {done.sessions_ended} sessions ended; the password works no more "
        "until a reset by mailed code; the person is told by mail."
    )


@contain_group.command("reassign-recordings")
@click.argument("incident")
@click.option("--device", required=True, help="The device's id, or its pseudonym (dev:…).")
@click.option(
    "--since",
    required=True,
    help="Move recordings captured at or after this time (ISO 8601; UTC unless it says).",
)
@click.option("--to", "to_account", required=True, help="The operator's id of the right account.")
@click.option(
    "--same-as",
    help="The new owner's own id for the same device, if the operator registered it for "
    "him: the moved device takes his name for it (default: named by its kind).",
)
@YES
@click.pass_context
def reassign_recordings(
    ctx: click.Context,
    incident: str,
    device: str,
    since: str,
    to_account: str,
    same_as: str | None,
    yes: bool,
) -> None:
    """Move a device's recordings to the account they belong to, re-encrypted for it.

    Interrupted, it can simply be run again: it moves what is left.
    """
    from voxkeep.clikit import progress, vault_of
    from voxkeep.incidents import containment

    start: datetime = containment.parse_since(since)
    _confirm(yes, f"The device's recordings since {start:%Y-%m-%d %H:%M} UTC will move.")
    vault = vault_of(ctx)
    with progress(out) as bar:
        task = bar.add_task("Moving recordings", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        moved = containment.reassign_recordings(
            vault,
            incident_id=incident,
            device=device,
            since=start,
            to_account=to_account,
            by=containment.OnServer(),
            same_as=same_as,
            progress=advance,
        )
    out.print(
        f"{moved.moved} recordings moved from {moved.from_account} to {moved.to_account}; "
        f"they name the device {moved.new_device}.",
        markup=False,
    )
