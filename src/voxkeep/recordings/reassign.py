"""Moving recordings the operator attributed to the wrong account to the right one.

A resold device that the operator's backend never removed from its first
owner's account goes on sending the new owner's recordings under the first
owner. Containing that (incidents/containment.py) moves every recording of
the device captured since a given time to the right account.

Each recording's ciphertext is bound to its owner and its id (invariant 1),
so a move is a re-encryption, never a relabelling: the audio is decrypted
with the old owner's data key (and checked against its sealed SHA-256), then
encrypted under the new owner's key into a new pack, which is made durable
*before* the transaction that points the row at it (invariant 8); the
transcript and the sealed hash are re-sealed in that transaction; the old
blob is deleted after the commit. In batches, each one transaction with an
audit event for each account: a crash loses nothing (rows still name their
old, intact blobs, or their new, durable ones) and doubles nothing (a row is
one row; a rerun moves only what is still with the old owner). What a crash
leaves behind is only unreferenced ciphertext, which ``voxkeep gc`` collects.

The device: its id stays with the first owner, marked removed at the start
of the period, so nothing more can be attributed to them through it; the new
owner gets a new device row (``moved_device_id``: a server-made id derived
from the incident and the device, so a rerun finds it again), registered
from that time, with the same kind, which every moved recording names.

Nothing the first owner typed crosses to the new owner: the device's name
(Anna's "Küche") is hers, so the new row is named by what the device is, in
the new owner's language (``neutral_name``), or, when the operator already
registered the device for the new owner under its new id (``same_as``), by
the new owner's own name for it. A recording's household member (a voice
profile of the old household) is dropped; audio, transcript and times are
the new owner's own. The operator registers the device for the new owner
under a new id of its own (device ids are unique across the vault).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account, Device, DeviceKind
from voxkeep.accounts.service import open_name
from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.pseudonyms import AccountNames, names_for
from voxkeep.crypto import aead
from voxkeep.errors import Conflict, IntegrityFailure, InvalidInput, NotFound
from voxkeep.recordings.models import Recording
from voxkeep.recordings.service import (
    audio_ad,
    audio_sha256_ad,
    decrypt_blob,
    stored_sha256,
    transcript_ad,
)
from voxkeep.retention import policy
from voxkeep.vault import Vault

BATCH = 100
# What a device is, in each language: the new owner's row is named so, never by the
# label the first owner gave it.
NEUTRAL_NAMES: Final[Mapping[DeviceKind, Mapping[str, str]]] = {
    DeviceKind.SPEAKER: {"en": "Smart speaker", "de": "Smart Speaker", "fr": "Enceinte connectée"},
    DeviceKind.TV: {"en": "TV stick", "de": "TV-Stick", "fr": "Clé TV"},
    DeviceKind.PHONE: {"en": "Phone app", "de": "Handy-App", "fr": "Application mobile"},
    DeviceKind.CAR: {"en": "Car", "de": "Auto", "fr": "Voiture"},
    DeviceKind.OTHER: {"en": "Voice device", "de": "Sprachgerät", "fr": "Appareil vocal"},
}
Progress = Callable[[int, int], None]  # (moved so far, how many there were at the start)


@dataclass(frozen=True)
class Move:
    """What is moved: a device's recordings from ``since`` on, to ``to_account``."""

    incident: str
    device_id: str
    since: datetime
    to_account: str  # internal account id
    actor: str
    # The new owner's own device row for the same device (the operator registered it for
    # him under a new id), whose name he gave it: the moved row takes that name.
    same_as: str | None = None


@dataclass(frozen=True)
class Moved:
    moved: int
    new_device: str  # the device row the moved recordings now name
    from_account: str  # pseudonyms
    to_account: str


def moved_device_id(incident: str, device_id: str) -> str:
    """The new owner's device row: the same for every run of one move."""
    digest = hashlib.sha256(f"{incident}\x00{device_id}".encode()).hexdigest()
    return f"moved-{digest[:26]}"


def _name_ad(account_id: str, device_id: str) -> bytes:
    return aead.associated_data(kind="device_name", owner=account_id, object_id=device_id)


def neutral_name(kind: str, language: str) -> str:
    """What a device of ``kind`` is, in ``language`` (English when it has none)."""
    names = NEUTRAL_NAMES[DeviceKind(kind)]
    return names.get(language, names["en"])


def _new_owners_name(
    session: Session, key: bytes, move: Move, target: Account, device: Device
) -> str:
    """The moved device's name for the new owner: his own name for it, or what it is."""
    if move.same_as is None:
        return neutral_name(device.kind, target.language)
    own = session.get(Device, move.same_as)
    if own is None or own.account_id != move.to_account:
        raise InvalidInput(
            "The device named as the new owner's own is not one of that account's devices.",
            hint="Give the id under which the operator registered the device for the new "
            "owner, or leave it out to name it by what it is.",
        )
    return open_name(key, own.account_id, "device_name", own.id, own.name_ct)


def prepare_move(vault: Vault, session: Session, move: Move) -> tuple[str, str]:
    """Give the new owner the device from ``since`` on; (old owner, new device id).

    In the caller's transaction, with a ``device:reassigned`` event the first
    time; a rerun finds the new device row and changes nothing.
    """
    if move.since.tzinfo is None:
        raise InvalidInput("The start of the period has no time zone.", hint="Give it in UTC.")
    device = session.get(Device, move.device_id, with_for_update=True)
    if device is None:
        raise NotFound("There is no device with this id.")
    target = session.get(Account, move.to_account)
    if target is None or target.erased_at is not None:
        raise NotFound("There is no account with this id.")
    old = device.account_id
    new_id = moved_device_id(move.incident, device.id)
    existing = session.get(Device, new_id)
    if existing is not None:
        if existing.account_id != move.to_account:
            raise Conflict(
                "This device's recordings were moved to another account in this incident.",
                hint="Move them on from that account, or ask the operator which account is right.",
            )
        return old, new_id
    if old == move.to_account:
        raise Conflict(
            "The device already belongs to this account.",
            hint="Name the account the recordings should go to.",
        )
    old_key = vault.keyring.data_key(session, old)
    new_key = vault.keyring.data_key(session, move.to_account)
    name = _new_owners_name(session, new_key, move, target, device)
    session.add(
        Device(
            id=new_id,
            account_id=move.to_account,
            kind=device.kind,
            name_ct=aead.seal(new_key, name.encode(), ad=_name_ad(move.to_account, new_id)),
            registered_at=move.since,
            removed_at=None,
        )
    )
    if device.removed_at is None or device.removed_at > move.since:
        device.removed_at = move.since
    old_names = names_for(vault, session, old, data_key=old_key)
    new_names = names_for(vault, session, move.to_account, data_key=new_key)
    record(
        session,
        AuditAction.DEVICE_REASSIGNED,
        actor=move.actor,
        objects={
            "incident": move.incident,
            "account": old_names.account,
            "device": old_names.device(device.id),
            "to_account": new_names.account,
            "to_device": new_names.device(new_id),
        },
    )
    session.flush()
    return old, new_id


def _pending(session: Session, old: str, move: Move) -> Sequence[str]:
    return session.scalars(
        select(Recording.id)
        .where(
            Recording.account_id == old,
            Recording.device_id == move.device_id,
            Recording.captured_at >= move.since,
        )
        .order_by(Recording.captured_at, Recording.id)
        .limit(BATCH)
    ).all()


def count_pending(session: Session, old: str, move: Move) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Recording.account_id == old,
                Recording.device_id == move.device_id,
                Recording.captured_at >= move.since,
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Resealed:
    """One recording re-encrypted under the new owner, its new blob durable."""

    id: str
    old_blob: str
    new_blob: str
    sha256: bytes


def reseal_audio(
    vault: Vault, rows: Sequence[Recording], *, old: str, new: str, old_key: bytes, new_key: bytes
) -> list[Resealed]:
    """Decrypt each recording's audio with the old key and write it, re-encrypted under the
    new owner, into one new pack, durable on return: nothing names it yet."""
    out: list[Resealed] = []
    with vault.blobs.new_pack() as pack:
        for row in rows:
            audio = b"".join(decrypt_blob(vault, old_key, row.audio_blob, old, row.id))
            sha = hashlib.sha256(audio).digest()
            known = stored_sha256(vault, old_key, old, row.id, row.audio_sha256, row.audio_blob)
            if not hmac.compare_digest(sha, known):
                raise IntegrityFailure(
                    "A recording's audio does not match its stored hash; nothing was moved "
                    "from this batch.",
                    hint="Do not use this data; check the vault for tampering.",
                )
            ad = audio_ad(new, row.id)

            def fill(view: memoryview, audio: bytes = audio, ad: bytes = ad) -> None:
                aead.encrypt_into(new_key, audio, ad=ad, out=view)

            ref = pack.add(aead.stream_size(len(audio)), fill)
            out.append(Resealed(row.id, row.audio_blob, ref, sha))
    return out


def move_batch(vault: Vault, move: Move, old: str, new_device: str) -> tuple[int, list[str]]:
    """Move one batch: (how many moved, blobs to delete now). 0 when none are left."""
    with vault.reading() as session:
        ids = _pending(session, old, move)
        if not ids:
            return 0, []
        rows = list(session.scalars(select(Recording).where(Recording.id.in_(ids))))
        old_key = vault.keyring.data_key(session, old)
        new_key = vault.keyring.data_key(session, move.to_account)
        session.expunge_all()
    new = move.to_account
    resealed = reseal_audio(vault, rows, old=old, new=new, old_key=old_key, new_key=new_key)
    try:
        moved = commit_batch(vault, move, old, new_device, resealed, old_key, new_key)
    except BaseException:
        vault.blobs.delete_many([r.new_blob for r in resealed])  # nothing names them
        raise
    done = {r.id for r in moved}
    stale = [r.new_blob for r in resealed if r.id not in done]
    return len(moved), [r.old_blob for r in moved] + stale


def commit_batch(
    vault: Vault,
    move: Move,
    old: str,
    new_device: str,
    resealed: Sequence[Resealed],
    old_key: bytes,
    new_key: bytes,
) -> list[Resealed]:
    """Point the rows at their new blobs, re-seal transcript and hash, audit both accounts.

    A row that changed since it was read (deleted, expired, moved) is left as it is.
    """
    new = move.to_account
    with vault.transaction() as session:
        choice = session.execute(
            select(Account.retention).where(Account.id == new).with_for_update(read=True)
        ).scalar_one()
        retention = policy.account_retention(vault, choice)
        by_id = {r.id: r for r in resealed}
        rows = session.scalars(
            select(Recording).where(Recording.id.in_(by_id)).with_for_update()
        ).all()
        moved: list[Resealed] = []
        for row in rows:
            item = by_id[row.id]
            if row.account_id != old or row.audio_blob != item.old_blob:
                continue
            _repoint(row, item, old=old, new=new, device=new_device, old_key=old_key, key=new_key)
            row.expires_at = policy.expiry(row.captured_at, retention)
            moved.append(item)
        if moved:
            _audit(vault, session, move, old, new_device, [m.id for m in moved], old_key, new_key)
    return moved


def _repoint(
    row: Recording,
    item: Resealed,
    *,
    old: str,
    new: str,
    device: str,
    old_key: bytes,
    key: bytes,
) -> None:
    if row.transcript_ct is not None:
        text = aead.open_sealed(
            old_key, row.transcript_ct, ad=transcript_ad(old, row.id), kind="transcript"
        )
        row.transcript_ct = aead.seal(key, text, ad=transcript_ad(new, row.id))
    row.audio_sha256 = aead.seal(key, item.sha256, ad=audio_sha256_ad(new, row.id))
    row.audio_blob = item.new_blob
    row.account_id = new
    row.device_id = device
    row.member_id = None  # a voice profile of the old household names nobody in the new one


def _audit(
    vault: Vault,
    session: Session,
    move: Move,
    old: str,
    new_device: str,
    ids: list[str],
    old_key: bytes,
    new_key: bytes,
) -> None:
    was: AccountNames = names_for(vault, session, old, data_key=old_key)
    now: AccountNames = names_for(vault, session, move.to_account, data_key=new_key)
    counts = {"recordings": len(ids)}
    record(
        session,
        AuditAction.RECORDINGS_REASSIGNED_OUT,
        actor=move.actor,
        objects={
            "incident": move.incident,
            "account": was.account,
            "device": was.device(move.device_id),
            "recordings": was.recordings(ids),
            "to_account": now.account,
        },
        counts=counts,
    )
    record(
        session,
        AuditAction.RECORDINGS_REASSIGNED_IN,
        actor=move.actor,
        objects={
            "incident": move.incident,
            "account": now.account,
            "device": now.device(new_device),
            "recordings": now.recordings(ids),
            "from_account": was.account,
        },
        counts=counts,
    )


def move_recordings(
    vault: Vault, move: Move, old: str, new_device: str, *, progress: Progress | None = None
) -> int:
    """Move every pending recording, batch after batch; how many were moved."""
    with vault.reading() as session:
        total = count_pending(session, old, move)
    moved = 0
    if progress is not None:
        progress(moved, total)
    while True:
        count, blobs = move_batch(vault, move, old, new_device)
        if blobs:
            vault.blobs.delete_many(blobs)
        if count == 0 and not blobs:
            return moved
        moved += count
        if progress is not None:
            progress(moved, total)
