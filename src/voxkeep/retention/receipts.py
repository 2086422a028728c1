"""Signed erasure receipts: canonical JSON signed with the instance's Ed25519 receipt key.

The signature covers the exact bytes of ``receipt_json`` (UTF-8, keys sorted,
no spaces, ASCII only), so anyone holding the receipt, its signature and the
vault's public key can check it without voxkeep::

    openssl pkeyutl -verify -pubin -inkey receipt-key.pem -rawin \\
        -in receipt.json -sigfile receipt.sig
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy.orm import Session

from voxkeep.crypto.keyring import RECEIPT_SIGNING
from voxkeep.errors import IntegrityFailure
from voxkeep.vault import Vault

FORMAT = "voxkeep.erasure-receipt/v1"
ALGORITHM = "Ed25519"


class ReceiptInvalid(IntegrityFailure):
    """A receipt's signature does not verify under the given public key."""

    code = "receipt_invalid"


def canonical(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _private_key(vault: Vault, session: Session) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(
        vault.keyring.instance_key(session, RECEIPT_SIGNING)
    )


def public_key(vault: Vault, session: Session) -> bytes:
    """The raw 32-byte Ed25519 public key that verifies this vault's receipts."""
    return _private_key(vault, session).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_pem(raw: bytes) -> str:
    key = Ed25519PublicKey.from_public_bytes(raw)
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(raw: bytes) -> str:
    """A short name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(vault: Vault, session: Session, payload: Mapping[str, Any]) -> tuple[str, bytes]:
    """The canonical JSON of payload and its Ed25519 signature under the vault's receipt key."""
    return sign_with(_private_key(vault, session), payload)


def sign_with(key: Ed25519PrivateKey, payload: Mapping[str, Any]) -> tuple[str, bytes]:
    text = canonical(payload)
    return text, key.sign(text.encode())


@dataclass(frozen=True)
class SignedReceipt:
    """What the person keeps: the exact signed JSON, its signature and the public key."""

    receipt_json: str
    signature: bytes
    public_key: bytes

    def bundle(self) -> dict[str, str]:
        return {
            "format": FORMAT,
            "algorithm": ALGORITHM,
            "receipt_json": self.receipt_json,
            "signature": base64.b64encode(self.signature).decode(),
            "public_key": base64.b64encode(self.public_key).decode(),
        }


def verify(*, receipt_json: str, signature: bytes, public_key: bytes) -> dict[str, Any]:
    """The receipt's content when the signature verifies; ReceiptInvalid otherwise."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, receipt_json.encode())
    except (InvalidSignature, ValueError):
        raise ReceiptInvalid(
            "The erasure receipt's signature does not verify.",
            hint="Check that the receipt is unchanged and the public key is this vault's.",
        ) from None
    content = json.loads(receipt_json)
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise ReceiptInvalid(f"This is not a {FORMAT} receipt.")
    return content


def verify_bundle(bundle: Mapping[str, Any], *, public_key: bytes | None = None) -> dict[str, Any]:
    """Verify a bundle as produced by SignedReceipt.bundle, optionally pinning the key."""
    try:
        embedded = base64.b64decode(str(bundle["public_key"]), validate=True)
        signature = base64.b64decode(str(bundle["signature"]), validate=True)
        text = str(bundle["receipt_json"])
    except (KeyError, TypeError, ValueError):
        raise ReceiptInvalid("The receipt bundle is incomplete or not base64.") from None
    if public_key is not None and embedded != public_key:
        raise ReceiptInvalid("The receipt was signed by a different key than the one given.")
    return verify(receipt_json=text, signature=signature, public_key=embedded)
