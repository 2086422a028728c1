"""The local blob store: streamed writes in large blocks, and nothing left behind on failure."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from voxkeep.storage import blobs
from voxkeep.storage.blobs import LocalBlobStore


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


def test_a_failing_producer_leaves_no_blob(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)

    def broken() -> Iterator[bytes]:
        yield from _chunks(40, 65_536)
        raise RuntimeError("the archive builder failed")

    with pytest.raises(RuntimeError, match="builder failed"):
        store.put_stream(store.new_key(), broken())
    assert _files(tmp_path) == []


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
    with pytest.raises(OSError) as caught:
        store.put_stream(store.new_key(), _chunks(400, 65_536))
    assert caught.value.errno == errno.ENOSPC
    assert _files(tmp_path) == []
