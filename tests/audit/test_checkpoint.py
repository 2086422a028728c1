"""C2SP checkpoints and signed notes: known answers from the Go ecosystem, and forgeries."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from voxkeep.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    checkpoint_body,
    key_hash,
    parse_and_verify_checkpoint,
    parse_verifier_key,
    sign_checkpoint,
    sign_note,
    verifier_key,
    verify_note,
)
from voxkeep.audit.merkle import EMPTY_ROOT, leaf_hash, root_from_leaf_hashes
from voxkeep.errors import IntegrityFailure

EM_DASH = "\u2014"

# ---------------------------------------------------------------------------
# Known answers from golang.org/x/mod, sumdb/note/note_test.go (TestNewVerifier,
# TestNewSigner, TestSign, TestOpen). The signer key is "PRIVATE+KEY+<name>+
# <key hash>+base64(0x01 || Ed25519 seed)".
# ---------------------------------------------------------------------------

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    f"{EM_DASH} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
    "qfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    f"{EM_DASH} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01o"
    "OTGwnWLox33WWd1RvMc+QQ=\n"
)

# A real checkpoint of the Go checksum database, "retrieved from
# https://sum.golang.org/latest, 2024-09-23", as recorded in
# github.com/sigsum/sigsum-go pkg/checkpoint/checkpoint_test.go
# (TestGoSumDBCheckpoint). The verifier key is the one built into the go
# command (golang/go src/cmd/go/internal/modfetch/key.go), quoted in that test.
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_BODY = "go.sum database tree\n30055305\nmXfgRcJ0bG0j3CPdKwgGWtUzBUbX67saZGRmFuJGGsM=\n"
SUMDB_NOTE = (
    f"{SUMDB_BODY}\n{EM_DASH} sum.golang.org Az3grpgEild5qw7+5dtV13Kf1C2Xurm8q4fhdxvcsDHnqNTaxL2"
    "AFjBY+2TyGKevucFcAAlWFJJYle3EJlDCrQ+y3A8=\n"
)


def _seed_from_go_signer_key(skey: str) -> bytes:
    material = base64.b64decode(skey.split("+", 4)[4])
    assert material[0] == 1
    return material[1:]


PETER_PRIVATE = Ed25519PrivateKey.from_private_bytes(_seed_from_go_signer_key(PETER_SKEY))
LOG_NAME = "voxkeep.example/audit"
LOG_PRIVATE = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"voxkeep test log").digest())
LOG_PUBLIC = LOG_PRIVATE.public_key()
OTHER_PRIVATE = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"someone else").digest())


def _checkpoint(size: int = 5, extensions: tuple[str, ...] = ()) -> Checkpoint:
    hashes = [leaf_hash(f"event {i}".encode()) for i in range(size)]
    return Checkpoint(LOG_NAME, size, root_from_leaf_hashes(hashes), extensions)


def _open(note: str) -> Checkpoint:
    return parse_and_verify_checkpoint(note, name=LOG_NAME, public_key=LOG_PUBLIC)


# ---------------------------------------------------------------------------
# Key hashes and verifier keys.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vkey", "name", "key_id"),
    [
        (PETER_VKEY, "PeterNeumann", "c74f20a3"),
        (ENOCH_VKEY, "EnochRoot", "af0cfe78"),
        (SUMDB_VKEY, "sum.golang.org", "033de0ae"),
    ],
)
def test_key_hash_and_verifier_key_match_go_known_answers(
    vkey: str, name: str, key_id: str
) -> None:
    parsed_name, public_key = parse_verifier_key(vkey)
    assert parsed_name == name
    assert key_hash(name, public_key).hex() == key_id
    assert verifier_key(name, public_key) == vkey


def test_key_hash_matches_independent_computation() -> None:
    raw = LOG_PUBLIC.public_bytes(Encoding.Raw, PublicFormat.Raw)
    expected = hashlib.sha256(LOG_NAME.encode() + b"\n" + b"\x01" + raw).digest()[:4]
    assert key_hash(LOG_NAME, LOG_PUBLIC) == expected
    material = base64.b64encode(b"\x01" + raw).decode()
    assert verifier_key(LOG_NAME, LOG_PUBLIC) == f"{LOG_NAME}+{expected.hex()}+{material}"


def test_go_signer_key_derives_the_go_verifier_key() -> None:
    assert verifier_key("PeterNeumann", PETER_PRIVATE.public_key()) == PETER_VKEY


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\nb", "tab\there", "nbsp\u00a0x", "\u2003"])
def test_invalid_key_names_are_rejected(name: str) -> None:
    with pytest.raises(CheckpointError):
        key_hash(name, LOG_PUBLIC)
    with pytest.raises(CheckpointError):
        sign_checkpoint(_checkpoint(), name=name, private_key=LOG_PRIVATE)
    with pytest.raises(CheckpointError):
        verify_note(
            sign_note("x\n", name=LOG_NAME, private_key=LOG_PRIVATE),
            name=name,
            public_key=LOG_PUBLIC,
        )


@pytest.mark.parametrize(
    "vkey",
    [
        PETER_VKEY.replace("c74f20a3", "c74f20a4"),  # key hash does not match
        PETER_VKEY.replace("c74f20a3", "C74F20A3"),  # not lowercase hex
        PETER_VKEY.replace("+ARpc", "+ZRpc"),  # unknown signature type
        PETER_VKEY[:-1],  # truncated key material
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_mangled_verifier_keys_are_rejected(vkey: str) -> None:
    with pytest.raises(CheckpointError):
        parse_verifier_key(vkey)


# ---------------------------------------------------------------------------
# Generic signed notes against the Go reference.
# ---------------------------------------------------------------------------


def test_sign_note_reproduces_go_signature_byte_for_byte() -> None:
    # Ed25519 is deterministic, so the Go output is an exact known answer.
    assert sign_note(GO_TEXT, name="PeterNeumann", private_key=PETER_PRIVATE) == (
        f"{GO_TEXT}\n{PETER_SIG}"
    )


def test_verify_note_accepts_go_notes_and_ignores_unknown_signers() -> None:
    _, peter = parse_verifier_key(PETER_VKEY)
    _, enoch = parse_verifier_key(ENOCH_VKEY)
    both = f"{GO_TEXT}\n{PETER_SIG}{ENOCH_SIG}"
    assert verify_note(both, name="PeterNeumann", public_key=peter) == GO_TEXT
    assert verify_note(both, name="EnochRoot", public_key=enoch) == GO_TEXT
    reordered = f"{GO_TEXT}\n{ENOCH_SIG}{PETER_SIG}"
    assert verify_note(reordered, name="PeterNeumann", public_key=peter) == GO_TEXT


def _insert_into_signature(signature_line: str) -> str:
    # Go's TestOpen splices "ABCD" at byte 60 of the UTF-8 line.
    raw = signature_line.encode()
    return (raw[:60] + b"ABCD" + raw[60:]).decode()


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT,
        GO_TEXT + "\n",
        GO_TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + GO_TEXT + "\n" + PETER_SIG,
        GO_TEXT + "\n" + f"{EM_DASH} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgY"
        "N1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        GO_TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        GO_TEXT + "\n" + _insert_into_signature(PETER_SIG),
        GO_TEXT + "\n" + PETER_SIG * 101,
        GO_TEXT + "\n" + ENOCH_SIG,
        GO_TEXT + "\n" + PETER_SIG.replace(EM_DASH, "--"),
        GO_TEXT.replace("\n", "\r\n", 1) + "\n" + PETER_SIG,
    ],
)
def test_verify_note_rejects_go_bad_messages(note: str) -> None:
    _, peter = parse_verifier_key(PETER_VKEY)
    with pytest.raises(CheckpointError):
        verify_note(note, name="PeterNeumann", public_key=peter)


def test_sign_note_requires_a_final_newline() -> None:
    with pytest.raises(CheckpointError, match="newline"):
        sign_note("abc", name=LOG_NAME, private_key=LOG_PRIVATE)


# ---------------------------------------------------------------------------
# Checkpoints.
# ---------------------------------------------------------------------------


def test_real_go_sumdb_checkpoint_verifies_and_formats_identically() -> None:
    name, public_key = parse_verifier_key(SUMDB_VKEY)
    cp = parse_and_verify_checkpoint(
        SUMDB_NOTE, name=name, public_key=public_key, origin="go.sum database tree"
    )
    assert cp == Checkpoint(
        origin="go.sum database tree",
        size=30055305,
        root_hash=base64.b64decode("mXfgRcJ0bG0j3CPdKwgGWtUzBUbX67saZGRmFuJGGsM="),
    )
    assert checkpoint_body(cp) == SUMDB_BODY


def test_round_trip() -> None:
    cp = _checkpoint()
    note = sign_checkpoint(cp, name=LOG_NAME, private_key=LOG_PRIVATE)
    body = checkpoint_body(cp)
    assert body == f"{LOG_NAME}\n5\n{base64.b64encode(cp.root_hash).decode()}\n"
    assert note.startswith(body + "\n" + f"{EM_DASH} {LOG_NAME} ")
    assert note.endswith("\n")
    signature = base64.b64decode(note.rsplit(" ", 1)[1])
    assert len(signature) == 4 + 64
    assert signature[:4] == key_hash(LOG_NAME, LOG_PUBLIC)
    LOG_PUBLIC.verify(signature[4:], body.encode())
    assert _open(note) == cp
    assert (
        parse_and_verify_checkpoint(note, name=LOG_NAME, public_key=LOG_PUBLIC, origin=LOG_NAME)
        == cp
    )


def test_round_trip_with_extensions_and_empty_tree() -> None:
    with_extensions = _checkpoint(extensions=("ext one", "ext+two"))
    note = sign_checkpoint(with_extensions, name=LOG_NAME, private_key=LOG_PRIVATE)
    assert _open(note) == with_extensions
    empty = Checkpoint(LOG_NAME, 0, EMPTY_ROOT)
    assert _open(sign_checkpoint(empty, name=LOG_NAME, private_key=LOG_PRIVATE)) == empty


def test_unknown_cosigners_are_ignored_in_any_order() -> None:
    note = sign_checkpoint(_checkpoint(), name=LOG_NAME, private_key=LOG_PRIVATE)
    body, ours = note.split("\n\n")
    cosigned = sign_note(body + "\n", name="witness.example", private_key=OTHER_PRIVATE)
    theirs = cosigned.split("\n\n")[1]
    assert _open(f"{body}\n\n{ours}{theirs}") == _checkpoint()
    assert _open(f"{body}\n\n{theirs}{ours}") == _checkpoint()


def _signed_note() -> str:
    return sign_checkpoint(_checkpoint(), name=LOG_NAME, private_key=LOG_PRIVATE)


def _swap_lines(note: str, first: int, second: int) -> str:
    lines = note.split("\n")
    lines[first], lines[second] = lines[second], lines[first]
    return "\n".join(lines)


def _duplicate_line(note: str, index: int) -> str:
    lines = note.split("\n")
    return "\n".join([*lines[: index + 1], lines[index], *lines[index + 1 :]])


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda n: n.replace("\n5\n", "\n6\n", 1), "does not verify"),
        (lambda n: n.replace(LOG_NAME, "voxkeep.example/other", 1), "does not verify"),
        (lambda n: n.replace("\n\n", "\next\n\n", 1), "does not verify"),
        (lambda n: _swap_lines(n, 1, 2), "does not verify"),
        (lambda n: _swap_lines(n, 0, 1), "does not verify"),
        (lambda n: _duplicate_line(n, 1), "does not verify"),
        (lambda n: _duplicate_line(n, 4), "2 signatures"),
        (
            lambda n: n.replace(f"{EM_DASH} {LOG_NAME}", f"{EM_DASH} other.example", 1),
            "no signature",
        ),
        (lambda n: n[:-1], "end with a newline"),
        (lambda n: n[:-10] + "!!!!!!!!!\n", "base64"),
        (lambda n: n[:-2] + "\n", "not valid base64"),
        (lambda n: n.replace("\n\n", "\n", 1), "blank line"),
        (lambda n: n + "trailing garbage\n", "not a signature line"),
        (lambda n: n.replace("\n", "\r\n"), "control character"),
    ],
)
def test_tampered_checkpoints_are_rejected(tamper: Callable[[str], str], message: str) -> None:
    tampered = tamper(_signed_note())
    with pytest.raises(CheckpointError, match=message):
        _open(tampered)


def test_every_truncation_is_rejected() -> None:
    note = _signed_note()
    for end in range(len(note)):
        with pytest.raises(CheckpointError):
            _open(note[:end])


def test_signature_by_a_different_key_is_rejected() -> None:
    forged = sign_checkpoint(_checkpoint(), name=LOG_NAME, private_key=OTHER_PRIVATE)
    # Same name, different key: the key ID differs, so it is not our signature at all.
    with pytest.raises(CheckpointError, match="no signature"):
        _open(forged)
    # Same name and key ID but a signature from another key: verification must fail.
    their_signature = base64.b64decode(forged.rsplit(" ", 1)[1])[4:]
    spliced_b64 = base64.b64encode(key_hash(LOG_NAME, LOG_PUBLIC) + their_signature).decode()
    spliced = f"{checkpoint_body(_checkpoint())}\n{EM_DASH} {LOG_NAME} {spliced_b64}\n"
    with pytest.raises(CheckpointError, match="does not verify"):
        _open(spliced)


def test_wrong_origin_is_rejected() -> None:
    with pytest.raises(CheckpointError, match="origin"):
        parse_and_verify_checkpoint(
            _signed_note(), name=LOG_NAME, public_key=LOG_PUBLIC, origin="another.example/log"
        )


def test_signature_of_wrong_length_from_our_key_is_rejected() -> None:
    short = base64.b64encode(key_hash(LOG_NAME, LOG_PUBLIC) + b"\x00" * 63).decode()
    note = f"{checkpoint_body(_checkpoint())}\n{EM_DASH} {LOG_NAME} {short}\n"
    with pytest.raises(CheckpointError, match="not an Ed25519 signature"):
        _open(note)


# Bodies that are correctly signed but are not valid checkpoints: the
# signature passes, so these exercise the body parser itself.
ROOT_B64 = base64.b64encode(b"\x07" * 32).decode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"{LOG_NAME}\n5\n", "origin, a tree size and a root hash"),
        (f"{LOG_NAME}\n05\n{ROOT_B64}\n", "leading zeros"),
        (f"{LOG_NAME}\n-1\n{ROOT_B64}\n", "decimal"),
        (f"{LOG_NAME}\n+1\n{ROOT_B64}\n", "decimal"),
        (f"{LOG_NAME}\n1e3\n{ROOT_B64}\n", "decimal"),
        (f"{LOG_NAME}\n\u0661\u0662\n{ROOT_B64}\n", "decimal"),
        (f"{LOG_NAME}\n 5\n{ROOT_B64}\n", "decimal"),
        (f"{LOG_NAME}\n\n{ROOT_B64}\n", "decimal"),
        (f"{LOG_NAME}\n{1 << 64}\n{ROOT_B64}\n", "2\\*\\*64"),
        (f"{LOG_NAME}\n5\nnot base64!\n", "not valid base64"),
        (f"{LOG_NAME}\n5\n{ROOT_B64[:-1]}\n", "not valid base64"),
        (f"{LOG_NAME}\n5\n{ROOT_B64[:-2]}x=\n", "not canonical base64"),
        (f"{LOG_NAME}\n5\n{base64.b64encode(b'x' * 31).decode()}\n", "32 bytes"),
        (f"{LOG_NAME}\n5\n{ROOT_B64}\n\nextension\n", "non-empty"),
        (f"\n5\n{ROOT_B64}\n", "non-empty"),
    ],
)
def test_signed_but_malformed_bodies_are_rejected(body: str, message: str) -> None:
    note = sign_note(body, name=LOG_NAME, private_key=LOG_PRIVATE)
    with pytest.raises(CheckpointError, match=message):
        _open(note)


@pytest.mark.parametrize(
    ("origin", "size", "root_hash", "extensions"),
    [
        ("", 1, b"\x00" * 32, ()),
        ("a\nb", 1, b"\x00" * 32, ()),
        ("a\x00b", 1, b"\x00" * 32, ()),
        ("log", -1, b"\x00" * 32, ()),
        ("log", 1 << 64, b"\x00" * 32, ()),
        ("log", 1, b"\x00" * 31, ()),
        ("log", 1, b"\x00" * 32, ("",)),
        ("log", 1, b"\x00" * 32, ("two\nlines",)),
    ],
)
def test_invalid_checkpoints_cannot_be_built(
    origin: str, size: int, root_hash: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint(origin, size, root_hash, extensions)


def test_checkpoint_error_is_an_integrity_failure() -> None:
    assert issubclass(CheckpointError, IntegrityFailure)
