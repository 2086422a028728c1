"""Merkle proofs produced in one pass over the leaves, in O(log n) memory.

``merkle.inclusion_proof`` and ``merkle.consistency_proof`` take every leaf
hash at once; a log of millions of events cannot. Here the leaves stream by
once, in order. Each hash of a proof is the root of a leaf range
(``merkle.inclusion_proof_ranges`` and ``consistency_proof_ranges``): ranges
left of the split point (the leaf, or the old tree size) are exactly the peaks
of the tree at that size, which an accumulator holds anyway; ranges right of it
do not overlap, so one small accumulator per range, filled as the leaves pass,
gives the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from voxkeep.audit.merkle import MerkleAccumulator, ProofError, Range, peak_ranges


class RangeRoots:
    """Roots of disjoint leaf ranges, filled by feeding every leaf in index order."""

    __slots__ = ("_accumulator", "_next", "_ranges", "roots")

    def __init__(self, ranges: Iterable[Range]) -> None:
        self._ranges = sorted(ranges)
        for (_, end), (start, _) in zip(self._ranges, self._ranges[1:], strict=False):
            if start < end:
                raise ProofError("Proof ranges must not overlap.")
        self._next = 0
        self._accumulator = MerkleAccumulator()
        self.roots: dict[Range, bytes] = {}

    def add(self, index: int, leaf_hash: bytes) -> None:
        """Feed leaf `index`; the caller feeds every index once, in increasing order."""
        if self._next == len(self._ranges):
            return
        start, end = self._ranges[self._next]
        if index < start:
            return
        self._accumulator.append(leaf_hash)
        if index == end - 1:
            self.roots[(start, end)] = self._accumulator.root()
            self._accumulator = MerkleAccumulator()
            self._next += 1


def right_of(ranges: Iterable[Range], split: int) -> list[Range]:
    """The ranges that start at or after split: the ones RangeRoots must compute."""
    return [(start, end) for start, end in ranges if start >= split]


def assemble(
    ranges: Sequence[Range], *, split: int, split_peaks: Sequence[bytes], right: RangeRoots
) -> list[bytes]:
    """The proof hashes for `ranges`, in order, from the peaks at `split` and the right roots."""
    left = dict(zip(peak_ranges(split), split_peaks, strict=True))
    proof: list[bytes] = []
    for start, end in ranges:
        node = left.get((start, end)) if end <= split else right.roots.get((start, end))
        if node is None:
            raise ProofError(f"No hash was computed for leaves {start}..{end - 1}.")
        proof.append(node)
    return proof
