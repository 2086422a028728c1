"""The instance's export signing key (Ed25519): sign manifests, publish the public key.

The private key is the EXPORT_SIGNING instance key (32 random bytes, wrapped by
the master key) used as an Ed25519 seed. The public key is published at
``GET /api/v1/exports/key`` so anyone can check an archive without voxkeep.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy.orm import Session

from voxkeep.crypto.keyring import EXPORT_SIGNING
from voxkeep.vault import Vault

ALGORITHM = "Ed25519"


@dataclass(frozen=True)
class PublicKeyInfo:
    algorithm: str
    key_id: str  # first 16 hex digits of SHA-256 over the raw public key
    public_key: str  # base64 of the 32 raw bytes
    pem: str


def private_key(vault: Vault, session: Session) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(vault.keyring.instance_key(session, EXPORT_SIGNING))


def key_id(raw_public_key: bytes) -> str:
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


def sign(vault: Vault, session: Session, message: bytes) -> bytes:
    return private_key(vault, session).sign(message)


def public_key(vault: Vault, session: Session) -> Ed25519PublicKey:
    return private_key(vault, session).public_key()


def public_key_info(vault: Vault, session: Session) -> PublicKeyInfo:
    key = public_key(vault, session)
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    pem = key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    return PublicKeyInfo(
        algorithm=ALGORITHM,
        key_id=key_id(raw),
        public_key=base64.b64encode(raw).decode(),
        pem=pem,
    )
