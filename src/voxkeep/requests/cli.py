"""`voxkeep requests`: the privacy team's commands, and the job worker.

Every command but ``work`` acts as a signed-in staff member, because four eyes
need to know whose eyes: pass a staff session token (``VOXKEEP_STAFF_TOKEN``,
from ``POST /api/v1/staff/sessions``) or sign in for the one command with
``--as NAME`` (the password and the code from the authenticator app are asked
for, or read from standard input, one a line).
No command takes recordings, and only ``enter`` names an account: the subject
of a new request, verified later through that account's own address
(invariant 2).
"""

from __future__ import annotations

from datetime import datetime

import click
from rich.console import Console

from voxkeep.clikit import Group, staff_of, staff_options, stop_on_signal, vault_of
from voxkeep.errors import InvalidInput
from voxkeep.requests.models import RequestKind, RequestState

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


@click.group("requests", cls=Group)
@staff_options
def requests_group() -> None:
    """Data-subject requests: list by due date, verify, approve, extend, refuse, cancel
    (see docs/requests.md)."""


def _when(value: datetime | None) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M}"


@requests_group.command("list")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice([s.value for s in RequestState]),
    help="Only these states (repeat).",
)
@click.option("--all", "everything", is_flag=True, help="Also answered and finished requests.")
@click.pass_context
def list_cmd(ctx: click.Context, states: tuple[str, ...], everything: bool) -> None:
    """Requests by due date, soonest first (default: those whose answer is still owed)."""
    from voxkeep.requests.views import list_requests

    vault = vault_of(ctx)
    rows = list_requests(
        vault,
        staff=staff_of(ctx, vault),
        states=[RequestState(s) for s in states] or None,
        everything=everything,
    )
    if not rows:
        out.print("No requests.")
    for r in rows:
        flags = " ".join(f for f, on in (("OVERDUE", r.overdue), ("paused", r.paused)) if on)
        out.print(
            f"{r.id}  due {_when(r.due_at)}  {r.state:<9}  {r.kind:<11}  {r.channel:<6}  "
            f"received {_when(r.received_at)}"
            + (f"  +{r.extension_months}m" if r.extension_months else "")
            + (f"  {flags}" if flags else ""),
            markup=False,
        )
        if r.blocked is not None:
            incident = f" (incident {r.blocked.incident})" if r.blocked.incident else ""
            out.print(f"    blocked: {r.blocked.reason}{incident}", markup=False)
        for w in r.waiting:
            out.print(f"    {w.text}", markup=False)


@requests_group.command("show")
@click.argument("request_id")
@click.pass_context
def show_cmd(ctx: click.Context, request_id: str) -> None:
    """A request with its timeline, evidence and jobs (reading it is audited)."""
    from voxkeep.requests.views import show_request

    vault = vault_of(ctx)
    d = show_request(vault, staff=staff_of(ctx, vault), request_id=request_id)
    s = d.summary
    lines = [
        f"Request {s.id}: {s.kind} by {s.channel}, {s.state}"
        + (" (OVERDUE)" if s.overdue else "")
        + (" (clock paused)" if s.paused else ""),
        f"  account      {d.account or '(erased)'}",
        f"  received     {_when(s.received_at)}",
        f"  due          {_when(s.due_at)}"
        + (f" (extended by {s.extension_months} month(s))" if s.extension_months else ""),
    ]
    for label, value in (
        ("entered by", d.entered_by),
        (
            "verified by",
            d.verified_by
            and f"{d.verified_by} ({d.verification_method}) at {_when(d.verified_at)}",
        ),
        ("evidence", d.evidence),
        ("approved by", d.approved_by and f"{d.approved_by} at {_when(d.approved_at)}"),
        ("extension", d.extension_reason),
        ("refusal", d.refusal_reason),
        ("code valid", d.code_expires_at and f"until {_when(d.code_expires_at)}"),
        (
            "address",
            "changed after receipt: confirm-address before sending a code"
            if d.address_change_pending
            else None,
        ),
        (
            "address ok",
            d.address_confirmed_by
            and f"change confirmed by {d.address_confirmed_by} at {_when(d.address_confirmed_at)}",
        ),
        ("export", d.export_id),
        ("receipt", d.receipt_id),
        (
            "blocked",
            s.blocked
            and s.blocked.reason
            + (f" (incident {s.blocked.incident})" if s.blocked.incident else ""),
        ),
    ):
        if value:
            lines.append(f"  {label:<12} {value}")
    for w in s.waiting:
        lines.append(f"  {'fault':<12} {w.text} ({w.kind}: {w.last_error})")
    lines.append("Timeline:")
    for e in d.timeline:
        move = (
            e.to_state if e.from_state in (None, e.to_state) else f"{e.from_state} → {e.to_state}"
        )
        said = " ".join(f"{k}={v}" for k, v in (e.params or {}).items())
        told = ": ".join(part for part in (said, e.note) if part)
        lines.append(f"  {_when(e.at)}  {move:<22} {e.actor}" + (f"  {told}" if told else ""))
    for j in d.jobs:
        lines.append(
            f"Job {j.id}: {j.kind} {j.state}, {j.attempts} attempt(s)"
            + (f"; last error: {j.last_error}" if j.last_error else "")
        )
    out.print("\n".join(lines), markup=False)


@requests_group.command("enter")
@click.argument("account")
@click.option("--kind", required=True, type=click.Choice([k.value for k in RequestKind]))
@click.option("--channel", required=True, type=click.Choice(["email", "post", "phone"]))
@click.option(
    "--received-at",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
    help="When it arrived, in UTC (default: now). The deadline runs from here.",
)
@click.option("--note", help="Internal note (kept encrypted).")
@click.pass_context
def enter_cmd(
    ctx: click.Context,
    account: str,
    kind: str,
    channel: str,
    received_at: datetime | None,
    note: str | None,
) -> None:
    """Enter a request that came by e-mail, post or phone about ACCOUNT (the operator's id)."""
    from datetime import UTC

    from voxkeep.requests.models import Channel
    from voxkeep.requests.service import enter_request

    vault = vault_of(ctx)
    request_id = enter_request(
        vault,
        staff=staff_of(ctx, vault),
        account=account,
        kind=RequestKind(kind),
        channel=Channel(channel),
        received_at=received_at.replace(tzinfo=UTC) if received_at else None,
        note=note,
    )
    err.print("Request entered; verify it next: voxkeep requests verify ID --send-code")
    click.echo(request_id)


@requests_group.command("verify")
@click.argument("request_id")
@click.option("--send-code", is_flag=True, help="Mail a code to the account's verified address.")
@click.option("--code", help="The code the person gave back.")
@click.option("--evidence", help="With --code: how the person gave it back.")
@click.pass_context
def verify_cmd(
    ctx: click.Context,
    request_id: str,
    send_code: bool,
    code: str | None,
    evidence: str | None,
) -> None:
    """Verify a staff-entered request: --send-code, then --code CODE --evidence TEXT."""
    from voxkeep.requests import verification

    if send_code == (code is not None):
        raise click.UsageError("Give either --send-code or --code (with --evidence).")
    vault = vault_of(ctx)
    staff = staff_of(ctx, vault)
    if send_code:
        expires = verification.send_code(vault, staff=staff, request_id=request_id)
        out.print(
            f"Code mailed to the account's verified address; valid until {_when(expires)} UTC. "
            "The clock is paused until the person gives it back."
        )
        return
    if not evidence:
        raise InvalidInput("Say how the person gave the code back: --evidence TEXT.")
    assert code is not None
    verification.check_code(vault, staff=staff, request_id=request_id, code=code, evidence=evidence)
    out.print(f"Request {request_id} verified. Another approver must now approve it.")


@requests_group.command("confirm-address")
@click.argument("request_id")
@click.pass_context
def confirm_address_cmd(ctx: click.Context, request_id: str) -> None:
    """Confirm the account's changed e-mail address for a request received before the
    change, so the code may go to it (roles agent, dpo)."""
    from voxkeep.requests.verification import confirm_address

    vault = vault_of(ctx)
    changed = confirm_address(vault, staff=staff_of(ctx, vault), request_id=request_id)
    out.print(
        f"The address change of {_when(changed)} UTC is confirmed for request {request_id}; "
        f"send the code: voxkeep requests verify {request_id} --send-code"
    )


@requests_group.command("approve")
@click.argument("request_id")
@click.pass_context
def approve_cmd(ctx: click.Context, request_id: str) -> None:
    """Approve a verified request (approver role; not who entered or verified it)."""
    from voxkeep.requests.service import approve

    vault = vault_of(ctx)
    approve(vault, staff=staff_of(ctx, vault), request_id=request_id)
    out.print(f"Request {request_id} approved; the answer is being prepared.")


@requests_group.command("extend")
@click.argument("request_id")
@click.option("--months", required=True, type=click.IntRange(1, 2), help="1 or 2 (2 in all).")
@click.option("--reason", required=True, help="Why; the person is told (no personal data).")
@click.pass_context
def extend_cmd(ctx: click.Context, request_id: str, months: int, reason: str) -> None:
    """Extend the deadline within the first month (Art. 12(3)); the person is told why."""
    from voxkeep.requests.service import extend

    vault = vault_of(ctx)
    due = extend(
        vault, staff=staff_of(ctx, vault), request_id=request_id, months=months, reason=reason
    )
    out.print(f"Request {request_id} is now due {_when(due)} UTC; the person will be told.")


@requests_group.command("refuse")
@click.argument("request_id")
@click.option("--reason", required=True, help="Why it is manifestly unfounded or excessive.")
@click.pass_context
def refuse_cmd(ctx: click.Context, request_id: str, reason: str) -> None:
    """Refuse a request (Art. 12(5)); the person gets the reasons and their right to complain."""
    from voxkeep.requests.service import refuse

    vault = vault_of(ctx)
    refuse(vault, staff=staff_of(ctx, vault), request_id=request_id, reason=reason)
    out.print(f"Request {request_id} refused; the person will be told why.")


@requests_group.command("cancel")
@click.argument("request_id")
@click.option("--reason", required=True, help="Why (e.g. the person withdrew it).")
@click.pass_context
def cancel_cmd(ctx: click.Context, request_id: str, reason: str) -> None:
    """Cancel a request on the person's behalf."""
    from voxkeep.requests.service import cancel

    vault = vault_of(ctx)
    cancel(vault, staff=staff_of(ctx, vault), request_id=request_id, reason=reason)
    out.print(f"Request {request_id} cancelled.")


@requests_group.command("work")
@click.option("--once", is_flag=True, help="Run the jobs that are due, then exit.")
@click.option("--threads", type=click.IntRange(1, 64), help="Worker threads (default: setting).")
@click.option("--retry-failed", is_flag=True, help="First queue failed jobs again.")
@click.pass_context
def work_cmd(ctx: click.Context, once: bool, threads: int | None, retry_failed: bool) -> None:
    """Run background jobs (answers, erasures, notices) until stopped, or --once."""
    from voxkeep.jobs.queue import retry_failed as requeue
    from voxkeep.jobs.worker import run_once, start_worker

    vault = vault_of(ctx)
    if retry_failed:
        with vault.transaction() as session:
            err.print(f"{requeue(session)} failed job(s) queued again.")
    if once:
        out.print(f"{run_once(vault)} job(s) run.")
        return
    stopped = stop_on_signal()
    count = threads or max(vault.settings.job_workers, 1)
    stop = start_worker(vault, threads=count)
    err.print(f"Working with {count} thread(s); Ctrl-C stops.")
    stopped.wait()
    stop()
