"""The audit log's services: signed checkpoints, proofs, verification and the verifier key.

Events are appended by ``events.record`` inside each service's transaction.
This module signs the tree they form: ``write_checkpoint`` appends a
checkpoint event and signs the tree that ends with it, so every checkpoint is
itself on record and deleting one is caught. Each checkpoint stores the tree's
peaks, so the next one hashes only the events appended since (O(new events)),
however long the log grows.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.accounts.service import find_account
from voxkeep.audit import checkpoint as notes
from voxkeep.audit.checkpoint import Checkpoint, CheckpointError
from voxkeep.audit.errors import LogTampered
from voxkeep.audit.events import (
    SYSTEM,
    AuditAction,
    AuditCheckpoint,
    AuditEvent,
    lock_log,
    record,
)
from voxkeep.audit.identity import LogIdentity, identity_of, log_identity, signing_key
from voxkeep.audit.leaves import CHECKPOINT_SIZE, StoredEvent, check_leaf
from voxkeep.audit.merkle import MerkleAccumulator, ProofError, leaf_hash
from voxkeep.audit.proofs import (
    ConsistencyProof,
    InclusionProof,
    consistency_proof,
    inclusion_proof,
)
from voxkeep.audit.pseudonyms import ObjectKind, pseudonyms_of
from voxkeep.audit.store import StoredCheckpoint, iter_events, log_size, newest_checkpoint
from voxkeep.audit.verify import VerifyReport, verify_log
from voxkeep.db.faults import cause_of
from voxkeep.errors import InvalidInput, NotFound
from voxkeep.vault import Vault

__all__ = [
    "ConsistencyProof",
    "EventView",
    "InclusionProof",
    "LogIdentity",
    "VerifyReport",
    "account_events",
    "audit_public_key",
    "consistency_proof",
    "inclusion_proof",
    "latest_checkpoint_note",
    "log_identity",
    "recent_events",
    "start_checkpointer",
    "verifier_key",
    "verify_log",
    "write_checkpoint",
]

log = logging.getLogger("voxkeep.audit")
MAX_TAIL = 10_000


def audit_public_key(vault: Vault) -> Ed25519PublicKey:
    """The Ed25519 key that signs this vault's checkpoints."""
    return log_identity(vault).public_key


def verifier_key(vault: Vault) -> str:
    """The signed-note verifier key to publish, e.g. ``voxkeep/1a2b...+1a2b3c4d+AW...``."""
    return log_identity(vault).verifier_key


def write_checkpoint(vault: Vault) -> Checkpoint | None:
    """Sign the current tree; None when no event was appended since the newest checkpoint.

    In one transaction under the append lock: append a checkpoint event, hash
    the events since the previous checkpoint onto its stored peaks, sign, and
    store the note with the new peaks. Refuses (LogTampered) to build on a
    checkpoint or events that do not check out, so tampering is never signed.
    """
    with vault.transaction() as session:
        lock_log(session)
        size = log_size(session)
        last = newest_checkpoint(session)
        if size == (last.size if last else 0):
            return None
        key = signing_key(vault, session)
        identity = identity_of(key)
        tree = _resume_signed(last, identity, size)
        record(
            session, AuditAction.AUDIT_CHECKPOINT, actor=SYSTEM, counts={CHECKPOINT_SIZE: size + 1}
        )
        session.flush()
        _extend(session, tree)
        checkpoint = Checkpoint(identity.origin, tree.size, tree.root())
        session.add(
            AuditCheckpoint(
                size=checkpoint.size,
                root_hash=checkpoint.root_hash,
                note=notes.sign_checkpoint(checkpoint, name=identity.key_name, private_key=key),
                frontier=b"".join(tree.peaks),
            )
        )
    return checkpoint


_RUN_VERIFY = "Run `voxkeep audit verify` for the full report; no checkpoint was written."


def _resume_signed(
    last: StoredCheckpoint | None, identity: LogIdentity, size: int
) -> MerkleAccumulator:
    if last is None:
        return MerkleAccumulator()
    if size < last.size:
        raise LogTampered(
            f"The log holds {size} events but checkpoint {last.size} signed a tree of "
            f"{last.size}: the log was truncated.",
            seq=size,
            checkpoint=last.size,
            hint=_RUN_VERIFY,
        )
    try:
        signed = notes.parse_and_verify_checkpoint(
            last.note,
            name=identity.key_name,
            public_key=identity.public_key,
            origin=identity.origin,
        )
        peaks = last.peaks()
        if peaks is None or signed.size != last.size:
            raise ProofError("The stored peaks or size do not match the signed note.")
        tree = MerkleAccumulator.from_peaks(last.size, peaks)
        if tree.root() != signed.root_hash:
            raise ProofError("The stored peaks do not fold to the signed root.")
    except (CheckpointError, ProofError) as exc:
        raise LogTampered(
            f"The newest checkpoint ({last.size}) does not check out: "
            f"{exc.message[:1].lower()}{exc.message[1:]}",
            checkpoint=last.size,
            hint=_RUN_VERIFY,
        ) from None
    return tree


def _extend(session: Session, tree: MerkleAccumulator) -> None:
    for event in iter_events(session, start=tree.size):
        if event.seq != tree.size:
            raise LogTampered(
                f"Audit event {tree.size} is missing.", seq=tree.size, hint=_RUN_VERIFY
            )
        check_leaf(event)
        tree.append(leaf_hash(event.data))


def latest_checkpoint_note(vault: Vault) -> str:
    """The newest signed checkpoint, as the C2SP signed note text."""
    with vault.reading() as session:
        newest = newest_checkpoint(session)
    if newest is None:
        raise NotFound(
            "No audit checkpoint has been written yet.",
            hint="Run `voxkeep audit checkpoint`, or wait for `voxkeep serve` to write one.",
        )
    return newest.note


@dataclass(frozen=True)
class EventView:
    """One audit event for display. Events hold pseudonyms and ids, never personal data."""

    seq: int
    at: datetime
    actor: str
    action: str
    objects: dict[str, Any]
    counts: dict[str, Any]
    data: str = ""  # the canonical JSON the Merkle leaf commits to (ASCII)


def recent_events(vault: Vault, limit: int) -> list[EventView]:
    """The newest `limit` events, oldest of them first."""
    if not 1 <= limit <= MAX_TAIL:
        raise InvalidInput(f"The number of events must be between 1 and {MAX_TAIL}.")
    with vault.reading() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit))
        views = [view_of(row) for row in rows]
    views.reverse()
    return views


def account_events(
    vault: Vault,
    *,
    account: str,
    devices: Sequence[str] = (),
    members: Sequence[str] = (),
    recordings: Sequence[str] = (),
) -> list[EventView]:
    """Every event that names an account (the operator's id) or one of its objects.

    Its current devices, members and recordings are found by themselves; the
    ids given here also find events about objects since deleted. Only while
    the account exists: after erasure nothing links its pseudonyms to an id.
    """
    extra: list[tuple[ObjectKind, str]] = [
        *(("device", i) for i in devices),
        *(("member", i) for i in members),
        *(("recording", i) for i in recordings),
    ]
    with vault.reading() as session:
        owner = find_account(vault, session, account)
        wanted = pseudonyms_of(vault, session, owner.id, extra=extra)
        return [view for view in map(view_of, iter_events(session)) if names_in(view) & wanted]


def names_in(view: EventView) -> set[str]:
    named = {view.actor}
    for value in view.objects.values():
        named.update(map(str, value) if isinstance(value, list) else [str(value)])
    return named


def view_of(row: AuditEvent | StoredEvent) -> EventView:
    try:
        payload = json.loads(row.data)
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    return EventView(
        row.seq,
        row.at,
        row.actor,
        row.action,
        dict(payload.get("objects") or {}),
        dict(payload.get("counts") or {}),
        bytes(row.data).decode("ascii", errors="replace"),
    )


def start_checkpointer(vault: Vault, interval_s: float) -> Callable[[], None]:
    """Write a checkpoint every `interval_s` seconds in a background thread.

    Returns the function that stops it; stopping writes one last checkpoint so
    the tail of the log is signed at shutdown. An interval of 0 starts nothing.
    Several processes may each run one: the append lock serializes them, and a
    tree that did not grow is not signed twice.
    """
    if interval_s <= 0:
        return lambda: None
    stopping = threading.Event()

    def run() -> None:
        while not stopping.wait(interval_s):
            _checkpoint_logged(vault)

    thread = threading.Thread(target=run, name="voxkeep-audit-checkpointer", daemon=True)
    thread.start()

    def stop() -> None:
        stopping.set()
        thread.join()
        _checkpoint_logged(vault)

    return stop


def _checkpoint_logged(vault: Vault) -> None:
    try:
        checkpoint = write_checkpoint(vault)
    except Exception as exc:  # a background thread must outlive a passing database outage
        log.error("audit checkpoint failed: %s", cause_of(exc, during="the audit checkpoint"))
    else:
        if checkpoint is not None:
            log.info("audit checkpoint written at tree size %d", checkpoint.size)
