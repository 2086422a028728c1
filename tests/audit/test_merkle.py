"""RFC 6962 / RFC 9162 Merkle tree: known answers, a naive oracle, and tampering."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxkeep.audit.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from voxkeep.errors import IntegrityFailure

# ---------------------------------------------------------------------------
# Reference vectors. Leaves, roots and proofs are the RFC 6962 test vectors of
# github.com/transparency-dev/merkle, proof/verify_test.go (`leaves`, `roots`,
# `inclusionProofs`, `consistencyProofs`), the Go successor of the
# certificate-transparency merkle tests. In that file inclusion vectors give
# the leaf 1-based; below they are converted to 0-based indices.
# ---------------------------------------------------------------------------

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
EMPTY_TREE_HASH = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

INCLUSION_VECTORS: list[tuple[int, int, list[str]]] = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]

CONSISTENCY_VECTORS: list[tuple[int, int, list[str]]] = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

REFERENCE_HASHES = [leaf_hash(leaf) for leaf in LEAVES]


# ---------------------------------------------------------------------------
# Naive oracle, transcribed from RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 over
# the raw entries D[n], sharing no code with the implementation under test.
# ---------------------------------------------------------------------------


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(d: Sequence[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return _sha256(b"")
    if n == 1:
        return _sha256(b"\x00" + d[0])
    k = _k(n)
    return _sha256(b"\x01" + naive_mth(d[:k]) + naive_mth(d[k:]))


def naive_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*naive_path(m, d[:k]), naive_mth(d[k:])]
    return [*naive_path(m - k, d[k:]), naive_mth(d[:k])]


def naive_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [naive_mth(d)]
    k = _k(n)
    if m <= k:
        return [*naive_subproof(m, d[:k], b), naive_mth(d[k:])]
    return [*naive_subproof(m - k, d[k:], False), naive_mth(d[:k])]


def naive_proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    return naive_subproof(m, d, True)


ENTRIES = [f"voice-event-{i}".encode() for i in range(300)]
HASHES = [leaf_hash(entry) for entry in ENTRIES]


@cache
def tree_root(size: int) -> bytes:
    return naive_mth(ENTRIES[:size])


@cache
def naive_inclusion(index: int, size: int) -> tuple[bytes, ...]:
    return tuple(naive_path(index, ENTRIES[:size]))


@cache
def naive_consistency(old_size: int, new_size: int) -> tuple[bytes, ...]:
    return tuple(naive_proof(old_size, ENTRIES[:new_size]))


def _hexes(values: Sequence[bytes]) -> list[str]:
    return [value.hex() for value in values]


# ---------------------------------------------------------------------------
# Known answers.
# ---------------------------------------------------------------------------


def test_primitives_match_rfc_definitions() -> None:
    assert EMPTY_ROOT == EMPTY_TREE_HASH
    assert root_from_leaf_hashes([]) == EMPTY_TREE_HASH
    assert leaf_hash(b"") == ROOTS[0]
    assert node_hash(REFERENCE_HASHES[0], REFERENCE_HASHES[1]) == ROOTS[1]
    assert issubclass(ProofError, IntegrityFailure)


@pytest.mark.parametrize("size", range(1, 9))
def test_reference_root_for_every_prefix(size: int) -> None:
    assert root_from_leaf_hashes(REFERENCE_HASHES[:size]).hex() == ROOTS[size - 1].hex()


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION_VECTORS)
def test_reference_inclusion_proofs(index: int, size: int, expected: list[str]) -> None:
    proof = inclusion_proof(REFERENCE_HASHES, index, size)
    assert _hexes(proof) == expected
    verify_inclusion(
        leaf_hash=REFERENCE_HASHES[index],
        index=index,
        size=size,
        proof=proof,
        root=ROOTS[size - 1],
    )


@pytest.mark.parametrize(("old_size", "new_size", "expected"), CONSISTENCY_VECTORS)
def test_reference_consistency_proofs(old_size: int, new_size: int, expected: list[str]) -> None:
    proof = consistency_proof(REFERENCE_HASHES, old_size, new_size)
    assert _hexes(proof) == expected
    verify_consistency(
        old_size=old_size,
        new_size=new_size,
        old_root=ROOTS[old_size - 1],
        new_root=ROOTS[new_size - 1],
        proof=proof,
    )


def test_naive_oracle_agrees_with_reference_vectors() -> None:
    # Guards the oracle itself before it is trusted for sizes up to 64.
    for size in range(1, 9):
        assert naive_mth(LEAVES[:size]) == ROOTS[size - 1]
    for index, size, expected in INCLUSION_VECTORS:
        assert _hexes(naive_path(index, LEAVES[:size])) == expected
    for old_size, new_size, expected in CONSISTENCY_VECTORS:
        assert _hexes(naive_proof(old_size, LEAVES[:new_size])) == expected


# ---------------------------------------------------------------------------
# Exhaustive comparison with the naive oracle.
# ---------------------------------------------------------------------------


def test_inclusion_proofs_match_rfc_for_every_index_and_size_up_to_64() -> None:
    for size in range(1, 65):
        root = tree_root(size)
        assert root_from_leaf_hashes(HASHES[:size]) == root
        for index in range(size):
            proof = inclusion_proof(HASHES, index, size)
            assert tuple(proof) == naive_inclusion(index, size), (index, size)
            verify_inclusion(
                leaf_hash=HASHES[index], index=index, size=size, proof=proof, root=root
            )


def test_consistency_proofs_match_rfc_for_every_pair_up_to_64() -> None:
    for new_size in range(1, 65):
        new_root = tree_root(new_size)
        for old_size in range(1, new_size + 1):
            proof = consistency_proof(HASHES, old_size, new_size)
            assert tuple(proof) == naive_consistency(old_size, new_size), (old_size, new_size)
            verify_consistency(
                old_size=old_size,
                new_size=new_size,
                old_root=tree_root(old_size),
                new_root=new_root,
                proof=proof,
            )


def test_consistency_from_empty_tree_is_empty_and_verifies() -> None:
    for new_size in (0, 1, 7, 64):
        assert consistency_proof(HASHES, 0, new_size) == []
        verify_consistency(
            old_size=0,
            new_size=new_size,
            old_root=EMPTY_ROOT,
            new_root=tree_root(new_size),
            proof=[],
        )


def test_accumulator_matches_batch_root_for_every_size_up_to_200() -> None:
    accumulator = MerkleAccumulator()
    assert accumulator.size == 0
    assert accumulator.root() == EMPTY_ROOT
    for size in range(1, 201):
        accumulator.append(HASHES[size - 1])
        assert accumulator.size == size
        expected = root_from_leaf_hashes(HASHES[:size])
        assert accumulator.root() == expected, size
        assert expected == tree_root(size), size


def test_large_tree_proofs_round_trip() -> None:
    # Crosses several powers of two; checks the linear paths at a size where a
    # quadratic implementation would be obviously slow.
    size = (1 << 15) + 12_345
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    accumulator = MerkleAccumulator()
    for value in hashes:
        accumulator.append(value)
    root = root_from_leaf_hashes(hashes)
    assert accumulator.root() == root
    index = 23_456
    verify_inclusion(
        leaf_hash=hashes[index],
        index=index,
        size=size,
        proof=inclusion_proof(hashes, index, size),
        root=root,
    )
    old_size = (1 << 15) - 3
    verify_consistency(
        old_size=old_size,
        new_size=size,
        old_root=root_from_leaf_hashes(hashes[:old_size]),
        new_root=root,
        proof=consistency_proof(hashes, old_size, size),
    )


# ---------------------------------------------------------------------------
# Malformed input.
# ---------------------------------------------------------------------------


def _good_inclusion(index: int = 3, size: int = 11) -> dict[str, object]:
    return {
        "leaf_hash": HASHES[index],
        "index": index,
        "size": size,
        "proof": inclusion_proof(HASHES, index, size),
        "root": tree_root(size),
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"index": 11}, "outside a tree"),
        ({"index": -1}, "outside a tree"),
        ({"size": 0, "index": 0}, "outside a tree"),
        ({"leaf_hash": b"short"}, "leaf hash"),
        ({"root": HASHES[0] + b"\x00"}, "root hash"),
        ({"proof": []}, "needs exactly"),
        ({"proof": [*inclusion_proof(HASHES, 3, 11), HASHES[0]]}, "needs exactly"),
        ({"proof": [b"\x00" * 31, HASHES[1], HASHES[2], HASHES[3]]}, "position 0"),
        ({"root": EMPTY_ROOT}, "does not lead to the root"),
    ],
)
def test_verify_inclusion_rejects_malformed_input(change: dict[str, object], message: str) -> None:
    arguments = {**_good_inclusion(), **change}
    with pytest.raises(ProofError, match=message):
        verify_inclusion(**arguments)  # type: ignore[arg-type]


def test_single_leaf_tree_inclusion() -> None:
    verify_inclusion(leaf_hash=HASHES[0], index=0, size=1, proof=[], root=HASHES[0])
    with pytest.raises(ProofError):
        verify_inclusion(leaf_hash=HASHES[0], index=0, size=1, proof=[], root=HASHES[1])


@pytest.mark.parametrize(
    ("old_size", "new_size", "old_root", "new_root", "proof", "message"),
    [
        (5, 4, tree_root(5), tree_root(4), [], "between 0 and"),
        (-1, 4, EMPTY_ROOT, tree_root(4), [], "between 0 and"),
        (0, 4, tree_root(1), tree_root(4), [], "empty tree"),
        (0, 4, EMPTY_ROOT, tree_root(4), [HASHES[0]], "must be empty"),
        (4, 4, tree_root(4), tree_root(4), [HASHES[0]], "must be empty"),
        (4, 4, tree_root(4), tree_root(3), [], "forked"),
        (3, 7, tree_root(3), tree_root(7), [], "needs exactly|need exactly"),
        (3, 7, tree_root(3), b"\x01" * 31, [], "new root hash"),
        (3, 7, b"", tree_root(7), [], "old root hash"),
        (3, 7, tree_root(4), tree_root(7), consistency_proof(HASHES, 3, 7), "old root"),
        (3, 7, tree_root(3), tree_root(8), consistency_proof(HASHES, 3, 7), "new root"),
    ],
)
def test_verify_consistency_rejects_malformed_input(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: list[bytes],
    message: str,
) -> None:
    with pytest.raises(ProofError, match=message):
        verify_consistency(
            old_size=old_size,
            new_size=new_size,
            old_root=old_root,
            new_root=new_root,
            proof=proof,
        )


def test_proof_producers_reject_bad_arguments() -> None:
    with pytest.raises(ProofError, match="outside a tree"):
        inclusion_proof(HASHES, 5, 5)
    with pytest.raises(ProofError, match="not available"):
        inclusion_proof(HASHES[:4], 0, 5)
    with pytest.raises(ProofError, match="between 0 and"):
        consistency_proof(HASHES, 6, 5)
    with pytest.raises(ProofError, match="not available"):
        consistency_proof(HASHES[:4], 1, 5)
    with pytest.raises(ProofError, match="leaf hash"):
        root_from_leaf_hashes([HASHES[0], b"not a hash"])
    with pytest.raises(ProofError, match="left child"):
        node_hash(b"", HASHES[0])
    with pytest.raises(ProofError, match="leaf hash"):
        MerkleAccumulator().append(HASHES[0][:31])


# ---------------------------------------------------------------------------
# Property tests: any change to a valid proof or its claims is caught.
# ---------------------------------------------------------------------------

_SETTINGS = settings(max_examples=300, deadline=None, database=None)


@st.composite
def inclusion_case(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(min_value=2, max_value=len(HASHES)))
    index = draw(st.integers(min_value=0, max_value=size - 1))
    return index, size


@st.composite
def consistency_case(draw: st.DrawFn) -> tuple[int, int]:
    new_size = draw(st.integers(min_value=2, max_value=len(HASHES)))
    old_size = draw(st.integers(min_value=1, max_value=new_size - 1))
    return old_size, new_size


def _flip(proof: list[bytes], element: int, position: int, mask: int) -> list[bytes]:
    changed = bytearray(proof[element])
    changed[position] ^= mask
    return [*proof[:element], bytes(changed), *proof[element + 1 :]]


@_SETTINGS
@given(
    case=inclusion_case(),
    element=st.integers(min_value=0),
    position=st.integers(min_value=0, max_value=31),
    mask=st.integers(min_value=1, max_value=255),
)
def test_flipping_any_inclusion_proof_byte_is_detected(
    case: tuple[int, int], element: int, position: int, mask: int
) -> None:
    index, size = case
    proof = inclusion_proof(HASHES, index, size)
    tampered = _flip(proof, element % len(proof), position, mask)
    with pytest.raises(ProofError):
        verify_inclusion(
            leaf_hash=HASHES[index], index=index, size=size, proof=tampered, root=tree_root(size)
        )


@_SETTINGS
@given(case=inclusion_case(), other=st.integers(min_value=0, max_value=len(HASHES) - 1))
def test_inclusion_proof_for_wrong_index_is_rejected(case: tuple[int, int], other: int) -> None:
    index, size = case
    wrong_index = other % size
    if wrong_index == index:
        wrong_index = (index + 1) % size
    with pytest.raises(ProofError):
        verify_inclusion(
            leaf_hash=HASHES[index],
            index=wrong_index,
            size=size,
            proof=inclusion_proof(HASHES, index, size),
            root=tree_root(size),
        )


@_SETTINGS
@given(case=inclusion_case(), other=st.integers(min_value=1, max_value=len(HASHES)))
def test_inclusion_proof_for_wrong_size_is_rejected(case: tuple[int, int], other: int) -> None:
    # The claimed tree is internally consistent (its real root for that size),
    # so only the proof/size mismatch can make this fail.
    index, size = case
    wrong_size = other if other != size else size - 1
    if wrong_size <= index:
        wrong_size = size + 1 if size < len(HASHES) else size - 1
    if wrong_size <= index:
        return
    with pytest.raises(ProofError):
        verify_inclusion(
            leaf_hash=HASHES[index],
            index=index,
            size=wrong_size,
            proof=inclusion_proof(HASHES, index, size),
            root=tree_root(wrong_size),
        )


@_SETTINGS
@given(case=inclusion_case(), root=st.binary(min_size=32, max_size=32))
def test_inclusion_proof_against_wrong_root_is_rejected(case: tuple[int, int], root: bytes) -> None:
    index, size = case
    if root == tree_root(size):
        return
    with pytest.raises(ProofError):
        verify_inclusion(
            leaf_hash=HASHES[index],
            index=index,
            size=size,
            proof=inclusion_proof(HASHES, index, size),
            root=root,
        )


@_SETTINGS
@given(
    case=consistency_case(),
    element=st.integers(min_value=0),
    position=st.integers(min_value=0, max_value=31),
    mask=st.integers(min_value=1, max_value=255),
)
def test_flipping_any_consistency_proof_byte_is_detected(
    case: tuple[int, int], element: int, position: int, mask: int
) -> None:
    old_size, new_size = case
    proof = consistency_proof(HASHES, old_size, new_size)
    tampered = _flip(proof, element % len(proof), position, mask)
    with pytest.raises(ProofError):
        verify_consistency(
            old_size=old_size,
            new_size=new_size,
            old_root=tree_root(old_size),
            new_root=tree_root(new_size),
            proof=tampered,
        )


@_SETTINGS
@given(
    case=consistency_case(),
    other=st.integers(min_value=1, max_value=len(HASHES)),
    which=st.sampled_from(["old_size", "new_size"]),
)
def test_consistency_proof_for_wrong_sizes_is_rejected(
    case: tuple[int, int], other: int, which: str
) -> None:
    old_size, new_size = case
    claimed = {"old_size": old_size, "new_size": new_size}
    if claimed[which] == other:
        return
    claimed[which] = other
    with pytest.raises(ProofError):
        verify_consistency(
            old_size=claimed["old_size"],
            new_size=claimed["new_size"],
            old_root=tree_root(claimed["old_size"]),
            new_root=tree_root(claimed["new_size"]),
            proof=consistency_proof(HASHES, old_size, new_size),
        )


@_SETTINGS
@given(
    case=consistency_case(),
    root=st.binary(min_size=32, max_size=32),
    which=st.sampled_from(["old_root", "new_root"]),
)
def test_consistency_proof_against_wrong_root_is_rejected(
    case: tuple[int, int], root: bytes, which: str
) -> None:
    old_size, new_size = case
    roots = {"old_root": tree_root(old_size), "new_root": tree_root(new_size)}
    if roots[which] == root:
        return
    roots[which] = root
    with pytest.raises(ProofError):
        verify_consistency(
            old_size=old_size,
            new_size=new_size,
            proof=consistency_proof(HASHES, old_size, new_size),
            **roots,
        )
