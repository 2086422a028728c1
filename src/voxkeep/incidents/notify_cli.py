"""`voxkeep incidents notify people`: tell the people an incident affects (Art. 34).

A thin shell over incidents.notify.notify_affected, acting as the signed-in
DPO (``--as NAME`` or ``VOXKEEP_STAFF_TOKEN``). It asks for a confirmation
unless given ``--yes``, and prints pseudonyms only.
"""

from __future__ import annotations

import click
from rich.console import Console

from voxkeep.incidents.notice_texts import What

out = Console(highlight=False)


@click.command("people")
@click.argument("incident_id")
@click.option(
    "--what",
    type=click.Choice([w.value for w in What]),
    help="What happened, in plain words (default: the usual text for the incident's kind).",
)
@click.option("--note", help="A note in the DPO's own words for every notice (kept encrypted).")
@click.option(
    "--only",
    multiple=True,
    help="Tell only this affected person (their account:… pseudonym); repeatable.",
)
@click.option("--yes", is_flag=True, help="Send without asking for a confirmation.")
@click.pass_context
def people_cmd(
    ctx: click.Context,
    incident_id: str,
    what: str | None,
    note: str | None,
    only: tuple[str, ...],
    yes: bool,
) -> None:
    """Tell each person INCIDENT_ID affects, in their language, by mail and in the portal;
    nobody is told twice."""
    from voxkeep.clikit import staff_of, vault_of
    from voxkeep.incidents.notify import notify_affected

    if not yes:
        click.confirm("Each affected person will be mailed a notice. Go on?", abort=True)
    vault = vault_of(ctx)
    done = notify_affected(
        vault,
        incident_id,
        actor=staff_of(ctx, vault),
        what=What(what) if what else None,
        note=note,
        only=list(only) or None,
    )
    out.print(f"Told now: {', '.join(done.queued) or '-'}", markup=False)
    out.print(f"Told before: {', '.join(done.already) or '-'}", markup=False)
    if done.erased:
        out.print(f"Erased, not told: {', '.join(done.erased)}", markup=False)
    if done.pending:
        out.print(f"Still to tell: {', '.join(done.pending)}", markup=False)


@click.command("not-told")
@click.argument("incident_id")
@click.option(
    "--only",
    "accounts",
    multiple=True,
    required=True,
    help="An affected person still to be told who is not told (account:… pseudonym); repeatable.",
)
@click.option(
    "--basis",
    required=True,
    type=click.Choice(["unintelligible", "risk_gone", "public"]),
    help="Art. 34(3): (a) unintelligible, (b) risk_gone, (c) public communication instead.",
)
@click.option("--reason", required=True, help="The reason, in your words (kept encrypted).")
@click.pass_context
def not_told_cmd(
    ctx: click.Context, incident_id: str, accounts: tuple[str, ...], basis: str, reason: str
) -> None:
    """Record why people INCIDENT_ID affects are not told (Art. 34(3)); once nobody is left
    to tell, the incident is people_notified."""
    from voxkeep.clikit import staff_of, vault_of
    from voxkeep.incidents.notify import pending_of, record_not_told
    from voxkeep.incidents.telling import NotTelling

    vault = vault_of(ctx)
    done = record_not_told(
        vault,
        incident_id,
        actor=staff_of(ctx, vault),
        accounts=list(accounts),
        basis=NotTelling(basis),
        reason=reason,
    )
    out.print(f"Not told (Art. 34(3)): {', '.join(done)}", markup=False)
    out.print(f"Still to tell: {', '.join(pending_of(vault, incident_id)) or '-'}", markup=False)
