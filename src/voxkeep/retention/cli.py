"""`voxkeep retention`: run the sweeper, erase an account, show and check erasure receipts.

Added to the ``voxkeep`` command in ``voxkeep.cli``; errors become a message
and exit 1 through ``voxkeep.clikit.Group``.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from voxkeep.clikit import Group, progress, vault_of
from voxkeep.errors import InvalidInput
from voxkeep.retention import erasure, receipts, sweeper

err = Console(stderr=True)
out = Console(highlight=False)
ACTOR = "system:cli"


@click.group("retention", cls=Group)
def retention_group() -> None:
    """Retention sweeps, account erasure and erasure receipts (see docs/retention.md)."""


@retention_group.command("run")
@click.option("--limit", type=click.IntRange(min=1), help="Delete at most this many recordings.")
@click.pass_context
def run(ctx: click.Context, limit: int | None) -> None:
    """Delete every expired recording now and finish interrupted erasures. Safe to rerun."""
    vault = vault_of(ctx)
    with progress(err) as bar:
        task = bar.add_task("Sweeping expired recordings", total=None)
        result = sweeper.run_retention(
            vault,
            limit=limit,
            on_total=lambda n: bar.update(task, total=n),
            on_done=lambda n: bar.advance(task, n),
        )
    swept = result.sweep
    rate = swept.counts.recordings / swept.seconds if swept.seconds else 0.0
    out.print(
        f"Swept {swept.counts.recordings} expired recordings "
        f"({swept.counts.transcripts} with transcripts) in {swept.seconds:.1f} s"
        f" ({rate:.0f}/s, {swept.batches} batches)."
    )
    if result.erasures:
        out.print(f"Finished {len(result.erasures)} interrupted erasure(s).")
    if result.reexpired:
        out.print(f"Re-expired {result.reexpired} recordings under the new retention maximum.")


@retention_group.command("erase")
@click.argument("account_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def erase(ctx: click.Context, account_id: str, yes: bool) -> None:
    """Erase ACCOUNT_ID for good and print its signed erasure receipt (JSON)."""
    if not yes:
        click.confirm(
            "This destroys the account's key at once; nothing of it can be read again. Continue?",
            abort=True,
            err=True,
        )
    vault = vault_of(ctx)
    with progress(err) as bar:
        task = bar.add_task("Purging", total=None)
        done, view = erasure.erase_account(
            vault,
            external_id=account_id,
            actor=ACTOR,
            on_total=lambda n: bar.update(task, total=n),
            on_done=lambda n: bar.advance(task, n),
        )
    err.print(f"Account erased; receipt {view.id}. {_times(view.content)}")
    if done.subject_salt:
        err.print(
            "Give the person the receipt and this salt (shown once; it proves the receipt is "
            f"theirs): {done.subject_salt}"
        )
    _print_receipt(view)


def _times(content: dict[str, Any]) -> str:
    """The erasure's two moments, as the receipt states them (UTC)."""
    gone = content.get("purged_at")
    return f"Unreadable since {content['key_destroyed_at']} (key destroyed); " + (
        f"bytes gone since {gone} (purge finished)." if gone else "bytes still being purged."
    )


def _print_receipt(view: erasure.ReceiptView) -> None:
    if view.signed is None:
        click.echo(json.dumps({"status": "purging", "receipt": view.content}, indent=2))
        return
    click.echo(json.dumps(view.signed.bundle(), indent=2))


@retention_group.command("receipt")
@click.argument("receipt_id")
@click.pass_context
def receipt(ctx: click.Context, receipt_id: str) -> None:
    """Print erasure receipt RECEIPT_ID as a signed bundle (JSON)."""
    _print_receipt(erasure.get_receipt(vault_of(ctx), receipt_id))


@retention_group.command("public-key")
@click.pass_context
def public_key(ctx: click.Context) -> None:
    """Print the public key (PEM) that verifies this vault's erasure receipts."""
    vault = vault_of(ctx)
    with vault.reading() as session:
        raw = receipts.public_key(vault, session)
    click.echo(receipts.public_key_pem(raw), nl=False)


@retention_group.command("verify")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--public-key",
    "key_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Pin the signer: a PEM file from `voxkeep retention public-key`.",
)
def verify(bundle: Path, key_file: Path | None) -> None:
    """Check the signature of a receipt BUNDLE file (needs no vault)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        PublicFormat,
        load_pem_public_key,
    )

    try:
        data = json.loads(bundle.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput(f"{bundle.name} is not a JSON receipt bundle.") from None
    pinned = None
    if key_file is not None:
        key = load_pem_public_key(key_file.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise InvalidInput("The public key is not an Ed25519 key.")
        pinned = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    content = receipts.verify_bundle(data, public_key=pinned)
    signer = receipts.key_id(base64.b64decode(data["public_key"]))
    out.print(
        f"Valid receipt {content['receipt_id']} for {content['account']}, signed by key {signer}. "
        f"{_times(content)}"
    )
    if pinned is None:
        err.print("The signer was not pinned; pass --public-key to check it is this vault's.")
