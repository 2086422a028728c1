"""Who signs this vault's checkpoints: its origin line, key name and Ed25519 key.

The signing key is the instance key AUDIT_SIGNING (a 32-byte Ed25519 seed,
wrapped by the master key like every instance key). The origin is derived from
the public key, so it is stable for the life of the vault, different for every
vault, and needs no setting. Following the C2SP examples, the key name is the
origin itself, so a witness can find the key for a checkpoint by its first line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy.orm import Session

from voxkeep.audit import checkpoint as notes
from voxkeep.crypto.keyring import AUDIT_SIGNING
from voxkeep.vault import Vault

ORIGIN_PREFIX = "voxkeep/"
# 16 hex digits = 64 bits: enough that two vaults never share an origin by chance.
_INSTANCE_ID_HEX = 16


@dataclass(frozen=True)
class LogIdentity:
    """What a verifier needs to know about this vault's log, all of it public."""

    origin: str
    public_key: Ed25519PublicKey

    @property
    def key_name(self) -> str:
        return self.origin

    @property
    def verifier_key(self) -> str:
        """The signed-note verifier key ``name+keyid+base64(0x01 || key)`` to publish."""
        return notes.verifier_key(self.key_name, self.public_key)


def instance_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(b"voxkeep audit log\n" + raw).hexdigest()[:_INSTANCE_ID_HEX]


def signing_key(vault: Vault, session: Session) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(vault.keyring.instance_key(session, AUDIT_SIGNING))


def identity_of(private_key: Ed25519PrivateKey) -> LogIdentity:
    public_key = private_key.public_key()
    return LogIdentity(origin=ORIGIN_PREFIX + instance_id(public_key), public_key=public_key)


def log_identity(vault: Vault) -> LogIdentity:
    with vault.reading() as session:
        return identity_of(signing_key(vault, session))
