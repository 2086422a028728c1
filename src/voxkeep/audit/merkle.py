"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and proof verification.

The audit log is an append-only list of events; each event's canonical bytes
are hashed into a leaf, and the leaves form the Merkle Tree Hash (MTH) of
RFC 9162 §2.1.1. A signed root commits to every event before it, an inclusion
proof shows one event is in the tree, and a consistency proof shows a later
tree only appended to an earlier one. We follow the RFC byte for byte so that
any third-party RFC 6962 verifier can check our proofs.

Hashes here are always 32-byte SHA-256 digests. Producers take a sequence of
already-computed leaf hashes (what the database stores); verifiers take only
the hashes a client is given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

from voxkeep.errors import IntegrityFailure

HASH_SIZE: Final = 32
# Domain separation between leaves and interior nodes (RFC 6962 §2.1): without
# it an interior node could be passed off as a leaf (second-preimage attack).
_LEAF_PREFIX: Final = b"\x00"
_NODE_PREFIX: Final = b"\x01"
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()


class ProofError(IntegrityFailure):
    """A Merkle proof did not verify, or the values given to check it were malformed."""

    code = "proof_invalid"


def leaf_hash(data: bytes) -> bytes:
    """Hash one log entry into a leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash two child hashes into their parent: SHA-256(0x01 || left || right)."""
    _check_hash(left, "left child hash")
    _check_hash(right, "right child hash")
    return _node(left, right)


def _node(left: bytes, right: bytes) -> bytes:
    # Unchecked twin of node_hash for the hot loops, whose inputs are checked once up front.
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise ProofError(f"The {what} must be a {HASH_SIZE}-byte SHA-256 digest.")


def _check_hashes(values: Sequence[bytes], what: str) -> None:
    for position, value in enumerate(values):
        _check_hash(value, f"{what} at position {position}")


class MerkleAccumulator:
    """Streaming MTH: a compact range holding one root per perfect subtree.

    After n appends the stack holds the roots of the perfect subtrees given by
    the set bits of n, largest (leftmost) first, so memory is O(log n) and each
    append does amortised O(1) hashing. Re-deriving the root of a log with a
    million events is therefore one linear pass without holding the leaves.
    """

    __slots__ = ("_peaks", "_size")

    def __init__(self) -> None:
        self._peaks: list[bytes] = []
        self._size = 0

    @classmethod
    def from_peaks(cls, size: int, peaks: Sequence[bytes]) -> MerkleAccumulator:
        """Resume a tree of `size` leaves from its peaks, as returned by ``peaks``.

        This is what lets a log sign a new tree head after hashing only the
        entries appended since the last one.
        """
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ProofError("A tree size must be a non-negative integer.")
        if len(peaks) != size.bit_count():
            raise ProofError(
                f"A tree of size {size} has {size.bit_count()} peaks, not {len(peaks)}."
            )
        _check_hashes(peaks, "peak hash")
        accumulator = cls()
        accumulator._peaks = list(peaks)
        accumulator._size = size
        return accumulator

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def peaks(self) -> tuple[bytes, ...]:
        """Roots of the perfect subtrees covering the leaves, leftmost first (see peak_ranges)."""
        return tuple(self._peaks)

    def append(self, leaf_hash: bytes) -> None:
        """Add the next leaf hash (already hashed with ``leaf_hash``) to the tree."""
        _check_hash(leaf_hash, "leaf hash")
        node = leaf_hash
        # Each trailing 1 bit of the old size is a perfect subtree of the same
        # height as `node`, so the two merge into one a level higher.
        pending = self._size
        while pending & 1:
            node = _node(self._peaks.pop(), node)
            pending >>= 1
        self._peaks.append(node)
        self._size += 1

    def root(self) -> bytes:
        """The MTH of the leaves so far; SHA-256(b"") for an empty tree."""
        if not self._peaks:
            return EMPTY_ROOT
        # MTH splits at the largest power of two, so the left subtree is always
        # perfect: folding the peaks right-to-left rebuilds exactly that shape.
        root = self._peaks[-1]
        for peak in reversed(self._peaks[:-1]):
            root = _node(peak, root)
        return root


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH (RFC 9162 §2.1.1) over already-hashed leaves, in one O(n) pass."""
    return _subtree_root(hashes, 0, len(hashes))


def _subtree_root(hashes: Sequence[bytes], start: int, end: int) -> bytes:
    accumulator = MerkleAccumulator()
    for position in range(start, end):
        accumulator.append(hashes[position])
    return accumulator.root()


def _split_point(count: int) -> int:
    """The largest power of two strictly smaller than count (count >= 2), per RFC 9162 §2.1.1."""
    return 1 << ((count - 1).bit_length() - 1)


def _check_tree_size(hashes: Sequence[bytes], size: int) -> None:
    if not 0 <= size <= len(hashes):
        raise ProofError(f"Tree size {size} is not available: the log holds {len(hashes)} leaves.")


Range = tuple[int, int]


def peak_ranges(size: int) -> list[Range]:
    """The leaf ranges [start, end) of the perfect subtrees ("peaks") of a tree, leftmost first.

    They follow the set bits of size from the highest down, so the peaks of a
    tree are exactly the left siblings an inclusion proof for leaf `size` needs.
    """
    ranges: list[Range] = []
    start = 0
    for height in reversed(range(size.bit_length())):
        if size >> height & 1:
            ranges.append((start, start + (1 << height)))
            start += 1 << height
    return ranges


def inclusion_proof_ranges(index: int, size: int) -> list[Range]:
    """The leaf range under each hash of PATH(index, D[0:size]), in proof order.

    Walks from the root down to the leaf, taking the sibling subtree at each
    level. The ranges partition the tree minus the leaf: those left of the
    leaf are the peaks of a tree of size `index`, the others lie right of it.
    """
    if not 0 <= index < size:
        raise ProofError(f"Leaf index {index} is outside a tree of size {size}.")
    siblings: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        middle = start + _split_point(end - start)
        if index < middle:
            siblings.append((middle, end))
            end = middle
        else:
            siblings.append((start, middle))
            start = middle
    # Collected root-first; the RFC lists the path leaf-first.
    siblings.reverse()
    return siblings


def consistency_proof_ranges(old_size: int, new_size: int) -> list[Range]:
    """The leaf range under each hash of PROOF(old_size, D[0:new_size]), in proof order.

    Ranges ending at or before old_size are peaks of the old tree; the others
    lie at or after old_size and do not overlap. Empty when old_size is 0 or
    equals new_size.
    """
    if not 0 <= old_size <= new_size:
        raise ProofError(
            f"Old tree size {old_size} must be between 0 and the new tree size {new_size}."
        )
    if old_size in (0, new_size):
        return []
    # Iterative SUBPROOF(m, D[start:end], b). `whole_old_tree` is the RFC's b:
    # true while [start, end) is still a prefix of the tree, in which case the
    # verifier already knows the old root and the proof must not repeat it.
    siblings: list[Range] = []
    start, end = 0, new_size
    whole_old_tree = True
    while old_size != end:
        middle = start + _split_point(end - start)
        if old_size <= middle:
            siblings.append((middle, end))
            end = middle
        else:
            siblings.append((start, middle))
            start = middle
            whole_old_tree = False
    head = [] if whole_old_tree else [(start, end)]
    siblings.reverse()
    return head + siblings


def inclusion_proof(hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf-side sibling first.

    The sibling subtrees partition the tree, so the whole proof costs about
    `size` hashes rather than re-hashing the tree per level.
    """
    _check_tree_size(hashes, size)
    return [_subtree_root(hashes, a, b) for a, b in inclusion_proof_ranges(index, size)]


def consistency_proof(hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1.

    Empty when old_size is 0 or equals new_size: nothing needs proving then.
    """
    _check_tree_size(hashes, new_size)
    ranges = consistency_proof_ranges(old_size, new_size)
    return [_subtree_root(hashes, a, b) for a, b in ranges]


def _is_power_of_two(value: int) -> bool:
    return value > 0 and value & (value - 1) == 0


def _inclusion_proof_length(index: int, size: int) -> int:
    # Levels below the point where the paths to `index` and to the last leaf
    # diverge each contribute one sibling ("inner"); above it, each left
    # subtree the path passes on the right contributes one ("border").
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner + border


def _consistency_proof_length(old_size: int, new_size: int) -> int:
    # An inclusion proof for the old tree's last leaf, minus the levels inside
    # the old tree's rightmost perfect subtree (whose root the proof gives
    # once), plus that root unless the old tree is itself that subtree.
    shift = (old_size & -old_size).bit_length() - 1
    path_length = _inclusion_proof_length(old_size - 1, new_size)
    seed = 0 if _is_power_of_two(old_size) else 1
    return seed + path_length - shift


def _shift_until_odd_or_zero(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn >>= 1
        sn >>= 1
    return fn, sn


def verify_inclusion(
    *, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that leaf_hash is leaf `index` of the tree of `size` with `root` (RFC 9162 §2.1.3.2).

    Raises ProofError naming what failed; returns None when the proof holds.
    """
    _check_hash(leaf_hash, "leaf hash")
    _check_hash(root, "root hash")
    if not 0 <= index < size:
        raise ProofError(f"Leaf index {index} is outside a tree of size {size}.")
    expected = _inclusion_proof_length(index, size)
    if len(proof) != expected:
        raise ProofError(
            f"Inclusion proof has {len(proof)} hashes; leaf {index} of a tree of "
            f"size {size} needs exactly {expected}."
        )
    _check_hashes(proof, "inclusion proof hash")
    computed = _root_from_inclusion_path(leaf_hash, index, size, proof)
    if computed != root:
        raise ProofError(
            f"Inclusion proof for leaf {index} does not lead to the root of the tree of "
            f"size {size}: the entry, the proof or the root has been altered."
        )


def _root_from_inclusion_path(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    # RFC 9162 §2.1.3.2 steps 2-5, names as in the RFC.
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("Inclusion proof is longer than the tree is tall.")
        if fn & 1 or fn == sn:
            r = _node(p, r)
            fn, sn = _shift_until_odd_or_zero(fn, sn)
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("Inclusion proof is shorter than the tree is tall.")
    return r


def verify_consistency(
    *,
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """Check the tree (new_size, new_root) only appended to (old_size, old_root).

    Implements RFC 9162 §2.1.4.2. Raises ProofError naming what failed.
    """
    _check_hash(old_root, "old root hash")
    _check_hash(new_root, "new root hash")
    if not 0 <= old_size <= new_size:
        raise ProofError(
            f"Old tree size {old_size} must be between 0 and the new tree size {new_size}."
        )
    if old_size in (0, new_size):
        _verify_trivial_consistency(old_size, new_size, old_root, new_root, proof)
        return
    expected = _consistency_proof_length(old_size, new_size)
    if len(proof) != expected:
        raise ProofError(
            f"Consistency proof has {len(proof)} hashes; sizes {old_size} -> {new_size} "
            f"need exactly {expected}."
        )
    _check_hashes(proof, "consistency proof hash")
    old_computed, new_computed = _roots_from_consistency_path(old_size, new_size, old_root, proof)
    if old_computed != old_root:
        raise ProofError(
            f"Consistency proof does not reproduce the old root of size {old_size}: "
            "the log history was rewritten, or the proof or old root was altered."
        )
    if new_computed != new_root:
        raise ProofError(
            f"Consistency proof does not reproduce the new root of size {new_size}: "
            "the log history was rewritten, or the proof or new root was altered."
        )


def _verify_trivial_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    if proof:
        raise ProofError(
            f"Consistency proof for sizes {old_size} -> {new_size} must be empty, "
            f"got {len(proof)} hashes."
        )
    # An empty tree has exactly one root; accepting any other would let a
    # forged "size 0" checkpoint pass as consistent with everything.
    if old_size == 0 and old_root != EMPTY_ROOT:
        raise ProofError("The root of an empty tree must be SHA-256 of the empty string.")
    if old_size == new_size and old_root != new_root:
        raise ProofError(
            f"Two different roots for the same tree size {old_size}: the log has forked."
        )


def _roots_from_consistency_path(
    old_size: int, new_size: int, old_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    # RFC 9162 §2.1.4.2 steps 1-7, names as in the RFC.
    if not proof:
        raise ProofError("Consistency proof is empty but the tree grew.")
    path = [old_root, *proof] if _is_power_of_two(old_size) else list(proof)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("Consistency proof is longer than the new tree is tall.")
        if fn & 1 or fn == sn:
            fr = _node(c, fr)
            sr = _node(c, sr)
            fn, sn = _shift_until_odd_or_zero(fn, sn)
        else:
            sr = _node(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("Consistency proof is shorter than the new tree is tall.")
    return fr, sr
