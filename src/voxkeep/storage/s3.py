"""The S3-compatible blob store: ciphertext as objects in one bucket (docs/storage.md).

Every blob is one object named by its random hex key (under an optional
prefix), so a key says nothing about whose data it holds. A "pack" here is a
batch of objects uploaded in parallel and sealed when every one of them is
stored: S3 has no cheap way to free part of an object, and rewriting a shared
object to erase one recording costs far more than uploading it alone (the
figures are in docs/storage.md).

Streams go both ways in parts: ``put_stream`` holds at most a few parts in
memory (a multipart upload once a stream outgrows one part), and ``open``
returns a seekable reader that fetches byte ranges as they are read.

Two clients share the work, both made from the same settings and the same
credentials (so endpoint, region and keys cannot differ): obstore
(Rust's ``object_store``) for the requests made per recording — GET, HEAD and
single PUTs — at about a quarter of boto3's CPU per request, and boto3 for
what obstore cannot do: listing and deleting versions, and multipart uploads
that are aborted when the stream fails (docs/storage.md, "The clients").

Erasure is real on a versioned bucket too: ``delete`` removes every version
and every delete marker of the object, not only its current version.
"""

from __future__ import annotations

import configparser
import contextlib
import functools
import os
import re
import secrets
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn, cast

import obstore
from botocore.exceptions import BotoCoreError, ClientError
from obstore.exceptions import BaseError

from voxkeep.batching import map_all
from voxkeep.errors import ConfigError, NotFound, StorageFailed
from voxkeep.rawio import SizedReader

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef, ObjectIdentifierTypeDef
    from obstore import GetOptions
    from obstore.store import S3Config, S3Credential, S3Store
    from typing_extensions import Buffer

    from voxkeep.config import Settings

_KEY = re.compile(r"[0-9a-f]{32}")
MiB = 1024 * 1024
DEFAULT_PART_BYTES = 8 * MiB
MIN_PART_BYTES = 5 * MiB  # S3's smallest part but the last
_DELETE_BATCH = 1000  # S3's limit for one DeleteObjects request
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
# A reader takes an object's body in pieces of about this size as they arrive.
_READ_CHUNK = 1 * MiB
# obstore's failures: its own errors, and a missing object as Python's FileNotFoundError.
_OBJECT_ERRORS = (BaseError, FileNotFoundError)
# In a forked child: the parent's obstore clients, never used and never dropped (above).
_KEPT_FROM_PARENT: list[object] = []


def _missing() -> NotFound:
    return NotFound("The stored audio for this item is missing.")


def _failed(exc: Exception, operation: str) -> NoReturn:
    """Raise a StorageFailed that names what failed; never the server's text or a credential."""
    code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""
    if isinstance(exc, _OBJECT_ERRORS):
        # obstore's message holds the URL and the server's text: only the status is named.
        status = re.search(r"\b(?:status|code)[: ]+(\d{3})\b", str(exc))
        code = status.group(1) if status else ""
    reason = f"it answered {code}" if code else f"no answer ({type(exc).__name__})"
    raise StorageFailed(
        f"The object store failed to {operation}: {reason}.",
        hint="Check VOXKEEP_S3_ENDPOINT, VOXKEEP_S3_BUCKET and the S3 credentials, "
        "and that the object store is up.",
        cause=f"storage: the object store failed to {operation}: {reason} — check that the "
        "bucket exists, is writable with these credentials and has room (its quota)",
    ) from None


def _is_missing(exc: Exception) -> bool:
    if isinstance(exc, FileNotFoundError):
        return True
    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _NOT_FOUND


class S3BlobStore:
    """Blobs as objects ``<prefix><key>`` in one bucket (see the BlobStore protocol)."""

    # Each GET waits a round trip for its first byte: an answer keeps the next
    # recordings' GETs in flight (storage/readahead.py), this many bytes at most.
    fetch_ahead_bytes = 32 * MiB

    def __init__(
        self,
        make_client: Callable[[], S3Client],
        make_objects: Callable[[], S3Store],
        *,
        bucket: str,
        prefix: str = "",
        part_bytes: int = DEFAULT_PART_BYTES,
        connections: int = 16,
        endpoint: str | None = None,
    ) -> None:
        if part_bytes < MIN_PART_BYTES:
            raise ValueError("S3 parts must be at least 5 MiB")
        self.bucket, self.prefix, self.endpoint = bucket, prefix, endpoint
        self.part_bytes = part_bytes
        self.connections = connections
        self._make_client, self._make_objects = make_client, make_objects
        self._start()
        # The importer forks its workers: a child must not share this process's
        # connections (their sockets) or its executor (whose threads it lacks).
        ref = weakref.ref(self)

        def restart_in_child() -> None:
            store = ref()
            if store is not None:
                store._start(forked=True)

        os.register_at_fork(after_in_child=restart_in_child)

    def _start(self, *, forked: bool = False) -> None:
        self.client = self._make_client()
        # obstore's runtime (tokio) does not survive a fork: its threads stay in the
        # parent and a child's request, or even dropping the parent's client (its
        # connections), waits for ever. A forked child keeps that client unused and
        # sends every request through boto3.
        if forked:
            _KEPT_FROM_PARENT.append(self.objects)
        self.objects: S3Store | None = None if forked else self._make_objects()
        self._uploads = ThreadPoolExecutor(
            max_workers=self.connections, thread_name_prefix="voxkeep-s3"
        )

    def __repr__(self) -> str:
        return f"S3BlobStore(endpoint={self.endpoint!r}, bucket={self.bucket!r})"

    def _name(self, key: str) -> str:
        if _KEY.fullmatch(key) is None:
            raise ValueError("not a blob key")
        return self.prefix + key

    def check(self) -> None:
        """Raise StorageFailed unless the bucket answers with these credentials."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            _failed(exc, "open the bucket")

    def new_key(self) -> str:
        return secrets.token_hex(16)

    def new_pack(self) -> S3Pack:
        return S3Pack(self)

    # ------------------------------------------------------------------ writing

    def put_object(self, key: str, data: bytes | bytearray) -> None:
        name = self._name(key)
        try:
            if self.objects is None:
                self.client.put_object(Bucket=self.bucket, Key=name, Body=bytes(data))
            else:
                obstore.put(self.objects, name, data, use_multipart=False)
        except (*_OBJECT_ERRORS, BotoCoreError, ClientError) as exc:
            _failed(exc, "store a blob")

    def put_stream(self, key: str, chunks: Iterable[bytes], *, durable: bool = True) -> int:
        """Store chunks under key: one PUT when they fit one part, else a multipart upload.

        S3 makes an object durable before it answers, so ``durable`` changes nothing here.
        """
        name = self._name(key)
        pending = bytearray()
        size = 0
        upload: _Multipart | None = None
        try:
            for chunk in chunks:
                size += len(chunk)
                view = memoryview(chunk)
                while view:
                    room = self.part_bytes - len(pending)
                    pending += view[:room]
                    view = view[room:]
                    if len(pending) == self.part_bytes:
                        if upload is None:
                            upload = _Multipart(self, name)
                        upload.send(pending)
                        pending = bytearray()
            if upload is None:
                self.put_object(key, pending)
            else:
                if pending:
                    upload.send(pending)
                upload.complete()
        except BaseException:
            if upload is not None:
                upload.abort()
            raise
        return size

    # ------------------------------------------------------------------ reading

    def open(self, key: str) -> BinaryIO:
        name = self._name(key)
        size, body = self._get(name, 0)
        return cast(BinaryIO, ObjectReader(self, name, size, body))

    def _get(self, name: str, start: int) -> tuple[int, Iterator[Buffer]]:
        """A GET of the object from byte start on: the bytes it answers with, and its
        body in pieces as they arrive."""
        try:
            if self.objects is None:
                # "bytes=0-" of an empty object is refused (416): no range from the start.
                answer = (
                    self.client.get_object(Bucket=self.bucket, Key=name, Range=f"bytes={start}-")
                    if start
                    else self.client.get_object(Bucket=self.bucket, Key=name)
                )
                return answer["ContentLength"], _pieces(answer["Body"])
            options: GetOptions = {"range": {"offset": start}} if start else {}
            got = obstore.get(self.objects, name, options=options)
            return got.meta["size"] - start, iter(got.stream(min_chunk_size=_READ_CHUNK))
        except (*_OBJECT_ERRORS, BotoCoreError, ClientError) as exc:
            if _is_missing(exc):
                raise _missing() from None
            _failed(exc, "read a blob")

    def size(self, key: str) -> int:
        name = self._name(key)
        try:
            if self.objects is None:
                return self.client.head_object(Bucket=self.bucket, Key=name)["ContentLength"]
            return obstore.head(self.objects, name)["size"]
        except (*_OBJECT_ERRORS, BotoCoreError, ClientError) as exc:
            if _is_missing(exc):
                raise _missing() from None
            _failed(exc, "read a blob's size")

    # ------------------------------------------------------------------ deleting

    def delete(self, key: str) -> None:
        self.delete_many([key])

    def delete_many(self, keys: Iterable[str]) -> None:
        """Delete every version and delete marker of each key's object; missing ones are fine."""
        names = [self._name(key) for key in keys]
        if not names:
            return
        found = map_all(self._versions, names, undo=_no_undo, tasks=min(len(names), 8))
        doomed = [version for versions in found for version in versions]
        for start in range(0, len(doomed), _DELETE_BATCH):
            self._delete_versions(doomed[start : start + _DELETE_BATCH])

    def _versions(self, name: str) -> list[ObjectIdentifierTypeDef]:
        """Every version and delete marker of the object called name."""
        found: list[ObjectIdentifierTypeDef] = []
        try:
            pages = self.client.get_paginator("list_object_versions")
            for page in pages.paginate(Bucket=self.bucket, Prefix=name):
                for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                    if entry.get("Key") == name:
                        found.append({"Key": name, "VersionId": entry.get("VersionId", "null")})
        except (BotoCoreError, ClientError) as exc:
            _failed(exc, "list a blob's versions")
        return found

    def _delete_versions(self, versions: list[ObjectIdentifierTypeDef]) -> None:
        try:
            answer = self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": versions, "Quiet": True}
            )
        except (BotoCoreError, ClientError) as exc:
            _failed(exc, "delete blobs")
        errors = [e for e in answer.get("Errors", []) if e.get("Code") not in _NOT_FOUND]
        if errors:
            raise StorageFailed(
                f"The object store did not delete {len(errors)} blob version(s): it answered "
                f"{errors[0].get('Code', 'an error')}.",
                hint="Run the deletion again (it is idempotent); check the bucket's permissions "
                "(s3:DeleteObjectVersion) and object locks.",
            )

    def keys_older_than(self, seconds: float) -> Iterator[str]:
        """Keys whose newest version or delete marker is older than seconds.

        Versions are listed, not only current objects, so that ciphertext left
        behind a delete marker (a plain DELETE on a versioned bucket) is found too.
        """
        cutoff = datetime.now(UTC) - timedelta(seconds=seconds)
        newest: dict[str, datetime] = {}
        try:
            pages = self.client.get_paginator("list_object_versions")
            for page in pages.paginate(Bucket=self.bucket, Prefix=self.prefix):
                entries = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                for entry in entries:
                    name, modified = entry.get("Key", ""), entry.get("LastModified")
                    if modified is not None and (name not in newest or modified > newest[name]):
                        newest[name] = modified
                # Keys come in order; a key may still go on in the next page, so
                # only the keys before the page's last are complete.
                last = max((entry.get("Key", "") for entry in entries), default="")
                yield from self._settled(newest, cutoff, before=last)
        except (BotoCoreError, ClientError) as exc:
            _failed(exc, "list the bucket")
        yield from self._settled(newest, cutoff, before=None)

    def _settled(
        self, newest: dict[str, datetime], cutoff: datetime, *, before: str | None
    ) -> Iterator[str]:
        for name in sorted(newest):
            if before is not None and name >= before:
                break
            modified = newest.pop(name)
            key = name[len(self.prefix) :]
            if modified < cutoff and _KEY.fullmatch(key) is not None:
                yield key


def _pieces(body: Any) -> Iterator[bytes]:
    """A boto3 body in pieces; closed (its connection dropped) when no longer followed."""
    try:
        yield from body.iter_chunks(_READ_CHUNK)
    finally:
        body.close()


def _no_undo(_: object) -> None:
    """Listing versions changes nothing."""


class ObjectReader(SizedReader):
    """A read-only, seekable file over one object: reads stream from a ranged GET.

    Reading on from where the last read ended keeps using the same response;
    a seek elsewhere (a player jumping ahead, a download resumed) drops it and
    the next read starts a GET of the range from there.
    """

    def __init__(self, store: S3BlobStore, name: str, size: int, body: Iterator[Buffer]) -> None:
        super().__init__(size)
        self._store, self._name = store, name
        self._chunks: Iterator[Buffer] | None = body
        self._held = memoryview(b"")  # received, not yet read: the bytes from _body_pos on
        self._body_pos = 0

    def _next_bytes(self) -> memoryview:
        """The received bytes at _pos, after a GET from there if the body is elsewhere."""
        if self._chunks is None or self._body_pos != self._pos:
            self._drop_body()
            _, self._chunks = self._store._get(self._name, self._pos)
            self._body_pos = self._pos
        while not self._held:
            chunk = next(self._chunks, None)
            if chunk is None:
                raise StorageFailed(
                    "The object store ended a blob early.",
                    hint="Try again; if it persists, check the object store's health.",
                )
            self._held = memoryview(chunk)
        return self._held

    def _drop_body(self) -> None:
        chunks, self._chunks, self._held = self._chunks, None, memoryview(b"")
        close = getattr(chunks, "close", None)
        if close is not None:
            close()

    def read(self, size: int | None = -1) -> bytes:
        left = self._size - self._pos
        want = max(0, left if size is None or size < 0 else min(size, left))
        if want == 0:
            return b""
        parts: list[bytes] = []
        got = 0
        try:
            while got < want:
                held = self._next_bytes()
                take = held[: want - got]
                parts.append(bytes(take))
                got += len(take)
                self._pos += len(take)
                self._body_pos += len(take)
                self._held = held[len(take) :]
        except (*_OBJECT_ERRORS, BotoCoreError) as exc:
            self._drop_body()
            if _is_missing(exc):
                raise _missing() from None
            _failed(exc, "read a blob")
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        return self.read(-1)

    def close(self) -> None:
        self._drop_body()
        super().close()


class _Multipart:
    """One multipart upload: a part in flight while the next one is being made."""

    def __init__(self, store: S3BlobStore, name: str) -> None:
        self._store, self._name = store, name
        try:
            answer = store.client.create_multipart_upload(Bucket=store.bucket, Key=name)
        except (BotoCoreError, ClientError) as exc:
            _failed(exc, "start an upload")
        self._id = answer["UploadId"]
        self._parts: list[CompletedPartTypeDef] = []
        self._in_flight: Future[CompletedPartTypeDef] | None = None

    def send(self, part: bytearray) -> None:
        """Upload part while the caller makes the next; the one before must be done first,
        so that at most two parts (and the copy being made) are held at once."""
        self._wait()
        number = len(self._parts) + 1
        self._in_flight = self._store._uploads.submit(self._upload, number, bytes(part))

    def _upload(self, number: int, data: bytes) -> CompletedPartTypeDef:
        try:
            answer = self._store.client.upload_part(
                Bucket=self._store.bucket,
                Key=self._name,
                UploadId=self._id,
                PartNumber=number,
                Body=data,
            )
        except (BotoCoreError, ClientError) as exc:
            _failed(exc, "store part of a blob")
        return {"ETag": answer["ETag"], "PartNumber": number}

    def _wait(self) -> None:
        if self._in_flight is not None:
            future, self._in_flight = self._in_flight, None
            self._parts.append(future.result())

    def complete(self) -> None:
        self._wait()
        try:
            self._store.client.complete_multipart_upload(
                Bucket=self._store.bucket,
                Key=self._name,
                UploadId=self._id,
                MultipartUpload={"Parts": self._parts},
            )
        except (BotoCoreError, ClientError) as exc:
            _failed(exc, "finish an upload")

    def abort(self) -> None:
        """Drop the parts stored so far; a failure here leaves them to the bucket's lifecycle."""
        if self._in_flight is not None:
            self._in_flight.exception()  # wait, whatever its outcome
            self._in_flight = None
        with contextlib.suppress(BotoCoreError, ClientError):
            self._store.client.abort_multipart_upload(
                Bucket=self._store.bucket, Key=self._name, UploadId=self._id
            )


class S3Pack:
    """A batch of objects uploaded in parallel; sealed when every upload has landed.

    An entry's reference is its own key. If the block raises or any upload
    fails, every object of the batch is deleted, so no row can name one.
    """

    def __init__(self, store: S3BlobStore) -> None:
        self._store = store
        self._keys: list[str] = []
        self._uploads: list[Future[None]] = []
        # Bounds the bytes waiting for a connection: the batch is never held whole.
        self._slots = threading.BoundedSemaphore(2 * store.connections)

    def add(self, size: int, fill: Callable[[memoryview], None]) -> str:
        data = bytearray(size)
        fill(memoryview(data))
        key = self._store.new_key()
        self._slots.acquire()
        try:
            future = self._store._uploads.submit(self._store.put_object, key, data)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        self._keys.append(key)
        self._uploads.append(future)
        return key

    def __enter__(self) -> S3Pack:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        failures = [e for e in (f.exception() for f in self._uploads) if e is not None]
        if kind is None and not failures:
            return
        try:
            self._store.delete_many(self._keys)
        except StorageFailed:
            if kind is None:
                raise failures[0] from None
            return  # the block's own error says more; `voxkeep gc` takes what is left
        if kind is None:
            raise failures[0]


def _credentials(settings: Settings) -> dict[str, str]:
    """Explicit credentials: the VOXKEEP_S3_* pair, else the credentials file; else none
    (boto3's own chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws, an instance role)."""
    key_id, secret = settings.s3_access_key_id, settings.s3_secret_access_key
    if key_id is not None and secret is not None:
        return {
            "aws_access_key_id": key_id.get_secret_value(),
            "aws_secret_access_key": secret.get_secret_value(),
        }
    if settings.s3_credentials_file is None:
        return {}
    return read_credentials_file(settings.s3_credentials_file)


def read_credentials_file(path: Path) -> dict[str, str]:
    """aws_access_key_id and aws_secret_access_key of the [default] section (AWS's format)."""
    parser = configparser.ConfigParser(interpolation=None)
    hint = (
        "VOXKEEP_S3_CREDENTIALS_FILE must name a file in the AWS credentials format with a "
        "[default] section holding aws_access_key_id and aws_secret_access_key."
    )
    try:
        with path.open(encoding="utf-8") as source:
            parser.read_file(source)
    except (OSError, configparser.Error, UnicodeDecodeError):
        raise ConfigError(f"The S3 credentials file {path} could not be read.", hint=hint) from None
    section = parser["default"] if parser.has_section("default") else None
    if section is None or not {"aws_access_key_id", "aws_secret_access_key"} <= set(section):
        raise ConfigError(f"The S3 credentials file {path} holds no usable keys.", hint=hint)
    return {
        "aws_access_key_id": section["aws_access_key_id"],
        "aws_secret_access_key": section["aws_secret_access_key"],
    }


class SessionCredentials:
    """obstore's credentials, taken from a boto3 session made as the boto3 client's is.

    One source for both clients: the VOXKEEP_S3_* pair, the credentials file,
    or boto3's own chain, refreshed by boto3 where it refreshes them (an
    instance role). Asked for before each request that needs fresh ones.
    """

    def __init__(self, session: boto3.session.Session) -> None:
        self._session = session

    def __repr__(self) -> str:
        return "SessionCredentials()"

    def __call__(self) -> S3Credential:
        found = self._session.get_credentials()
        frozen = found.get_frozen_credentials() if found is not None else None
        if found is None or frozen is None or not frozen.access_key or not frozen.secret_key:
            raise ConfigError(
                "No S3 credentials were found.",
                hint="Set VOXKEEP_S3_ACCESS_KEY_ID and VOXKEEP_S3_SECRET_ACCESS_KEY, or "
                "VOXKEEP_S3_CREDENTIALS_FILE, or AWS's own (environment, ~/.aws, a role).",
            )
        # Refreshable credentials (a role) are asked again after a minute; static ones
        # cost nothing to ask for.
        expires = datetime.now(UTC) + timedelta(minutes=1) if found.method != "explicit" else None
        return {
            "access_key_id": frozen.access_key,
            "secret_access_key": frozen.secret_key,
            "token": frozen.token,
            "expires_at": expires,
        }


@functools.cache
def _data_loader() -> Any:
    """botocore's loader of its JSON models, read once per process: a session's own
    loader reads them again, 0.06-0.2 s of CPU for every client built (a vault's
    store, a forked importer worker, the health probe). It holds no lock a fork could
    catch, only what it has read."""
    from botocore.loaders import Loader, create_loader

    class UniquePaths(list[str]):
        """Each boto3 session appends its own models' folder to the loader it is given:
        shared, the list would grow by one for every session."""

        def append(self, path: str) -> None:
            if path not in self:
                super().append(path)

    paths = UniquePaths(create_loader().search_paths)  # with AWS_DATA_PATH, as botocore does
    return Loader(extra_search_paths=paths, include_default_search_paths=False)


def boto_session(**options: Any) -> boto3.session.Session:
    """A new boto3 session (one per client, see `store_from_settings`) sharing the
    process's loaded models."""
    import boto3
    import botocore.session

    core = botocore.session.get_session()
    core.register_component("data_loader", _data_loader())
    return boto3.session.Session(botocore_session=core, **options)


def store_from_settings(settings: Settings) -> S3BlobStore:
    """The S3 store the settings describe (see docs/storage.md)."""
    from botocore.config import Config
    from obstore.store import S3Store

    assert settings.s3_bucket is not None
    bucket, endpoint, region = settings.s3_bucket, settings.s3_endpoint, settings.s3_region
    credentials = _credentials(settings)

    def new_session() -> boto3.session.Session:
        """A session of these credentials (else boto3's chain), made for each client:
        a session shared between threads could be locked by one of them at a fork, and
        the importer's forked workers make their own client."""
        return boto_session(
            aws_access_key_id=credentials.get("aws_access_key_id"),
            aws_secret_access_key=credentials.get("aws_secret_access_key"),
            region_name=region,
        )

    config = Config(
        max_pool_connections=settings.s3_connections,
        retries={"mode": "standard", "max_attempts": 3},
        # Every blob is AES-GCM ciphertext whose tags are checked on every read: botocore's
        # own CRC32 of each body, both ways, is CPU spent twice (bench/scale.py).
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        # S3-compatible servers (SeaweedFS, MinIO, Ceph) want the bucket in the path.
        s3={"addressing_style": "path" if endpoint else "auto"},
    )

    def make_client() -> S3Client:
        return new_session().client("s3", endpoint_url=endpoint, region_name=region, config=config)

    def make_objects() -> S3Store:
        # Without an endpoint: AWS's for the region, the bucket in the host name as boto3
        # does (obstore refuses endpoint=None).
        where: S3Config = (
            {"endpoint": endpoint, "virtual_hosted_style_request": False}
            if endpoint
            else {"virtual_hosted_style_request": True}
        )
        return S3Store(
            bucket,
            config=where,
            region=region,
            client_options={"allow_http": bool(endpoint and endpoint.startswith("http://"))},
            retry_config={"max_retries": 2},  # as boto3's 3 attempts
            credential_provider=SessionCredentials(new_session()),
        )

    return S3BlobStore(
        make_client,
        make_objects,
        bucket=bucket,
        prefix=settings.s3_prefix,
        part_bytes=settings.s3_part_bytes,
        connections=settings.s3_connections,
        endpoint=endpoint,
    )


class BucketProbe:
    """/healthz's look at a bucket: one HeadBucket with short timeouts and no retries.

    The store's own client retries and waits up to a minute for a socket: right for
    an upload, far too long for a load balancer's health check (docs/operations.md).
    """

    def __init__(self, settings: Settings, *, bucket: str, endpoint: str | None) -> None:
        from botocore.config import Config

        credentials = _credentials(settings)
        timeout = settings.health_s3_timeout_s
        self.bucket = bucket
        self.client: S3Client = boto_session().client(
            "s3",
            endpoint_url=endpoint,
            region_name=settings.s3_region,
            config=Config(
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"mode": "standard", "total_max_attempts": 1},
                s3={"addressing_style": "path" if endpoint else "auto"},
            ),
            aws_access_key_id=credentials.get("aws_access_key_id"),
            aws_secret_access_key=credentials.get("aws_secret_access_key"),
        )

    def check(self) -> None:
        """Return when the bucket answers; raise the botocore error (its class is reported)."""
        self.client.head_bucket(Bucket=self.bucket)
