"""Storing recordings many at a time: their audio in one pack, their rows in one transaction.

The order is invariant 8's: every recording's ciphertext is written into a
new pack, the pack is made durable, and only then does the transaction that
names its entries commit. When the transaction fails, the entries are
deleted again; a crash in between leaves a pack that no row names, which
`voxkeep gc` removes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from voxkeep.accounts import service as accounts
from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.pseudonyms import names_for_many
from voxkeep.errors import CommitUnknown, KeyDestroyed
from voxkeep.recordings.models import Recording
from voxkeep.recordings.service import Prepared, RowValues, audio_into, row_values
from voxkeep.retention import policy
from voxkeep.vault import Vault

ACTOR = "system:import"
_RECORDINGS = cast(Table, Recording.__table__)


def write_pack(vault: Vault, items: Iterable[tuple[Prepared, bytes]]) -> list[RowValues]:
    """Encrypt each item's audio into one new pack, durable on return; return the rows."""
    rows: list[RowValues] = []
    with vault.blobs.new_pack() as pack:
        for prepared, audio in items:
            blob = audio_into(pack, prepared, audio)
            rows.append(row_values(prepared, blob=blob, audio_bytes=len(audio)))
    return rows


def insert_rows(vault: Vault, session: Session, rows: Sequence[RowValues]) -> None:
    """Stamp each row's retention expiry and insert them all in one statement.

    A Core INSERT of the table: every row has every column, so the driver gets
    one executemany (the ORM's bulk insert splits rows by which values are None).
    """
    policy.stamp_expiry(vault, session, rows)
    if rows:
        session.execute(insert(_RECORDINGS), list(rows))


def delete_blobs(vault: Vault, rows: Iterable[RowValues]) -> None:
    vault.blobs.delete_many([row["audio_blob"] for row in rows])


def commit_imported(vault: Vault, rows: Sequence[RowValues], *, actor: str) -> None:
    """Insert rows whose audio is stored, with one audit event per account, in one transaction.

    When it fails, the rows' blobs are deleted (nothing names them) and the error is raised;
    unless the commit's outcome is unknown (CommitUnknown): then they stay, for gc to remove
    if no row names them.
    """
    try:
        with vault.transaction() as session:
            by_account: dict[str, list[str]] = {}
            for row in rows:
                by_account.setdefault(row["account_id"], []).append(row["id"])
            for account_id in by_account:
                if not accounts.has_data_key(session, account_id):
                    raise KeyDestroyed("An account in this batch was erased during the import.")
            names = names_for_many(vault, session, by_account)
            for account_id, ids in by_account.items():
                record(
                    session,
                    AuditAction.RECORDINGS_IMPORTED,
                    actor=actor,
                    objects={
                        "account": names[account_id].account,
                        "recordings": names[account_id].recordings(ids),
                    },
                    counts={"recordings": len(ids)},
                )
            insert_rows(vault, session, rows)
    except CommitUnknown:
        raise
    except BaseException:
        delete_blobs(vault, rows)
        raise


def store_batch(vault: Vault, ready: list[tuple[Prepared, bytes]], *, actor: str = ACTOR) -> int:
    """Store prepared recordings: one pack, then one transaction.

    Returns how many were stored: recordings for "don't save" accounts are only counted.
    """
    with vault.reading() as session:
        dropped = policy.dont_save_accounts(vault, session, {p.account_id for p, _ in ready})
    if dropped:
        policy.count_discarded(
            vault, Counter(p.account_id for p, _ in ready if p.account_id in dropped), actor=actor
        )
        ready = [(p, audio) for p, audio in ready if p.account_id not in dropped]
    if not ready:
        return 0
    rows = write_pack(vault, ready)
    commit_imported(vault, rows, actor=actor)
    return len(rows)
