"""The blob store of a vault moving from its data directory to a bucket.

While ``voxkeep storage migrate --to-s3`` runs (storage/migrate.py), rows name
blobs in either store, and the vault must read both. This store is what the
vault opens when a bucket is set and the data directory still holds blobs:

- a pack entry (``<key>:<offset>``) is always in the directory: the bucket has
  no such references;
- a blob key names a file in the directory while that file exists, else an
  object in the bucket. The copy gives every blob a new key in the bucket, so
  no key is in both stores and the first that has it is the one;
- new blobs (uploads, answers) go to the bucket;
- ``voxkeep gc`` looks only at the bucket: the directory's left-overs are the
  migration's to remove, after it verified the copies.

Once the migration removed the directory's blobs, the vault opens the bucket
alone again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from voxkeep.errors import NotFound
from voxkeep.storage.blobs import LocalBlobStore
from voxkeep.storage.s3 import S3BlobStore, S3Pack


def holds_blobs(blob_dir: Path) -> bool:
    """Whether the blob directory has anything in it (a vault not yet, or not wholly, moved)."""
    try:
        with os.scandir(blob_dir) as entries:
            return next(entries, None) is not None
    except (FileNotFoundError, NotADirectoryError):
        return False


def is_entry(ref: str) -> bool:
    """Whether ref names a pack entry, which only the local directory has."""
    return ":" in ref


class MovingBlobStore:
    """The local directory and a bucket read as one (see the module's docstring)."""

    def __init__(self, local: LocalBlobStore, bucket: S3BlobStore) -> None:
        self.local, self.bucket = local, bucket
        # Reads may go to the bucket: fetch ahead as it does (a local read just returns).
        self.fetch_ahead_bytes = bucket.fetch_ahead_bytes

    def __repr__(self) -> str:
        return f"MovingBlobStore({self.local!r} -> {self.bucket!r})"

    def is_local(self, ref: str) -> bool:
        if is_entry(ref):
            return True
        try:
            self.local.size(ref)
        except NotFound:
            return False
        return True

    def _store(self, ref: str) -> LocalBlobStore | S3BlobStore:
        return self.local if self.is_local(ref) else self.bucket

    def check(self) -> None:
        self.local.check()
        self.bucket.check()

    def new_key(self) -> str:
        return self.bucket.new_key()

    def new_pack(self) -> S3Pack:
        return self.bucket.new_pack()

    def put_stream(self, key: str, chunks: Iterable[bytes], *, durable: bool = True) -> int:
        return self.bucket.put_stream(key, chunks, durable=durable)

    def open(self, key: str) -> BinaryIO:
        return self._store(key).open(key)

    def size(self, key: str) -> int:
        return self._store(key).size(key)

    def delete(self, key: str) -> None:
        self.delete_many([key])

    def delete_many(self, keys: Iterable[str]) -> None:
        local: list[str] = []
        remote: list[str] = []
        for key in keys:
            (local if self.is_local(key) else remote).append(key)
        if local:
            self.local.delete_many(local)
        if remote:
            self.bucket.delete_many(remote)

    def keys_older_than(self, seconds: float) -> Iterator[str]:
        return self.bucket.keys_older_than(seconds)
