"""A data directory on a small disk that really fills up (fault_helpers.small_disk), on
both databases: on SQLite the database file is on that disk too, so either may be the
write that fails first.

Uploads until the disk is full answer 507 ``storage_failed`` (never 500), the log names
the operation, the errno and what to check; every acknowledged upload plays back, no
refused one is half-visible (a row without its blob, or a blob without its row), and
once space is freed uploads succeed again, without restarting anything.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_helpers import read_only, serving, small_disk
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from helpers import assert_error, make_wav, setup_account, stored_blobs, upload
from voxkeep.config import Settings
from voxkeep.db.faults import database_fault
from voxkeep.errors import StorageFailed
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault, open_vault

BALLAST = 768 * 1024  # what the operator frees once the disk is full
AUDIO = "/api/v1/accounts/acct-1/recordings/{}/audio"


@pytest.fixture
def on_small_disk(settings: Settings, token: str, tmp_path: Path) -> Iterator[tuple[Vault, Path]]:
    """A vault (the test's, with its token) whose data directory is on a small disk."""
    if settings.s3_bucket is not None:
        pytest.skip("the blobs are in a bucket: this test fills a local data directory")
    # With SQLite the database is on the disk too; otherwise a smaller disk fills sooner.
    size = (8 if settings.is_sqlite else 3) * 1024 * 1024
    with small_disk(tmp_path, size) as disk:
        data_dir = disk / "data"
        shutil.copytree(settings.data_dir, data_dir)
        vault = open_vault(settings.model_copy(update={"data_dir": data_dir}))
        try:
            yield vault, disk
        finally:
            vault.close()


def _storage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def _assert_whole(vault: Vault, ids: set[str]) -> None:
    """Exactly ids have rows, and the blobs stored are exactly the ones rows name."""
    with vault.reading() as session:
        rows = {
            row.id: row.audio_blob
            for row in session.execute(select(Recording.id, Recording.audio_blob))
        }
    assert set(rows) == ids
    assert stored_blobs(vault.settings) == set(rows.values())


def test_uploads_on_a_full_disk_are_507_lose_nothing_and_resume_once_space_is_freed(
    on_small_disk: tuple[Vault, Path], token: str, caplog: pytest.LogCaptureFixture
) -> None:
    vault, disk = on_small_disk
    ballast = disk / "ballast"
    ballast.write_bytes(bytes(BALLAST))
    stored: dict[str, bytes] = {}
    refused: dict[str, bytes] = {}
    with serving(vault, token) as client:
        setup_account(client)
        for n in range(400):
            audio = make_wav(1.0, seed=n)
            response = upload(client, rec_id=f"rec-{n}", audio=audio)
            if response.status_code == 201:
                assert not refused, "an upload was stored between two refused for a full disk"
                stored[f"rec-{n}"] = audio
                continue
            body = assert_error(response, 507, "storage_failed")
            assert "/" not in body["error"] and "rec-" not in body["error"]
            refused[f"rec-{n}"] = audio
            if len(refused) == 3:
                break
        assert refused, "the disk never filled up"
        assert stored, "the disk was full before the first upload"

        lines = _storage_lines(caplog)
        assert any(
            line.startswith("request failed: storage_failed: storage: ")
            and ("ENOSPC" in line or "SQLITE_FULL" in line)
            and "free space on the data directory's disk" in line
            for line in lines
        ), lines
        assert not any("unexpected error" in line for line in lines), lines
        assert not any("rec-" in line or "acct-" in line for line in lines), lines
        _assert_whole(vault, set(stored))

        ballast.unlink()  # the operator frees space: nothing else is done
        for rec_id, audio in refused.items():
            assert upload(client, rec_id=rec_id, audio=audio).status_code == 201
        for rec_id, audio in {**stored, **refused}.items():
            response = client.get(AUDIO.format(rec_id))
            assert response.status_code == 200, response.text
            assert response.content == audio
    _assert_whole(vault, set(stored) | set(refused))


def test_a_read_only_blob_directory_is_a_507_naming_erofs_and_writable_again_works(
    on_small_disk: tuple[Vault, Path], token: str, caplog: pytest.LogCaptureFixture
) -> None:
    vault, _ = on_small_disk
    with serving(vault, token) as client:
        setup_account(client)
        assert upload(client, rec_id="rec-before").status_code == 201
        with read_only(vault.settings.blob_dir):
            assert_error(upload(client, rec_id="rec-during"), 507, "storage_failed")
        lines = _storage_lines(caplog)
        assert any(
            "storage: write of a pack of recordings failed: EROFS" in line
            and "mounted read-write" in line
            for line in lines
        ), lines
        _assert_whole(vault, {"rec-before"})
        assert upload(client, rec_id="rec-during").status_code == 201
    _assert_whole(vault, {"rec-before", "rec-during"})


def test_a_sqlite_database_on_a_full_disk_is_a_storage_fault(tmp_path: Path) -> None:
    """The database file's own disk filling up (SQLITE_FULL) is a 507 too, not a 503."""
    with small_disk(tmp_path, 1024 * 1024) as disk:
        engine = create_engine(f"sqlite:///{disk / 'full.db'}")
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE filler (data BLOB)"))
            with pytest.raises(OperationalError) as caught:
                for _ in range(64):
                    with engine.begin() as conn:
                        conn.execute(text("INSERT INTO filler VALUES (randomblob(65536))"))
        finally:
            engine.dispose()
    fault = database_fault(caught.value)
    assert isinstance(fault, StorageFailed) and fault.cause is not None
    assert "SQLITE_FULL" in fault.cause and "free space" in fault.cause
