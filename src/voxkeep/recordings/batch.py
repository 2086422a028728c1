"""Storing a batch of uploads together (group commit), each with the outcome it would get alone.

``service.submit_ingest`` queues validated uploads; its worker thread hands
whatever is queued to :func:`store_uploads`, which stores them in three steps:

1. one read transaction resolves every owner (one query per table, see
   ``OwnerLookup.prefetch``) and answers repeats, "don't save" accounts and
   rejections;
2. the new uploads' audio is encrypted into one pack (storage/packs.py),
   made durable with one fsync: cheaper than a file and an fsync each;
3. one write transaction inserts the rows, each with its own audit event
   (on SQLite, after a turn on a lock file shared by the batch writers of
   every `voxkeep serve` worker process; see ``db.engine.writer_turn``).

Ingestion order (invariant 8) holds for the batch as for one upload: blobs are
durable before the transaction naming them commits; a failure deletes them.
When the batch as a whole fails (say another process stored one of its ids in
between), the uploads still open are stored one by one, so each gets the
answer it would have got alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voxkeep.accounts.models import DataKey
from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.pseudonyms import AccountNames, names_for
from voxkeep.db.engine import retried, writer_turn
from voxkeep.errors import AccountErased, CommitUnknown, VoxkeepError
from voxkeep.recordings.bulk import delete_blobs, insert_rows, write_pack
from voxkeep.recordings.service import (
    Ingested,
    OwnerLookup,
    Prepared,
    Upload,
    check_duplicate,
    check_owner,
    prepare,
    same_recording,
    stored_rows,
)
from voxkeep.retention import policy
from voxkeep.vault import Vault

Outcome = Ingested | Exception


@dataclass(frozen=True)
class _Owned:
    """An upload whose owner checks passed, with the owner's account id and data key."""

    index: int
    upload: Upload
    account_id: str
    key: bytes


def store_uploads(uploads: list[Upload]) -> list[Outcome]:
    """Store validated uploads with distinct ids; each gets the outcome it would get alone."""
    outcomes: list[Outcome | None] = [None] * len(uploads)
    try:
        _store(uploads, outcomes)
    except Exception as exc:
        if len(uploads) == 1:
            outcomes[0] = exc
        else:
            for index, outcome in enumerate(outcomes):
                if outcome is None:
                    outcomes[index] = store_uploads([uploads[index]])[0]
    done = [outcome for outcome in outcomes if outcome is not None]
    assert len(done) == len(uploads), "every upload has an outcome"
    return done


def _store(uploads: list[Upload], outcomes: list[Outcome | None]) -> None:
    """Fill in outcomes: rejections and repeats as found, the rest once committed."""
    vault = uploads[0].vault
    # A read: run again when its connection broke (it sets the same outcomes again).
    fresh, discard = retried(lambda: _sort_out(vault, uploads, outcomes))
    if fresh:
        _commit(vault, fresh, outcomes)
    for owned in discard:
        try:
            policy.count_discarded(vault, {owned.account_id: 1}, actor=owned.upload.actor)
            outcomes[owned.index] = Ingested.DISCARDED
        except Exception as exc:
            outcomes[owned.index] = exc


def _sort_out(
    vault: Vault, uploads: list[Upload], outcomes: list[Outcome | None]
) -> tuple[list[_Owned], list[_Owned]]:
    """In one read transaction: check owners, answer repeats; return (fresh, to discard)."""
    owned: list[_Owned] = []
    with vault.reading() as session:
        lookup = OwnerLookup(vault, session)
        lookup.prefetch([upload.meta for upload in uploads])
        for index, upload in enumerate(uploads):
            try:
                account_id, key = check_owner(lookup, upload.meta)
            except VoxkeepError as exc:
                outcomes[index] = exc
                continue
            owned.append(_Owned(index, upload, account_id, key))
        if not owned:
            return [], []
        dont_save = policy.dont_save_accounts(vault, session, {o.account_id for o in owned})
        stored = stored_rows(
            session, [o.upload.meta.id for o in owned if o.account_id not in dont_save]
        )
    fresh: list[_Owned] = []
    discard: list[_Owned] = []
    for item in owned:
        if item.account_id in dont_save:
            discard.append(item)
        elif item.upload.meta.id in stored:
            try:
                same_recording(vault, _prepared(item), stored[item.upload.meta.id])
                outcomes[item.index] = Ingested.ALREADY_STORED
            except VoxkeepError as exc:
                outcomes[item.index] = exc
        else:
            fresh.append(item)
    return fresh, discard


def _prepared(item: _Owned) -> Prepared:
    upload = item.upload
    return prepare(upload.meta, upload.wav, upload.audio, account_id=item.account_id, key=item.key)


def _commit(vault: Vault, fresh: list[_Owned], outcomes: list[Outcome | None]) -> None:
    """Write the audio durably, then commit the rows with their audit events."""
    prepared = [_prepared(item) for item in fresh]
    rows = write_pack(
        vault, [(p, item.upload.audio) for p, item in zip(prepared, fresh, strict=True)]
    )

    def unit() -> set[str]:
        """The rows and their events in one transaction; the owners erased meanwhile."""
        with writer_turn(vault.settings), vault.transaction() as session:
            owners = {item.account_id for item in fresh}
            erased = owners - _with_data_key(session, owners)
            kept = [
                (item, row)
                for item, row in zip(fresh, rows, strict=True)
                if item.account_id not in erased
            ]
            insert_rows(vault, session, [row for _, row in kept])
            names: dict[str, AccountNames] = {}  # one key derivation per account
            for item, _ in kept:
                if item.account_id not in names:
                    names[item.account_id] = names_for(
                        vault, session, item.account_id, data_key=item.key
                    )
                owner = names[item.account_id]
                record(
                    session,
                    AuditAction.RECORDING_INGESTED,
                    actor=item.upload.actor,
                    objects={
                        "account": owner.account,
                        "recording": owner.recording(item.upload.meta.id),
                    },
                    counts={"audio_bytes": len(item.upload.audio)},
                )
            return erased

    try:
        erased = retried(unit)  # again when its connection broke before it committed
    except IntegrityError:
        delete_blobs(vault, rows)
        if len(fresh) == 1:  # another upload of this id may have committed first
            with vault.reading() as session:
                if check_duplicate(vault, session, prepared[0]):
                    outcomes[fresh[0].index] = Ingested.ALREADY_STORED
                    return
        raise
    except CommitUnknown:
        raise  # the rows may be committed: their blobs stay (gc removes them if not)
    except BaseException:
        delete_blobs(vault, rows)
        raise
    unstored = [row for item, row in zip(fresh, rows, strict=True) if item.account_id in erased]
    delete_blobs(vault, unstored)  # their accounts were erased meanwhile: nothing names them
    for item in fresh:
        if item.account_id in erased:
            outcomes[item.index] = AccountErased()
        else:
            outcomes[item.index] = Ingested.STORED


def _with_data_key(session: Session, account_ids: set[str]) -> set[str]:
    """The accounts that still have a data key: has_data_key for many, with its lock.

    FOR SHARE (PostgreSQL): an erasure deleting a key waits for this
    transaction, so its inventory sees what this transaction stores.
    """
    query = select(DataKey.account_id).where(DataKey.account_id.in_(account_ids))
    return set(session.scalars(query.with_for_update(read=True)))
