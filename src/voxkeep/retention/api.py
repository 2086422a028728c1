"""Routes for deletion by the person and account erasure (Art. 17), with their receipts.

Thin shells over ``voxkeep.retention``. Deleting and erasing need a token with
the ``delete`` scope; the receipt-signing public key is public; the monthly
counts of retention's work need a signed-in staff member (the console's
dashboard shows them).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from voxkeep.people.api import staff_session
from voxkeep.people.staff import StaffSession
from voxkeep.retention import deletion, erasure, receipts, stats
from voxkeep.retention.deletion import DeletionKind, DeletionReceipt, DeletionRequest
from voxkeep.web.deps import DeleteToken, VaultDep, actor, errors

router = APIRouter(prefix="/api/v1", tags=["deletion"], responses=errors(401, 403, 404, 410, 422))


class DeletionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: DeletionKind = Field(description="recording, range, device or all.")
    recording: str | None = Field(default=None, description="For kind `recording`.")
    device: str | None = Field(
        default=None, description="For kind `device`: every recording of this device."
    )
    from_: AwareDatetime | None = Field(
        default=None, alias="from", description="For kind `range`: captured at or after."
    )
    to: AwareDatetime | None = Field(default=None, description="For kind `range`: captured before.")


class DeletionReceiptOut(BaseModel):
    """What was deleted, how many, when."""

    ok: bool = True
    kind: DeletionKind
    account: str
    deleted: int = Field(description="Recordings deleted: audio, transcript and metadata.")
    transcripts: int = Field(description="How many of them had a transcript.")
    recording: str | None
    device: str | None
    from_: datetime | None = Field(serialization_alias="from")
    to: datetime | None
    at: datetime = Field(description="When the deletion completed.")


def _receipt_out(receipt: DeletionReceipt) -> DeletionReceiptOut:
    return DeletionReceiptOut(
        kind=receipt.kind,
        account=receipt.account,
        deleted=receipt.deleted,
        transcripts=receipt.transcripts,
        recording=receipt.recording,
        device=receipt.device,
        from_=receipt.start,
        to=receipt.end,
        at=receipt.at,
    )


@router.post(
    "/accounts/{account_id}/deletions", response_model=DeletionReceiptOut, tags=["deletion"]
)
def post_deletion(
    account_id: str, body: DeletionIn, vault: VaultDep, token: DeleteToken
) -> DeletionReceiptOut:
    """Delete one recording, a date range, one device's recordings, or all recordings.

    The account, its devices and settings stay (erasing the account is
    `POST .../erasure`). Returns a receipt.
    """
    request = DeletionRequest(
        kind=body.kind, recording=body.recording, device=body.device, start=body.from_, end=body.to
    )
    receipt = deletion.delete_recordings(
        vault, account=account_id, request=request, actor=actor(token)
    )
    return _receipt_out(receipt)


@router.delete(
    "/accounts/{account_id}/recordings/{recording_id}",
    response_model=DeletionReceiptOut,
    tags=["deletion"],
)
def delete_recording(
    account_id: str, recording_id: str, vault: VaultDep, token: DeleteToken
) -> DeletionReceiptOut:
    """Delete one recording (audio, transcript, metadata) and return the receipt."""
    request = DeletionRequest(kind=DeletionKind.RECORDING, recording=recording_id)
    receipt = deletion.delete_recordings(
        vault, account=account_id, request=request, actor=actor(token)
    )
    return _receipt_out(receipt)


class SignedReceiptOut(BaseModel):
    """The receipt the person keeps; the signature covers `receipt_json` exactly."""

    format: str
    algorithm: Literal["Ed25519"]
    receipt_json: str = Field(description="The signed bytes (UTF-8 JSON, keys sorted).")
    signature: str = Field(description="Base64 Ed25519 signature of receipt_json.")
    public_key: str = Field(description="Base64 raw Ed25519 public key of the signer.")


class ErasureOut(BaseModel):
    ok: bool = True
    receipt_id: str
    status: Literal["purging", "purged"] = Field(
        description="`purging`: the key is destroyed, stored ciphertext is still being "
        "removed; `purged`: nothing is left and the receipt is signed."
    )
    receipt: dict[str, Any] = Field(description="The receipt's content (see docs/retention.md).")
    signed: SignedReceiptOut | None = Field(description="Present once purged.")
    subject_salt: str | None = Field(
        default=None,
        description="Hex salt of receipt.subject_commitment = SHA-256(salt ‖ account id). "
        "Returned once, by the erasure call, never stored: hand it to the person.",
    )


def _erasure_out(view: erasure.ReceiptView, salt: str | None = None) -> ErasureOut:
    signed = None
    if view.signed is not None:
        signed = SignedReceiptOut.model_validate(view.signed.bundle())
    return ErasureOut(
        receipt_id=view.id,
        status="purged" if view.purged else "purging",
        receipt=view.content,
        signed=signed,
        subject_salt=salt,
    )


@router.post("/accounts/{account_id}/erasure", response_model=ErasureOut, tags=["deletion"])
def post_erasure(account_id: str, vault: VaultDep, token: DeleteToken) -> ErasureOut:
    """Erase the account: destroy its key at once, purge everything, return the signed receipt.

    From the moment the key is destroyed every read of the account answers
    410. Asking again while a purge is unfinished resumes it; once purged, the
    account no longer exists (404).
    """
    done, view = erasure.erase_account(vault, external_id=account_id, actor=actor(token))
    return _erasure_out(view, done.subject_salt)


class PublicKeyOut(BaseModel):
    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key: str = Field(description="Base64 raw 32-byte Ed25519 public key.")
    pem: str = Field(description="The same key as PEM (SubjectPublicKeyInfo).")
    key_id: str = Field(description="First 16 hex digits of SHA-256 of the raw key.")


@router.get("/erasure-receipts/public-key", response_model=PublicKeyOut, tags=["deletion"])
def get_receipt_key(vault: VaultDep) -> PublicKeyOut:
    """The public key that verifies this vault's erasure receipts (no token needed)."""
    with vault.reading() as session:
        raw = receipts.public_key(vault, session)
    return PublicKeyOut(
        public_key=base64.b64encode(raw).decode(),
        pem=receipts.public_key_pem(raw),
        key_id=receipts.key_id(raw),
    )


@router.get("/erasure-receipts/{receipt_id}", response_model=ErasureOut, tags=["deletion"])
def get_receipt(receipt_id: str, vault: VaultDep, token: DeleteToken) -> ErasureOut:
    """An erasure's state and, once purged, its signed receipt."""
    return _erasure_out(erasure.get_receipt(vault, receipt_id))


class RetentionMonthOut(BaseModel):
    month: str = Field(description="YYYY-MM (UTC).")
    stored: int = Field(description="Recordings stored in the month (uploaded or imported).")
    swept: int = Field(description="Recordings deleted by retention sweeps in the month.")


@router.get("/retention/stats", response_model=list[RetentionMonthOut], tags=["retention (staff)"])
def retention_stats(
    vault: VaultDep,
    _staff: Annotated[StaffSession, Depends(staff_session)],
    months: Annotated[int, Query(ge=1, le=36, description="How many months, up to this one.")] = 12,
) -> list[RetentionMonthOut]:
    """Per calendar month (UTC), oldest first: recordings stored and swept by retention."""
    return [
        RetentionMonthOut(month=str(m.month), stored=m.stored, swept=m.swept)
        for m in stats.retention_months(vault, months=months)
    ]
