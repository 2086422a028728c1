"""Reading many blobs in order (answers): what is fetched ahead is exactly what is stored.

On the local store nothing is fetched ahead (no threads); on S3 the next
blobs' GETs run while one is read, within a byte budget. Either way every
blob reads back whole, in the order given or out of it, and a missing blob
says so when its turn comes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from voxkeep.errors import NotFound
from voxkeep.storage.blobs import BlobStore, LocalBlobStore
from voxkeep.storage.readahead import ReadAhead


def _store_blobs(store: BlobStore, sizes: list[int]) -> dict[str, bytes]:
    stored: dict[str, bytes] = {}
    for size in sizes:
        key, data = store.new_key(), os.urandom(size)
        store.put_stream(key, [data])
        stored[key] = data
    return stored


def test_blobs_read_through_read_ahead_are_whole_in_and_out_of_order(
    blob_store: BlobStore,
) -> None:
    # One blob larger than a thread's share of the budget: opened in turn, not fetched.
    big = blob_store.fetch_ahead_bytes // 4 or 1
    stored = _store_blobs(blob_store, [1, 70_000, big, 5, 300_000, *[2_000] * 20])
    keys = list(stored)
    with ReadAhead(blob_store, [(k, len(v)) for k, v in stored.items()]) as ahead:
        for key in keys[:3]:
            with ahead.open(key) as source:
                assert source.read() == stored[key]
        with ahead.open(keys[-1]) as source:  # out of order: read directly
            assert source.read() == stored[keys[-1]]
        for key in keys[3:]:
            with ahead.open(key) as source:
                assert source.read() == stored[key]


def test_a_blob_deleted_before_its_turn_is_missing_when_opened(blob_store: BlobStore) -> None:
    stored = _store_blobs(blob_store, [1_000, 1_000, 1_000])
    first, gone, last = stored
    blob_store.delete(gone)
    with ReadAhead(blob_store, [(k, len(v)) for k, v in stored.items()]) as ahead:
        with ahead.open(first) as source:
            assert source.read() == stored[first]
        with pytest.raises(NotFound):
            ahead.open(gone)
        with ahead.open(last) as source:
            assert source.read() == stored[last]


def test_the_local_store_starts_no_threads(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path, fsync=False)
    stored = _store_blobs(store, [10, 20])
    before = threading.active_count()
    with ReadAhead(store, [(k, len(v)) for k, v in stored.items()]) as ahead:
        for key, data in stored.items():
            with ahead.open(key) as source:
                assert source.read() == data
        assert threading.active_count() == before
