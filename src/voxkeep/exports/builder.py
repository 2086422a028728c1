"""Build the answer archive of a request from the request's own account, and nothing else.

Invariant 2: the only input that chooses content is ``request.account_id``,
read here from the request row; no caller passes an owner or a list of
recordings. The archive is one zip (zipstream-ng: WAV stored, text deflated)
streamed in constant memory through AES-256-GCM segments into the blob store,
so no plaintext archive ever touches a disk (invariant 5). Its key is random,
sealed under the owner's data key, and destroyed at expiry.

Layout (docs/exports.md)::

    index.html            cover sheet, Art. 15(1)(a)–(h), and a browsable list
    transcripts.pdf       by device, then time; dated; in the person's language
    transcripts.json/csv  the same rows with the same ids, by time (Art. 20)
    account.json          profile, devices, household members, settings
    requests.json         the person's request history
    recordings/YYYY/MM/<captured-at>_<device>.wav
    manifest.json         path, size, SHA-256, owner pseudonym, source of every file
    manifest.sig          Ed25519 signature over manifest.json (base64)

A portability answer (Art. 20) holds the machine-readable subset: the audio,
transcripts.json/csv, account.json and the signed manifest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session
from zipstream import ZIP_DEFLATED, ZIP_STORED, ZipStream

from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, IntegrityFailure, KeyDestroyed, NotFound, is_integrity_failure
from voxkeep.exports import render, signing
from voxkeep.exports.content import Row, Snapshot, iso, read_snapshot
from voxkeep.exports.failures import Failure, fail_answer
from voxkeep.exports.history import request_history
from voxkeep.exports.models import Export, ExportKind, ExportState
from voxkeep.exports.pdf import render_pdf
from voxkeep.incidents.models import IncidentKind
from voxkeep.recordings.service import decrypt_blob, stored_sha256
from voxkeep.requests.models import DataRequest, RequestKind, RequestState
from voxkeep.storage.readahead import ReadAhead
from voxkeep.vault import Vault

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MANIFEST_FORMAT = "voxkeep-export-manifest/1"


def export_ad(account_id: str, export_id: str) -> bytes:
    return aead.associated_data(kind="export", owner=account_id, object_id=export_id)


def export_key_ad(account_id: str, export_id: str) -> bytes:
    return aead.associated_data(kind="export_key", owner=account_id, object_id=export_id)


@dataclass(frozen=True)
class BuiltExport:
    id: str
    request_id: str
    kind: ExportKind
    size: int
    files: int
    recordings: int
    withheld: int


@dataclass
class _Manifest:
    """Collects path, size and SHA-256 of each file as the stream passes through.

    Entries are kept as tuples (a dict each would double the memory of a
    34,000-recording answer); the JSON is written once, at the end.
    """

    owner: str
    files: list[tuple[str, int, str, str]] = field(default_factory=list)

    def add(self, path: str, source: str, size: int, sha256: str) -> None:
        self.files.append((path, size, sha256, source))

    def track(self, path: str, source: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
        digest = hashlib.sha256()
        size = 0
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            yield chunk
        self.add(path, source, size, digest.hexdigest())

    def entries(self) -> Iterator[dict[str, Any]]:
        for path, size, sha256, source in self.files:
            yield {
                "path": path,
                "size": size,
                "sha256": sha256,
                "owner": self.owner,
                "source": source,
            }


PDF_IN_BACKGROUND = True


def _in_background(make: Callable[[], bytes]) -> Iterator[bytes]:
    """Start make() on a thread now; yield its result when the zip stream gets there.

    The PDF is pure Python while streaming audio is mostly hashing and AES in C
    (which release the GIL), so the two overlap on a second core.
    """
    result: list[bytes] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(make())
        except BaseException as exc:  # handed to the consuming thread below
            failure.append(exc)

    thread = threading.Thread(target=run, name="voxkeep-export-pdf", daemon=True)
    thread.start()

    def wait() -> Iterator[bytes]:
        thread.join()
        if failure:
            raise failure[0]
        yield result[0]

    return wait()


def _once(make: Callable[[], bytes]) -> Iterator[bytes]:
    """A lazy single chunk: made only when the zip stream reaches this file."""
    yield make()


class RecordingFailed(IntegrityFailure):
    """A recording of the answer did not decrypt or did not match its record (BUILD_FAILED)."""

    def __init__(self, check: str, recording_id: str, message: str) -> None:
        super().__init__(message)
        self.check = check
        self.recording_id = recording_id


class AnswerBlocked(Conflict):
    """The build failed an integrity check: the request is blocked and an incident open."""

    code = "answer_blocked"

    def __init__(self, check: str, incident_id: str) -> None:
        super().__init__(
            f"The answer could not be built safely ({check}) and was stopped.",
            hint=f"Incident {incident_id} records it; the privacy team must look at it.",
        )
        self.check = check
        self.incident_id = incident_id


class _Audio:
    """Streams each recording as the zip stream reaches it, decrypted segment by segment.

    The bytes must decrypt under the owner's key bound to this recording (AEAD)
    and hash to the SHA-256 the vault sealed at ingestion, which the manifest
    lists; anything else stops the build (fail closed). The release gate hashes
    what the archive really holds again, independently.
    """

    def __init__(self, vault: Vault, snap: Snapshot, ahead: ReadAhead) -> None:
        self._vault, self._snap, self._ahead = vault, snap, ahead

    def audio(self, row: Row, manifest: _Manifest) -> Iterator[bytes]:
        snap, size, digest = self._snap, 0, hashlib.sha256()
        try:
            sealed = stored_sha256(
                self._vault, snap.key, snap.account_id, row.id, row.audio_sha256, row.blob
            )
            for chunk in decrypt_blob(
                self._vault, snap.key, row.blob, snap.account_id, row.id, opener=self._ahead.open
            ):
                size += len(chunk)
                digest.update(chunk)
                yield chunk
        except KeyDestroyed:
            raise
        except IntegrityFailure:
            raise RecordingFailed(
                "recording_decrypt", row.id, "A recording did not decrypt as the requester's."
            ) from None
        if size != row.audio_bytes:
            raise RecordingFailed(
                "recording_length", row.id, "A recording's audio is not as long as its record."
            )
        if not hmac.compare_digest(digest.digest(), sealed):
            raise RecordingFailed(
                "recording_hash", row.id, "A recording's audio does not match its sealed hash."
            )
        assert row.path is not None
        manifest.add(row.path, f"recording:{row.id}", size, sealed.hex())


def _zip(
    snap: Snapshot,
    *,
    export_id: str,
    request_id: str,
    kind: ExportKind,
    signer: Ed25519PrivateKey,
    audio: _Audio,
    audio_rows: list[Row],
) -> tuple[ZipStream, _Manifest, list[bytes]]:
    zs = ZipStream(compress_type=ZIP_STORED)
    manifest = _Manifest(owner=snap.owner)
    # The pseudonym already reads "account:<digest>": it is the source as it stands.
    account_source = snap.owner

    def text(path: str, chunks: Iterable[bytes]) -> None:
        zs.add(
            manifest.track(path, account_source, chunks),
            path,
            compress_type=ZIP_DEFLATED,
            compress_level=6,
        )

    # Recordings first: the PDF renders on another thread meanwhile (see _in_background).
    for row in audio_rows:
        zs.add(audio.audio(row, manifest), row.path, size=row.audio_bytes)
    if kind is ExportKind.ACCESS:
        make_pdf = lambda: render_pdf(  # noqa: E731
            lang=snap.language,
            generated_at=snap.generated_at,
            devices=snap.devices,
            members=snap.members,
            rows=snap.with_transcripts(snap.rows),
        )
        pdf = _in_background(make_pdf) if PDF_IN_BACKGROUND else _once(make_pdf)
        text("index.html", render.index_html(snap))
        text("transcripts.pdf", pdf)
    text("transcripts.json", render.transcripts_json(snap))
    text("transcripts.csv", render.transcripts_csv(snap))
    text("account.json", _once(lambda: render.account_json(snap)))
    if kind is ExportKind.ACCESS:
        text("requests.json", _once(lambda: render.requests_json(snap)))
    manifest_bytes: list[bytes] = []

    def manifest_json() -> bytes:
        body = {
            "format": MANIFEST_FORMAT,
            "export": export_id,
            "request": request_id,
            "kind": kind.value,
            "owner": snap.owner,
            "created_at": iso(snap.generated_at),
            "signing_key": signing.key_id(signer.public_key().public_bytes_raw()),
            "counts": {
                "files": len(manifest.files),
                "recordings": sum(1 for r in snap.rows if r.path is not None),
                "withheld": snap.withheld,
            },
            "withheld": [
                {"source": f"recording:{r.id}", "reason": "gdpr-art-15(4)"}
                for r in snap.by_time()
                if r.path is None
            ],
        }
        # One line per file, written entry by entry: no second copy of 34,000 entries.
        head = json.dumps(body, ensure_ascii=False)[:-1]
        lines = ",\n".join(json.dumps(e, ensure_ascii=False) for e in manifest.entries())
        data = f'{head}, "files": [\n{lines}\n]}}\n'.encode()
        manifest_bytes.append(data)
        return data

    zs.add(_once(manifest_json), MANIFEST)
    zs.add(
        _once(lambda: base64.b64encode(signer.sign(manifest_bytes[0])) + b"\n"),
        SIGNATURE,
    )
    return zs, manifest, manifest_bytes


def build_archive(
    vault: Vault,
    *,
    account_id_from_request: str,
    request_id: str,
    kind: ExportKind,
    requests: Callable[[Session, str, bytes, str, datetime], list[dict[str, Any]]] | None = None,
) -> BuiltExport:
    """Build, encrypt and store the archive; record the export as built (not yet released).

    ``account_id_from_request`` must be the verified subject of the request
    ``request_id``; build_for_request is the only caller outside tests.
    """
    export_id = secrets.token_hex(16)
    now = utcnow().replace(microsecond=0)
    with vault.reading() as session:
        try:
            snap = read_snapshot(vault, session, account_id_from_request, generated_at=now)
        except LookupError:
            raise NotFound("The request's account does not exist any more.") from None
        if requests is not None:
            snap.requests = requests(session, account_id_from_request, snap.key, request_id, now)
        signer = signing.private_key(vault, session)
    audio_rows = [r for r in snap.by_time() if r.path is not None]
    archive_key = aead.new_key()
    blob = vault.blobs.new_key()
    counter = _Counter()
    # The recordings are read in this order: an object store fetches the next ones ahead.
    with ReadAhead(vault.blobs, [(r.blob, r.audio_bytes) for r in audio_rows]) as ahead:
        zs, manifest, manifest_bytes = _zip(
            snap,
            export_id=export_id,
            request_id=request_id,
            kind=kind,
            signer=signer,
            audio=_Audio(vault, snap, ahead),
            audio_rows=audio_rows,
        )
        vault.blobs.put_stream(
            blob,
            aead.encrypt_stream(
                archive_key, counter.count(zs), ad=export_ad(snap.account_id, export_id)
            ),
        )
    try:
        return _record_built(
            vault,
            snap,
            export_id=export_id,
            request_id=request_id,
            kind=kind,
            blob=blob,
            archive_key=archive_key,
            size=counter.size,
            manifest_sha256=hashlib.sha256(manifest_bytes[0]).digest(),
            files=len(manifest.files),
        )
    except BaseException:
        vault.blobs.delete(blob)
        raise


class _Counter:
    size = 0

    def count(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self.size += len(chunk)
            yield chunk


def _record_built(
    vault: Vault,
    snap: Snapshot,
    *,
    export_id: str,
    request_id: str,
    kind: ExportKind,
    blob: str,
    archive_key: bytes,
    size: int,
    manifest_sha256: bytes,
    files: int,
) -> BuiltExport:
    recordings = sum(1 for r in snap.rows if r.path is not None)
    with vault.transaction() as session:
        key = vault.keyring.data_key(session, snap.account_id)  # gone if erased meanwhile
        session.add(
            Export(
                id=export_id,
                request_id=request_id,
                account_id=snap.account_id,
                kind=kind.value,
                state=ExportState.BUILT.value,
                blob=blob,
                key_sealed=aead.seal(
                    key, archive_key, ad=export_key_ad(snap.account_id, export_id)
                ),
                size=size,
                manifest_sha256=manifest_sha256,
                files=files,
                recordings=recordings,
                withheld=snap.withheld,
                max_downloads=vault.settings.export_max_downloads,
                bytes_served=0,
            )
        )
        session.flush()
        record(
            session,
            AuditAction.EXPORT_BUILT,
            actor=SYSTEM,
            objects={"account": snap.owner, "request": request_id, "export": export_id},
            counts={"recordings": recordings, "withheld": snap.withheld, "bytes": size},
        )
    return BuiltExport(
        id=export_id,
        request_id=request_id,
        kind=kind,
        size=size,
        files=files,
        recordings=recordings,
        withheld=snap.withheld,
    )


def _check_buildable(state: str) -> None:
    if state not in {RequestState.BUILDING.value}:
        raise Conflict(
            f"The request is {state}; an answer is built only while it is building.",
            hint="Approve the request first; the build runs as a background job.",
        )


def build_for_request(vault: Vault, request_id: str) -> BuiltExport:
    """Build the answer to an access or portability request from request.account_id alone.

    An integrity failure on the way (a recording that does not decrypt as the
    requester's, or whose bytes do not match its sealed hash) blocks the request,
    opens a BUILD_FAILED incident and raises AnswerBlocked (exports.failures).
    """

    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        if request is None:
            raise NotFound("There is no request with this id.")
        if request.kind not in (RequestKind.ACCESS.value, RequestKind.PORTABILITY.value):
            raise Conflict("Only access and portability requests are answered with an archive.")
        _check_buildable(request.state)
        account_id, kind = request.account_id, ExportKind(request.kind)
    try:
        return build_archive(
            vault,
            account_id_from_request=account_id,
            request_id=request_id,
            kind=kind,
            requests=request_history,
        )
    except IntegrityFailure as exc:
        if not is_integrity_failure(exc):
            raise  # the account was erased meanwhile: its requests are settled, no breach
        failure = _build_failure(exc)
    incident_id = fail_answer(vault, request_id=request_id, export_id=None, failure=failure)
    assert incident_id is not None
    raise AnswerBlocked(failure.check, incident_id)


def _build_failure(exc: IntegrityFailure) -> Failure:
    if isinstance(exc, RecordingFailed):
        return Failure(IncidentKind.BUILD_FAILED, exc.check, exc.message, (exc.recording_id,))
    # A transcript, name or note of the answer did not open under the requester's key.
    return Failure(IncidentKind.BUILD_FAILED, "content_decrypt", exc.message)
