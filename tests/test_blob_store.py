"""Blob stores: streamed writes in large blocks, and nothing left behind on failure.

The tests that take ``blob_store`` run on the local store and on S3 (SeaweedFS).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from voxkeep.errors import NotFound, StorageFailed
from voxkeep.storage import blobs
from voxkeep.storage.blobs import BlobStore, LocalBlobStore


def _chunks(count: int, size: int) -> Iterator[bytes]:
    for n in range(count):
        yield bytes([n % 251]) * size


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("fsync", [True, False])
def test_a_stream_larger_than_the_writer_blocks_is_stored_whole(
    tmp_path: Path, fsync: bool
) -> None:
    store = LocalBlobStore(tmp_path, fsync=fsync)
    key = store.new_key()
    expected = b"".join(_chunks(300, 70_001))  # 21 MB: many blocks, crosses a sync step
    assert store.put_stream(key, _chunks(300, 70_001)) == len(expected)
    with store.open(key) as stored:
        assert stored.read() == expected
    assert store.size(key) == len(expected)


def test_every_store_keeps_a_stream_larger_than_its_blocks_whole(blob_store: BlobStore) -> None:
    key = blob_store.new_key()
    expected = b"".join(_chunks(300, 70_001))  # 21 MB: blocks, sync steps, S3 parts
    assert blob_store.put_stream(key, _chunks(300, 70_001)) == len(expected)
    with blob_store.open(key) as stored:
        assert stored.read() == expected
        stored.seek(len(expected) - 100)
        assert stored.read() == expected[-100:]
    assert blob_store.size(key) == len(expected)
    assert list(blob_store.keys_older_than(-60)) == [key]


def test_a_failing_producer_leaves_no_blob(blob_store: BlobStore) -> None:
    def broken() -> Iterator[bytes]:
        yield from _chunks(200, 65_536)  # 13 MB: past the first S3 part
        raise RuntimeError("the archive builder failed")

    key = blob_store.new_key()
    with pytest.raises(RuntimeError, match="builder failed"):
        blob_store.put_stream(key, broken())
    assert list(blob_store.keys_older_than(-60)) == []
    with pytest.raises(NotFound):
        blob_store.open(key)


def test_a_failing_disk_is_reported_and_leaves_no_blob(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalBlobStore(tmp_path)
    real_write, written = os.write, [0]

    def full_disk(fd: int, data: bytes) -> int:
        if written[0] > 3 * blobs._Writer.BLOCK:
            raise OSError(errno.ENOSPC, "No space left on device")
        written[0] += len(data)
        return real_write(fd, data)

    monkeypatch.setattr(blobs.os, "write", full_disk)
    with pytest.raises(StorageFailed) as caught:
        store.put_stream(store.new_key(), _chunks(400, 65_536))
    assert caught.value.cause is not None and "write of a blob failed: ENOSPC" in caught.value.cause
    assert _files(tmp_path) == []
