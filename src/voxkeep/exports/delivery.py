"""Delivery (invariant 4): a link alone downloads nothing.

A released archive is downloaded only by its owner, in their own signed-in
session, within ``export_reauth_s`` (10 minutes) of a password re-entry,
until it expires (``export_ttl_s``) and within the download limit
(``export_max_downloads``), counted by ``downloads_counted``: the one rule,
stated to the person by ``LIMIT_RULE``. Ranges (one per request) let large
downloads resume; they count by bytes, so resuming does not use up a
download. Every response is audited and recorded with its address and user
agent, both sealed under the owner's data key.

A check failing on the way (the answer's key does not open, its bytes do not
authenticate while being sent) blocks the answer and its request with a
DELIVERY_FAILED incident; asking for another account's answer is a 404 that
opens a FOREIGN_DOWNLOAD incident (exports.failures, incidents.service).

A download that started before its answer expired is let finish: expiry
(the EXPIRE job, the sweep, a request after ``expires_at``) leaves the key and
the ciphertext of an answer with a download in progress, and expires it when
that download ends, or ``export_download_grace_s`` after it started at the
latest, so a stalled client cannot keep an answer alive. New downloads and
resumed ranges after ``expires_at`` are refused (410) all the same.

"This is not my data" revokes the archive at once (its key is destroyed),
blocks the request and opens an incident naming the request and every
download so far (Art. 33/34 start from it).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.byteranges import ByteRange, parse_range, read_span
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.errors import (
    Conflict,
    Forbidden,
    IntegrityFailure,
    NotFound,
    VoxkeepError,
    is_integrity_failure,
)
from voxkeep.exports.failures import Failure, fail_answer
from voxkeep.exports.models import Export, ExportDownload, ExportState
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import cause_of, incident_by_cause, incidents_by_cause, open_incident
from voxkeep.people.service import require_recent_reauth
from voxkeep.requests.models import DataRequest, RequestState, Said
from voxkeep.requests.states import advance, says
from voxkeep.vault import Vault


class Gone(VoxkeepError):
    status = 410
    code = "export_gone"


class DownloadsExhausted(Forbidden):
    code = "downloads_exhausted"


class Person(Protocol):
    """The signed-in person (people.service.PersonSession)."""

    @property
    def id(self) -> str: ...

    @property
    def account_id(self) -> str: ...

    @property
    def reauth_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class DownloadInfo:
    id: str
    at: datetime
    range_start: int
    range_end: int
    address: str
    user_agent: str


@dataclass(frozen=True)
class ExportView:
    id: str
    request_id: str
    kind: str
    state: str
    size: int
    files: int
    recordings: int
    withheld: int
    manifest_sha256: str
    created_at: datetime
    released_at: datetime | None
    expires_at: datetime | None
    max_downloads: int
    downloads_left: int
    downloads: tuple[DownloadInfo, ...] = ()
    # The incident the owner's "this is not my data" opened, if they said so.
    incident: str | None = None


@dataclass(frozen=True)
class Download:
    export_id: str
    size: int  # the whole archive
    range: ByteRange
    partial: bool
    etag: str
    chunks: Generator[bytes]  # close() settles it, however far it got (even before any byte)


# Where a person whose answer is gone gets another copy.
ANOTHER_COPY = (
    'For another copy, make a new request: in the portal on the page "Your requests" '
    "(/requests), or with POST /api/v1/requests/mine."
)

# The download limit, as the person is told it (the refusal, docs/exports.md).
LIMIT_RULE = (
    "Every archive's worth of bytes sent counts as one download, whether it was "
    "sent whole or in ranges; a request is answered while fewer than {limit} "
    "archives' worth have been sent."
)


def downloads_counted(export: Export) -> int:
    """The download rule: whole archives' worth of bytes sent so far, rounded down.

    A request (whole or a range) is answered while this is below
    ``max_downloads``, so probing or resuming with ranges never costs a whole
    download, and no range is answered past the limit. Bytes are counted
    when a response starts (parallel requests cannot overrun the limit) and
    settled to the bytes really sent when it ends (``_settle``).
    """
    return export.bytes_served // export.size if export.size > 0 else export.max_downloads


def _downloads_left(export: Export) -> int:
    if export.state != ExportState.RELEASED.value:
        return 0
    return max(0, export.max_downloads - downloads_counted(export))


NO_SUCH_ANSWER = "You have no answer with this id."


class _Foreign(NotFound):
    """Another account's answer: answered exactly like a missing one (the same 404)."""

    def __init__(self, export: Export) -> None:
        super().__init__(NO_SUCH_ANSWER)
        self.export_id = export.id
        self.request_id = export.request_id
        self.owner_id = export.account_id


def _own(session: Session, person: Person, export_id: str, *, lock: bool = False) -> Export:
    export = session.get(Export, export_id, with_for_update=lock) if export_id else None
    if export is None:
        raise NotFound(NO_SUCH_ANSWER)
    if export.account_id != person.account_id:
        raise _Foreign(export)
    return export


def _report_foreign(vault: Vault, person: Person, foreign: _Foreign) -> None:
    """A signed-in person asked to download another account's answer: one FOREIGN_DOWNLOAD
    incident per answer and session, joined on repeat. The asker learns nothing."""
    with vault.transaction() as session:
        asker = vault.keyring.pseudonym(session, kind="account", object_id=person.account_id)
        open_incident(
            vault,
            session,
            kind=IncidentKind.FOREIGN_DOWNLOAD,
            cause=cause_of(IncidentKind.FOREIGN_DOWNLOAD, foreign.export_id, person.id),
            request_id=foreign.request_id,
            details={
                "export": foreign.export_id,
                "check": "export_owner",
                "account": vault.keyring.pseudonym(
                    session, kind="account", object_id=foreign.owner_id
                ),
                "asker": asker,
                "session": person.id,
            },
            actor=asker,
        )


class AnswerWithheld(Gone):
    """The answer failed a check while it was being delivered and is blocked for good."""

    def __init__(self) -> None:
        super().__init__(WITHHELD, hint=WITHHELD_HINT)


WITHHELD = "This answer failed a safety check and was withdrawn; it can no longer be downloaded."
WITHHELD_HINT = (
    "The privacy team has been told and will answer your request again; "
    'the page "Your requests" (/requests) shows where it stands.'
)


def _seal(key: bytes, export: Export, field: str, download_id: str, value: str) -> bytes:
    ad = aead.associated_data(
        kind=f"download_{field}", owner=export.account_id, object_id=download_id
    )
    return aead.seal(key, value.encode(), ad=ad)


def _open(key: bytes, export: Export, field: str, download_id: str, sealed: bytes) -> str:
    ad = aead.associated_data(
        kind=f"download_{field}", owner=export.account_id, object_id=download_id
    )
    return aead.open_sealed(key, sealed, ad=ad, kind="download record").decode()


def _reported(session: Session, exports: Sequence[Export]) -> dict[str, str]:
    """The incidents the owner opened by saying "this is not my data", by export id, for
    those of exports they did it for: one query however many there are."""
    causes = {
        cause_of(IncidentKind.NOT_MY_DATA, e.id): e.id for e in exports if e.revoked_at is not None
    }
    return {causes[c]: i for c, i in incidents_by_cause(session, causes).items()}


def _view(
    export: Export, downloads: tuple[DownloadInfo, ...] = (), incident: str | None = None
) -> ExportView:
    return ExportView(
        id=export.id,
        request_id=export.request_id,
        kind=export.kind,
        state=export.state,
        size=export.size,
        files=export.files,
        recordings=export.recordings,
        withheld=export.withheld,
        manifest_sha256=export.manifest_sha256.hex(),
        created_at=export.created_at,
        released_at=export.released_at,
        expires_at=export.expires_at,
        max_downloads=export.max_downloads,
        downloads_left=_downloads_left(export),
        downloads=downloads,
        incident=incident,
    )


def list_exports(vault: Vault, *, person: Person) -> list[ExportView]:
    with vault.reading() as session:
        rows = session.scalars(
            select(Export)
            .where(Export.account_id == person.account_id)
            .order_by(Export.created_at.desc())
        ).all()
        reported = _reported(session, rows)
        return [_view(e, incident=reported.get(e.id)) for e in rows]


def get_export(vault: Vault, *, person: Person, export_id: str) -> ExportView:
    """One answer with its downloads (addresses and user agents decrypted for the owner)."""
    with vault.reading() as session:
        export = _own(session, person, export_id)
        return _view(
            export,
            download_log(vault, session, export),
            _reported(session, [export]).get(export.id),
        )


def download_log(vault: Vault, session: Session, export: Export) -> tuple[DownloadInfo, ...]:
    """Every download of an answer, addresses and user agents opened (for its owner, and for
    the DPO on an incident's page); raises KeyDestroyed once the owner's key is gone."""
    key = vault.keyring.data_key(session, export.account_id)
    return tuple(
        DownloadInfo(
            id=d.id,
            at=d.at,
            range_start=d.range_start,
            range_end=d.range_end,
            address=_open(key, export, "address", d.id, d.address_ct),
            user_agent=_open(key, export, "user_agent", d.id, d.user_agent_ct),
        )
        for d in _downloads_of(session, export.id)
    )


def _downloads_of(session: Session, export_id: str) -> list[ExportDownload]:
    return list(
        session.scalars(
            select(ExportDownload)
            .where(ExportDownload.export_id == export_id)
            .order_by(ExportDownload.at, ExportDownload.id)
        )
    )


def _held_until(
    vault: Vault, session: Session, export_ids: Sequence[str], now: datetime
) -> dict[str, datetime]:
    """Answers with a download in progress, and until when it holds them off expiry.

    A download is in progress from its start until it ends (``ended_at``), but
    holds its answer at most ``export_download_grace_s`` from its start: a
    stalled client, or a process that died mid-way, lets it expire then.
    """
    if not export_ids:
        return {}
    grace = timedelta(seconds=vault.settings.export_download_grace_s)
    rows = session.execute(
        select(ExportDownload.export_id, func.max(ExportDownload.at))
        .where(
            ExportDownload.export_id.in_(export_ids),
            ExportDownload.ended_at.is_(None),
            ExportDownload.at > now - grace,
        )
        .group_by(ExportDownload.export_id)
    )
    return {export_id: started + grace for export_id, started in rows}


def _time_is_up(export: Export, now: datetime) -> bool:
    return export.expires_at is not None and export.expires_at <= now


def _expire_if_due(vault: Vault, person: Person, export_id: str, now: datetime) -> None:
    """An answer past its time is expired (key destroyed) before anything else happens,
    unless a download of it is still in progress (then the request is refused, 410)."""
    blob = None
    with vault.transaction() as session:
        export = _own(session, person, export_id, lock=True)
        due = _time_is_up(export, now)
        if (
            export.state == ExportState.RELEASED.value
            and due
            and not _held_until(vault, session, [export.id], now)
        ):
            _expire(vault, session, export, now)
            blob, export.blob = export.blob, None
    if blob:
        vault.blobs.delete(blob)


def _check_downloadable(export: Export, now: datetime) -> None:
    if export.state == ExportState.BLOCKED.value:
        raise AnswerWithheld()
    if export.state == ExportState.REVOKED.value:
        raise Gone("This answer was withdrawn and can no longer be downloaded.")
    if export.state == ExportState.EXPIRED.value:
        raise Gone("This answer has expired.", hint=ANOTHER_COPY)
    if export.state != ExportState.RELEASED.value:
        raise Conflict("This answer is not ready for download.")
    if _time_is_up(export, now):
        raise Gone("This answer has expired.", hint=ANOTHER_COPY)


def open_download(
    vault: Vault,
    *,
    person: Person,
    export_id: str,
    range_header: str | None,
    if_range: str | None,
    address: str,
    user_agent: str,
) -> Download:
    """Check every condition of invariant 4, record the download, then stream the bytes.

    Another account's answer is a 404, as if it did not exist, and opens a
    FOREIGN_DOWNLOAD incident. An answer whose key does not open, or whose bytes
    fail their check while being sent, is blocked with a DELIVERY_FAILED incident
    (exports.failures) and refused from then on (410, AnswerWithheld).
    """
    require_recent_reauth(person, within_s=vault.settings.export_reauth_s)
    try:
        return _open_download(
            vault,
            person=person,
            export_id=export_id,
            range_header=range_header,
            if_range=if_range,
            address=address,
            user_agent=user_agent,
        )
    except _Foreign as foreign:
        _report_foreign(vault, person, foreign)
        raise NotFound(NO_SUCH_ANSWER) from None
    except _KeyFailed as failed:
        _fail_delivery(vault, failed.request_id, export_id, "export_key", str(failed))
        raise AnswerWithheld() from None


class _KeyFailed(IntegrityFailure):
    def __init__(self, request_id: str) -> None:
        super().__init__("The answer's sealed key did not open under its owner's data key.")
        self.request_id = request_id


def _fail_delivery(vault: Vault, request_id: str, export_id: str, check: str, message: str) -> None:
    failure = Failure(IncidentKind.DELIVERY_FAILED, check, message)
    fail_answer(vault, request_id=request_id, export_id=export_id, failure=failure)


def _open_download(
    vault: Vault,
    *,
    person: Person,
    export_id: str,
    range_header: str | None,
    if_range: str | None,
    address: str,
    user_agent: str,
) -> Download:
    now = utcnow()
    _expire_if_due(vault, person, export_id, now)
    with vault.transaction() as session:
        export = _own(session, person, export_id, lock=True)
        _check_downloadable(export, now)
        etag = f'"{export.manifest_sha256.hex()}"'
        wanted = parse_range(range_header, export.size)
        if wanted is not None and if_range is not None and if_range.strip() != etag:
            wanted = None  # the archive changed since: send it whole (RFC 9110 §13.1.5)
        span = wanted or ByteRange(0, export.size - 1)
        if _downloads_left(export) <= 0:
            limit = export.max_downloads
            raise DownloadsExhausted(
                f"This answer has been downloaded {limit} times, the limit. "
                + LIMIT_RULE.format(limit=limit),
                hint=ANOTHER_COPY,
            )
        export.bytes_served += span.length  # reserved now, settled by _settle
        key = vault.keyring.data_key(session, export.account_id)
        assert export.key_sealed is not None and export.blob is not None
        ad = aead.associated_data(kind="export_key", owner=export.account_id, object_id=export.id)
        try:
            archive_key = aead.open_sealed(key, export.key_sealed, ad=ad, kind="export key")
        except IntegrityFailure as exc:
            if not is_integrity_failure(exc):
                raise
            raise _KeyFailed(export.request_id) from None  # nothing of this try is kept
        download_id = secrets.token_hex(16)
        session.add(
            ExportDownload(
                id=download_id,
                export_id=export.id,
                session_id=person.id,
                at=now,
                range_start=span.start,
                range_end=span.end,
                address_ct=_seal(key, export, "address", download_id, address),
                user_agent_ct=_seal(key, export, "user_agent", download_id, user_agent[:512]),
            )
        )
        owner = vault.keyring.pseudonym(session, kind="account", object_id=export.account_id)
        record(
            session,
            AuditAction.EXPORT_DOWNLOADED,
            actor=owner,
            objects={
                "account": owner,
                "request": export.request_id,
                "export": export.id,
                "download": download_id,
            },
            counts={"bytes": span.length, "range_start": span.start},
        )
        request = session.get(DataRequest, export.request_id)
        if request is not None and request.state == RequestState.READY.value:
            advance(vault, session, request.id, RequestState.DELIVERED, actor=owner)
        blob, size = export.blob, export.size
        sending = _Sending(export.account_id, export_id, export.request_id, download_id)
    chunks = _stream(vault, archive_key, blob, sending, span)
    next(chunks)  # under way: however the response ends now, even unsent, it settles
    return Download(
        export_id=export_id,
        size=size,
        range=span,
        partial=wanted is not None,
        etag=etag,
        chunks=chunks,
    )


@dataclass(frozen=True)
class _Sending:
    account_id: str
    export_id: str
    request_id: str
    download_id: str


def _stream(
    vault: Vault, key: bytes, blob: str, sending: _Sending, span: ByteRange
) -> Generator[bytes]:
    export_id, download_id = sending.export_id, sending.download_id
    ad = aead.associated_data(kind="export", owner=sending.account_id, object_id=export_id)
    sent = 0
    chunks: Generator[bytes] | None = None
    try:
        yield b""  # the priming step (_open_download): nothing is read before it
        chunks = read_span(
            aead.SegmentedReader(
                key, vault.blobs.open(blob), size=vault.blobs.size(blob), ad=ad, kind="export"
            ),
            span,
        )
        for chunk in chunks:
            sent += len(chunk)  # handed to the server: counted even if the line drops now
            yield chunk
    except IntegrityFailure as exc:
        # Only authenticated segments were sent; the rest never leaves. Fail closed.
        if is_integrity_failure(exc):
            _fail_delivery(vault, sending.request_id, export_id, "archive_bytes", exc.message)
        raise
    finally:
        if chunks is not None:
            chunks.close()
        _settle(vault, export_id, download_id, span, sent)
        # An answer whose time ran out while this was being sent expires now.
        _expire_one(vault, export_id, utcnow(), _time_is_up)


def _settle(vault: Vault, export_id: str, download_id: str, span: ByteRange, sent: int) -> None:
    """A download has ended: count only the bytes it really sent; its record ends at the
    last of them."""
    with vault.transaction() as session:
        export = session.get(Export, export_id, with_for_update=True)
        download = session.get(ExportDownload, download_id)
        if export is None or download is None:
            return  # erased meanwhile: nothing left to count
        download.ended_at = utcnow()
        if sent < span.length:  # cut off (or the archive went meanwhile)
            export.bytes_served = max(0, export.bytes_served - (span.length - sent))
            download.range_end = span.start + sent - 1


def _past_expiry(export: Export, now: datetime) -> bool:
    return _time_is_up(export, now) or downloads_counted(export) >= export.max_downloads


def _expire(vault: Vault, session: Session, export: Export, now: datetime) -> None:
    """Destroy the archive key; the caller deletes the blob after the commit."""
    export.state = ExportState.EXPIRED.value
    export.key_sealed = None
    export.key_destroyed_at = now
    record(
        session,
        AuditAction.EXPORT_EXPIRED,
        actor=SYSTEM,
        objects={"request": export.request_id, "export": export.id},
        counts={"bytes_served": export.bytes_served},
    )
    request = session.get(DataRequest, export.request_id)
    if request is not None and request.state in (
        RequestState.READY.value,
        RequestState.DELIVERED.value,
    ):
        expired = says(Said.EXPIRED)
        advance(vault, session, request.id, RequestState.CLOSED, actor=SYSTEM, params=expired)


def expire_export(vault: Vault, export_id: str, *, now: datetime | None = None) -> bool:
    """Expire one released answer if it is past its time or its downloads.

    One with a download in progress is left until that download ends (which
    expires it) or its grace is over: this job runs again then.
    """
    return _expire_one(vault, export_id, now or utcnow(), _past_expiry, again=True)


def _expire_one(
    vault: Vault,
    export_id: str,
    now: datetime,
    due: Callable[[Export, datetime], bool],
    *,
    again: bool = False,
) -> bool:
    blob = None
    with vault.transaction() as session:
        export = session.get(Export, export_id, with_for_update=True)
        if export is None or export.state != ExportState.RELEASED.value:
            return False
        if not due(export, now):
            return False
        held = _held_until(vault, session, [export.id], now)
        if held:
            if again:
                from voxkeep.exports.tasks import EXPIRE
                from voxkeep.jobs.queue import enqueue

                payload = {"export_id": export.id}
                enqueue(session, EXPIRE, payload, ref=export.request_id, run_after=held[export.id])
            return False
        _expire(vault, session, export, now)
        blob, export.blob = export.blob, None
    if blob:
        vault.blobs.delete(blob)
    return True


def expire_exports(vault: Vault, *, now: datetime | None = None) -> int:
    """Expire released answers past their time or their downloads; destroy their keys.

    One with a download in progress is left for a later sweep (or the end of
    that download), within its grace.
    """
    now = now or utcnow()
    with vault.transaction() as session:
        released = list(
            session.scalars(
                select(Export).where(Export.state == ExportState.RELEASED.value).with_for_update()
            )
        )
        due = [export for export in released if _past_expiry(export, now)]
        held = _held_until(vault, session, [export.id for export in due], now)
        blobs = []
        for export in due:
            if export.id not in held:
                _expire(vault, session, export, now)
                if export.blob:
                    blobs.append(export.blob)
                    export.blob = None
    for blob in blobs:
        vault.blobs.delete(blob)
    return len(blobs)


def report_not_mine(vault: Vault, *, person: Person, export_id: str) -> str:
    """Revoke at once, block the request, open an incident naming every download. Idempotent."""
    now = utcnow()
    with vault.transaction() as session:
        export = _own(session, person, export_id, lock=True)
        cause = cause_of(IncidentKind.NOT_MY_DATA, export.id)
        if export.state == ExportState.REVOKED.value:
            earlier = incident_by_cause(session, cause)
            if earlier is not None:
                return earlier.id
        if export.state not in (ExportState.RELEASED.value, ExportState.EXPIRED.value):
            raise Conflict("This answer was never released, so there is nothing to withdraw.")
        owner = vault.keyring.pseudonym(session, kind="account", object_id=export.account_id)
        blob = _revoke(export, now)
        downloads = _downloads_of(session, export.id)
        incident = open_incident(
            vault,
            session,
            kind=IncidentKind.NOT_MY_DATA,
            cause=cause,
            request_id=export.request_id,
            details={
                "export": export.id,
                "account": owner,
                "session": person.id,
                "recordings": export.recordings,
                "bytes_served": export.bytes_served,
                "downloads": [
                    {
                        "id": d.id,
                        "at": d.at.isoformat(),
                        "session": d.session_id,
                        "range": [d.range_start, d.range_end],
                    }
                    for d in downloads
                ],
            },
            actor=owner,
        )
        record(
            session,
            AuditAction.EXPORT_REVOKED,
            actor=owner,
            objects={
                "account": owner,
                "request": export.request_id,
                "export": export.id,
                "incident": incident.id,
            },
            counts={"downloads": len(downloads)},
        )
        _block_request(vault, session, export.request_id, actor=owner, said=Said.NOT_MINE)
    if blob:
        vault.blobs.delete(blob)
    return incident.id


def _revoke(export: Export, now: datetime) -> str | None:
    """Withdraw an answer: revoked, key destroyed; returns its blob for deletion after commit."""
    export.state = ExportState.REVOKED.value
    export.revoked_at = now
    export.key_sealed = None
    export.key_destroyed_at = export.key_destroyed_at or now
    blob, export.blob = export.blob, None
    return blob


# A request whose answer was delivered (or is about to be) is blocked when it is withdrawn.
_DELIVERABLE = frozenset({RequestState.READY.value, RequestState.DELIVERED.value})
_UNDER_WAY = frozenset({RequestState.BUILDING.value, RequestState.CHECKING.value})


def _block_request(
    vault: Vault,
    session: Session,
    request_id: str,
    *,
    actor: str,
    said: Said,
    states: frozenset[str] = _DELIVERABLE,
) -> None:
    request = session.get(DataRequest, request_id)
    if request is not None and request.state in states:
        why = says(said)
        advance(vault, session, request.id, RequestState.BLOCKED, actor=actor, params=why)


def revoke_request_answers(
    vault: Vault, session: Session, *, request_id: str, incident_id: str, actor: str
) -> tuple[list[str], list[str]]:
    """Revoke every answer of a request that is not revoked yet, in the caller's transaction.

    Containment of an incident (incidents/containment.py): each answer is
    revoked with its key destroyed and an ``export:revoked`` event naming the
    incident, and the request is blocked. Returns (the answers revoked, the
    blobs the caller deletes after the commit).
    """
    now = utcnow()
    exports = session.scalars(
        select(Export)
        .where(Export.request_id == request_id, Export.state != ExportState.REVOKED.value)
        .order_by(Export.created_at, Export.id)
        .with_for_update()
    ).all()
    revoked: list[str] = []
    blobs: list[str] = []
    for export in exports:
        blob = _revoke(export, now)
        if blob:
            blobs.append(blob)
        revoked.append(export.id)
        owner = vault.keyring.pseudonym(session, kind="account", object_id=export.account_id)
        record(
            session,
            AuditAction.EXPORT_REVOKED,
            actor=actor,
            objects={
                "account": owner,
                "request": export.request_id,
                "export": export.id,
                "incident": incident_id,
            },
            counts={"bytes_served": export.bytes_served},
        )
    if revoked:
        # An answer still being built or checked is stopped too: nothing of it may go out.
        states = _DELIVERABLE | _UNDER_WAY
        _block_request(vault, session, request_id, actor=actor, said=Said.CONTAINED, states=states)
    return revoked, blobs
