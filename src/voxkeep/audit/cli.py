"""`voxkeep audit`: verify, sign a checkpoint, print the verifier key, show or find events.

Thin shells over ``voxkeep.audit.log``. The group is added to the ``voxkeep``
command in ``voxkeep.cli``; it does not import that module (which imports this
one), so it repeats its two small patterns: errors become a message and exit 1,
and the vault comes from the settings the root command loaded.
"""

from __future__ import annotations

import base64
import json

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from voxkeep.audit import log as audit
from voxkeep.audit.verifications import verify_and_record
from voxkeep.clikit import Group, vault_of
from voxkeep.vault import Vault

err = Console(stderr=True)


@click.group("audit", cls=Group)
def audit_group() -> None:
    """Check and publish the tamper-evident audit log (see docs/audit.md)."""


@audit_group.command("verify")
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Recompute the Merkle tree from every event and check every signed checkpoint.

    Exits 0 with a summary when the log is intact, 1 naming the first bad
    event or checkpoint otherwise. Either result is appended to the log
    (audit:verified, audit:verify:failed), where the console shows the newest.
    """
    report = _verify(vault_of(ctx))
    click.echo(f"Audit log intact: {report.events} events, {report.checkpoints} checkpoints.")
    if report.newest is None:
        click.echo(
            "No checkpoint yet, so events were checked for form only. "
            "Sign one with `voxkeep audit checkpoint`."
        )
        return
    root = base64.b64encode(report.newest.root_hash).decode()
    click.echo(f"Newest checkpoint: size {report.newest.size}, root {root}")
    click.echo(
        f"{report.unsigned_events} events after the newest checkpoint "
        "(checked for form; the next checkpoint signs them)."
    )


def _verify(vault: Vault) -> audit.VerifyReport:
    if not err.is_terminal:  # no bar in logs and pipes
        return verify_and_record(vault)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    with progress:
        task = progress.add_task("Verifying audit log", total=None)
        return verify_and_record(
            vault,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )


@audit_group.command("checkpoint")
@click.pass_context
def checkpoint(ctx: click.Context) -> None:
    """Sign a checkpoint of the log now and print it (a C2SP signed note)."""
    vault = vault_of(ctx)
    written = audit.write_checkpoint(vault)
    if written is None:
        click.echo("No events since the newest checkpoint; it still stands:", err=True)
    else:
        click.echo(f"Checkpoint written at tree size {written.size}:", err=True)
    click.echo(audit.latest_checkpoint_note(vault), nl=False)


@audit_group.command("key")
@click.pass_context
def key(ctx: click.Context) -> None:
    """Print the verifier key of this vault's checkpoints, to publish."""
    click.echo(audit.verifier_key(vault_of(ctx)))


@audit_group.command("tail")
@click.option(
    "-n",
    "--lines",
    "count",
    type=click.IntRange(1, audit.MAX_TAIL),
    default=20,
    show_default=True,
    help="How many of the newest events to show.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def tail(ctx: click.Context, count: int, as_json: bool) -> None:
    """Show the newest events, oldest first. Events hold pseudonyms and ids, no personal data."""
    for event in audit.recent_events(vault_of(ctx), count):
        _echo(event, as_json=as_json)


@audit_group.command("find")
@click.argument("account")
@click.option("--device", "devices", multiple=True, help="A removed device's id (repeatable).")
@click.option("--member", "members", multiple=True, help="A removed member's id (repeatable).")
@click.option(
    "--recording", "recordings", multiple=True, help="A deleted recording's id (repeatable)."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def find(
    ctx: click.Context,
    account: str,
    devices: tuple[str, ...],
    members: tuple[str, ...],
    recordings: tuple[str, ...],
    as_json: bool,
) -> None:
    """Show every event about ACCOUNT (the operator's id) and its objects, oldest first.

    The log names them by pseudonyms that the account's key computes, so this
    works while the account exists; after its erasure nothing links them any
    more. Its current devices, members and recordings are found by themselves;
    name deleted ones with the options.
    """
    found = audit.account_events(
        vault_of(ctx), account=account, devices=devices, members=members, recordings=recordings
    )
    for event in found:
        _echo(event, as_json=as_json)


def _echo(event: audit.EventView, *, as_json: bool) -> None:
    if as_json:
        fields = {
            "seq": event.seq,
            "at": event.at.isoformat(),
            "actor": event.actor,
            "action": event.action,
            "objects": event.objects,
            "counts": event.counts,
        }
        click.echo(json.dumps(fields, sort_keys=True))
        return
    details = " ".join(
        f"{name}={_value(value)}" for name, value in {**event.objects, **event.counts}.items()
    )
    click.echo(
        f"{event.seq:>8}  {event.at:%Y-%m-%d %H:%M:%S}  {event.action:<26} "
        f"{event.actor}  {details}".rstrip()
    )


def _value(value: object) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)
