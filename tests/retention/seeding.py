"""Seeding a vault with many real recordings quickly, through the importer's batch path.

Rows, blobs, encryption, expiry stamping and audit events are the product's
own (``store_batch``); only the HTTP round trip is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from helpers import make_wav
from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import DeviceKind, Language, Retention
from voxkeep.recordings.bulk import store_batch
from voxkeep.recordings.service import (
    NewRecording,
    OwnerLookup,
    Prepared,
    check_audio,
    resolve_owner,
)
from voxkeep.vault import Vault

ACTOR = "system:tests"
SMALL_WAV = make_wav(0.05, rate=8000)


def register(
    vault: Vault,
    account: str,
    *,
    devices: Sequence[str] | None = None,
    members: Sequence[str] = (),
    retention: Retention | None = None,
    email: str | None = None,
    device_name: str = "Kitchen",
    member_name: str = "Ann",
) -> str:
    """Register an account with devices (default: ACCOUNT-dev) and members; returns its id."""
    with vault.transaction() as session:
        changes = accounts.AccountChanges(email=email, language=Language.EN, retention=retention)
        row, _ = accounts.upsert_account(
            vault, session, external_id=account, changes=changes, actor=ACTOR
        )
        for device in devices if devices is not None else (f"{account}-dev",):
            accounts.upsert_device(
                vault,
                session,
                account=row,
                device_id=device,
                kind=DeviceKind.SPEAKER,
                name=device_name,
                registered_at=datetime.now(UTC) - timedelta(days=1000),
                actor=ACTOR,
            )
        for member in members:
            accounts.upsert_member(
                vault, session, account=row, member_id=member, name=member_name, actor=ACTOR
            )
        return row.id


def seed(
    vault: Vault,
    account: str,
    captured: Sequence[datetime],
    *,
    prefix: str,
    device: str | None = None,
    transcript: str | None = "turn on the light",
    audio: bytes = SMALL_WAV,
    batch: int = 500,
) -> list[str]:
    """Store one recording per captured_at; returns their ids."""
    ids = []
    with vault.reading() as session:
        lookup = OwnerLookup(vault, session)
    for start in range(0, len(captured), batch):
        ready: list[tuple[Prepared, bytes]] = []
        with vault.reading() as session:
            lookup.session = session
            for n, when in enumerate(captured[start : start + batch], start=start):
                meta = NewRecording(
                    id=f"{prefix}-{n:06d}",
                    account=account,
                    device=device or f"{account}-dev",
                    captured_at=when,
                    language=Language.EN,
                    transcript=transcript,
                )
                wav = check_audio(vault, audio)
                ready.append((resolve_owner(lookup, meta, audio, wav), audio))
                ids.append(meta.id)
        store_batch(vault, ready, actor=ACTOR)
    return ids


def days_ago(*days: float) -> list[datetime]:
    now = datetime.now(UTC)
    return [now - timedelta(days=d) for d in days]
