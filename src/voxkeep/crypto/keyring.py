"""The key hierarchy: master key → per-account data keys and instance keys.

Data keys are fetched and unwrapped from the database on every use, never
cached: once an erasure deletes an account's key row, no process can decrypt
that account's data any more (crypto-shredding, invariant 6).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterable

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import DataKey
from voxkeep.crypto import aead
from voxkeep.crypto.master import MasterKeyProvider
from voxkeep.crypto.models import InstanceKey
from voxkeep.errors import ConfigError, KeyDestroyed

# Instance keys: one per purpose, so no key serves two jobs.
LOOKUP = "lookup"  # keyed hashes of e-mail addresses and external ids
PSEUDONYM = "pseudonym"  # pseudonyms in the audit log
AUDIT_SIGNING = "audit_signing"  # Ed25519 seed for audit checkpoints
EXPORT_SIGNING = "export_signing"  # Ed25519 seed for export manifests
RECEIPT_SIGNING = "receipt_signing"  # Ed25519 seed for erasure receipts
TOTP = "totp"  # seals staff members' TOTP secrets
# Seals what staff type that belongs to no one account (an incident's reasons and
# assessment); `voxkeep init` adds it to a vault made before it existed.
NOTES = "notes"
# Seals a mail that waits for its job after the account it goes to was erased (an
# erasure's receipt, retention/receipt_mail.py); `voxkeep init` adds it as it adds NOTES.
OUTBOX = "outbox"
INSTANCE_KEYS = (
    LOOKUP,
    PSEUDONYM,
    AUDIT_SIGNING,
    EXPORT_SIGNING,
    RECEIPT_SIGNING,
    TOTP,
    NOTES,
    OUTBOX,
)

# Hex digits of HMAC-SHA-256 kept in a pseudonym: 96 bits, no collision in any vault's life.
PSEUDONYM_HEX = 24
_OBJECT_PSEUDONYM_INFO = b"voxkeep/v1 audit object pseudonyms"


def keyed_name(key: bytes, *, kind: str, object_id: str, prefix: str) -> str:
    """``prefix:`` and the first hex digits of HMAC-SHA-256(key, kind 0x00 object_id)."""
    digest = hmac.new(key, f"{kind}\x00{object_id}".encode(), hashlib.sha256).hexdigest()
    return f"{prefix}:{digest[:PSEUDONYM_HEX]}"


def object_pseudonym_key(data_key: bytes) -> bytes:
    """The key naming an account's objects in the audit log: HKDF-SHA-256 of its data key.

    Derived, never stored, so destroying the data key (erasure) destroys it too.
    """
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=_OBJECT_PSEUDONYM_INFO)
    return hkdf.derive(data_key)


def _data_key_ad(account_id: str, key_id: str) -> bytes:
    return aead.associated_data(kind="data_key", owner=account_id, object_id=key_id)


def _instance_key_ad(name: str) -> bytes:
    return aead.associated_data(kind="instance_key", owner="instance", object_id=name)


class Keyring:
    def __init__(self, master: MasterKeyProvider) -> None:
        self.master = master
        self._instance: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Keyring(master={self.master!r})"

    # Per-account data keys -------------------------------------------------

    def create_data_key(self, session: Session, account_id: str) -> bytes:
        key = aead.new_key()
        key_id = secrets.token_hex(8)
        master_id, wrapped = self.master.wrap(key, ad=_data_key_ad(account_id, key_id))
        session.add(
            DataKey(id=key_id, account_id=account_id, master_key_id=master_id, wrapped=wrapped)
        )
        return key

    def data_key(self, session: Session, account_id: str) -> bytes:
        row = session.execute(
            select(DataKey.id, DataKey.master_key_id, DataKey.wrapped).where(
                DataKey.account_id == account_id
            )
        ).one_or_none()
        if row is None:
            raise KeyDestroyed(
                "This account's data key has been destroyed; its data cannot be read."
            )
        return self.unwrap_data_key(account_id, row.id, row.master_key_id, row.wrapped)

    def object_pseudonym_keys(
        self, session: Session, account_ids: Iterable[str]
    ) -> dict[str, bytes]:
        """Each account's object pseudonym key, in one query; erased accounts are left out."""
        wanted = set(account_ids)
        if not wanted:
            return {}
        rows = session.execute(
            select(DataKey.account_id, DataKey.id, DataKey.master_key_id, DataKey.wrapped).where(
                DataKey.account_id.in_(wanted)
            )
        )
        return {
            row.account_id: object_pseudonym_key(
                self.unwrap_data_key(row.account_id, row.id, row.master_key_id, row.wrapped)
            )
            for row in rows
        }

    def unwrap_data_key(
        self, account_id: str, key_id: str, master_key_id: str, wrapped: bytes
    ) -> bytes:
        return self.master.unwrap(master_key_id, wrapped, ad=_data_key_ad(account_id, key_id))

    # Instance keys ---------------------------------------------------------

    def ensure_instance_keys(self, session: Session) -> None:
        existing = set(session.scalars(select(InstanceKey.name)))
        for name in INSTANCE_KEYS:
            if name not in existing:
                master_id, wrapped = self.master.wrap(
                    secrets.token_bytes(32), ad=_instance_key_ad(name)
                )
                session.add(InstanceKey(name=name, master_key_id=master_id, wrapped=wrapped))

    def instance_key(self, session: Session, name: str) -> bytes:
        with self._lock:
            cached = self._instance.get(name)
        if cached is not None:
            return cached
        row = session.get(InstanceKey, name)
        if row is None:
            raise ConfigError(
                f"The vault has no {name} key.", hint="Run `voxkeep init` on this vault."
            )
        key = self.master.unwrap(row.master_key_id, row.wrapped, ad=_instance_key_ad(name))
        with self._lock:
            self._instance[name] = key
        return key

    def lookup_hash(self, session: Session, *, kind: str, value: str) -> bytes:
        """Keyed hash for finding a row by an identifying value without storing it."""
        key = self.instance_key(session, LOOKUP)
        return hmac.new(key, f"{kind}\x00{value}".encode(), hashlib.sha256).digest()

    def pseudonym(self, session: Session, *, kind: str, object_id: str) -> str:
        """A stable pseudonym for the audit log; reveals nothing without the key.

        For server-made ids only (an account's internal id): the instance key
        outlives every account. An account's own objects are named under its
        object pseudonym key instead (voxkeep.audit.pseudonyms).
        """
        key = self.instance_key(session, PSEUDONYM)
        return keyed_name(key, kind=kind, object_id=object_id, prefix=kind)

    # Rotation --------------------------------------------------------------

    def rewrap_all(self, session: Session, new_master: MasterKeyProvider) -> tuple[int, int]:
        """Rewrap every data key and instance key under new_master; audio is untouched."""
        data_keys = 0
        for row in session.scalars(select(DataKey)):
            ad = _data_key_ad(row.account_id, row.id)
            plain = self.master.unwrap(row.master_key_id, row.wrapped, ad=ad)
            row.master_key_id, row.wrapped = new_master.wrap(plain, ad=ad)
            data_keys += 1
        instance = 0
        for ikey in session.scalars(select(InstanceKey)):
            ad = _instance_key_ad(ikey.name)
            plain = self.master.unwrap(ikey.master_key_id, ikey.wrapped, ad=ad)
            ikey.master_key_id, ikey.wrapped = new_master.wrap(plain, ad=ad)
            instance += 1
        return data_keys, instance
