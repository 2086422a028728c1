"""Erasing an account (Art. 17): shred its key at once, purge the rest, sign a receipt.

1. One transaction deletes the account's data key, marks the account erased,
   counts what the key protected, stores a pending receipt and records
   ``account:erased``. From its commit on, nothing of the account decrypts
   (crypto-shredding, invariant 6): every read answers 410 and ingestion
   refuses.
2. The purge deletes recordings (blobs, then rows) in batches (purge.py) and
   then the blobs of the account's answer archives (exports); killed, it is
   resumed by the next sweeper run or by asking for the erasure again.
3. A last transaction deletes the account row (devices, household members,
   exports, sign-in data cascade), signs the receipt and records
   ``account:purged``. Then SQLite's WAL is checkpointed and truncated.

The receipt names the account only by its audit pseudonym. So that the person
can show a receipt concerns them, it also carries ``subject_commitment`` =
SHA-256(salt ‖ account id): the salt is returned once, to the caller of the
erasure, and never stored in the clear. An erasure that mails the receipt to the
person (a request's) seals the salt and the address for the mail's job in step 1
and queues that job in step 3 (receipt_mail.py); both are erased once it is sent.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account, DataKey, Device, HouseholdMember
from voxkeep.audit.events import AuditAction, record
from voxkeep.db.base import utcnow
from voxkeep.errors import NotFound
from voxkeep.exports.models import Export
from voxkeep.ids import check_id
from voxkeep.recordings.models import Recording
from voxkeep.requests.models import Said
from voxkeep.requests.service import settle_for_erased_account
from voxkeep.requests.states import says
from voxkeep.retention import purge, receipt_mail, receipts
from voxkeep.retention.models import ErasureReceipt
from voxkeep.vault import Vault

ACTOR = "system:retention"
_RECEIPT_ID = re.compile(r"[0-9a-f]{32}")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Erasure:
    receipt_id: str
    # Hex salt of subject_commitment; only when this call destroyed the key.
    subject_salt: str | None


@dataclass(frozen=True)
class ReceiptView:
    id: str
    purged: bool
    content: dict[str, Any]
    signed: receipts.SignedReceipt | None
    public_key: bytes

    @property
    def unreadable_at(self) -> datetime:
        """When the data became unreadable: its key destroyed (crypto-shredding)."""
        return datetime.fromisoformat(self.content["key_destroyed_at"])

    @property
    def bytes_gone_at(self) -> datetime | None:
        """When the bytes were gone: the purge done, every blob (every version of every
        object, on S3) and every row removed; None while the purge runs."""
        purged = self.content.get("purged_at")
        return datetime.fromisoformat(purged) if purged else None


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="microseconds")


def commitment(salt: bytes, external_id: str) -> str:
    """SHA-256(salt ‖ UTF-8 account id), hex: ties a receipt to the person who holds the salt."""
    return hashlib.sha256(salt + external_id.encode()).hexdigest()


def _inventory(session: Session, account: Account) -> dict[str, int]:
    """What the data key protected, counted by kind (after the key row is gone)."""
    recordings, transcripts = session.execute(
        select(func.count(), func.count(Recording.transcript_ct)).where(
            Recording.account_id == account.id
        )
    ).one()
    devices = session.scalar(select(func.count()).where(Device.account_id == account.id))
    members = session.scalar(select(func.count()).where(HouseholdMember.account_id == account.id))
    exports = session.scalar(select(func.count()).where(Export.account_id == account.id))
    return {
        "recordings": int(recordings),
        "audio_blobs": int(recordings),
        "transcripts": int(transcripts),
        "devices": int(devices or 0),
        "household_members": int(members or 0),
        "exports": int(exports or 0),
        "identity_values": 1 + (account.email_ct is not None),
        "data_keys": 1,
    }


def destroy_key(
    vault: Vault, *, external_id: str, actor: str, mail_to: receipt_mail.MailTo | None = None
) -> Erasure:
    """Step 1: make the account unreadable, in one transaction. Idempotent.

    ``mail_to``: the receipt is mailed there once signed; its address and the salt are
    sealed for that mail's job in this transaction (receipt_mail.py)."""
    requested_at = utcnow()
    check_id(external_id, what="account")
    keyring = vault.keyring
    with vault.transaction() as session:
        digest = keyring.lookup_hash(session, kind="external_id", value=external_id)
        account = session.scalars(select(Account).where(Account.external_id_hash == digest)).first()
        if account is None:
            raise NotFound("There is no account with this id.")
        # Lock order: the data key, then the account (as ingestion takes them).
        # Deleting the key waits (PostgreSQL) for ingestions that share-locked
        # it, so the counts below include what they stored; a concurrent
        # erasure of the same account finds no key left and resumes that one.
        key_id = None
        if account.erased_at is None:
            key_id = session.scalars(
                delete(DataKey).where(DataKey.account_id == account.id).returning(DataKey.id)
            ).first()
        if key_id is None:
            pending = session.scalars(
                select(ErasureReceipt.id).where(ErasureReceipt.account_id == account.id)
            ).first()
            if pending is None:
                raise NotFound("There is no account with this id.")
            return Erasure(receipt_id=pending, subject_salt=None)
        counts = _inventory(session, account)
        account.erased_at = destroyed_at = utcnow()
        pseudonym = keyring.pseudonym(session, kind="account", object_id=account.id)
        salt = secrets.token_bytes(32)
        receipt_id = secrets.token_hex(16)
        content = {
            "format": receipts.FORMAT,
            "receipt_id": receipt_id,
            "account": pseudonym,
            "subject_commitment": commitment(salt, external_id),
            "data_key_destroyed": key_id,
            "requested_at": _iso(requested_at),
            "key_destroyed_at": _iso(destroyed_at),
            "counts": counts,
        }
        row = ErasureReceipt(
            id=receipt_id,
            account_id=account.id,
            account_pseudonym=pseudonym,
            receipt=receipts.canonical(content),
        )
        if mail_to is not None:
            receipt_mail.seal(vault, session, row, mail_to, salt.hex())
        session.add(row)
        record(
            session,
            AuditAction.ACCOUNT_ERASED,
            actor=actor,
            objects={"account": pseudonym, "data_key": key_id, "receipt": receipt_id},
            counts=counts,
        )
        # Nothing is left to answer the account's open requests from.
        settle_for_erased_account(
            vault, session, account.id, by=says(Said.ACCOUNT_ERASED, receipt=receipt_id)
        )
    return Erasure(receipt_id=receipt_id, subject_salt=salt.hex())


def purge_account(
    vault: Vault,
    receipt_id: str,
    *,
    on_done: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> bool:
    """Steps 2 and 3 for one erasure; True once the receipt is signed. Resumable."""
    with vault.reading() as session:
        row = session.get(ErasureReceipt, receipt_id)
        if row is None:
            raise NotFound("There is no erasure receipt with this id.")
        account_id = row.account_id
    while account_id is not None:
        progress = purge.remove_where(
            vault,
            [Recording.account_id == account_id],
            order=Recording.captured_at,
            on_done=on_done,
            should_stop=should_stop,
        )
        if progress.stopped:
            return False
        _remove_export_blobs(vault, account_id)
        if _finish(vault, receipt_id, account_id):
            break
    purge.checkpoint_wal(vault, busy_timeout_ms=30_000)
    return True


def _remove_export_blobs(vault: Vault, account_id: str) -> None:
    """Answer archives (Art. 17: copies in exports too); their rows go with the account."""
    with vault.reading() as session:
        blobs = list(
            session.scalars(
                select(Export.blob).where(Export.account_id == account_id, Export.blob.is_not(None))
            )
        )
    for blob in blobs:
        if blob is not None:
            vault.blobs.delete(blob)


def _finish(vault: Vault, receipt_id: str, account_id: str) -> bool:
    """Delete the account row and sign the receipt; False if recordings remain."""
    with vault.transaction() as session:
        receipt = session.get(ErasureReceipt, receipt_id, with_for_update=True)
        if receipt is None or receipt.purged_at is not None:
            return True
        left = session.scalars(
            select(Recording.id).where(Recording.account_id == account_id).limit(1)
        ).first()
        if left is not None:
            return False
        session.execute(delete(Account).where(Account.id == account_id))
        purged_at = utcnow()
        content = json.loads(receipt.receipt)
        content["purged_at"] = _iso(purged_at)
        content["signing_key"] = receipts.key_id(receipts.public_key(vault, session))
        text, signature = receipts.sign(vault, session, content)
        receipt.receipt, receipt.signature = text, signature
        receipt.purged_at, receipt.account_id = purged_at, None
        receipt_mail.queue(vault, session, receipt)
        record(
            session,
            AuditAction.ACCOUNT_PURGED,
            actor=ACTOR,
            objects={"account": receipt.account_pseudonym, "receipt": receipt_id},
            counts=content["counts"],
        )
    return True


def purge_erased(vault: Vault, *, should_stop: Callable[[], bool] | None = None) -> list[str]:
    """Finish every erasure whose purge has not completed; returns their receipt ids."""
    with vault.reading() as session:
        pending = list(
            session.scalars(
                select(ErasureReceipt.id)
                .where(ErasureReceipt.purged_at.is_(None))
                .order_by(ErasureReceipt.created_at)
            )
        )
    finished = []
    for receipt_id in pending:
        if not purge_account(vault, receipt_id, should_stop=should_stop):
            break
        finished.append(receipt_id)
    return finished


def erase_account(
    vault: Vault,
    *,
    external_id: str,
    actor: str,
    on_total: Progress | None = None,
    on_done: Progress | None = None,
) -> tuple[Erasure, ReceiptView]:
    """The whole erasure: key destroyed, data purged, receipt signed."""
    erasure = destroy_key(vault, external_id=external_id, actor=actor)
    if on_total is not None:
        pending = get_receipt(vault, erasure.receipt_id)
        on_total(int(pending.content["counts"]["recordings"]))
    purge_account(vault, erasure.receipt_id, on_done=on_done)
    return erasure, get_receipt(vault, erasure.receipt_id)


def get_receipt(vault: Vault, receipt_id: str) -> ReceiptView:
    if not _RECEIPT_ID.fullmatch(receipt_id):
        raise NotFound("There is no erasure receipt with this id.")
    with vault.reading() as session:
        row = session.get(ErasureReceipt, receipt_id)
        if row is None:
            raise NotFound("There is no erasure receipt with this id.")
        key = receipts.public_key(vault, session)
        signed = (
            receipts.SignedReceipt(row.receipt, row.signature, key)
            if row.signature is not None
            else None
        )
        return ReceiptView(
            id=row.id,
            purged=row.purged_at is not None,
            content=json.loads(row.receipt),
            signed=signed,
            public_key=key,
        )
