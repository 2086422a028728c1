"""`voxkeep storage`: moving a vault's blobs to a bucket (storage/migrate.py)."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from rich.console import Console

from voxkeep.clikit import Group, progress, settings_of, stop_on_signal, vault_of

err = Console(stderr=True)
out = Console()

MB = 1_000_000


def _mb(size: float) -> str:
    return f"{size / MB:,.1f} MB"


@contextmanager
def _meter(label: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal, else a line a second: done of total, bytes and the rate."""
    started = time.monotonic()
    done = [0, 0]  # blobs, bytes
    last_line = [started]

    def text() -> str:
        seconds = max(time.monotonic() - started, 1e-6)
        return f"{label} {_mb(done[1])}, {_mb(done[1] / seconds)}/s"

    if err.is_terminal:
        with progress(err) as bar:
            task = bar.add_task(label, total=total)

            def advance(blobs: int, size: int) -> None:
                done[0] += blobs
                done[1] += size
                bar.update(task, advance=blobs, description=text())

            yield advance
        return

    def line(blobs: int, size: int) -> None:
        done[0] += blobs
        done[1] += size
        now = time.monotonic()
        if now - last_line[0] >= 1.0 or done[0] >= total:
            last_line[0] = now
            err.print(f"{text()}: {done[0]}/{total}", markup=False, highlight=False)

    yield line


@click.group(cls=Group)
def storage_group() -> None:
    """Move the vault's blobs between stores (see docs/storage.md)."""


@storage_group.command("migrate")
@click.option(
    "--to-s3",
    is_flag=True,
    help="Move to the bucket of VOXKEEP_S3_BUCKET (the settings every voxkeep process uses).",
)
@click.option(
    "--verify",
    is_flag=True,
    help="Then check every row's object and re-read every copy (size and SHA-256).",
)
@click.option(
    "--remove-local",
    is_flag=True,
    help="Then verify, and only if that passes remove the data directory's blobs.",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 1000),
    default=64,
    show_default=True,
    help="Blobs copied, and rows rewritten, per committed batch.",
)
@click.pass_context
def migrate(ctx: click.Context, to_s3: bool, verify: bool, remove_local: bool, batch: int) -> None:
    """Copy the data directory's blobs to the bucket, a committed batch at a time; rerun to
    resume. The vault serves reads throughout."""
    from voxkeep.storage.migrate import Migration

    if not to_s3:
        raise click.UsageError("Say where to: --to-s3 (the only target so far).")
    settings = settings_of(ctx)
    if settings.s3_bucket is None:
        raise click.ClickException(
            "There is no bucket to move the blobs to: set VOXKEEP_S3_BUCKET (and "
            "VOXKEEP_S3_ENDPOINT, VOXKEEP_S3_REGION and the credentials, see docs/storage.md), "
            "as every voxkeep process of this vault will use them."
        )
    vault = vault_of(ctx)
    with Migration(vault) as migration:
        count, size = migration.plan()
        err.print(f"{count} blobs ({_mb(size)}) to move to bucket {settings.s3_bucket}.")
        stopped = stop_on_signal()
        started = time.monotonic()
        with _meter("Moving", count) as advance:
            moved = migration.move(batch=batch, on_done=advance, should_stop=stopped.is_set)
        seconds = max(time.monotonic() - started, 1e-6)
        out.print(
            f"Moved {moved.moved} blobs ({_mb(moved.bytes)}) in {seconds:.1f} s "
            f"({_mb(moved.bytes / seconds)}/s)"
            + (f"; {moved.gone} were deleted meanwhile" if moved.gone else "")
            + (f"; removed {moved.cleaned} copies of an interrupted run" if moved.cleaned else "")
            + (
                f"; {moved.damaged} local blobs are damaged (a pack entry's header is wrong) and "
                "stay where they are"
                if moved.damaged
                else ""
            )
            + "."
        )
        if moved.stopped:
            out.print("Stopped: run the same command again to go on.")
            sys.exit(1)
        # Verifying and removing stop at Ctrl-C at once: a rerun starts them afresh.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if not (verify or remove_local):
            out.print(
                "The data directory keeps its blobs until `--verify` passes; "
                "`--remove-local` verifies, then removes them."
            )
            return
        with _meter("Verifying", migration.to_check()) as advance:
            checked = migration.verify(on_done=advance)
        out.print(
            f"Verified: {checked.rows} rows name objects in the bucket; {checked.copies} copies "
            f"re-read ({_mb(checked.bytes)}), each of the size and SHA-256 it was copied with."
        )
        if remove_local:
            removed = migration.remove_local()
            out.print(
                f"Removed {removed} blobs from {settings.blob_dir}: "
                "the vault now keeps its blobs in the bucket alone."
            )
