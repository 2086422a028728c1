"""The S3 blob store against a real S3 server (SeaweedFS, versioned bucket).

What the local store's tests cannot show: multipart uploads, ranged reads over
the network, erasure of every version, credentials that never show.
"""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from s3_server import S3Server
from voxkeep.config import Settings
from voxkeep.errors import ConfigError, NotFound, StorageFailed
from voxkeep.storage.s3 import MiB, S3BlobStore, boto_session, store_from_settings
from voxkeep.vault import open_vault

PART = 5 * MiB


def _settings(server: S3Server, tmp_path: Path, **extra: object) -> Settings:
    return Settings(data_dir=tmp_path, **{**server.overrides(), "s3_part_bytes": PART, **extra})


@pytest.fixture
def store(s3_server: S3Server, tmp_path: Path) -> S3BlobStore:
    return store_from_settings(_settings(s3_server, tmp_path))


def _pattern(total: int, chunk: int = 1_000_003) -> Iterator[bytes]:
    """total bytes, in odd-sized chunks, that differ from place to place."""
    made = 0
    n = 0
    while made < total:
        size = min(chunk, total - made)
        yield (n.to_bytes(4, "big") * (size // 4 + 1))[:size]
        made += size
        n += 1


def _versions(server: S3Server, name: str) -> list[str]:
    answer = server.client().list_object_versions(Bucket=server.bucket, Prefix=name)
    return [v["VersionId"] for v in answer.get("Versions", []) + answer.get("DeleteMarkers", [])]


def test_a_blob_larger_than_a_part_is_uploaded_in_parts_and_read_in_ranges(
    store: S3BlobStore, s3_server: S3Server
) -> None:
    expected = b"".join(_pattern(3 * PART + 12_345))
    key = store.new_key()
    assert store.put_stream(key, _pattern(3 * PART + 12_345)) == len(expected)
    head = s3_server.client().head_object(Bucket=s3_server.bucket, Key=store.prefix + key)
    assert head["ETag"].strip('"').endswith("-4"), "four parts: a multipart upload"
    assert store.size(key) == len(expected)
    with store.open(key) as blob:
        assert blob.read(100) == expected[:100]
        blob.seek(2 * PART - 50)  # across a part boundary
        assert blob.read(100) == expected[2 * PART - 50 : 2 * PART + 50]
        blob.seek(-7, os.SEEK_END)
        assert blob.read() == expected[-7:]
        blob.seek(10)
        assert blob.read() == expected[10:]
        assert blob.read() == b""


def test_a_stream_is_never_held_whole(store: S3BlobStore) -> None:
    total = 8 * PART
    tracemalloc.start()
    try:
        store.put_stream(store.new_key(), _pattern(total))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * PART, f"peak {peak / MiB:.1f} MiB for a {total / MiB:.0f} MiB stream"


def test_a_failed_stream_leaves_no_object_and_no_upload(
    store: S3BlobStore, s3_server: S3Server
) -> None:
    def broken() -> Iterator[bytes]:
        yield from _pattern(2 * PART + 1)
        raise RuntimeError("the archive builder failed")

    key = store.new_key()
    with pytest.raises(RuntimeError, match="builder failed"):
        store.put_stream(key, broken())
    assert _versions(s3_server, store.prefix + key) == []
    uploads = s3_server.client().list_multipart_uploads(
        Bucket=s3_server.bucket, Prefix=store.prefix
    )
    assert uploads.get("Uploads", []) == []


def test_delete_removes_every_version_and_delete_marker(
    store: S3BlobStore, s3_server: S3Server
) -> None:
    client = s3_server.client()
    key = store.new_key()
    name = store.prefix + key
    store.put_stream(key, [b"first ciphertext"])
    client.put_object(Bucket=s3_server.bucket, Key=name, Body=b"second ciphertext")
    client.delete_object(Bucket=s3_server.bucket, Key=name)  # a plain DELETE: a marker
    client.put_object(Bucket=s3_server.bucket, Key=name, Body=b"third ciphertext")
    client.delete_object(Bucket=s3_server.bucket, Key=name)
    assert len(_versions(s3_server, name)) == 5
    # Hidden behind a delete marker, the ciphertext is still an orphan for `voxkeep gc`.
    assert list(store.keys_older_than(-60)) == [key]
    store.delete(key)
    assert _versions(s3_server, name) == []
    assert list(store.keys_older_than(-60)) == []
    store.delete(key)  # idempotent


def test_keys_older_than_leaves_young_objects_and_other_prefixes(
    store: S3BlobStore, s3_server: S3Server, tmp_path: Path
) -> None:
    other = store_from_settings(_settings(s3_server, tmp_path))
    mine = [store.new_key() for _ in range(3)]
    for key in mine:
        store.put_stream(key, [key.encode()])
    other.put_stream(other.new_key(), [b"another vault's"])
    assert sorted(store.keys_older_than(-60)) == sorted(mine)
    assert list(store.keys_older_than(3600)) == []


def test_keys_older_than_pages_through_a_large_listing(s3_server: S3Server, tmp_path: Path) -> None:
    store = store_from_settings(_settings(s3_server, tmp_path))
    with store.new_pack() as pack:
        keys = [
            pack.add(10, lambda out: out.__setitem__(slice(None), b"0123456789"))
            for _ in range(1_100)
        ]
    assert sorted(store.keys_older_than(-60)) == sorted(keys)  # over 1,000: two pages
    store.delete_many(keys)
    assert list(store.keys_older_than(-60)) == []


def test_a_reader_of_a_deleted_blob_says_not_found(store: S3BlobStore) -> None:
    key = store.new_key()
    store.put_stream(key, _pattern(300_000))
    with store.open(key) as blob:
        assert len(blob.read(10)) == 10
        store.delete(key)
        blob.seek(200_000)
        with pytest.raises(NotFound):
            blob.read(10)
    with pytest.raises(NotFound):
        store.open(key)


def test_object_names_are_random_hex_below_the_prefix(store: S3BlobStore) -> None:
    key = store.new_key()
    assert len(key) == 32 and int(key, 16) >= 0
    with pytest.raises(ValueError):
        store.open("../" + key)
    with pytest.raises(ValueError):
        store.put_stream("anna@example.org", [b"x"])


def test_no_secret_in_a_repr_or_an_error(s3_server: S3Server, tmp_path: Path) -> None:
    wrong = "wrong" + s3_server.secret_access_key[5:]
    settings = _settings(s3_server, tmp_path, s3_secret_access_key=wrong)
    store = store_from_settings(settings)
    shown = [repr(settings), str(settings), repr(store), str(store)]
    with pytest.raises(StorageFailed) as caught:
        store.put_stream(store.new_key(), [b"ciphertext"])
    shown.append(str(caught.value))
    with pytest.raises(StorageFailed) as caught:
        store.size(store.new_key())
    shown.append(str(caught.value))
    assert "SignatureDoesNotMatch" in shown[-2] or "403" in shown[-1] or "Forbidden" in shown[-1]
    for text in shown:
        assert wrong not in text and s3_server.secret_access_key not in text
        assert s3_server.access_key_id not in text


def test_a_vault_with_a_bad_bucket_or_credentials_does_not_open(
    s3_server: S3Server, settings: Settings
) -> None:
    for change in ({"s3_bucket": "no-such-bucket"}, {"s3_secret_access_key": "0" * 40}):
        bad = Settings(**{**dict(settings), **change})
        with pytest.raises(ConfigError) as caught:
            open_vault(bad)
        assert "cannot be used" in str(caught.value)
        assert s3_server.secret_access_key not in str(caught.value)


def test_credentials_from_a_file_or_the_aws_environment(
    s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyless = {"s3_access_key_id": None, "s3_secret_access_key": None}
    path = tmp_path / "credentials"
    path.write_text(
        "[default]\n"
        f"aws_access_key_id = {s3_server.access_key_id}\n"
        f"aws_secret_access_key = {s3_server.secret_access_key}\n"
    )
    from_file = store_from_settings(
        _settings(s3_server, tmp_path, **keyless, s3_credentials_file=path)
    )
    from_file.check()
    _round_trip(from_file)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_access_key)
    from_environment = store_from_settings(_settings(s3_server, tmp_path, **keyless))
    from_environment.check()
    _round_trip(from_environment)
    path.write_text("[default]\naws_access_key_id = only-half\n")
    with pytest.raises(ConfigError) as caught:
        store_from_settings(_settings(s3_server, tmp_path, **keyless, s3_credentials_file=path))
    assert "holds no usable keys" in str(caught.value)


def test_both_clients_point_at_aws_without_an_endpoint(tmp_path: Path) -> None:
    """No VOXKEEP_S3_ENDPOINT: AWS S3 of the region for both clients (no request is sent)."""
    keys = {"s3_access_key_id": "AKIDEXAMPLE", "s3_secret_access_key": "not-a-real-secret"}
    settings = Settings(data_dir=tmp_path, s3_bucket="vault", s3_region="eu-central-1", **keys)
    store = store_from_settings(settings)
    assert store.objects is not None
    config = store.objects.config
    assert config["region"] == "eu-central-1" and "endpoint" not in config
    assert str(config["virtual_hosted_style_request"]).lower() == "true"
    assert store.client.meta.region_name == "eu-central-1"
    assert "amazonaws.com" in store.client.meta.endpoint_url
    assert "not-a-real-secret" not in repr(config) + repr(store)


def test_each_client_has_its_own_session_over_models_read_once(tmp_path: Path) -> None:
    """A session per client (fork safety), all over one loader: building a client does not
    read botocore's models again, and the loader's search paths do not grow per session."""
    keys = {"s3_access_key_id": "AKIDEXAMPLE", "s3_secret_access_key": "not-a-real-secret"}
    settings = Settings(data_dir=tmp_path, s3_bucket="vault", s3_region="eu-central-1", **keys)
    first, second = (boto_session(region_name="eu-central-1") for _ in range(2))
    assert first is not second and first._session is not second._session
    loader = first._session.get_component("data_loader")
    assert loader is second._session.get_component("data_loader")
    paths = list(loader.search_paths)
    stores = [store_from_settings(settings) for _ in range(5)]
    assert loader.search_paths == paths
    assert len({id(store.client) for store in stores}) == 5
    assert all(store.client.meta.region_name == "eu-central-1" for store in stores)


def _round_trip(store: S3BlobStore) -> None:
    """A PUT, HEAD and GET (obstore's requests) and a deletion of every version (boto3's):
    both clients sign with the credentials of the one session."""
    key = store.new_key()
    store.put_stream(key, [b"sealed"])
    assert store.size(key) == 6
    with store.open(key) as blob:
        assert blob.read() == b"sealed"
    store.delete(key)
    with pytest.raises(NotFound):
        store.size(key)


def test_half_the_s3_settings_is_refused(tmp_path: Path) -> None:
    from voxkeep.config import load_settings

    for values in (
        {"s3_endpoint": "http://127.0.0.1:1"},
        {"s3_bucket": "b", "s3_access_key_id": "id-only"},
        {"s3_bucket": "b", "s3_endpoint": "127.0.0.1:8333"},
    ):
        with pytest.raises(ConfigError):
            load_settings(data_dir=tmp_path, **values)


def test_a_forked_child_uploads_over_its_own_connections(store: S3BlobStore) -> None:
    """The importer forks its workers: a child must not use its parent's sockets (nor
    obstore's runtime, whose threads a child lacks: it reads and writes through boto3)."""
    parent_key = store.new_key()
    store.put_stream(parent_key, [b"parent"])  # a pooled connection now exists
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            with store.new_pack() as pack:
                keys = [pack.add(6, lambda out: out.__setitem__(slice(None), b"child!"))]
            with store.open(keys[0]) as blob:
                whole = blob.read()
                blob.seek(2)  # a GET of a range
                tail = blob.read()
            streamed = store.new_key()  # larger than a part: a multipart upload
            sent = store.put_stream(streamed, _pattern(PART + 10))
            with store.open(streamed) as blob:
                parts_ok = sent == PART + 10 and blob.read() == b"".join(_pattern(PART + 10))
            code = (
                0
                if (store.size(keys[0]), whole, tail, parts_ok) == (6, b"child!", b"ild!", True)
                else 1
            )
        finally:
            os._exit(code)
    with store.open(parent_key) as blob:
        assert blob.read() == b"parent"
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert len(list(store.keys_older_than(-60))) == 3


def test_an_unversioned_bucket_works_the_same(s3_server: S3Server, tmp_path: Path) -> None:
    client = s3_server.client()
    if "plain" not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
        client.create_bucket(Bucket="plain")
    store = store_from_settings(_settings(s3_server, tmp_path, s3_bucket="plain"))
    store.check()
    key = store.new_key()
    store.put_stream(key, _pattern(PART + 1))
    assert store.size(key) == PART + 1
    assert list(store.keys_older_than(-60)) == [key]
    store.delete(key)
    listing = client.list_object_versions(Bucket="plain", Prefix=store.prefix)
    assert listing.get("Versions", []) == [] and listing.get("DeleteMarkers", []) == []
    assert list(store.keys_older_than(-60)) == []
