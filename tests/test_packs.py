"""Packs: many blobs written as one batch, each readable and deletable on its own, for real.

The tests that take ``blob_store`` run on both stores: the local one's pack
files, and S3's batches of objects uploaded in parallel.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from voxkeep.errors import IntegrityFailure, NotFound, StorageFailed
from voxkeep.storage import packs
from voxkeep.storage.blobs import BlobStore, LocalBlobStore


def writer(data: bytes) -> Callable[[memoryview], None]:
    def fill(out: memoryview) -> None:
        out[:] = data

    return fill


def payloads() -> list[bytes]:
    # Sizes around the 4 KiB alignment, an empty one, and one larger than the write buffer.
    sizes = [0, 1, 4096 - packs.HEADER_BYTES, 4096, 60_844, packs.BUFFER_BYTES + 12_345, 777]
    return [bytes([n + 1]) * size for n, size in enumerate(sizes)]


def write_pack(store: BlobStore, items: list[bytes]) -> list[str]:
    with store.new_pack() as pack:
        return [pack.add(len(item), writer(item)) for item in items]


def pack_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.pack"))


def read(store: BlobStore, ref: str) -> bytes:
    with store.open(ref) as blob:
        return blob.read()


def assert_every_entry_reads_back_whole_and_seeks(store: BlobStore) -> None:
    items = payloads()
    refs = write_pack(store, items)
    assert len(set(refs)) == len(refs)
    for ref, item in zip(refs, items, strict=True):
        assert store.size(ref) == len(item)
        assert read(store, ref) == item
        with store.open(ref) as blob:
            blob.seek(len(item) // 2)
            assert blob.read(10) == item[len(item) // 2 :][:10]
            blob.seek(-min(3, len(item)), os.SEEK_END)
            assert blob.read() == item[-3:]
    assert sorted(store.keys_older_than(-60)) == sorted(refs)


@pytest.mark.parametrize("durable", [True, False], ids=["fsync+O_DIRECT", "buffered"])
def test_every_entry_reads_back_whole_and_seeks(tmp_path: Path, durable: bool) -> None:
    assert_every_entry_reads_back_whole_and_seeks(LocalBlobStore(tmp_path, fsync=durable))
    assert len(pack_files(tmp_path)) == 1


def test_every_store_reads_each_entry_back_whole_and_seeks(blob_store: BlobStore) -> None:
    assert_every_entry_reads_back_whole_and_seeks(blob_store)


def test_every_store_deletes_entries_alone_and_idempotently(blob_store: BlobStore) -> None:
    first = write_pack(blob_store, [bytes([n]) * (3000 + n) for n in range(6)])
    single = blob_store.new_key()
    blob_store.put_stream(single, [b"an answer archive"])
    blob_store.delete_many([*first[1:3], single, first[1], blob_store.new_key()])
    kept = [ref for n, ref in enumerate(first) if n not in (1, 2)]
    assert sorted(blob_store.keys_older_than(-60)) == sorted(kept)
    for ref in [*first[1:3], single]:
        with pytest.raises(NotFound):
            blob_store.open(ref)
        with pytest.raises(NotFound):
            blob_store.size(ref)
    for n, ref in enumerate(first):
        if ref in kept:
            assert read(blob_store, ref) == bytes([n]) * (3000 + n)
    blob_store.delete(first[1])  # idempotent
    blob_store.delete_many(kept)
    assert list(blob_store.keys_older_than(-60)) == []


def test_every_store_leaves_nothing_of_a_pack_whose_block_failed(blob_store: BlobStore) -> None:
    def broken(out: memoryview) -> None:
        raise RuntimeError("encryption failed")

    with pytest.raises(RuntimeError, match="encryption failed"), blob_store.new_pack() as pack:
        for _ in range(5):
            pack.add(100_000, writer(b"a" * 100_000))
        pack.add(100, broken)
    with blob_store.new_pack():
        pass  # nothing added: nothing written
    assert list(blob_store.keys_older_than(-60)) == []


def test_deleting_an_entry_removes_its_bytes_and_keeps_the_others(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    marker = b"MARKER-of-a-deleted-recording" * 2000
    items = [b"a" * 50_000, marker, b"c" * 70_000]
    refs = write_pack(store, items)
    (path,) = pack_files(tmp_path)
    blocks_before = os.stat(path).st_blocks
    store.delete(refs[1])
    assert marker[:29] not in path.read_bytes()
    assert os.stat(path).st_blocks < blocks_before, "the entry's blocks were freed"
    with pytest.raises(NotFound):
        store.open(refs[1])
    with pytest.raises(NotFound):
        store.size(refs[1])
    store.delete(refs[1])  # idempotent
    assert read(store, refs[0]) == items[0]
    assert read(store, refs[2]) == items[2]
    assert sorted(store.keys_older_than(-60)) == sorted([refs[0], refs[2]])


def test_the_pack_goes_when_its_last_entry_is_deleted(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    refs = write_pack(store, [b"x" * 5000, b"y" * 9000, b"z" * 100])
    for ref in refs[:-1]:
        store.delete(ref)
        assert len(pack_files(tmp_path)) == 1
    store.delete(refs[-1])
    assert pack_files(tmp_path) == []
    store.delete(refs[0])  # a missing pack is no error either
    with pytest.raises(NotFound):
        store.open(refs[0])


def test_without_hole_punching_entries_are_zeroed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packs, "_fallocate", None)  # a file system that cannot punch holes
    store = LocalBlobStore(tmp_path)
    marker = b"zeroed-marker" * 1000
    refs = write_pack(store, [marker, b"keep" * 1000])
    (path,) = pack_files(tmp_path)
    store.delete(refs[0])
    data = path.read_bytes()
    assert b"zeroed-marker" not in data
    assert data[: packs.entry_span(len(marker))] == bytes(packs.entry_span(len(marker)))
    assert read(store, refs[1]) == b"keep" * 1000
    assert list(store.keys_older_than(-60)) == [refs[1]]
    store.delete(refs[1])
    assert pack_files(tmp_path) == []


def test_a_failure_while_filling_leaves_no_pack(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)

    def broken(out: memoryview) -> None:
        raise RuntimeError("encryption failed")

    with pytest.raises(RuntimeError, match="encryption failed"), store.new_pack() as pack:
        pack.add(100, writer(b"a" * 100))
        pack.add(100, broken)
    assert pack_files(tmp_path) == []
    with store.new_pack():
        pass  # nothing added: nothing written
    assert pack_files(tmp_path) == []


def test_a_full_disk_is_reported_and_leaves_no_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalBlobStore(tmp_path)

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(packs.os, "write", full)
    with pytest.raises(StorageFailed) as caught, store.new_pack() as pack:
        pack.add(10, writer(b"0123456789"))
    assert caught.value.cause is not None and "ENOSPC" in caught.value.cause
    assert pack_files(tmp_path) == []


def test_file_systems_without_o_direct_get_buffered_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open
    refused: list[str] = []

    def no_direct(path: str, flags: int, mode: int = 0o777) -> int:
        if flags & packs._O_DIRECT:
            refused.append(path)
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_open(path, flags, mode)

    monkeypatch.setattr(packs.os, "open", no_direct)
    store = LocalBlobStore(tmp_path, fsync=True)
    refs = write_pack(store, [b"q" * 20_000])
    assert refused, "the durable pack asked for O_DIRECT first"
    assert read(store, refs[0]) == b"q" * 20_000


def test_a_damaged_entry_header_is_an_integrity_error(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    refs = write_pack(store, [b"a" * 100, b"b" * 100])
    (path,) = pack_files(tmp_path)
    with path.open("r+b") as raw:
        raw.seek(packs.ALIGN)
        raw.write(b"XXXX")
    with pytest.raises(IntegrityFailure) as caught:
        store.open(refs[1])
    assert "damaged" in str(caught.value)
    assert read(store, refs[0]) == b"a" * 100


def test_references_that_name_no_entry_are_refused(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    (ref,) = write_pack(store, [b"a" * 100])
    key = ref.split(":")[0]
    for bad in (f"{key}:12", f"{key}:-4096", f"{key}:", f"../{key}:0", f"{key}:0:1"):
        with pytest.raises((ValueError, NotFound)):
            store.open(bad)
    with pytest.raises(NotFound):
        store.open(f"{key}:{10 * packs.ALIGN}")  # past the end


def test_a_forked_child_never_writes_into_its_parents_buffers(tmp_path: Path) -> None:
    """The import's workers are forked: pack buffers must be their own, not shared memory."""
    store = LocalBlobStore(tmp_path, fsync=False)
    write_pack(store, [b"warm" * 1000])  # a buffer now waits in this process's pool
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            refs = [write_pack(store, [b"C" * 300_000]) for _ in range(20)]
            (tmp_path / "child.txt").write_text("\n".join(r[0] for r in refs))
            code = 0
        finally:
            os._exit(code)
    mine = [write_pack(store, [b"P" * 300_000])[0] for _ in range(20)]
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    theirs = (tmp_path / "child.txt").read_text().split()
    for ref in mine:
        assert read(store, ref) == b"P" * 300_000
    for ref in theirs:
        assert read(store, ref) == b"C" * 300_000


def test_deleting_many_takes_each_pack_in_one_pass(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    first = write_pack(store, [bytes([n]) * (3000 + n) for n in range(10)])
    second = write_pack(store, [b"s" * 5000, b"t" * 5000])
    single = store.new_key()
    store.put_stream(single, [b"an answer archive"])
    (first_path,) = [p for p in pack_files(tmp_path) if p.name.startswith(first[0].split(":")[0])]
    doomed = [*first[2:5], first[7], *second, single, first[3], f"{store.new_key()}:0"]
    store.delete_many(doomed)
    assert not (tmp_path / single[:2] / single[2:4] / single).exists()
    assert len(pack_files(tmp_path)) == 1, "the pack whose every entry went is unlinked"
    kept = [ref for n, ref in enumerate(first) if n not in (2, 3, 4, 7)]
    assert sorted(store.keys_older_than(-60)) == sorted(kept)
    for n, ref in enumerate(first):
        if ref in kept:
            assert read(store, ref) == bytes([n]) * (3000 + n)
    raw = first_path.read_bytes()
    start = int(first[2].split(":")[1])
    end = int(first[5].split(":")[1])
    assert raw[start:end] == bytes(end - start), "the three adjacent entries are gone"
    store.delete_many(kept)
    assert pack_files(tmp_path) == []
