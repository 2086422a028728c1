"""`voxkeep storage migrate --to-s3`: a local vault's blobs moved to a real bucket (SeaweedFS).

The vault starts on its data directory with recordings in packs and in files
of their own (as stored before packs) and an answer built. The real CLI runs
in a subprocess; it is killed with SIGKILL while a batch waits to commit
(the test holds a database lock), the vault still serves every recording
from both stores, and a second run cleans up the killed batch, finishes,
verifies and removes the local blobs. Afterwards the vault opened on the
bucket plays every recording and downloads the answer byte-identical, and
no object or version holds plaintext.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select, update

from exports.export_helpers import archive_bytes, run_export_job
from exports.factory import ACTOR, BASE, Household, household, portal_request, wav
from helpers import bucket_objects, bucket_versions, settings_env, voxkeep_command
from voxkeep.accounts.models import Language
from voxkeep.audit.events import AuditEvent
from voxkeep.config import Settings
from voxkeep.exports.models import Export
from voxkeep.recordings.bulk import store_batch
from voxkeep.recordings.models import Recording
from voxkeep.recordings.service import (
    NewRecording,
    OwnerLookup,
    check_audio,
    open_audio,
    resolve_owner,
)
from voxkeep.storage.blobs import LocalBlobStore
from voxkeep.storage.migrate import JOURNAL_NAME, Migration, MigrationFailed
from voxkeep.storage.moving import MovingBlobStore
from voxkeep.storage.s3 import S3BlobStore
from voxkeep.vault import Vault, open_vault

pytestmark = pytest.mark.slow

TRANSCRIPT = "Wie wird das Wetter morgen in Kleinkleckersdorf?"
S3_FIELDS = ("s3_bucket", "s3_endpoint", "s3_prefix", "s3_access_key_id", "s3_secret_access_key")


def _local(settings: Settings) -> Settings:
    """The same vault on its data directory alone: no bucket."""
    return replace_settings(settings, **dict.fromkeys(S3_FIELDS, None) | {"s3_prefix": ""})


def replace_settings(settings: Settings, **changes: Any) -> Settings:
    return Settings(**{**dict(settings), **changes})


@contextmanager
def opened(settings: Settings) -> Iterator[Vault]:
    vault = open_vault(settings)
    try:
        yield vault
    finally:
        vault.close()


def _record_pack(vault: Vault, house: Household, ids: list[str]) -> None:
    """Recordings stored as one pack, the way the importer stores a batch."""
    ready = []
    for n, rec_id in enumerate(ids):
        audio = wav(len(house.recordings) + n, frames=4000)
        meta = NewRecording(
            id=rec_id,
            account=house.external_id,
            device=house.devices[0],
            captured_at=BASE + timedelta(minutes=len(house.recordings) + n),
            language=Language(house.language),
            transcript=TRANSCRIPT,
        )
        with vault.reading() as session:
            prepared = resolve_owner(
                OwnerLookup(vault, session), meta, audio, check_audio(vault, audio)
            )
        ready.append((prepared, audio))
        house.recordings[rec_id] = audio
    store_batch(vault, ready, actor=ACTOR)


def _as_file(vault: Vault, rec_id: str) -> None:
    """Move a recording's ciphertext from its pack entry to a file of its own, as voxkeep
    stored recordings before packs."""
    with vault.reading() as session:
        ref = session.scalars(select(Recording.audio_blob).where(Recording.id == rec_id)).one()
    with vault.blobs.open(ref) as source:
        data = source.read()
    key = vault.blobs.new_key()
    vault.blobs.put_stream(key, [data])
    with vault.transaction() as session:
        session.execute(update(Recording).where(Recording.id == rec_id).values(audio_blob=key))
    vault.blobs.delete(ref)


@pytest.fixture
def populated(settings: Settings) -> tuple[Settings, dict[str, bytes], dict[str, bytes]]:
    """A local vault: 30 recordings of two people in four packs, four of them moved to files
    of their own, and an answer for anna. Returns (the bucket's settings for this vault,
    every recording's WAV by id, the answer's plaintext by export id)."""
    local = _local(settings)
    with opened(local) as vault:
        assert isinstance(vault.blobs, LocalBlobStore)
        anna, ben = household(vault, "anna"), household(vault, "ben")
        for start in range(0, 20, 7):
            _record_pack(vault, anna, [f"anna-{n}" for n in range(start, min(start + 7, 20))])
        _record_pack(vault, ben, [f"ben-{n}" for n in range(10)])
        for rec_id in ("anna-3", "anna-11", "ben-0", "ben-9"):
            _as_file(vault, rec_id)
        export_id = run_export_job(vault, portal_request(vault, anna))
        assert export_id is not None
        answer = {export_id: archive_bytes(vault, export_id)}
        with vault.reading() as session:
            refs = list(session.scalars(select(Recording.audio_blob)))
        assert sum(":" in ref for ref in refs) == 26 and sum(":" not in ref for ref in refs) == 4
    return settings, anna.recordings | ben.recordings, answer


def _plays(vault: Vault, wavs: dict[str, bytes], answers: dict[str, bytes]) -> None:
    """Every recording plays, and every answer decrypts, byte-identical."""
    for rec_id, audio in wavs.items():
        account = rec_id.split("-")[0]
        stream = open_audio(vault, account=account, recording_id=rec_id, actor=ACTOR)
        assert b"".join(stream.chunks) == audio, rec_id
    for export_id, archive in answers.items():
        assert archive_bytes(vault, export_id) == archive


def _refs(vault: Vault) -> set[str]:
    with vault.reading() as session:
        refs = set(session.scalars(select(Recording.audio_blob)))
        refs.update(ref for ref in session.scalars(select(Export.blob)) if ref)
    return refs


def _journal(settings: Settings) -> list[dict[str, Any]]:
    path = settings.data_dir / JOURNAL_NAME
    if not path.exists():
        return []
    lines = path.read_bytes().split(b"\n")[:-1]  # a torn last line is not yet written
    return [json.loads(line) for line in lines]


def _unclosed(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    closed = max((n for n, e in enumerate(entries) if "moved" in e), default=-1)
    return [e for e in entries[closed + 1 :] if "target" in e]


_NAMED = "SELECT audio_blob FROM recordings UNION SELECT blob FROM exports WHERE blob IS NOT NULL"


@contextmanager
def _writes_blocked(settings: Settings) -> Iterator[Callable[[], set[str]]]:
    """Hold the database's write lock (SQLite) or the tables whose rows name blobs
    (PostgreSQL): a migration's next batch waits to commit, with its copies uploaded and
    journaled. Yields a look-up of the blobs rows name now, read under the lock."""
    if settings.database_url is None:
        db = sqlite3.connect(settings.data_dir / "voxkeep.db", isolation_level=None, timeout=30)
        db.execute("BEGIN IMMEDIATE")
        try:
            yield lambda: {ref for (ref,) in db.execute(_NAMED)}
        finally:
            db.execute("ROLLBACK")
            db.close()
        return
    url = settings.database_url.get_secret_value().replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        conn.execute("LOCK TABLE recordings, exports IN EXCLUSIVE MODE")
        yield lambda: {ref for (ref,) in conn.execute(_NAMED)}
        conn.rollback()


def _waiting_batch(settings: Settings, named: Callable[[], set[str]]) -> bool:
    """A batch is journaled and waits to commit: no row names its copies yet. (A batch
    that committed just before the lock was taken is journaled and unclosed for a moment
    too, but its rows name its copies.)"""
    unclosed = {e["target"] for e in _unclosed(_journal(settings))}
    return bool(unclosed) and not unclosed & named()


def _wait_for(
    what: str, check: Any, process: subprocess.Popen[bytes], timeout: float = 60.0
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if process.poll() is not None:
            _, stderr = process.communicate()
            pytest.fail(f"the migration ended before {what}: {stderr.decode()[-2000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} in {timeout} s")
        time.sleep(0.01)


def _migrate(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*voxkeep_command(), "storage", "migrate", *args],
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_killed_migration_resumes_verifies_and_leaves_the_vault_on_the_bucket(
    populated: tuple[Settings, dict[str, bytes], dict[str, bytes]],
) -> None:
    settings, wavs, answers = populated
    with opened(settings) as vault:
        assert isinstance(vault.blobs, MovingBlobStore)  # the bucket set, local blobs left
        before = _refs(vault)

    migration = subprocess.Popen(
        [*voxkeep_command(), "storage", "migrate", "--to-s3", "--batch", "1"],
        env=settings_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(
            "two committed batches",
            lambda: sum("moved" in e for e in _journal(settings)) >= 2,
            migration,
        )
        with _writes_blocked(settings) as named:
            _wait_for(
                "a batch waiting to commit", lambda: _waiting_batch(settings, named), migration
            )
            migration.send_signal(signal.SIGKILL)
            migration.wait(timeout=30)
    finally:
        if migration.poll() is None:
            migration.kill()
        migration.communicate()  # waits, and closes the pipes
    torn = {e["target"] for e in _unclosed(_journal(settings))}
    assert torn

    # Killed mid-batch: every row names a blob that exists, in one store or the other,
    # and the vault reads them all.
    with opened(settings) as vault:
        store = vault.blobs
        assert isinstance(store, MovingBlobStore)
        refs = _refs(vault)
        moved = {ref for ref in refs if not store.is_local(ref)}
        assert moved and moved < refs, "the kill should come mid-migration"
        assert not torn & refs  # the killed batch's copies: in the bucket, named by no row
        stored = {name[len(settings.s3_prefix) :] for name, _ in bucket_versions(settings)}
        assert moved | torn <= stored
        _plays(vault, wavs, answers)

    resumed = _migrate(settings, "--to-s3", "--remove-local")
    assert resumed.returncode == 0, resumed.stderr
    assert f"removed {len(torn)} copies of an interrupted run" in resumed.stdout
    assert "Verified: 31 rows name objects in the bucket" in resumed.stdout
    assert "Removed " in resumed.stdout
    assert re.search(r"Moving [\d.,]+ MB, [\d.,]+ MB/s: (\d+)/\1\n", resumed.stderr)
    assert re.search(r"Verifying [\d.,]+ MB, [\d.,]+ MB/s: (\d+)/\1\n", resumed.stderr)

    assert not settings.blob_dir.exists()
    assert not (settings.data_dir / JOURNAL_NAME).exists()
    with opened(settings) as vault:
        assert isinstance(vault.blobs, S3BlobStore)  # the bucket alone again
        after = _refs(vault)
        assert len(after) == len(before) == 31 and not after & before
        _plays(vault, wavs, answers)
        with vault.reading() as session:
            actions = list(session.scalars(select(AuditEvent.action)))
        assert "blob:moved" in actions and "blob:local:removed" in actions
    # Exactly one version of one object per blob: no copy of the killed batch is left.
    versions = bucket_versions(settings)
    assert sorted(name[len(settings.s3_prefix) :] for name, _ in versions) == sorted(after)
    for where, raw in bucket_objects(settings):
        assert b"RIFF" not in raw and b"WAVE" not in raw and b"PK\x03\x04" not in raw, where
        assert TRANSCRIPT.encode() not in raw and b"example.org" not in raw, where


def test_verify_finds_a_damaged_copy_and_puts_it_back_for_the_next_run(
    populated: tuple[Settings, dict[str, bytes], dict[str, bytes]],
) -> None:
    settings, wavs, answers = populated
    with opened(settings) as vault, Migration(vault) as migration:
        report = migration.move(batch=8)
        assert (report.moved, report.gone) == (31, 0)
        assert report.bytes == sum(e["size"] for e in _journal(settings) if "target" in e)
        with vault.reading() as session:
            damaged = session.scalars(
                select(Recording.audio_blob).where(Recording.id == "ben-9")
            ).one()
            lost = session.scalars(select(Export.blob)).one()
        assert lost is not None
        client = migration.bucket.client
        client.put_object(
            Bucket=settings.s3_bucket, Key=settings.s3_prefix + damaged, Body=b"x" * 9
        )
        migration.bucket.delete(lost)  # the answer's copy, every version

        # Counted once each; both put back, their local blobs being still there.
        with pytest.raises(MigrationFailed, match=r"failed: 1 missing, 1 of the wrong size \("):
            migration.verify()
        with vault.reading() as session:
            back = session.scalars(
                select(Recording.audio_blob).where(Recording.id == "ben-9")
            ).one()
        assert back != damaged and vault.blobs.is_local(back)  # type: ignore[attr-defined]
        assert settings.s3_prefix + damaged not in {name for name, _ in bucket_versions(settings)}
        with pytest.raises(MigrationFailed, match="still name blobs"):
            migration.remove_local()  # the put-back row names a local blob
        assert settings.blob_dir.exists()

        again = migration.move()
        assert again.moved == 2
        checked = migration.verify()
        assert (checked.rows, checked.copies) == (31, 31)
        assert migration.remove_local() > 0
    assert not settings.blob_dir.exists()
    with opened(settings) as vault:
        assert isinstance(vault.blobs, S3BlobStore)
        _plays(vault, wavs, answers)


def test_while_moving_new_blobs_go_to_the_bucket_and_deletions_reach_either_store(
    populated: tuple[Settings, dict[str, bytes], dict[str, bytes]],
) -> None:
    settings, _, _ = populated
    with opened(settings) as vault:
        store = vault.blobs
        assert isinstance(store, MovingBlobStore)
        with vault.transaction() as session:
            anna = session.scalars(
                select(Recording.account_id).where(Recording.id == "anna-0")
            ).one()
        house = Household("anna", anna, "de", ["anna-kueche"], [])
        _record_pack(vault, house, ["anna-new"])
        with vault.reading() as session:
            new = session.scalars(
                select(Recording.audio_blob).where(Recording.id == "anna-new")
            ).one()
        assert not store.is_local(new) and store.bucket.size(new) > 0

        local_file = next(ref for ref in _refs(vault) if ":" not in ref and store.is_local(ref))
        store.delete_many([local_file, new])
        assert not store.is_local(local_file)
        names = {name for name, _ in bucket_versions(settings)}
        assert settings.s3_prefix + new not in names


def test_migrate_says_what_is_missing(settings: Settings) -> None:
    local = _local(settings)
    no_bucket = _migrate(local, "--to-s3")
    assert no_bucket.returncode == 1
    assert "There is no bucket to move the blobs to: set VOXKEEP_S3_BUCKET" in no_bucket.stderr
    assert "Traceback" not in no_bucket.stderr
    no_target = _migrate(settings)
    assert no_target.returncode == 2 and "--to-s3" in no_target.stderr


def test_one_migration_at_a_time(settings: Settings) -> None:
    with opened(settings) as vault, Migration(vault):
        second = _migrate(settings, "--to-s3")
    assert second.returncode == 1
    assert "Another `voxkeep storage migrate` is running on this vault." in second.stderr
    assert not os.path.exists(Path(settings.data_dir) / JOURNAL_NAME)  # nothing was moved


def test_a_damaged_local_blob_stays_and_keeps_the_local_blobs(
    populated: tuple[Settings, dict[str, bytes], dict[str, bytes]],
) -> None:
    settings, _, _ = populated
    with opened(settings) as vault, Migration(vault) as migration:
        with vault.reading() as session:
            ref = session.scalars(
                select(Recording.audio_blob).where(Recording.id == "anna-5")
            ).one()
        key, offset = ref.split(":")
        pack = settings.blob_dir / key[:2] / key[2:4] / f"{key}.pack"
        with pack.open("r+b") as damaged:
            damaged.seek(int(offset))
            damaged.write(b"XXXX")  # the entry's header no longer says what it is

        assert migration.plan()[0] == 31
        report = migration.move()
        assert (report.moved, report.damaged, report.gone) == (30, 1, 0)
        assert _refs(vault) & {ref}  # its row still names the local entry
        with pytest.raises(MigrationFailed, match="1 not moved yet"):
            migration.verify()
        with pytest.raises(MigrationFailed, match="still name blobs"):
            migration.remove_local()
    assert pack.exists()
