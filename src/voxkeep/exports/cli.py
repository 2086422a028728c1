"""`voxkeep verify-export` and `voxkeep exports ...`."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from rich.console import Console

from voxkeep.errors import ConfigError, VoxkeepError
from voxkeep.exports.verify import verify_archive

out = Console(highlight=False)


def _public_key(value: str) -> Ed25519PublicKey:
    """A key as published at /api/v1/exports/key: base64 of 32 bytes, or a PEM file."""
    path = Path(value)
    if path.is_file():
        key = load_pem_public_key(path.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise ConfigError(f"{value} is not an Ed25519 public key.")
        return key
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        raise ConfigError(
            "The public key is neither a PEM file nor base64 of 32 bytes.",
            hint="Copy `public_key` from GET /api/v1/exports/key.",
        ) from None


def _vault_key(ctx: click.Context) -> Ed25519PublicKey:
    from voxkeep.clikit import vault_of
    from voxkeep.exports import signing

    vault = vault_of(ctx)
    with vault.reading() as session:
        return signing.public_key(vault, session)


@click.command("verify-export")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--public-key",
    "public_key",
    help="The instance's export key (base64 from /api/v1/exports/key, or a PEM file). "
    "Default: this vault's key.",
)
@click.pass_context
def verify_export(ctx: click.Context, archive: Path, public_key: str | None) -> None:
    """Check ARCHIVE (an answer zip): signature, and size and SHA-256 of every file."""
    key = _public_key(public_key) if public_key else _vault_key(ctx)
    try:
        manifest = verify_archive(lambda: archive.open("rb"), public_key=key, workers=2)
    except VoxkeepError as exc:
        raise click.ClickException(f"NOT VALID: {exc}") from None
    recordings = len(manifest.recording_ids())
    out.print(
        f"OK: {len(manifest.files)} files ({recordings} recordings, "
        f"{len(manifest.withheld)} withheld) match the manifest signed by key "
        f"{manifest.signing_key}; answer {manifest.export} to request {manifest.request}."
    )


@click.group("exports")
def exports_group() -> None:
    """Answer archives: the signing key and expiry."""


@exports_group.command("key")
@click.pass_context
def exports_key(ctx: click.Context) -> None:
    """Print the public key that signs answer manifests (base64, then PEM)."""
    from voxkeep.clikit import vault_of
    from voxkeep.exports import signing

    vault = vault_of(ctx)
    with vault.reading() as session:
        info = signing.public_key_info(vault, session)
    click.echo(f"{info.algorithm} {info.key_id} {info.public_key}")
    click.echo(info.pem, nl=False)


@exports_group.command("expire")
@click.pass_context
def exports_expire(ctx: click.Context) -> None:
    """Expire answers past their time or downloads now (the worker also does it at expiry)."""
    from voxkeep.clikit import vault_of
    from voxkeep.exports.delivery import expire_exports

    count = expire_exports(vault_of(ctx))
    out.print(f"{count} answers expired; their keys are destroyed.")
