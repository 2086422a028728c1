"""`voxkeep incidents`: the breach register (Art. 33(5)) from the command line.

Each command is a thin shell over one incidents.service call and acts as a
signed-in staff member (``--as NAME`` or ``VOXKEEP_STAFF_TOKEN``): the DPO
acts, admins read. ``contain`` (incidents.containment_cli) acts as the server's
operator instead. Typed words (reasons, the assessment) are kept sealed; the
commands print ids, pseudonyms, counts and times, and a staff reader's own
words back only on ``show``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click
from rich.console import Console

from voxkeep.clikit import Group, staff_of, staff_options, vault_of
from voxkeep.incidents.authority_cli import follow_up_cmd, notify_group, parse_time
from voxkeep.incidents.containment_cli import contain_group
from voxkeep.incidents.models import Risk
from voxkeep.incidents.notify_cli import not_told_cmd, people_cmd

if TYPE_CHECKING:
    from voxkeep.incidents.service import Clock

out = Console(highlight=False)


@click.group("incidents", cls=Group)
@staff_options
def incidents_group() -> None:
    """The breach register: list, show, aware, assess, affected, contain, notify,
    follow-up, close (see docs/breaches.md)."""


incidents_group.add_command(contain_group)
notify_group.add_command(people_cmd)
notify_group.add_command(not_told_cmd)
incidents_group.add_command(notify_group)
incidents_group.add_command(follow_up_cmd)


def _when(value: datetime | None) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M}"


def _clock(clock: Clock) -> str:
    if not clock.needed:
        return "no notification needed"
    if clock.notified_at is not None:
        return f"notified {clock.hours_over} h late" if clock.overdue else "notified in time"
    if clock.overdue:
        return f"OVERDUE by {clock.hours_over} h"
    return f"{clock.hours_left} h left"


@incidents_group.command("list")
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True)
@click.pass_context
def list_cmd(ctx: click.Context, limit: int) -> None:
    """Incidents, newest first: state, risk and the 72-hour clock (ids and counts only)."""
    from voxkeep.incidents.service import incident_summaries

    vault = vault_of(ctx)
    rows = incident_summaries(vault, limit=limit, staff=staff_of(ctx, vault))
    if not rows:
        out.print("No incidents.")
    for r in rows:
        out.print(
            f"{r.id}  {r.kind.value:<19}  {r.state.value:<18}  "
            f"risk {r.risk.value if r.risk else '-':<8}  aware {_when(r.clock.aware_at)}  "
            f"notify by {_when(r.clock.notify_by)}  {_clock(r.clock)}",
            markup=False,
        )


@incidents_group.command("show")
@click.argument("incident_id")
@click.pass_context
def show_cmd(ctx: click.Context, incident_id: str) -> None:
    """One incident: clock, assessment, affected people, timeline."""
    from voxkeep.incidents.service import show_incident

    vault = vault_of(ctx)
    d = show_incident(vault, incident_id, reader=staff_of(ctx, vault))
    s = d.summary
    lines = [
        f"incident   {s.id}",
        f"kind       {s.kind.value}",
        f"state      {s.state.value}",
        f"opened     {_when(s.opened_at)}  ({s.occurrences} occurrence(s))",
        f"aware      {_when(s.clock.aware_at)}",
        f"notify by  {_when(s.clock.notify_by)}  {_clock(s.clock)}",
        f"request    {s.request_id or '-'}",
        f"answer     {d.export_id or '-'}",
        f"moves      {', '.join(x.value for x in d.next_states) or '-'}",
    ]
    a = d.assessment
    if a is not None:
        lines += [
            f"risk       {a.risk.value} ({_when(a.assessed_at)})",
            f"  reason        {a.reason or '-'}",
            f"  nature        {a.nature or '-'}",
            f"  consequences  {a.consequences or '-'}",
            f"  measures      taken: {a.measures_taken or '-'}; "
            f"proposed: {a.measures_proposed or '-'}",
        ]
    lines.append(f"affected   {len(d.affected)} person(s)")
    for p in d.affected:
        period = f"{_when(p.first_at)} .. {_when(p.last_at)}" if p.first_at else "-"
        lines.append(
            f"  {p.account}  {p.source.value:<9}  {p.recordings} recording(s)  {period}  "
            f"devices {', '.join(p.devices) or '-'}" + ("  (erased)" if p.erased else "")
        )
    lines.append("timeline")
    for e in d.timeline:
        lines.append(
            f"  {e.seq:>3}  {_when(e.at)}  {e.actor:<40}  {e.action}"
            + (f" ({' '.join(f'{k}={v}' for k, v in e.params.items())})" if e.params else "")
            + (f": {e.note}" if e.note else "")
            + (f"  sha256 {e.sha256}" if e.sha256 else "")
        )
    for line in lines:
        out.print(line, markup=False)


@incidents_group.command("aware")
@click.argument("incident_id")
@click.option(
    "--at", "at", required=True, help="When voxkeep became aware, in UTC (2026-03-02T08:00)."
)
@click.option("--reason", required=True, help="Why then (kept encrypted).")
@click.pass_context
def aware_cmd(ctx: click.Context, incident_id: str, at: str, reason: str) -> None:
    """Set the awareness time: the 72-hour clock runs from it (never in the future)."""
    from voxkeep.incidents.service import set_awareness

    when = parse_time(at)
    vault = vault_of(ctx)
    set_awareness(
        vault, staff=staff_of(ctx, vault), incident_id=incident_id, aware_at=when, reason=reason
    )
    out.print(f"Aware since {_when(when)} UTC; notify the authority within 72 hours of it.")


@incidents_group.command("assess")
@click.argument("incident_id")
@click.option("--risk", required=True, type=click.Choice([r.value for r in Risk]))
@click.option("--reason", required=True, help="Why this risk (kept encrypted).")
@click.option("--nature", help="What happened (kept encrypted).")
@click.option("--consequences", help="Likely consequences for people (kept encrypted).")
@click.option("--measures-taken", help="Measures taken (kept encrypted).")
@click.option("--measures-proposed", help="Measures proposed (kept encrypted).")
@click.pass_context
def assess_cmd(
    ctx: click.Context,
    incident_id: str,
    risk: str,
    reason: str,
    nature: str | None,
    consequences: str | None,
    measures_taken: str | None,
    measures_proposed: str | None,
) -> None:
    """Record the risk assessment (again, to replace it)."""
    from voxkeep.incidents.service import assess

    vault = vault_of(ctx)
    state = assess(
        vault,
        staff=staff_of(ctx, vault),
        incident_id=incident_id,
        risk=Risk(risk),
        reason=reason,
        nature=nature,
        consequences=consequences,
        measures_taken=measures_taken,
        measures_proposed=measures_proposed,
    )
    out.print(f"Assessed as {risk}; the incident is {state.value}.")


@incidents_group.group("affected", cls=Group)
def affected_group() -> None:
    """The people an incident affects."""


@affected_group.command("derive")
@click.argument("incident_id")
@click.pass_context
def derive_cmd(ctx: click.Context, incident_id: str) -> None:
    """Work out the affected people again from the incident's answer (idempotent)."""
    from voxkeep.incidents.service import derive_affected

    vault = vault_of(ctx)
    found = derive_affected(vault, staff=staff_of(ctx, vault), incident_id=incident_id)
    out.print(f"The answer concerns {found} person(s).")


@affected_group.command("add")
@click.argument("incident_id")
@click.argument("account")
@click.option("--reason", required=True, help="Why this person is affected (kept encrypted).")
@click.pass_context
def add_cmd(ctx: click.Context, incident_id: str, account: str, reason: str) -> None:
    """List ACCOUNT (the operator's account id) as affected; only its pseudonym is kept."""
    from voxkeep.incidents.service import add_affected

    vault = vault_of(ctx)
    name = add_affected(
        vault, staff=staff_of(ctx, vault), incident_id=incident_id, account=account, reason=reason
    )
    out.print(f"Added {name}.", markup=False)


@incidents_group.command("close")
@click.argument("incident_id")
@click.option("--reason", required=True, help="Why it can close (kept encrypted).")
@click.pass_context
def close_cmd(ctx: click.Context, incident_id: str, reason: str) -> None:
    """Close the incident, once its risk allows (see docs/breaches.md)."""
    from voxkeep.incidents.service import close

    vault = vault_of(ctx)
    close(vault, staff=staff_of(ctx, vault), incident_id=incident_id, reason=reason)
    out.print("Closed.")
