"""`voxkeep audit verify`: re-derive the whole tree from the stored events and check it.

One pass over the events in leaf order, in bounded memory. Each event must
sit at the next leaf index and be well-formed (see ``leaves``). At every
checkpoint's size the checkpoint must carry this vault's valid signature, its
root must equal the recomputed root, and a consistency proof computed from the
leaves must verify between it and the previous checkpoint, exactly as an
outside monitor holding both checkpoints would check it. Every checkpoint event
must have its checkpoint, and no checkpoint may lie beyond the last event.
The first failure stops the pass and names the first bad event or checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from voxkeep.audit import checkpoint as notes
from voxkeep.audit.checkpoint import Checkpoint, CheckpointError
from voxkeep.audit.errors import LogTampered
from voxkeep.audit.events import AuditAction
from voxkeep.audit.identity import LogIdentity, log_identity
from voxkeep.audit.leaves import StoredEvent, announced_checkpoint, check_leaf
from voxkeep.audit.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    ProofError,
    consistency_proof_ranges,
    leaf_hash,
    peak_ranges,
    verify_consistency,
)
from voxkeep.audit.store import (
    StoredCheckpoint,
    event_count,
    iter_checkpoints,
    iter_events,
    use_snapshot,
)
from voxkeep.audit.streaming import RangeRoots, assemble, right_of
from voxkeep.vault import Vault

ProgressCallback = Callable[[int, int], None]
PROGRESS_EVERY: Final = 1000


@dataclass(frozen=True)
class VerifyReport:
    """An intact log: how much was checked, and the newest signed tree head."""

    events: int
    checkpoints: int
    newest: Checkpoint | None

    @property
    def unsigned_events(self) -> int:
        """Events after the newest checkpoint: checked for form, not yet covered by a signature."""
        return self.events - (self.newest.size if self.newest else 0)


@dataclass(frozen=True)
class _Trusted:
    """The last checkpoint that verified: everything before its size is confirmed."""

    size: int
    root: bytes
    peaks: tuple[bytes, ...]


def verify_log(vault: Vault, *, on_progress: ProgressCallback | None = None) -> VerifyReport:
    """Check the whole audit log; raise LogTampered naming the first bad event or checkpoint.

    ``on_progress(checked, total)`` is called every few thousand events.
    """
    identity = log_identity(vault)
    with vault.reading() as session:
        use_snapshot(session)
        total = event_count(session)
        if on_progress is not None:
            on_progress(0, total)
        verifier = _Verifier(identity, iter_checkpoints(session))
        checked = 0
        for event in iter_events(session, start=None):
            verifier.add(event)
            checked += 1
            if on_progress is not None and checked % PROGRESS_EVERY == 0:
                on_progress(checked, total)
        report = verifier.finish()
    if on_progress is not None:
        on_progress(checked, total)
    return report


class _Verifier:
    def __init__(self, identity: LogIdentity, checkpoints: Iterator[StoredCheckpoint]) -> None:
        self._identity = identity
        self._checkpoints = checkpoints
        self._tree = MerkleAccumulator()
        self._trusted = _Trusted(0, EMPTY_ROOT, ())
        self._verified = 0
        self._newest: Checkpoint | None = None
        self._last_action: str | None = None
        self._next: StoredCheckpoint | None = None
        self._right = RangeRoots(())
        self._advance()

    def _advance(self) -> None:
        self._next = next(self._checkpoints, None)
        if self._next is None:
            return
        old = self._trusted.size
        self._right = RangeRoots(right_of(consistency_proof_ranges(old, self._next.size), old))
        if self._next.size == self._tree.size:  # only a (forged) size-0 checkpoint
            self._check_checkpoint(self._next)

    def add(self, event: StoredEvent) -> None:
        expected = self._tree.size
        if event.seq > expected:
            raise LogTampered(
                f"Audit event {expected} is missing: the next stored event is {event.seq}. "
                "Events were deleted, or their positions changed.",
                seq=expected,
            )
        if event.seq < expected:
            raise LogTampered(
                f"An audit event sits at position {event.seq}, which is not a valid leaf index "
                f"here (expected {expected}).",
                seq=event.seq,
            )
        check_leaf(event)
        self._check_announcement(event)
        digest = leaf_hash(event.data)
        self._right.add(event.seq, digest)
        self._tree.append(digest)
        self._last_action = event.action
        if self._next is not None and self._tree.size == self._next.size:
            self._check_checkpoint(self._next)

    def _check_announcement(self, event: StoredEvent) -> None:
        size = announced_checkpoint(event)
        if size is not None and (self._next is None or self._next.size != size):
            raise LogTampered(
                f"Audit event {event.seq} records that checkpoint {size} was written, but there "
                f"is no checkpoint of size {size}: it was deleted.",
                seq=event.seq,
                checkpoint=size,
            )

    def finish(self) -> VerifyReport:
        if self._next is not None:
            size, end = self._tree.size, self._next.size
            raise LogTampered(
                f"The log ends after {size} events, but checkpoint {end} signed a tree of "
                f"{end}: events {size}..{end - 1} were deleted (the log was truncated).",
                seq=size,
                checkpoint=end,
            )
        return VerifyReport(self._tree.size, self._verified, self._newest)

    def _check_checkpoint(self, stored: StoredCheckpoint) -> None:
        signed = self._signed(stored)
        if signed.root_hash != self._tree.root():
            raise self._root_mismatch(stored, signed)
        if stored.size == 0 or self._last_action != AuditAction.AUDIT_CHECKPOINT:
            raise LogTampered(
                f"Checkpoint {stored.size} has no checkpoint event as its last leaf, so voxkeep "
                "did not write it.",
                checkpoint=stored.size,
            )
        if stored.peaks() != list(self._tree.peaks):
            raise LogTampered(
                f"The stored frontier of checkpoint {stored.size} does not match its tree, so "
                "no later checkpoint can be written from it.",
                checkpoint=stored.size,
            )
        self._check_consistency(signed)
        self._trusted = _Trusted(signed.size, signed.root_hash, self._tree.peaks)
        self._verified += 1
        self._newest = signed
        self._advance()

    def _signed(self, stored: StoredCheckpoint) -> Checkpoint:
        identity = self._identity
        try:
            signed = notes.parse_and_verify_checkpoint(
                stored.note,
                name=identity.key_name,
                public_key=identity.public_key,
                origin=identity.origin,
            )
        except CheckpointError as exc:
            raise LogTampered(
                f"Checkpoint {stored.size} is not validly signed by this vault: "
                f"{_clause(exc.message)}",
                checkpoint=stored.size,
            ) from None
        if signed.size != stored.size or signed.root_hash != stored.root_hash:
            raise LogTampered(
                f"The stored size or root of checkpoint {stored.size} differs from its signed "
                "note.",
                checkpoint=stored.size,
            )
        return signed

    def _check_consistency(self, signed: Checkpoint) -> None:
        old = self._trusted
        ranges = consistency_proof_ranges(old.size, signed.size)
        proof = assemble(ranges, split=old.size, split_peaks=old.peaks, right=self._right)
        try:
            verify_consistency(
                old_size=old.size,
                new_size=signed.size,
                old_root=old.root,
                new_root=signed.root_hash,
                proof=proof,
            )
        except ProofError as exc:
            raise LogTampered(
                f"Checkpoints {old.size} and {signed.size} are not consistent: "
                f"{_clause(exc.message)}",
                checkpoint=signed.size,
            ) from None

    def _root_mismatch(self, stored: StoredCheckpoint, signed: Checkpoint) -> LogTampered:
        size = signed.size
        suspects = _narrow(range(self._trusted.size, size), stored, signed, self._tree.peaks)
        if len(suspects) == 1:
            first = suspects[0]
            return LogTampered(
                f"Audit event {first} differs from the event signed in checkpoint {size}: it was "
                "altered, or events were inserted, deleted or moved there.",
                seq=first,
                checkpoint=size,
            )
        confirmed = (
            f"events before {suspects.start} match earlier checkpoints"
            if suspects.start
            else "no earlier checkpoint confirms any of them"
        )
        return LogTampered(
            f"The events no longer hash to the root signed in checkpoint {size}: the first "
            f"changed event is one of {suspects.start}..{suspects.stop - 1} ({confirmed}). "
            "Events were altered, inserted, deleted or moved.",
            checkpoint=size,
            suspects=suspects,
        )


def _narrow(
    suspects: range, stored: StoredCheckpoint, signed: Checkpoint, peaks: tuple[bytes, ...]
) -> range:
    """Shrink the range the first changed event lies in, using the checkpoint's stored peaks.

    Stored peaks that fold to the signed root are as good as signed (finding
    others would need a SHA-256 collision), so the first peak that differs
    from the recomputed one holds the first changed event.
    """
    stored_peaks = stored.peaks()
    if stored_peaks is None:
        return suspects
    try:
        authentic = MerkleAccumulator.from_peaks(signed.size, stored_peaks).root()
    except ProofError:
        return suspects
    if authentic != signed.root_hash:
        return suspects
    for (start, end), mine, theirs in zip(
        peak_ranges(signed.size), peaks, stored_peaks, strict=True
    ):
        if mine != theirs:
            return range(max(suspects.start, start), min(suspects.stop, end))
    return suspects


def _clause(message: str) -> str:
    """A sentence of another error, continued after a colon."""
    return message[:1].lower() + message[1:]
