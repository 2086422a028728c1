"""`voxkeep incidents notify authority` and `voxkeep incidents follow-up`: the
notification to the supervisory authority (Art. 33) from the command line.

Thin shells over incidents/notification.py, acting as the signed-in staff
member (``--as NAME`` or ``VOXKEEP_STAFF_TOKEN``): the DPO records, admins may
write a draft. They print ids, phases, times and hashes; the document's words
go only into the files asked for.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console

from voxkeep.clikit import Group, staff_of, vault_of
from voxkeep.errors import InvalidInput
from voxkeep.incidents.authority import LANGUAGES, AuthorityReport

out = Console(highlight=False)

PDF = click.option(
    "--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path), help="Write the PDF here."
)
JSON = click.option(
    "--json", "json_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON."
)
LANGUAGE = click.option("--language", type=click.Choice(LANGUAGES), default="en", show_default=True)


def parse_time(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "--at is not a date and time.", hint="Give it as 2026-03-02T08:00 (UTC)."
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _write(
    report: AuthorityReport, pdf: Path | None, json_file: Path | None, language: str
) -> None:
    from voxkeep.incidents.notification import document

    for path, kind in ((pdf, "pdf"), (json_file, "json")):
        if path is not None:
            path.write_bytes(document(report, format=kind, language=language))
            out.print(f"Wrote phase {report.phase} as {kind.upper()} to {path}.", markup=False)


@click.group("notify", cls=Group)
def notify_group() -> None:
    """Record a notification the law asks for (Art. 33, 34)."""


@notify_group.command("authority")
@click.argument("incident_id")
@PDF
@JSON
@LANGUAGE
@click.option("--reference", help="The authority's reference for the notification (encrypted).")
@click.option("--late-reason", help="Why later than 72 hours (required then; encrypted).")
@click.option("--at", "at", help="When it was sent, in UTC (default now).")
@click.option("--draft", is_flag=True, help="Only write the document; record nothing.")
@click.pass_context
def notify_authority_cmd(
    ctx: click.Context,
    incident_id: str,
    pdf: Path | None,
    json_file: Path | None,
    language: str,
    reference: str | None,
    late_reason: str | None,
    at: str | None,
    draft: bool,
) -> None:
    """Record that the authority was notified and/or write its document (PDF, JSON).

    With --draft, only the document of the current phase is written. Otherwise the
    notification is recorded (past the 72 hours only with --late-reason) and the
    files hold the document as recorded, whose SHA-256 the timeline keeps.
    """
    from voxkeep.incidents import notification

    vault = vault_of(ctx)
    staff = staff_of(ctx, vault)
    if draft:
        if pdf is None and json_file is None:
            raise InvalidInput("--draft writes a document: give --pdf FILE or --json FILE.")
        report = notification.authority_report(
            vault, incident_id, reader=staff, delay_reasons=late_reason
        )
        _write(report, pdf, json_file, language)
        return
    sent = notification.notify_authority(
        vault,
        incident_id,
        actor=staff,
        at=parse_time(at) if at else None,
        reference=reference,
        late_reason=late_reason,
    )
    out.print(
        f"Authority notified at {sent.at:%Y-%m-%d %H:%M} UTC (phase 1); "
        f"document SHA-256 {sent.sha256}.",
        markup=False,
    )
    _write(sent.report, pdf, json_file, language)


@click.command("follow-up")
@click.argument("incident_id")
@click.option("--what-is-new", required=True, help="What this phase adds (encrypted).")
@PDF
@JSON
@LANGUAGE
@click.pass_context
def follow_up_cmd(
    ctx: click.Context,
    incident_id: str,
    what_is_new: str,
    pdf: Path | None,
    json_file: Path | None,
    language: str,
) -> None:
    """Record a follow-up to the authority (Art. 33(4)): the next phase of the notification."""
    from voxkeep.incidents.notification import add_follow_up

    vault = vault_of(ctx)
    sent = add_follow_up(vault, incident_id, actor=staff_of(ctx, vault), what_is_new=what_is_new)
    out.print(f"Phase {sent.phase} recorded; document SHA-256 {sent.sha256}.", markup=False)
    _write(sent.report, pdf, json_file, language)
