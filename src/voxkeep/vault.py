"""The running vault: settings, database, keys and blob store, opened once per process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.config import Settings
from voxkeep.crypto import aead
from voxkeep.crypto.keyring import LOOKUP, Keyring
from voxkeep.crypto.master import (
    LocalMasterKeys,
    MasterKeyProvider,
    decode_key,
    key_id_for,
    load_file_keys,
    next_key_file,
    promote_next_key,
    read_key_file,
    write_key_file,
)
from voxkeep.crypto.models import InstanceKey
from voxkeep.db import migrate
from voxkeep.db.engine import make_engine, make_sessionmaker, read_sessionmaker, transaction
from voxkeep.errors import ConfigError, IntegrityFailure, StorageFailed
from voxkeep.storage.blobs import BlobStore, LocalBlobStore


@dataclass
class Vault:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    keyring: Keyring
    blobs: BlobStore

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A read-write unit of work: commits on success, rolls back on error."""
        with transaction(self.sessions) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction; never blocks writers."""
        with transaction(self.read_sessions) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def _master_keys(settings: Settings) -> LocalMasterKeys:
    if settings.master_key is not None and settings.master_key.get_secret_value():
        return LocalMasterKeys(
            decode_key(settings.master_key.get_secret_value(), source="VOXKEEP_MASTER_KEY")
        )
    return load_file_keys(settings.key_file)


def _settle_rotation(settings: Settings, engine: Engine) -> None:
    """Finish or undo a key rotation that a crash interrupted (see rotate_master_key)."""
    pending = next_key_file(settings.key_file)
    if not pending.is_file():
        return
    try:
        next_id = key_id_for(read_key_file(pending))
    except ConfigError:
        # Not a whole key: the rotation died before the database could use it.
        pending.unlink()
        return
    with engine.connect() as conn:
        used = conn.execute(
            select(InstanceKey.name).where(InstanceKey.master_key_id == next_id).limit(1)
        ).first()
    if used is not None:
        promote_next_key(settings.key_file)
    else:
        pending.unlink()


def _check_master_key(keyring: Keyring, sessions: sessionmaker[Session]) -> None:
    """Refuse to open with a master key that does not unwrap this vault's keys."""
    with transaction(sessions) as session:
        if session.get(InstanceKey, LOOKUP) is None:
            return  # a vault being created: `voxkeep init` makes the instance keys next
        try:
            keyring.instance_key(session, LOOKUP)
        except IntegrityFailure:
            raise ConfigError(
                "The master key does not open this vault.",
                hint="Point VOXKEEP_MASTER_KEY or VOXKEEP_MASTER_KEY_FILE at the key "
                "this vault was created (or last rotated) with.",
            ) from None


def _blob_store(settings: Settings) -> BlobStore:
    """The local directory by default; an S3 bucket when one is set, read together with
    the directory while that still holds blobs (docs/storage.md)."""
    if settings.s3_bucket is None:
        return LocalBlobStore(settings.blob_dir, fsync=settings.fsync)
    from voxkeep.storage import s3  # boto3 takes a while to import: only when asked for

    store = s3.store_from_settings(settings)
    try:
        store.check()
    except StorageFailed as exc:
        raise ConfigError(f"The S3 bucket {settings.s3_bucket} cannot be used: {exc}") from None
    from voxkeep.storage import moving

    if moving.holds_blobs(settings.blob_dir):  # on its way to the bucket (storage/migrate.py)
        return moving.MovingBlobStore(
            LocalBlobStore(settings.blob_dir, fsync=settings.fsync), store
        )
    return store


def open_vault(settings: Settings, *, check_schema: bool = True) -> Vault:
    """Open an initialised vault; a clear error says what to run when it is not."""
    if settings.is_sqlite and not (settings.data_dir / "voxkeep.db").exists():
        raise ConfigError(
            f"There is no vault in {settings.data_dir}.",
            hint="Run `voxkeep init` first (or set VOXKEEP_DATA_DIR).",
        )
    engine = make_engine(settings)
    try:
        if check_schema:
            current, head = migrate.current_revision(engine), migrate.HEAD
            if current != head:
                raise ConfigError(
                    f"The database schema is at {current or 'nothing'}, this voxkeep needs {head}.",
                    hint="Run `voxkeep init` to create or upgrade it.",
                )
        if settings.master_key is None:
            _settle_rotation(settings, engine)
        keyring = Keyring(_master_keys(settings))
        read_sessions = read_sessionmaker(engine)
        if check_schema:
            _check_master_key(keyring, read_sessions)
        blobs = _blob_store(settings)
    except BaseException:
        engine.dispose()
        raise
    return Vault(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        read_sessions=read_sessions,
        keyring=keyring,
        blobs=blobs,
    )


def init_vault(settings: Settings) -> tuple[Vault, bool]:
    """Create (or upgrade) a vault; idempotent. Returns the vault and whether a key was made."""
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    created_key = False
    if settings.master_key is None and not settings.key_file.exists():
        write_key_file(settings.key_file, aead.new_key())
        created_key = True
    engine = make_engine(settings)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    vault = open_vault(settings)
    with vault.transaction() as session:
        had_keys = session.scalar(select(InstanceKey.name).limit(1)) is not None
        vault.keyring.ensure_instance_keys(session)
        if not had_keys:
            record(
                session,
                AuditAction.KEY_CREATED,
                actor=SYSTEM,
                objects={"master_key": vault.keyring.master.current_key_id},
            )
    return vault, created_key


def rotate_master_key(vault: Vault) -> tuple[int, int]:
    """Rewrap every data key under a new master key; audio and transcripts stay as they are.

    Order, so that a crash at any point loses nothing: write the new key to
    ``master.key.next``; rewrap everything in one transaction; then replace the
    key file. On start-up, a left-over ``.next`` file is promoted if the
    database already uses it and deleted otherwise.
    """
    settings = vault.settings
    if settings.master_key is not None:
        raise ConfigError(
            "The master key comes from VOXKEEP_MASTER_KEY, which voxkeep cannot rewrite.",
            hint="Use a key file (VOXKEEP_MASTER_KEY_FILE) to rotate with `voxkeep keys rotate`.",
        )
    pending = next_key_file(settings.key_file)
    if pending.exists():
        pending.unlink()
    new_key = aead.new_key()
    write_key_file(pending, new_key)
    new_master: MasterKeyProvider = LocalMasterKeys(new_key)
    old_id = vault.keyring.master.current_key_id
    with vault.transaction() as session:
        data_keys, instance = vault.keyring.rewrap_all(session, new_master)
        record(
            session,
            AuditAction.KEY_ROTATED,
            actor=SYSTEM,
            objects={"from": old_id, "to": new_master.current_key_id},
            counts={"data_keys": data_keys, "instance_keys": instance},
        )
    promote_next_key(settings.key_file)
    vault.keyring.master = LocalMasterKeys(new_key, key_file=settings.key_file)
    return data_keys, instance
