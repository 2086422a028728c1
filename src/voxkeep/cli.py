"""The `voxkeep` command: thin shells over the services."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from voxkeep import __version__
from voxkeep.audit.events import SYSTEM
from voxkeep.clikit import (
    Group,
    LazySettings,
    operator_settings,
    progress,
    settings_of,
    stop_on_signal,
    vault_of,
)
from voxkeep.config import CONFIG_ENV
from voxkeep.vault import init_vault

err = Console(stderr=True)
out = Console()


# The command groups of other domains, loaded when used.
GROUPS = {
    "audit": "voxkeep.audit.cli:audit_group",
    "retention": "voxkeep.retention.cli:retention_group",
    "requests": "voxkeep.requests.cli:requests_group",
    "people": "voxkeep.people.cli:people",
    "staff": "voxkeep.people.cli:staff",
    "verify-export": "voxkeep.exports.cli:verify_export",
    "exports": "voxkeep.exports.cli:exports_group",
    "incidents": "voxkeep.incidents.cli:incidents_group",
    "records": "voxkeep.records.cli:records_group",
    "storage": "voxkeep.storage.cli:storage_group",
}


@click.group(cls=Group, lazy=GROUPS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="voxkeep")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML settings file (else VOXKEEP_CONFIG).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Data directory (else VOXKEEP_DATA_DIR, default ./voxkeep-data).",
)
@click.pass_context
def cli(ctx: click.Context, config: Path | None, data_dir: Path | None) -> None:
    """voxkeep: a vault for voice-assistant recordings."""
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if config is not None:
        # Child processes (`serve --workers`) read their settings from the environment.
        os.environ[CONFIG_ENV] = str(config)
    ctx.obj = LazySettings(config, overrides)


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the vault (or upgrade its schema): data directory, master key, database."""
    settings = settings_of(ctx)
    vault, created_key = init_vault(settings)
    vault.close()
    out.print(f"Vault ready in {settings.data_dir}.")
    if created_key:
        out.print(f"Master key written to {settings.key_file} (mode 0600). Back it up.")


@cli.command()
@click.option("--host", help="Address to bind (default from settings: 127.0.0.1).")
@click.option("--port", type=int, help="Port to bind (default from settings: 8000).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Processes answering requests (default from settings: 1).",
)
@click.option(
    "--no-jobs",
    is_flag=True,
    help="Serve HTTP only: no background jobs or retention sweeps (run `voxkeep worker`).",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str | None, port: int | None, workers: int | None, no_jobs: bool
) -> None:
    """Serve the API, the portal and the console."""
    from voxkeep.server import run

    settings = settings_of(ctx)
    vault = vault_of(ctx)
    run(
        vault,
        host=host or settings.host,
        port=port if port is not None else settings.port,
        workers=workers or settings.workers,
        jobs=not no_jobs,
    )


@cli.command()
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    help="Job threads in this process (default: VOXKEEP_JOB_WORKERS, at least 1).",
)
@click.pass_context
def worker(ctx: click.Context, threads: int | None) -> None:
    """Run background work only, no HTTP: answers, erasure purges, mail, retention sweeps."""
    from voxkeep.jobs.node import run_node
    from voxkeep.logs import configure

    vault = vault_of(ctx)
    configure(vault.settings.log_level)
    count = threads or max(vault.settings.job_workers, 1)
    err.print(f"Worker node with {count} job thread(s); Ctrl-C or SIGTERM stops it.")
    run_node(vault, threads=count, stopped=stop_on_signal())


DEMO_HOST = "127.0.0.1"
DEMO_CHOOSE = "make demo PORT={port} (or voxkeep demo --port {port})"


@cli.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to serve on (default from settings: 8000).",
)
@click.option("--no-serve", is_flag=True, help="Build the demo vault and exit.")
@click.pass_context
def demo(ctx: click.Context, port: int | None, no_serve: bool) -> None:
    """Build the demo vault (idempotently) and serve it on 127.0.0.1."""
    from voxkeep.config import write_demo_settings
    from voxkeep.demo.builder import build_demo, print_welcome, responsible_choices
    from voxkeep.mail import demo_choices
    from voxkeep.server import check_port, run

    operator = operator_settings(ctx)
    port = port if port is not None else operator.port
    if not no_serve:
        # Before anything is built, printed or revoked: a demo already serving on
        # this port keeps its token.
        check_port(DEMO_HOST, port, choose=DEMO_CHOOSE)
    choices = demo_choices(operator, port=port) | responsible_choices(operator)
    settings = operator.model_copy(update=choices)
    vault, _ = init_vault(settings)
    ctx.call_on_close(vault.close)
    # Kept in the vault: `voxkeep people invite` and every other command that opens
    # it mail into the same outbox, with links to this demo server.
    write_demo_settings(settings.data_dir, choices)
    with progress(err) as bar:
        task = bar.add_task("Building demo vault", total=None)
        summary = build_demo(
            vault,
            on_total=lambda n: bar.update(task, total=n),
            on_done=lambda n: bar.advance(task, n),
        )
    print_welcome(out, summary, host=DEMO_HOST, port=port, outbox=settings.mail_outbox_dir)
    if not no_serve:
        run(vault, host=DEMO_HOST, port=port, choose=DEMO_CHOOSE)


@cli.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes that read, check and encrypt the files  [default: one per CPU core, at most 8]",
)
@click.pass_context
def import_(ctx: click.Context, folder: Path, workers: int | None) -> None:
    """Import FOLDER: WAV files with JSON sidecars (see docs/import.md). Rerun to resume."""
    from voxkeep.recordings.importer import run_import

    vault = vault_of(ctx)
    # Redrawn as batches commit, not by a thread of its own: the import forks its workers.
    with progress(err, auto_refresh=False) as bar:
        task = bar.add_task("Importing", total=None)
        report = run_import(
            vault,
            folder,
            workers=workers,
            on_found=lambda n: bar.update(task, total=n, refresh=True),
            on_done=lambda n: bar.update(task, advance=n, refresh=True),
        )
    out.print(
        f"{report.found} WAV files: {report.imported} imported, "
        f"{report.already_present} already present, {len(report.rejected)} rejected"
        + (f", {report.discarded} discarded (retention: don't save)" if report.discarded else "")
        + (f"; {report.accounts} accounts registered" if report.accounts else "")
        + "."
    )
    for path, reason in report.rejected:
        out.print(f"  rejected {path}: {reason}", markup=False, highlight=False)
    if report.rejected:
        sys.exit(1)


@cli.group(cls=Group)
def tokens() -> None:
    """Create, list and revoke API tokens for the operator's backend."""


@tokens.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["ingest", "read", "audit", "delete"]),
    default=("ingest",),
    show_default=True,
    help="Repeat for several scopes.",
)
@click.pass_context
def tokens_create(ctx: click.Context, name: str, scopes: tuple[str, ...]) -> None:
    """Create a token called NAME; its value is printed once."""
    from voxkeep.tokens.service import Scope, create_token

    vault = vault_of(ctx)
    with vault.transaction() as session:
        info, value = create_token(
            session, name=name, scopes=[Scope(s) for s in scopes], actor=SYSTEM
        )
    err.print(f"Token {info.id} ({', '.join(info.scopes)}) created. Its value, shown once:")
    click.echo(value)


@tokens.command("list")
@click.pass_context
def tokens_list(ctx: click.Context) -> None:
    """List tokens (never their values)."""
    from voxkeep.tokens.service import list_tokens

    vault = vault_of(ctx)
    with vault.reading() as session:
        rows = list_tokens(session)
    if not rows:
        out.print("No tokens. Create one with `voxkeep tokens create NAME`.")
    for t in rows:
        state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
        out.print(
            f"{t.id}  {t.name}  [{', '.join(t.scopes)}]  created {t.created_at:%Y-%m-%d}  {state}",
            markup=False,
        )


@tokens.command("revoke")
@click.argument("token_id")
@click.pass_context
def tokens_revoke(ctx: click.Context, token_id: str) -> None:
    """Revoke the token TOKEN_ID at once."""
    from voxkeep.tokens.service import revoke_token

    vault = vault_of(ctx)
    with vault.transaction() as session:
        revoke_token(session, token_id, actor=SYSTEM)
    out.print(f"Token {token_id} revoked.")


@cli.group(cls=Group)
def keys() -> None:
    """Manage the master key."""


@keys.command("rotate")
@click.pass_context
def keys_rotate(ctx: click.Context) -> None:
    """Rewrap every data key under a new master key (audio is not re-encrypted)."""
    from voxkeep.vault import rotate_master_key

    vault = vault_of(ctx)
    old = vault.keyring.master.current_key_id
    data_keys, instance = rotate_master_key(vault)
    out.print(
        f"Master key {old} replaced by {vault.keyring.master.current_key_id}: "
        f"{data_keys} data keys and {instance} instance keys rewrapped."
    )


@cli.command()
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@click.option(
    "--grace",
    type=float,
    default=3600.0,
    show_default=True,
    help="Seconds a blob must be old before it counts (uploads in flight are younger).",
)
@click.pass_context
def gc(ctx: click.Context, dry_run: bool, grace: float) -> None:
    """Find and remove orphan blobs left by crashes."""
    from voxkeep.storage.gc import collect_orphans

    vault = vault_of(ctx)
    report = collect_orphans(vault, grace_s=grace, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    out.print(f"Scanned {report.scanned} blobs; {verb} {len(report.orphans)} orphans.")


def main() -> None:
    cli(prog_name="voxkeep")
