"""Deletion by the person (Art. 17): one recording, a selection, a date range, one device,
or everything.

Each request deletes the matching recordings (audio, transcript, everything
derived) through the shared purge path and returns a receipt: what, how many,
when. The receipt is kept (``deletion_receipts``) so the person can see every
deletion later; it holds counts, the kind and its limits (a device's id, a time
range), never a recording's id. The account, its devices and its settings
stay; erasing the account is erasure.py. Only recordings stored before the
request started are in scope, so a device that keeps uploading cannot keep a
deletion running forever.

A selection (at most ``MAX_SELECTION`` recordings) is deleted in one
transaction with its receipt: all of it or, if one id is not the account's,
none of it. The other kinds go in batches (purge.py); their receipt is stored
when the last batch is done.

The signed-in person reaches this through ``delete_own``; deleting everything
needs a fresh re-authentication, which the service checks (not the page).
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account
from voxkeep.accounts.service import find_account, get_device
from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.pseudonyms import names_for
from voxkeep.db.base import utcnow
from voxkeep.errors import InvalidInput, KeyDestroyed, NotFound
from voxkeep.ids import check_id
from voxkeep.people.service import DEFAULT_REAUTH_WINDOW_S, Reauthenticated, require_recent_reauth
from voxkeep.recordings.models import Recording
from voxkeep.retention import purge
from voxkeep.retention.models import DeletionReceiptRow
from voxkeep.retention.purge import Counts, Deleted
from voxkeep.vault import Vault

MAX_SELECTION = 100


class DeletionKind(enum.StrEnum):
    RECORDING = "recording"
    SELECTION = "selection"
    RANGE = "range"
    DEVICE = "device"
    ALL = "all"


@dataclass(frozen=True)
class DeletionRequest:
    kind: DeletionKind
    recording: str | None = None
    recordings: tuple[str, ...] = ()  # kind selection
    device: str | None = None
    start: datetime | None = None  # captured_at >= start ("from")
    end: datetime | None = None  # captured_at < end ("to")


@dataclass(frozen=True)
class DeletionReceipt:
    id: str
    kind: DeletionKind
    account: str
    deleted: int
    transcripts: int
    recording: str | None
    device: str | None
    start: datetime | None
    end: datetime | None
    at: datetime
    asked: int = 0  # recordings named: 1 for a recording, the selection's size
    by_person: bool = False


KeepHook = Callable[[Session, Counts], DeletionReceiptRow]


class Owner:
    """Who a deletion is for: by the operator's external id, or the signed-in person."""

    def __init__(self, *, external_id: str | None = None, account_id: str | None = None):
        assert (external_id is None) != (account_id is None)
        self.external_id, self.account_id = external_id, account_id

    def find(self, vault: Vault, session: Session) -> Account:
        if self.external_id is not None:
            return find_account(vault, session, self.external_id)
        account = session.get(Account, self.account_id)
        if account is None:
            raise NotFound("There is no account with this id.")
        if account.erased_at is not None:
            raise KeyDestroyed("This account has been erased; its data can no longer be read.")
        return account


def _check(request: DeletionRequest) -> None:
    kind = request.kind
    if (request.recording is not None) != (kind is DeletionKind.RECORDING):
        raise InvalidInput("`recording` is required for kind 'recording' and only there.")
    if bool(request.recordings) != (kind is DeletionKind.SELECTION):
        raise InvalidInput(
            "`recordings` (a list of ids) is required for kind 'selection' and only there."
        )
    if len(request.recordings) > MAX_SELECTION:
        raise InvalidInput(
            f"A selection holds at most {MAX_SELECTION} recordings.",
            hint="Delete them in several selections, or by date range or device.",
        )
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


def _named(request: DeletionRequest) -> list[str]:
    """The recording ids a request names (kinds recording and selection), each checked."""
    ids = [request.recording] if request.recording is not None else list(request.recordings)
    return [check_id(rid, what="recording") for rid in dict.fromkeys(ids)]


def _criteria(
    vault: Vault, session: Session, owner: Owner, request: DeletionRequest, started: datetime
) -> tuple[Account, list[ColumnElement[bool]]]:
    """The account and the WHERE clauses; NotFound for ids the account does not hold."""
    account = owner.find(vault, session)
    where = [Recording.account_id == account.id, Recording.created_at <= started]
    named = _named(request)
    if named:
        held = set(session.scalars(select(Recording.id).where(Recording.id.in_(named), *where)))
        if len(held) != len(named):
            # The same answer whether the id is another account's or nobody's.
            raise NotFound(
                "This account has no recording with this id."
                if request.kind is DeletionKind.RECORDING
                else "Some of the selected recordings are not this account's; nothing was deleted.",
                hint="Reload the list: a recording may have been deleted meanwhile.",
            )
        where.append(Recording.id.in_(named))
    elif request.kind is DeletionKind.DEVICE:
        assert request.device is not None
        where.append(Recording.device_id == get_device(session, account, request.device).id)
    elif request.kind is DeletionKind.RANGE:
        if request.start is not None:
            where.append(Recording.captured_at >= request.start)
        if request.end is not None:
            where.append(Recording.captured_at < request.end)
    return account, where


@dataclass(frozen=True)
class Preview:
    """What a deletion would remove, for the page that asks to confirm it."""

    recordings: int
    oldest: datetime | None
    newest: datetime | None


def preview(vault: Vault, *, owner: Owner, request: DeletionRequest) -> Preview:
    """How many recordings a deletion would remove now, and the span they cover."""
    _check(request)
    with vault.reading() as session:
        _, where = _criteria(vault, session, owner, request, utcnow())
        count, oldest, newest = session.execute(
            select(
                func.count(), func.min(Recording.captured_at), func.max(Recording.captured_at)
            ).where(*where)
        ).one()
    return Preview(recordings=int(count), oldest=oldest, newest=newest)


def delete_recordings(
    vault: Vault, *, account: str, request: DeletionRequest, actor: str
) -> DeletionReceipt:
    """The operator's deletion (by the account's external id); see _delete."""
    return _delete(vault, Owner(external_id=account), request, actor=actor, by_person=False)


def delete_own(
    vault: Vault, *, person: Reauthenticated, account_id: str, request: DeletionRequest
) -> DeletionReceipt:
    """The signed-in person's deletion, audited as theirs. Everything at once needs a
    fresh re-authentication."""
    if request.kind is DeletionKind.ALL:
        require_recent_reauth(person, within_s=DEFAULT_REAUTH_WINDOW_S)
    return _delete(vault, Owner(account_id=account_id), request, actor=None, by_person=True)


def _delete(
    vault: Vault, owner: Owner, request: DeletionRequest, *, actor: str | None, by_person: bool
) -> DeletionReceipt:
    """Delete what the request names; the receipt counts what went and is kept.

    actor None: the account's own person (named by its pseudonym)."""
    _check(request)
    started = utcnow()
    with vault.reading() as session:
        account, where = _criteria(vault, session, owner, request, started)
        account_id = account.id
        names = names_for(vault, session, account_id)  # once: the key may go mid-way
    receipt_id = secrets.token_hex(16)
    asked = len(_named(request))

    def audit(session: Session, deleted: list[Deleted], counts: Counts) -> None:
        record(
            session,
            AuditAction.RECORDING_DELETED,
            actor=actor or names.account,
            objects={
                "account": names.account,
                "deletion": request.kind.value,
                "receipt": receipt_id,
                "recordings": names.recordings(item.id for item in deleted),
            },
            counts=counts.as_dict(),
        )

    def keep(session: Session, counts: Counts) -> DeletionReceiptRow:
        row = DeletionReceiptRow(
            id=receipt_id,
            account_id=account_id,
            kind=request.kind.value,
            by_person=by_person,
            asked=asked,
            deleted=counts.recordings,
            transcripts=counts.transcripts,
            device_id=request.device,
            start=request.start,
            end=request.end,
            at=utcnow(),
        )
        session.add(row)
        return row

    if request.kind is DeletionKind.SELECTION:
        total = _delete_at_once(vault, where, audit, keep)
    else:
        total = purge.remove_where(vault, where, order=Recording.captured_at, audit=audit).counts
        with vault.transaction() as session:
            keep(session, total)
    if total.recordings:
        purge.checkpoint_wal(vault)
    external = owner.external_id
    with vault.reading() as session:
        row = session.get(DeletionReceiptRow, receipt_id)
        assert row is not None
        return _receipt(row, account=external or "", recording=request.recording)


def _delete_at_once(
    vault: Vault,
    where: Sequence[ColumnElement[bool]],
    audit: purge.AuditHook,
    keep: KeepHook,
) -> Counts:
    """A selection: blobs first, then every row, the audit event and the receipt in one
    transaction (purge.delete_rows), so it goes all together."""
    batch = purge.fetch(
        vault, purge.select_doomed(where, order=Recording.captured_at, limit=MAX_SELECTION)
    )
    purge.unlink(vault, batch)

    def audit_and_keep(session: Session, deleted: list[Deleted], counts: Counts) -> None:
        audit(session, deleted, counts)
        keep(session, counts)

    counts = purge.delete_rows(vault, batch, audit_and_keep)
    if not counts.recordings:  # nothing left to delete (deleted meanwhile): still a receipt
        with vault.transaction() as session:
            keep(session, counts)
    return counts


def _receipt(
    row: DeletionReceiptRow, *, account: str, recording: str | None = None
) -> DeletionReceipt:
    return DeletionReceipt(
        id=row.id,
        kind=DeletionKind(row.kind),
        account=account,
        deleted=row.deleted,
        transcripts=row.transcripts,
        recording=recording,
        device=row.device_id,
        start=row.start,
        end=row.end,
        at=row.at,
        asked=row.asked,
        by_person=row.by_person,
    )


def own_receipts(vault: Vault, *, account_id: str) -> list[DeletionReceipt]:
    """Every deletion receipt kept for the account, newest first."""
    with vault.reading() as session:
        rows = session.scalars(
            select(DeletionReceiptRow)
            .where(DeletionReceiptRow.account_id == account_id)
            .order_by(DeletionReceiptRow.at.desc(), DeletionReceiptRow.id)
        ).all()
        return [_receipt(row, account="") for row in rows]


def own_receipt(vault: Vault, *, account_id: str, receipt_id: str) -> DeletionReceipt:
    """One of the account's deletion receipts; NotFound for any other (another's too)."""
    with vault.reading() as session:
        row = session.get(DeletionReceiptRow, receipt_id) if len(receipt_id) <= 32 else None
        if row is None or row.account_id != account_id:
            raise NotFound("You have no deletion receipt with this id.")
        return _receipt(row, account="")
