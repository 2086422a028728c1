"""The release gate (invariant 3): nothing is downloadable until this check has passed.

It shares no code path with the builder (both read the vault's sealed audio
hashes through recordings.service, which a bug could make wrong but not
agree with bytes that are not the vault's). It reopens the finished, encrypted
archive through its own random-access reader, reads the zip with Python's
zipfile, parses the manifest with its own parser (exports/verify.py), and
then checks every entry against the vault, starting from the *request's*
account id:

* the signature verifies under the instance's export key, and every file's
  size and SHA-256 match the manifest (no unlisted or missing files);
* the manifest names this export, this request and the request's kind, and
  every entry's owner is the request account's pseudonym;
* every recording in it belongs to the request's account, came from a device
  registered to that account, and its bytes are the vault's bytes (their
  SHA-256, computed here from the archive, is the one sealed at ingestion);
* an account with no device receives no recordings;
* the counts match the vault: every recording the account had when the
  build started is in the archive (or withheld under Art. 15(4)).

A failure blocks the request, destroys the archive key, records an incident
with its evidence (exports.failures) and raises ReleaseBlocked; a sealed
archive key that does not open is a KEY_FAILED incident. A pass releases
the export for download and moves the request to ready, in one transaction.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Device
from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, IntegrityFailure, NotFound, VoxkeepError, is_integrity_failure
from voxkeep.exports import signing
from voxkeep.exports.failures import Failure, fail_answer
from voxkeep.exports.models import Export, ExportState
from voxkeep.exports.tasks import EXPIRE, NOTIFY_READY
from voxkeep.exports.verify import ArchiveInvalid, Manifest, verify_archive
from voxkeep.incidents.models import IncidentKind
from voxkeep.jobs.queue import enqueue
from voxkeep.recordings.models import Recording
from voxkeep.recordings.service import stored_sha256
from voxkeep.requests.models import DataRequest, RequestState
from voxkeep.requests.states import advance
from voxkeep.vault import Vault

# Recordings committed in the last moments before a build may not be in its
# snapshot yet; the completeness check leaves them to the next answer.
SNAPSHOT_SLACK = timedelta(seconds=60)
# Files are hashed on this many threads, each with its own handle on the archive.
GATE_THREADS = 2  # measured: a second hashing thread did not pay on a loaded 2-core machine


class ReleaseBlocked(VoxkeepError):
    """The release gate refused an archive; the request is blocked and an incident open."""

    status = 409
    code = "release_blocked"

    def __init__(self, check: str, incident_id: str) -> None:
        super().__init__(
            f"The answer failed its release check ({check}) and will not be released.",
            hint=f"Incident {incident_id} records it; the privacy team must look at it.",
        )
        self.check = check
        self.incident_id = incident_id


@dataclass(frozen=True)
class Verdict:
    export_id: str
    request_id: str
    recordings: int
    withheld: int
    expires_at: datetime


@dataclass
class _Context:
    export_id: str
    request_id: str
    account_id: str
    kind: str
    owner: str
    data_key: bytes
    archive_key: bytes
    blob: str
    created_at: datetime
    key_failed: bool = False  # the sealed archive key did not open: KEY_FAILED


def check_release(vault: Vault, export_id: str) -> Verdict:
    """Check a built export; release it, or block the request and open an incident."""
    ctx = _load(vault, export_id)
    if ctx.key_failed:
        raise _block(
            vault,
            ctx,
            "export_key",
            "The answer's sealed key did not open under the requester's data key.",
            kind=IncidentKind.KEY_FAILED,
        )
    try:
        manifest = _check_archive(vault, ctx)
        with vault.reading() as session:
            _check_vault(vault, session, ctx, manifest)
    except ArchiveInvalid as exc:
        raise _block(vault, ctx, exc.check, str(exc)) from None
    except IntegrityFailure as exc:
        if not is_integrity_failure(exc):
            raise  # the account was erased meanwhile: its request is cancelled, no breach
        raise _block(
            vault, ctx, "archive_ciphertext", "The stored archive did not decrypt."
        ) from None
    return _release(vault, ctx, manifest)


def _load(vault: Vault, export_id: str) -> _Context:
    with vault.reading() as session:
        export = session.get(Export, export_id)
        if export is None:
            raise NotFound("There is no export with this id.")
        if export.state != ExportState.BUILT.value:
            raise Conflict(f"The export is {export.state}; only a built export is checked.")
        request = session.get(DataRequest, export.request_id)
        if request is None:
            raise NotFound("The export's request does not exist any more.")
        account_id = request.account_id  # the request decides whose data this may be
        data_key = vault.keyring.data_key(session, account_id)
        archive_key, key_failed = b"", False
        if export.key_sealed is not None and export.account_id == account_id:
            ad = aead.associated_data(kind="export_key", owner=account_id, object_id=export.id)
            try:
                archive_key = aead.open_sealed(
                    data_key, export.key_sealed, ad=ad, kind="export key"
                )
            except IntegrityFailure as exc:
                if not is_integrity_failure(exc):
                    raise
                key_failed = True
        return _Context(
            export_id=export.id,
            request_id=request.id,
            account_id=account_id,
            kind=request.kind,
            owner=vault.keyring.pseudonym(session, kind="account", object_id=account_id),
            data_key=data_key,
            archive_key=archive_key,
            blob=export.blob or "",
            created_at=export.created_at,
            key_failed=key_failed,
        )


def _check_archive(vault: Vault, ctx: _Context) -> Manifest:
    if not ctx.archive_key:
        raise ArchiveInvalid("export_owner", "The export is not bound to the request's account.")
    with vault.reading() as session:
        public_key = signing.public_key(vault, session)
    size = vault.blobs.size(ctx.blob)
    ad = aead.associated_data(kind="export", owner=ctx.account_id, object_id=ctx.export_id)

    def open_archive() -> IO[bytes]:
        # Unbuffered: the reader keeps its current segment, and a buffer on
        # top would copy every recording once more.
        return aead.SegmentedReader(  # type: ignore[return-value]
            ctx.archive_key, vault.blobs.open(ctx.blob), size=size, ad=ad, kind="export"
        )

    manifest = verify_archive(open_archive, public_key=public_key, workers=GATE_THREADS)
    if manifest.export != ctx.export_id or manifest.request != ctx.request_id:
        raise ArchiveInvalid("manifest_binding", "The manifest names another export or request.")
    if manifest.kind != ctx.kind:
        raise ArchiveInvalid("manifest_binding", "The manifest's kind is not the request's.")
    if manifest.owner != ctx.owner:
        raise ArchiveInvalid("manifest_owner", "The manifest's owner is not the requester.")
    return manifest


_ROWS = select(
    Recording.id,
    Recording.account_id,
    Recording.device_id,
    Recording.member_id,
    Recording.captured_at,
    Recording.audio_sha256,
    Recording.audio_blob,
)


def _check_vault(vault: Vault, session: Session, ctx: _Context, manifest: Manifest) -> None:
    devices = {
        d.id: d for d in session.scalars(select(Device).where(Device.account_id == ctx.account_id))
    }
    # (recording id, the SHA-256 its file has, checked by verify_archive), or None if withheld
    listed: list[tuple[str, str | None]] = [
        (e.source.removeprefix("recording:"), e.sha256)
        for e in manifest.files
        if e.source.startswith("recording:")
    ]
    if listed and not devices:
        raise ArchiveInvalid(
            "no_device", "The account has no device, yet the archive holds recordings."
        )
    listed += [(rid, None) for rid in manifest.withheld_ids()]
    answered = {rid for rid, _ in listed}
    if len(answered) != len(listed):
        raise ArchiveInvalid("recording_twice", "A recording appears twice in the manifest.")
    # In batches, each checked as read: a large answer's rows are never all in memory.
    for start in range(0, len(listed), 500):
        batch = listed[start : start + 500]
        rows = {r.id: r for r in session.execute(_ROWS.where(Recording.id.in_(dict(batch))))}
        for rid, _ in batch:
            _check_owner(ctx, devices, rows.get(rid))
        for rid, sha256 in batch:
            row = rows[rid]
            if sha256 is None:
                if row.member_id is None:
                    raise ArchiveInvalid("withheld", "A recording was withheld without a reason.")
                continue
            # The file's hash must be the vault's own for the recording it names.
            vault_sha256 = stored_sha256(
                vault, ctx.data_key, ctx.account_id, rid, row.audio_sha256, row.audio_blob
            )
            if not hmac.compare_digest(vault_sha256.hex(), sha256):
                raise ArchiveInvalid(
                    "recording_bytes", "A recording's bytes are not the vault's bytes for it."
                )
    _check_complete(session, ctx, answered)


def _check_owner(ctx: _Context, devices: dict[str, Device], row: Any) -> None:
    if row is None or row.account_id != ctx.account_id:
        raise ArchiveInvalid(
            "foreign_recording", "A recording in the archive is not the requester's."
        )
    device = devices.get(row.device_id)
    if device is None or (device.removed_at is not None and device.removed_at < row.captured_at):
        raise ArchiveInvalid(
            "unregistered_device",
            "A recording in the archive comes from a device not registered to the requester.",
        )


def _check_complete(session: Session, ctx: _Context, answered: set[str]) -> None:
    """Every recording the account had when the build began is answered (counts match)."""
    cutoff = ctx.created_at - SNAPSHOT_SLACK
    query = select(Recording.id).where(
        Recording.account_id == ctx.account_id, Recording.created_at < cutoff
    )
    if any(rid not in answered for rid in session.scalars(query)):
        raise ArchiveInvalid(
            "counts", "The archive holds fewer of the requester's recordings than the vault."
        )


def _block(
    vault: Vault, ctx: _Context, check: str, message: str, *, kind: IncidentKind | None = None
) -> ReleaseBlocked:
    """Block request and export, destroy the archive key, open an incident (exports.failures)."""
    failure = Failure(kind=kind or IncidentKind.RELEASE_GATE_FAILED, check=check, message=message)
    incident_id = fail_answer(
        vault, request_id=ctx.request_id, export_id=ctx.export_id, failure=failure
    )
    assert incident_id is not None
    return ReleaseBlocked(check, incident_id)


def _release(vault: Vault, ctx: _Context, manifest: Manifest) -> Verdict:
    now = utcnow()
    expires_at = now + timedelta(seconds=vault.settings.export_ttl_s)
    with vault.transaction() as session:
        export = session.get(Export, ctx.export_id, with_for_update=True)
        if export is None or export.state != ExportState.BUILT.value:
            raise Conflict("The export changed while it was being checked.")
        export.state = ExportState.RELEASED.value
        export.checked_at = now
        export.released_at = now
        export.expires_at = expires_at
        request = session.get(DataRequest, ctx.request_id)
        if request is not None and request.state == RequestState.BUILDING.value:
            advance(vault, session, ctx.request_id, RequestState.CHECKING, actor=SYSTEM)
        if request is not None and request.state == RequestState.CHECKING.value:
            request.export_id = ctx.export_id
            advance(vault, session, ctx.request_id, RequestState.READY, actor=SYSTEM)
        # The "ready" mail and the key's destruction at expiry commit with the release.
        enqueue(session, NOTIFY_READY, {"export_id": ctx.export_id}, ref=ctx.request_id)
        enqueue(
            session, EXPIRE, {"export_id": ctx.export_id}, ref=ctx.request_id, run_after=expires_at
        )
        record(
            session,
            AuditAction.EXPORT_RELEASED,
            actor=SYSTEM,
            objects={"account": ctx.owner, "request": ctx.request_id, "export": ctx.export_id},
            counts={
                "recordings": len(manifest.recording_ids()),
                "withheld": len(manifest.withheld),
            },
        )
    return Verdict(
        export_id=ctx.export_id,
        request_id=ctx.request_id,
        recordings=len(manifest.recording_ids()),
        withheld=len(manifest.withheld),
        expires_at=expires_at,
    )
