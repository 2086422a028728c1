"""`voxkeep records show`: the record of processing (Art. 30) as text or as a PDF file."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from voxkeep.pdfdoc import render_text
from voxkeep.records import service

out = Console(highlight=False)


@click.group("records")
def records_group() -> None:
    """The record of processing activities (Art. 30), from the running settings."""


@records_group.command("show")
@click.option(
    "--pdf",
    "pdf",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the record as a PDF file here instead of printing it.",
)
@click.option(
    "--language",
    type=click.Choice(service.LANGUAGES),
    default="en",
    show_default=True,
    help="The record's language.",
)
@click.pass_context
def records_show(ctx: click.Context, pdf: Path | None, language: str) -> None:
    """Print the record of processing, or write it as PDF (--pdf FILE)."""
    from voxkeep.clikit import settings_of

    settings = settings_of(ctx)
    if pdf is None:
        # Plain: rich would wrap the lines at the terminal's width and break copying.
        click.echo(render_text(service.processing_record(settings, language)), nl=False)
        return
    pdf.write_bytes(service.processing_record_pdf(settings, language))
    out.print(f"Wrote the record of processing ({language}) to {pdf}.", markup=False)
