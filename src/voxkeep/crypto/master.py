"""Master key providers: the root of the key hierarchy.

The master key only ever wraps and unwraps other keys (per-account data keys
and the instance keys); it never touches audio. Providers expose wrap/unwrap,
never the key itself, so a cloud KMS can implement the same interface.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path
from typing import Protocol

from voxkeep.crypto import aead
from voxkeep.errors import ConfigError, IntegrityFailure

NEXT_SUFFIX = ".next"


class MasterKeyProvider(Protocol):
    @property
    def current_key_id(self) -> str: ...

    def wrap(self, plaintext: bytes, *, ad: bytes) -> tuple[str, bytes]:
        """Encrypt under the current master key; return (key id, wrapped bytes)."""

    def unwrap(self, key_id: str, wrapped: bytes, *, ad: bytes) -> bytes:
        """Decrypt with the master key named key_id."""


def key_id_for(key: bytes) -> str:
    """A public, stable name for a master key (not a secret: a one-way digest)."""
    return hashlib.sha256(b"voxkeep master key id\x00" + key).hexdigest()[:16]


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode() + "\n"


def decode_key(text: str, *, source: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"The master key in {source} is not valid base64.") from None
    if len(key) != aead.KEY_BYTES:
        raise ConfigError(
            f"The master key in {source} is {len(key)} bytes; it must be 32 bytes (base64)."
        )
    return key


class LocalMasterKeys:
    """Holds one or more raw master keys in memory; wraps with the current one.

    With a key file, an unknown key id makes it re-read the file once: another
    process (`voxkeep keys rotate`) may have replaced the key under a running server.
    """

    def __init__(self, current: bytes, *others: bytes, key_file: Path | None = None) -> None:
        self._keys = {key_id_for(k): k for k in (current, *others)}
        self._current = key_id_for(current)
        self._key_file = key_file

    def __repr__(self) -> str:
        return f"LocalMasterKeys(current={self._current!r}, keys=<{len(self._keys)} hidden>)"

    @property
    def current_key_id(self) -> str:
        return self._current

    def wrap(self, plaintext: bytes, *, ad: bytes) -> tuple[str, bytes]:
        return self._current, aead.seal(self._keys[self._current], plaintext, ad=ad)

    def unwrap(self, key_id: str, wrapped: bytes, *, ad: bytes) -> bytes:
        key = self._keys.get(key_id)
        if key is None and self._key_file is not None:
            self._reload()
            key = self._keys.get(key_id)
        if key is None:
            raise IntegrityFailure(
                f"Master key {key_id} is not available.",
                hint="Point VOXKEEP_MASTER_KEY or VOXKEEP_MASTER_KEY_FILE at the key "
                "this vault was created with.",
            )
        return aead.open_sealed(key, wrapped, ad=ad, kind="wrapped key")

    def _reload(self) -> None:
        assert self._key_file is not None
        try:
            current = read_key_file(self._key_file)
        except ConfigError:
            return
        self._keys[key_id_for(current)] = current
        self._current = key_id_for(current)


def write_key_file(path: Path, key: bytes) -> None:
    """Create a key file with mode 0600, durably and atomically, refusing to overwrite one.

    The key is written and synced under a temporary name, then linked into
    place, so a crash never leaves a partial key file under the real name.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, encode_key(key).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temp, path)  # fails if path exists: never overwrite a key
    finally:
        temp.unlink()
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_key_file(path: Path) -> bytes:
    if not path.is_file():
        raise ConfigError(
            f"There is no master key file at {path}.",
            hint="Run `voxkeep init` to create a vault, or set VOXKEEP_MASTER_KEY_FILE.",
        )
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(
            f"The master key file {path} is readable by others (mode {mode:o}).",
            hint=f"Run `chmod 600 {path}`.",
        )
    return decode_key(path.read_text(), source=str(path))


def next_key_file(path: Path) -> Path:
    return path.with_name(path.name + NEXT_SUFFIX)


def load_file_keys(path: Path) -> LocalMasterKeys:
    """The key file, plus a pending rotation's next key if a rotation was interrupted."""
    current = read_key_file(path)
    pending = next_key_file(path)
    if pending.is_file():
        return LocalMasterKeys(current, read_key_file(pending), key_file=path)
    return LocalMasterKeys(current, key_file=path)


def promote_next_key(path: Path) -> None:
    """Finish a rotation: the next key replaces the key file atomically."""
    os.replace(next_key_file(path), path)
    _fsync_dir(path.parent)
