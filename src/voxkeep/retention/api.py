"""Routes for deletion by the person and account erasure (Art. 17), with their receipts,
and the signed-in person's own deletions and retention (``/api/v1/me/...``).

Thin shells over ``voxkeep.retention``. The operator's deleting and erasing
need a token with the ``delete`` scope; the person's routes need the person's
session (cookie or ``Bearer vs_...``), and the account comes from it, never
from the URL. The receipt-signing public key is public; the monthly counts of
retention's work need a signed-in staff member (the console's dashboard shows
them).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from voxkeep.accounts.models import Retention
from voxkeep.people.api import PersonDep, staff_session
from voxkeep.people.staff import StaffSession
from voxkeep.retention import choices, deletion, erasure, receipts, stats
from voxkeep.retention.deletion import (
    MAX_SELECTION,
    DeletionKind,
    DeletionReceipt,
    DeletionRequest,
    Owner,
)
from voxkeep.web.deps import AccountId, DeleteToken, RecordingId, VaultDep, actor, errors
from voxkeep.web.schemas import ApiTime, ObjectId

router = APIRouter(prefix="/api/v1", tags=["deletion"], responses=errors(401, 403, 404, 410, 422))


class DeletionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: DeletionKind = Field(description="recording, selection, range, device or all.")
    recording: ObjectId | None = Field(default=None, description="For kind `recording`.")
    recordings: list[ObjectId] = Field(
        default_factory=list,
        max_length=MAX_SELECTION,
        description=f"For kind `selection`: up to {MAX_SELECTION} recording ids, deleted "
        "together or (if one is not the account's) not at all.",
    )
    device: ObjectId | None = Field(
        default=None, description="For kind `device`: every recording of this device."
    )
    from_: ApiTime | None = Field(
        default=None, alias="from", description="For kind `range`: captured at or after."
    )
    to: ApiTime | None = Field(default=None, description="For kind `range`: captured before.")

    def request(self) -> DeletionRequest:
        return DeletionRequest(
            kind=self.kind,
            recording=self.recording,
            recordings=tuple(self.recordings),
            device=self.device,
            start=self.from_,
            end=self.to,
        )


class DeletionReceiptOut(BaseModel):
    """What was deleted, how many, when."""

    ok: bool = True
    id: str = Field(description="The kept receipt's id (GET /api/v1/me/deletions/{id}).")
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
        id=receipt.id,
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
    account_id: AccountId, body: DeletionIn, vault: VaultDep, token: DeleteToken
) -> DeletionReceiptOut:
    """Delete one recording, a selection, a date range, one device's recordings, or all.

    The account, its devices and settings stay (erasing the account is
    `POST .../erasure`). Returns a receipt.
    """
    receipt = deletion.delete_recordings(
        vault, account=account_id, request=body.request(), actor=actor(token)
    )
    return _receipt_out(receipt)


@router.delete(
    "/accounts/{account_id}/recordings/{recording_id}",
    response_model=DeletionReceiptOut,
    tags=["deletion"],
)
def delete_recording(
    account_id: AccountId, recording_id: RecordingId, vault: VaultDep, token: DeleteToken
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
    unreadable_at: datetime = Field(
        description="When the data became unreadable: the account's key was destroyed "
        "(crypto-shredding; receipt.key_destroyed_at)."
    )
    bytes_gone_at: datetime | None = Field(
        description="When the bytes were gone: the purge finished, every blob (on S3 every "
        "version of every object) and every row removed (receipt.purged_at); null while "
        "purging."
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
        unreadable_at=view.unreadable_at,
        bytes_gone_at=view.bytes_gone_at,
        receipt=view.content,
        signed=signed,
        subject_salt=salt,
    )


@router.post("/accounts/{account_id}/erasure", response_model=ErasureOut, tags=["deletion"])
def post_erasure(account_id: AccountId, vault: VaultDep, token: DeleteToken) -> ErasureOut:
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


# The signed-in person's own deletions and retention ----------------------------------


class MyReceiptOut(BaseModel):
    """A kept deletion receipt: what kind, limited to what, how many, when, by whom."""

    id: str
    kind: DeletionKind
    by: Literal["you", "operator"] = Field(
        description="`you`: through the portal or this API; `operator`: the service's token."
    )
    asked: int = Field(description="Recordings named (kinds recording and selection), else 0.")
    deleted: int = Field(description="Recordings deleted: audio, transcript and metadata.")
    transcripts: int = Field(description="How many of them had a transcript.")
    device: str | None
    from_: datetime | None = Field(serialization_alias="from")
    to: datetime | None
    at: datetime


def _mine(receipt: DeletionReceipt) -> MyReceiptOut:
    return MyReceiptOut(
        id=receipt.id,
        kind=receipt.kind,
        by="you" if receipt.by_person else "operator",
        asked=receipt.asked,
        deleted=receipt.deleted,
        transcripts=receipt.transcripts,
        device=receipt.device,
        from_=receipt.start,
        to=receipt.end,
        at=receipt.at,
    )


NO_STORE = {"Cache-Control": "no-store"}


@router.post("/me/deletions", response_model=MyReceiptOut, status_code=201, tags=["me"])
def post_my_deletion(
    body: DeletionIn, person: PersonDep, vault: VaultDep, response: Response
) -> MyReceiptOut:
    """Delete your own recordings: one, a selection, a date range, one device's, or all.

    Returns the receipt, which is kept (`GET /api/v1/me/deletions`). 404 when
    a named recording is not yours (nothing is deleted). Kind `all` needs a
    re-authentication in the last 10 minutes (`POST
    /api/v1/people/sessions/current/reauth`), else 403 `reauth_required`.
    """
    receipt = deletion.delete_own(
        vault,
        person=person,
        account_id=person.account_id,
        request=body.request(),
    )
    response.headers.update(NO_STORE)
    return _mine(receipt)


class PreviewOut(BaseModel):
    recordings: int = Field(description="How many recordings the deletion would remove now.")
    oldest: datetime | None
    newest: datetime | None


@router.post("/me/deletions/preview", response_model=PreviewOut, tags=["me"])
def preview_my_deletion(
    body: DeletionIn, person: PersonDep, vault: VaultDep, response: Response
) -> PreviewOut:
    """What a deletion would remove, without deleting anything (for a confirmation)."""
    found = deletion.preview(
        vault, owner=Owner(account_id=person.account_id), request=body.request()
    )
    response.headers.update(NO_STORE)
    return PreviewOut(recordings=found.recordings, oldest=found.oldest, newest=found.newest)


@router.get("/me/deletions", response_model=list[MyReceiptOut], tags=["me"])
def list_my_deletions(person: PersonDep, vault: VaultDep, response: Response) -> list[MyReceiptOut]:
    """Every deletion receipt of your recordings, newest first (yours and the operator's)."""
    response.headers.update(NO_STORE)
    return [_mine(r) for r in deletion.own_receipts(vault, account_id=person.account_id)]


@router.get("/me/deletions/{receipt_id}", response_model=MyReceiptOut, tags=["me"])
def get_my_deletion(
    receipt_id: str, person: PersonDep, vault: VaultDep, response: Response
) -> MyReceiptOut:
    """One of your deletion receipts (404 for any other)."""
    response.headers.update(NO_STORE)
    found = deletion.own_receipt(vault, account_id=person.account_id, receipt_id=receipt_id)
    return _mine(found)


class ChoiceOut(BaseModel):
    retention: Retention
    months: int | None = Field(description="null: kept until you delete them.")
    current: bool
    would_delete: int = Field(
        description="Stored recordings already older than this period: choosing it deletes them."
    )


class MyRetentionOut(BaseModel):
    retention: Retention = Field(description="Your choice.")
    effective: Retention = Field(description="What applies: your choice, capped by the maximum.")
    maximum: Retention = Field(description="The longest the service keeps any recording.")
    recordings: int = Field(description="Your recordings stored now.")
    choices: list[ChoiceOut] = Field(description="The choices offered, shortest first.")


class MyRetentionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    retention: str = Field(description="dont_save, 3_months, 18_months or until_deleted.")


def _retention_out(found: choices.RetentionView) -> MyRetentionOut:
    return MyRetentionOut(
        retention=found.choice,
        effective=found.effective,
        maximum=found.maximum,
        recordings=found.recordings,
        choices=[ChoiceOut(**c.__dict__) for c in found.choices],
    )


@router.get("/me/retention", response_model=MyRetentionOut, tags=["me"])
def get_my_retention(person: PersonDep, vault: VaultDep, response: Response) -> MyRetentionOut:
    """Your retention choice, the maximum, and what each choice would do to what is stored."""
    response.headers.update(NO_STORE)
    return _retention_out(choices.view(vault, account_id=person.account_id))


@router.put("/me/retention", response_model=MyRetentionOut, tags=["me"])
def put_my_retention(
    body: MyRetentionIn, person: PersonDep, vault: VaultDep, response: Response
) -> MyRetentionOut:
    """Change your retention choice; stored recordings follow at once.

    Needs a re-authentication in the last 10 minutes, else 403 `reauth_required`.
    """
    found = choices.choose(
        vault,
        person=person,
        account_id=person.account_id,
        choice=body.retention,
    )
    response.headers.update(NO_STORE)
    return _retention_out(found)


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
