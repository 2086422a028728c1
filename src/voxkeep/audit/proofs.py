"""Inclusion and consistency proofs for the stored log, computed from its events.

A proof is derived in one pass over the events it depends on, in bounded
memory (see ``streaming``). The pass resumes from the stored peaks of the
largest checkpoint at or below the proof's split point, so a proof about recent
events of a long log reads only the events since that checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from voxkeep.audit.errors import LogTampered
from voxkeep.audit.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    ProofError,
    consistency_proof_ranges,
    inclusion_proof_ranges,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from voxkeep.audit.store import (
    StoredCheckpoint,
    checkpoint_at_or_below,
    iter_leaf_data,
    log_size,
    newest_checkpoint,
    use_snapshot,
)
from voxkeep.audit.streaming import RangeRoots, assemble, right_of
from voxkeep.errors import InvalidInput, NotFound
from voxkeep.vault import Vault


@dataclass(frozen=True)
class InclusionProof:
    """Event `leaf_index` is leaf `leaf_index` of the tree of `tree_size` with `root`."""

    leaf_index: int
    tree_size: int
    leaf_data: bytes
    leaf_hash: bytes
    proof: tuple[bytes, ...]
    root: bytes


@dataclass(frozen=True)
class ConsistencyProof:
    """The tree of `new_size` only appended to the tree of `old_size`."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    proof: tuple[bytes, ...]


def inclusion_proof(vault: Vault, seq: int, size: int | None = None) -> InclusionProof:
    """Prove event `seq` is in the tree of `size` events (default: the newest checkpoint's)."""
    with vault.reading() as session:
        use_snapshot(session)
        size = _tree_size(session, size)
        if not 0 <= seq < size:
            raise InvalidInput(
                f"Event {seq} is not in a tree of size {size}: the size must be above the "
                "event's index (seq)."
            )
        ranges = inclusion_proof_ranges(seq, size)
        walk = _walk(session, split=seq, end=size, right=RangeRoots(right_of(ranges, seq + 1)))
    proof = assemble(ranges, split=seq, split_peaks=walk.split_peaks, right=walk.right)
    digest = leaf_hash(walk.split_data)
    # A proof we cannot verify ourselves must never leave the vault.
    verify_inclusion(leaf_hash=digest, index=seq, size=size, proof=proof, root=walk.end_root)
    return InclusionProof(seq, size, walk.split_data, digest, tuple(proof), walk.end_root)


def consistency_proof(vault: Vault, old: int, new: int | None = None) -> ConsistencyProof:
    """Prove the tree of `new` events (default: the newest checkpoint's) extends that of `old`."""
    with vault.reading() as session:
        use_snapshot(session)
        new = _tree_size(session, new)
        if not 0 <= old <= new:
            raise InvalidInput(f"The old size ({old}) must be between 0 and the new size ({new}).")
        ranges = consistency_proof_ranges(old, new)
        walk = _walk(session, split=old, end=new, right=RangeRoots(right_of(ranges, old)))
    proof = assemble(ranges, split=old, split_peaks=walk.split_peaks, right=walk.right)
    verify_consistency(
        old_size=old, new_size=new, old_root=walk.split_root, new_root=walk.end_root, proof=proof
    )
    return ConsistencyProof(old, new, walk.split_root, walk.end_root, tuple(proof))


def _tree_size(session: Session, size: int | None) -> int:
    current = log_size(session)
    if size is None:
        newest = newest_checkpoint(session)
        if newest is None:
            raise NotFound(
                "No audit checkpoint has been written yet.",
                hint="Run `voxkeep audit checkpoint`, or wait for `voxkeep serve` to write one.",
            )
        return newest.size
    if not 0 <= size <= current:
        raise InvalidInput(
            f"The log holds {current} events, so there is no tree of size {size}.",
            hint="Ask for a size between 1 and the log's size, best that of a signed checkpoint.",
        )
    return size


@dataclass
class _Walk:
    right: RangeRoots
    split_peaks: tuple[bytes, ...] = ()
    split_root: bytes = EMPTY_ROOT
    split_data: bytes = b""
    end_root: bytes = field(default=EMPTY_ROOT)


def _walk(session: Session, *, split: int, end: int, right: RangeRoots) -> _Walk:
    """Stream leaves up to `end`, keeping the tree at `split` and feeding `right`."""
    tree = _resume(checkpoint_at_or_below(session, split))
    walk = _Walk(right)
    for seq, data in iter_leaf_data(session, start=tree.size, stop=end):
        if seq != tree.size:
            raise _missing(tree.size)
        if seq == split:
            walk.split_peaks, walk.split_root, walk.split_data = tree.peaks, tree.root(), data
        digest = leaf_hash(data)
        right.add(seq, digest)
        tree.append(digest)
    if tree.size != end:
        raise _missing(tree.size)
    if split == end:
        walk.split_peaks, walk.split_root = tree.peaks, tree.root()
    walk.end_root = tree.root()
    return walk


def _resume(stored: StoredCheckpoint | None) -> MerkleAccumulator:
    """The tree at a checkpoint from its stored peaks; from scratch when they do not check out."""
    peaks = None if stored is None else stored.peaks()
    if stored is None or peaks is None:
        return MerkleAccumulator()
    try:
        tree = MerkleAccumulator.from_peaks(stored.size, peaks)
    except ProofError:
        return MerkleAccumulator()
    return tree if tree.root() == stored.root_hash else MerkleAccumulator()


def _missing(seq: int) -> LogTampered:
    return LogTampered(
        f"Audit event {seq} is missing, so no proof can be computed.",
        seq=seq,
        hint="Run `voxkeep audit verify` for the full report.",
    )
