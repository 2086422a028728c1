"""One-pass proofs (audit.streaming) equal the all-leaves producers of audit.merkle."""

from __future__ import annotations

import hashlib

import pytest

from voxkeep.audit.merkle import (
    MerkleAccumulator,
    ProofError,
    consistency_proof,
    consistency_proof_ranges,
    inclusion_proof,
    inclusion_proof_ranges,
    leaf_hash,
    peak_ranges,
    root_from_leaf_hashes,
)
from voxkeep.audit.streaming import RangeRoots, assemble, right_of

LIMIT = 40
HASHES = [leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(2 * LIMIT)]


def _streamed(split: int, end: int, ranges: list[tuple[int, int]], right_start: int) -> list[bytes]:
    tree = MerkleAccumulator()
    right = RangeRoots(right_of(ranges, right_start))
    split_peaks: tuple[bytes, ...] = ()
    for index in range(end):
        if index == split:
            split_peaks = tree.peaks
        right.add(index, HASHES[index])
        tree.append(HASHES[index])
    if split == end:
        split_peaks = tree.peaks
    return assemble(ranges, split=split, split_peaks=split_peaks, right=right)


def test_peaks_are_the_roots_of_peak_ranges() -> None:
    tree = MerkleAccumulator()
    for size in range(2 * LIMIT):
        ranges = peak_ranges(size)
        assert [root_from_leaf_hashes(HASHES[a:b]) for a, b in ranges] == list(tree.peaks)
        assert sum(b - a for a, b in ranges) == size
        tree.append(HASHES[size])


def test_a_tree_resumed_from_its_peaks_grows_like_the_original() -> None:
    for size in range(LIMIT):
        original = MerkleAccumulator()
        for digest in HASHES[:size]:
            original.append(digest)
        resumed = MerkleAccumulator.from_peaks(size, original.peaks)
        assert resumed.size == size and resumed.root() == original.root()
        for digest in HASHES[size : size + 9]:
            resumed.append(digest)
        assert resumed.root() == root_from_leaf_hashes(HASHES[: size + 9])


@pytest.mark.parametrize(
    ("size", "peaks", "message"),
    [
        (-1, [], "non-negative"),
        (3, [HASHES[0]], "has 2 peaks"),
        (1, [b"short"], "peak hash"),
        (True, [HASHES[0]], "non-negative"),
    ],
)
def test_from_peaks_rejects_what_no_tree_has(size: int, peaks: list[bytes], message: str) -> None:
    with pytest.raises(ProofError, match=message):
        MerkleAccumulator.from_peaks(size, peaks)


def test_streamed_inclusion_proofs_equal_the_rfc_proofs() -> None:
    for size in range(1, LIMIT + 1):
        for index in range(size):
            ranges = inclusion_proof_ranges(index, size)
            expected = inclusion_proof(HASHES, index, size)
            assert _streamed(index, size, ranges, index + 1) == expected, (index, size)


def test_streamed_consistency_proofs_equal_the_rfc_proofs() -> None:
    for new in range(LIMIT + 1):
        for old in range(new + 1):
            ranges = consistency_proof_ranges(old, new)
            expected = consistency_proof(HASHES, old, new)
            assert _streamed(old, new, ranges, old) == expected, (old, new)


def test_proof_ranges_never_straddle_the_split() -> None:
    for size in range(1, LIMIT + 1):
        for split in range(size):
            for a, b in inclusion_proof_ranges(split, size):
                assert b <= split or a > split
            for a, b in consistency_proof_ranges(split, size):
                assert b <= split or a >= split


def test_range_roots_refuse_overlaps_and_assemble_refuses_gaps() -> None:
    with pytest.raises(ProofError, match="overlap"):
        RangeRoots([(0, 4), (2, 6)])
    with pytest.raises(ProofError, match="No hash"):
        assemble([(4, 8)], split=4, split_peaks=[HASHES[0]], right=RangeRoots([(4, 8)]))
