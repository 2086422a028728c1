"""An erasure's receipt mail: sealed as the key is destroyed, sent by a job, then erased.

The mail needs two things that only the erasure's first transaction has: the address
the account had (unreadable once its key is gone) and the salt of the receipt's subject
commitment (made there, and never stored in the clear). ``destroy_key`` seals both, with
the person's language and the request's reference, under the instance's ``outbox`` key
into the receipt's row (``mail_ct``), in the transaction that destroys the key. The
transaction that signs the receipt (the purge's last) queues the mail job, ``KIND``. The
job renders the mail from the signed receipt and the sealed part and sends it; a mail
server that does not take it is a mail fault, retried for ``mail_retry_s`` like every
mail (jobs.queue.fail). Once the mail is sent, or its job gave up, the sealed part is
erased in the transaction that says so, and SQLite's WAL is checkpointed: what remains
is the receipt, which holds no personal data (counts, times, pseudonyms, a commitment).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from voxkeep.crypto import aead
from voxkeep.crypto.keyring import OUTBOX
from voxkeep.errors import Conflict
from voxkeep.jobs.queue import enqueue
from voxkeep.requests import notices
from voxkeep.retention import purge
from voxkeep.retention.models import ErasureReceipt
from voxkeep.retention.receipts import SignedReceipt, public_key
from voxkeep.vault import Vault

KIND = "erasure.receipt_mail"


@dataclass(frozen=True)
class MailTo:
    """Whom an erasure's receipt goes to, read while the account's key still exists."""

    request_id: str
    address: str = field(repr=False)
    language: str


@dataclass(frozen=True)
class ReceiptMail:
    """The mail, rendered: held in memory for the one send."""

    request_id: str
    to: str = field(repr=False)
    subject: str
    body: str = field(repr=False)


def _ad(receipt_id: str) -> bytes:
    return aead.associated_data(kind="erasure_receipt_mail", owner="instance", object_id=receipt_id)


def seal(vault: Vault, session: Session, receipt: ErasureReceipt, to: MailTo, salt: str) -> None:
    """Keep the mail's personal part for its job (in destroy_key's transaction)."""
    part = {"ref": to.request_id, "to": to.address, "language": to.language, "salt": salt}
    key = vault.keyring.instance_key(session, OUTBOX)
    receipt.mail_ct = aead.seal(key, json.dumps(part).encode(), ad=_ad(receipt.id))


def _open(vault: Vault, session: Session, receipt: ErasureReceipt) -> dict[str, str]:
    assert receipt.mail_ct is not None
    key = vault.keyring.instance_key(session, OUTBOX)
    opened = aead.open_sealed(key, receipt.mail_ct, ad=_ad(receipt.id), kind="receipt mail")
    part: dict[str, str] = json.loads(opened)
    return part


def queue(vault: Vault, session: Session, receipt: ErasureReceipt) -> None:
    """Queue the mail job once the receipt is signed (in the transaction that signs it)."""
    if receipt.mail_ct is None:
        return  # no verified address, or an erasure before revision 0016
    request_id = _open(vault, session, receipt)["ref"]
    enqueue(session, KIND, {"receipt_id": receipt.id, "request_id": request_id}, ref=request_id)


def compose(vault: Vault, receipt_id: str) -> ReceiptMail | None:
    """The mail to send, or None when it was sent already or its job gave up."""
    with vault.reading() as session:
        receipt = session.get(ErasureReceipt, receipt_id)
        if receipt is None or receipt.mail_ct is None:
            return None
        if receipt.signature is None or receipt.purged_at is None:
            raise Conflict("The erasure's receipt is not signed yet; its mail waits for it.")
        part = _open(vault, session, receipt)
        signed = SignedReceipt(receipt.receipt, receipt.signature, public_key(vault, session))
        content = json.loads(receipt.receipt)
        gone = receipt.purged_at
    subject, body = notices.render(
        notices.Notice.ERASED,
        part["language"],
        ref=part["ref"],
        unreadable=notices.second(datetime.fromisoformat(content["key_destroyed_at"])),
        gone=notices.second(gone),
        receipt=receipt_id,
        salt=part["salt"],
        bundle=json.dumps(signed.bundle(), indent=2),
    )
    return ReceiptMail(request_id=part["ref"], to=part["to"], subject=subject, body=body)


def erase(session: Session, receipt_id: str) -> bool:
    """Erase the sealed mail (sent, or given up); False when it was erased already."""
    receipt = session.get(ErasureReceipt, receipt_id, with_for_update=True)
    if receipt is None or receipt.mail_ct is None:
        return False
    receipt.mail_ct = None
    return True


def pending(session: Session, receipt_id: str) -> bool:
    """Whether the receipt's mail still waits to be sent."""
    receipt = session.get(ErasureReceipt, receipt_id)
    return receipt is not None and receipt.mail_ct is not None


def settle_files(vault: Vault) -> None:
    """After erase's commit: SQLite's WAL keeps the old page until it is checkpointed."""
    purge.checkpoint_wal(vault, busy_timeout_ms=30_000)
