"""Deletion by the person (Art. 17): one recording, a date range, one device, or everything.

Each request deletes the matching recordings (audio, transcript, everything
derived) through the shared purge path and returns a receipt: what, how many,
when. The account, its devices and its settings stay; erasing the account is
erasure.py. Only recordings stored before the request started are in scope, so
a device that keeps uploading cannot keep a deletion running forever.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from voxkeep.accounts.service import find_account, get_device
from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.pseudonyms import names_for
from voxkeep.db.base import utcnow
from voxkeep.errors import InvalidInput, NotFound
from voxkeep.ids import check_id
from voxkeep.recordings.models import Recording
from voxkeep.retention import purge
from voxkeep.retention.purge import Counts, Deleted
from voxkeep.vault import Vault


class DeletionKind(enum.StrEnum):
    RECORDING = "recording"
    RANGE = "range"
    DEVICE = "device"
    ALL = "all"


@dataclass(frozen=True)
class DeletionRequest:
    kind: DeletionKind
    recording: str | None = None
    device: str | None = None
    start: datetime | None = None  # captured_at >= start ("from")
    end: datetime | None = None  # captured_at < end ("to")


@dataclass(frozen=True)
class DeletionReceipt:
    kind: DeletionKind
    account: str
    deleted: int
    transcripts: int
    recording: str | None
    device: str | None
    start: datetime | None
    end: datetime | None
    at: datetime


def _check(request: DeletionRequest) -> None:
    kind = request.kind
    if (request.recording is not None) != (kind is DeletionKind.RECORDING):
        raise InvalidInput("`recording` is required for kind 'recording' and only there.")
    if (request.device is not None) != (kind is DeletionKind.DEVICE):
        raise InvalidInput("`device` is required for kind 'device' and only there.")
    has_range = request.start is not None or request.end is not None
    if has_range != (kind is DeletionKind.RANGE):
        raise InvalidInput("`from` or `to` (or both) is required for kind 'range' and only there.")
    for when in (request.start, request.end):
        if when is not None and when.tzinfo is None:
            raise InvalidInput("Times need a time zone.", hint="Send ISO 8601 with an offset.")
    if request.start is not None and request.end is not None and request.start >= request.end:
        raise InvalidInput("`from` must lie before `to`.")


def _criteria(
    vault: Vault, session: Session, account: str, request: DeletionRequest, started: datetime
) -> tuple[str, list[ColumnElement[bool]]]:
    """The owner's id and the WHERE clauses; NotFound for ids the account does not hold."""
    owner = find_account(vault, session, account)
    where = [Recording.account_id == owner.id, Recording.created_at <= started]
    if request.kind is DeletionKind.RECORDING:
        assert request.recording is not None
        check_id(request.recording, what="recording")
        held = session.scalars(
            select(Recording.id).where(Recording.id == request.recording, *where)
        )
        if held.first() is None:
            raise NotFound("This account has no recording with this id.")
        where.append(Recording.id == request.recording)
    elif request.kind is DeletionKind.DEVICE:
        assert request.device is not None
        where.append(Recording.device_id == get_device(session, owner, request.device).id)
    elif request.kind is DeletionKind.RANGE:
        if request.start is not None:
            where.append(Recording.captured_at >= request.start)
        if request.end is not None:
            where.append(Recording.captured_at < request.end)
    return owner.id, where


def delete_recordings(
    vault: Vault, *, account: str, request: DeletionRequest, actor: str
) -> DeletionReceipt:
    """Delete what the request names, batch by batch; the receipt counts what went."""
    _check(request)
    started = utcnow()
    with vault.reading() as session:
        owner_id, where = _criteria(vault, session, account, request, started)
        names = names_for(vault, session, owner_id)  # once: the key may go mid-way

    def audit(session: Session, deleted: list[Deleted], counts: Counts) -> None:
        record(
            session,
            AuditAction.RECORDING_DELETED,
            actor=actor,
            objects={
                "account": names.account,
                "deletion": request.kind.value,
                "recordings": names.recordings(item.id for item in deleted),
            },
            counts=counts.as_dict(),
        )

    total = purge.remove_where(vault, where, order=Recording.captured_at, audit=audit).counts
    if total.recordings:
        purge.checkpoint_wal(vault)
    return DeletionReceipt(
        kind=request.kind,
        account=account,
        deleted=total.recordings,
        transcripts=total.transcripts,
        recording=request.recording,
        device=request.device,
        start=request.start,
        end=request.end,
        at=utcnow(),
    )
