"""Signed tree heads as C2SP checkpoints in the C2SP signed-note format.

A checkpoint (https://c2sp.org/tlog-checkpoint) is the note text::

    <origin>\\n<tree size in decimal>\\n<base64 root hash>\\n[<extension line>\\n ...]

signed as a signed note (https://c2sp.org/signed-note): the text, a blank line,
then one line per signature, ``"\\u2014 <key name> <base64(key ID || signature)>\\n"``.
For Ed25519 the key ID is SHA-256(key name || 0x0A || 0x01 || public key)[:4]
and the signature covers the text including its final newline. The format is
byte-compatible with golang.org/x/mod/sumdb/note, so witnesses and monitors
from the transparency ecosystem can check our checkpoints unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from voxkeep.audit.merkle import HASH_SIZE
from voxkeep.errors import IntegrityFailure


class CheckpointError(IntegrityFailure):
    """A checkpoint or signed note was malformed, unsigned by the expected key, or forged."""

    code = "checkpoint_invalid"


# Signature type byte for Ed25519 in the key ID and the verifier key (signed-note spec).
_ED25519_TYPE: Final = b"\x01"
_ED25519_PUBLIC_KEY_SIZE: Final = 32
_ED25519_SIGNATURE_SIZE: Final = 64
_KEY_ID_SIZE: Final = 4
# U+2014 EM DASH then a space; an ASCII "--" or "-" is not a signature line.
_SIGNATURE_LINE_PREFIX: Final = "\u2014 "
# Bounds on work done for untrusted input. The spec requires accepting at
# least 16 signatures; 100 matches the Go reference implementation.
_MAX_SIGNATURE_LINES: Final = 100
_MAX_NOTE_BYTES: Final = 1 << 20
_MAX_TREE_SIZE: Final = (1 << 64) - 1
# Signed notes must not carry ASCII control characters other than newline.
_FORBIDDEN_NOTE_CHARS: Final = re.compile(r"[\x00-\x09\x0b-\x1f]")
# [0-9] (not \d) so that non-ASCII digits are rejected; no leading zeros.
_TREE_SIZE_PATTERN: Final = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: the log identity, its size and its RFC 6962 root hash."""

    origin: str
    size: int
    root_hash: bytes
    # Opaque, optional lines after the root hash; the spec discourages them.
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "checkpoint origin")
        _check_tree_size(self.size)
        _check_root_hash(self.root_hash)
        for extension in self.extensions:
            _check_line(extension, "checkpoint extension line")


def _check_line(value: str, what: str) -> None:
    if not isinstance(value, str) or not value:
        raise CheckpointError(f"The {what} must be a non-empty string.")
    _check_note_characters(value, what)
    if "\n" in value:
        raise CheckpointError(f"The {what} must be a single line.")


def _check_note_characters(value: str, what: str) -> bytes:
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError:
        raise CheckpointError(f"The {what} is not valid UTF-8.") from None
    if _FORBIDDEN_NOTE_CHARS.search(value):
        raise CheckpointError(f"The {what} contains a control character other than newline.")
    return encoded


def _check_tree_size(size: int) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= _MAX_TREE_SIZE:
        raise CheckpointError("The tree size must be an integer between 0 and 2**64 - 1.")


def _check_root_hash(root_hash: bytes) -> None:
    if not isinstance(root_hash, bytes) or len(root_hash) != HASH_SIZE:
        raise CheckpointError(f"The root hash must be {HASH_SIZE} bytes.")


def _check_key_name(name: str) -> None:
    # Key names end at the first space of a signature line and the first "+"
    # of a verifier key, so either character would make them ambiguous.
    if not isinstance(name, str) or not name:
        raise CheckpointError("A key name must be a non-empty string.")
    _check_note_characters(name, "key name")
    if any(char.isspace() or char == "+" for char in name):
        raise CheckpointError("A key name must not contain spaces or plus signs.")


def _public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_hash(name: str, public_key: Ed25519PublicKey) -> bytes:
    """The 4-byte key ID: SHA-256(name || 0x0A || 0x01 || 32-byte public key)[:4]."""
    _check_key_name(name)
    material = name.encode("utf-8") + b"\n" + _ED25519_TYPE + _public_key_bytes(public_key)
    return hashlib.sha256(material).digest()[:_KEY_ID_SIZE]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The vkey string ``name+<hex key ID>+<base64(0x01 || public key)>`` handed to verifiers."""
    key_id = key_hash(name, public_key)
    encoded = base64.b64encode(_ED25519_TYPE + _public_key_bytes(public_key)).decode("ascii")
    return f"{name}+{key_id.hex()}+{encoded}"


def parse_verifier_key(vkey: str) -> tuple[str, Ed25519PublicKey]:
    """Parse a vkey string into (key name, Ed25519 public key), checking its key ID."""
    name, sep1, rest = vkey.partition("+")
    key_id_hex, sep2, key_b64 = rest.partition("+")
    if not sep1 or not sep2:
        raise CheckpointError("A verifier key must have the form name+keyid+key.")
    _check_key_name(name)
    if not re.fullmatch(r"[0-9a-f]{8}", key_id_hex):
        raise CheckpointError("The key ID of a verifier key must be 8 lowercase hex digits.")
    material = _decode_base64(key_b64, "verifier key material")
    if len(material) != 1 + _ED25519_PUBLIC_KEY_SIZE or material[:1] != _ED25519_TYPE:
        raise CheckpointError("The verifier key is not an Ed25519 key.")
    try:
        public_key = Ed25519PublicKey.from_public_bytes(material[1:])
    except ValueError:
        raise CheckpointError("The verifier key is not a valid Ed25519 public key.") from None
    if key_hash(name, public_key).hex() != key_id_hex:
        raise CheckpointError("The key ID of the verifier key does not match its name and key.")
    return name, public_key


def _decode_base64(value: str, what: str) -> bytes:
    try:
        decoded = base64.b64decode(value, validate=True)
    except ValueError:
        raise CheckpointError(f"The {what} is not valid base64.") from None
    # Only the canonical encoding is accepted, so each value has one spelling
    # and a note cannot be altered without changing what it decodes to.
    if base64.b64encode(decoded).decode("ascii") != value:
        raise CheckpointError(f"The {what} is not canonical base64.")
    return decoded


def checkpoint_body(cp: Checkpoint) -> str:
    """The checkpoint note text, ending in a newline: what the signature covers."""
    root = base64.b64encode(cp.root_hash).decode("ascii")
    lines = [cp.origin, str(cp.size), root, *cp.extensions]
    return "".join(f"{line}\n" for line in lines)


def sign_note(text: str, *, name: str, private_key: Ed25519PrivateKey) -> str:
    """Sign a note text with one Ed25519 key and return the signed note."""
    _check_key_name(name)
    if not text.endswith("\n"):
        raise CheckpointError("A note text must end with a newline.")
    message = _check_note_characters(text, "note text")
    key_id = key_hash(name, private_key.public_key())
    signature = private_key.sign(message)
    encoded = base64.b64encode(key_id + signature).decode("ascii")
    return f"{text}\n{_SIGNATURE_LINE_PREFIX}{name} {encoded}\n"


def sign_checkpoint(cp: Checkpoint, *, name: str, private_key: Ed25519PrivateKey) -> str:
    """Sign a checkpoint as a C2SP signed note under the key name ``name``."""
    return sign_note(checkpoint_body(cp), name=name, private_key=private_key)


def verify_note(note: str, *, name: str, public_key: Ed25519PublicKey) -> str:
    """Return the text of a signed note once its signature by (name, public_key) verifies.

    Signatures from other keys are ignored, as the spec requires. The note is
    rejected when it is malformed, carries no signature from this key, carries
    more than one, or the signature does not verify.
    """
    _check_key_name(name)
    encoded = _check_note_characters(note, "signed note")
    if len(encoded) > _MAX_NOTE_BYTES:
        raise CheckpointError(f"The signed note is larger than {_MAX_NOTE_BYTES} bytes.")
    text, signature_block = _split_note(note)
    expected_key_id = key_hash(name, public_key)
    signature = _signature_by(signature_block, name, expected_key_id)
    try:
        public_key.verify(signature, text.encode("utf-8"))
    except InvalidSignature:
        raise CheckpointError(
            f"The signature by {name}+{expected_key_id.hex()} does not verify: "
            "the note was altered or signed by another key."
        ) from None
    return text


def _split_note(note: str) -> tuple[str, str]:
    # The text may itself hold blank lines, so it ends at the *last* blank line.
    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointError("The note has no blank line before its signatures.")
    text, signature_block = note[: split + 1], note[split + 2 :]
    if not signature_block.endswith("\n"):
        raise CheckpointError("The note's signature block must end with a newline.")
    return text, signature_block


def _signature_by(signature_block: str, name: str, expected_key_id: bytes) -> bytes:
    lines = signature_block[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURE_LINES:
        raise CheckpointError(f"The note has more than {_MAX_SIGNATURE_LINES} signatures.")
    ours = [
        signature
        for signer, key_id, signature in map(_parse_signature_line, lines)
        if signer == name and key_id == expected_key_id
    ]
    if not ours:
        raise CheckpointError(f"The note has no signature from {name}+{expected_key_id.hex()}.")
    # A genuine signer emits one line; a second is a splice we refuse to guess about.
    if len(ours) > 1:
        raise CheckpointError(
            f"The note has {len(ours)} signatures from {name}+{expected_key_id.hex()}."
        )
    if len(ours[0]) != _ED25519_SIGNATURE_SIZE:
        raise CheckpointError(f"The signature from {name} is not an Ed25519 signature.")
    return ours[0]


def _parse_signature_line(line: str) -> tuple[str, bytes, bytes]:
    if not line.startswith(_SIGNATURE_LINE_PREFIX):
        raise CheckpointError("A line after the note's blank line is not a signature line.")
    name, sep, encoded = line[len(_SIGNATURE_LINE_PREFIX) :].partition(" ")
    if not sep or not encoded:
        raise CheckpointError("A signature line must hold a key name and a signature.")
    _check_key_name(name)
    raw = _decode_base64(encoded, "signature")
    if len(raw) <= _KEY_ID_SIZE:
        raise CheckpointError("A signature is too short to hold a key ID and a signature.")
    return name, raw[:_KEY_ID_SIZE], raw[_KEY_ID_SIZE:]


def parse_and_verify_checkpoint(
    note: str, *, name: str, public_key: Ed25519PublicKey, origin: str | None = None
) -> Checkpoint:
    """Verify a signed checkpoint note and return its checkpoint.

    The signature is checked before the text is interpreted at all, as the
    signed-note spec demands. When ``origin`` is given the checkpoint must be
    for that log, so a checkpoint of another log under the same key is refused.
    """
    text = verify_note(note, name=name, public_key=public_key)
    cp = _parse_checkpoint_body(text)
    if origin is not None and cp.origin != origin:
        raise CheckpointError("The checkpoint is for a different log origin than expected.")
    return cp


def _parse_checkpoint_body(text: str) -> Checkpoint:
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("A checkpoint needs an origin, a tree size and a root hash line.")
    origin, size_line, root_line, *extensions = lines
    if not _TREE_SIZE_PATTERN.fullmatch(size_line):
        raise CheckpointError("The checkpoint tree size is not a decimal without leading zeros.")
    root_hash = _decode_base64(root_line, "checkpoint root hash")
    return Checkpoint(origin, int(size_line), root_hash, tuple(extensions))
