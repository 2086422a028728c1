"""Fail closed, always with a record: one way to stop an answer that failed a check.

Every integrity failure on an answer's path — the build (a recording that does
not decrypt or whose hash does not match), unsealing the answer's key, the
release gate, delivery — ends here: in one transaction the answer is blocked
(its key destroyed, its ciphertext deleted after the commit), the request is
blocked with a note saying why, and an incident opens with its evidence. A
repeat of the same cause joins that incident (``incidents.service``).

A job that spent its last attempt for a reason that is not an integrity
failure (a full disk, a lost database) blocks its request the same way, with
no incident: nothing suggests that data went anywhere.

The evidence is derived from the vault, never typed: whose answer it is, how
many recordings and which period and devices the vault attributes to that
account, and every other account whose data the answer's rows, blobs or key
point at (a device of another account, another answer's key, another
recording's stored audio). Details hold ids, pseudonyms, counts, check names
and ISO times only (Art. 33(3)(a)).

Whose audio a failed recording's row really points at is found without opening
anything: a recording's ciphertext opens only under its own owner's key bound
to its own id (invariant 1), so trying other people's keys on it is exactly
what must never happen. What the vault's own data shows instead: another
recording whose sealed SHA-256 is byte-for-byte the failed row's, when the row's
does not open as its own (a sealed value is never made twice, its nonce is
random; opening the row's own value with its owner's key is allowed), or
another recording whose stored ciphertext is byte-for-byte what the failed
row's blob holds (same length, same random stream prefix, same bytes). Where
neither shows it (two rows' blob references exchanged leave no trace), the
evidence says that the audio's owner could not be determined.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Device
from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.audit.pseudonyms import account_pseudonym, names_for
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.errors import IntegrityFailure, KeyDestroyed, NotFound, StorageFailed
from voxkeep.exports.models import Export, ExportState
from voxkeep.incidents import affected as affected_people
from voxkeep.incidents.models import AffectedSource, IncidentKind
from voxkeep.incidents.service import cause_of, open_incident
from voxkeep.recordings.models import Recording
from voxkeep.recordings.service import audio_sha256_ad
from voxkeep.requests.models import DataRequest, RequestKind, RequestState, Said
from voxkeep.requests.states import allowed, lock_request, says, transition
from voxkeep.vault import Vault

S = RequestState
# A failure can stop a request anywhere from its build to its delivery.
STOPPABLE = frozenset({S.BUILDING, S.CHECKING, S.READY, S.DELIVERED})
MESSAGE_LIMIT = 300
# Checks that mean an answer's stored bytes are not its own: whose they are is probed.
BYTES_CHECKS = frozenset({"archive_ciphertext", "archive_bytes"})
# A check meaning a recording's stored audio did not open as its row's: whose it is, is probed.
AUDIO_CHECKS = frozenset({"recording_decrypt"})
# Recordings of the same audio length whose stored bytes are compared with a failed one's.
SAME_LENGTH_LIMIT: Final = 1000
UNDETERMINED: Final = "the audio's owner could not be determined"


@dataclass(frozen=True)
class Failure:
    """What failed: the incident kind (None: not an integrity failure) and the check."""

    kind: IncidentKind | None
    check: str
    message: str
    recording_ids: tuple[str, ...] = ()


def fail_answer(
    vault: Vault,
    *,
    request_id: str,
    export_id: str | None,
    failure: Failure,
    actor: str = SYSTEM,
) -> str | None:
    """Block the answer and its request, open (or join) the incident; one transaction.

    Returns the incident's id (None when ``failure.kind`` is None).
    """
    now = utcnow()
    incident_id = None
    blob = None
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        export = session.get(Export, export_id, with_for_update=True) if export_id else None
        if failure.kind is not None:
            evidence = answer_evidence(
                vault,
                session,
                account_id=request.account_id,
                export=export,
                recording_ids=failure.recording_ids,
                probe_bytes=failure.check in BYTES_CHECKS,
                probe_audio=failure.check in AUDIO_CHECKS,
            )
            details = {
                "check": failure.check,
                "message": failure.message[:MESSAGE_LIMIT],
                **({"export": export_id} if export_id else {}),
                **evidence.details,
            }
            incident = open_incident(
                vault,
                session,
                kind=failure.kind,
                cause=cause_key(failure.kind, request_id, export_id, failure.check),
                request_id=request_id,
                details=details,
                actor=actor,
            )
            incident_id = incident.id
            if export is None:  # no answer to derive them from: the evidence names them
                affected_people.list_in(
                    vault,
                    session,
                    incident,
                    evidence.people,
                    source=AffectedSource.MANIFEST,
                    actor=actor,
                )
        if export is not None and export.state in (ExportState.BUILT, ExportState.RELEASED):
            blob = _block_export(vault, session, export, request, failure, incident_id, now)
        state = S(request.state)
        if state in STOPPABLE and allowed(RequestKind(request.kind), state, S.BLOCKED):
            # The check's own (technical) message stays in the sealed note; what failed is
            # said in codes, which the pages word in their language.
            label = failure.kind.value if failure.kind else "failed"
            why = says(Said.CHECK_FAILED, failure=label, check=failure.check)
            note = failure.message[:MESSAGE_LIMIT]
            transition(
                vault, session, request, S.BLOCKED, actor=actor, note=note, params=why, now=now
            )
    if blob:
        vault.blobs.delete(blob)  # after the commit: no row names it any more
    return incident_id


def cause_key(kind: IncidentKind, request_id: str, export_id: str | None, check: str) -> str:
    """One cause per request and check while an answer is made (a rebuild failing the same
    check joins it); one per answer once it is delivered."""
    if kind is IncidentKind.DELIVERY_FAILED and export_id is not None:
        return cause_of(kind, export_id)
    return cause_of(kind, request_id, check)


def _block_export(
    vault: Vault,
    session: Session,
    export: Export,
    request: DataRequest,
    failure: Failure,
    incident_id: str | None,
    now: datetime,
) -> str | None:
    export.state = ExportState.BLOCKED.value
    export.gate_failure = failure.check[:64]
    export.checked_at = export.checked_at or now
    export.key_sealed = None
    export.key_destroyed_at = now
    objects = {
        "account": account_pseudonym(vault, session, request.account_id),
        "request": request.id,
        "export": export.id,
        "check": failure.check,
    }
    if incident_id is not None:
        objects["incident"] = incident_id
    record(session, AuditAction.EXPORT_BLOCKED, actor=SYSTEM, objects=objects)
    blob, export.blob = export.blob, None
    return blob


# --- evidence ---------------------------------------------------------------------------


@dataclass
class _Tally:
    recordings: set[str]
    devices: set[str]
    first: datetime | None = None
    last: datetime | None = None

    def add(self, recording_id: str, device_id: str, at: datetime) -> None:
        self.recordings.add(recording_id)
        self.devices.add(device_id)
        self.first = at if self.first is None or at < self.first else self.first
        self.last = at if self.last is None or at > self.last else self.last


def _tally() -> _Tally:
    return _Tally(set(), set())


@dataclass(frozen=True)
class Evidence:
    details: dict[str, Any]  # pseudonyms, counts and times, for the incident's details
    people: list[affected_people.Found]  # everyone it names, for the register


def answer_evidence(
    vault: Vault,
    session: Session,
    *,
    account_id: str,
    export: Export | None = None,
    recording_ids: Collection[str] = (),
    probe_bytes: bool = False,
    probe_audio: bool = False,
) -> Evidence:
    """Whose answer, how many recordings over which period from which devices, and every
    other account whose data the answer's rows, key or bytes point at (``affected``).

    ``probe_bytes``: the answer's stored bytes did not decrypt as its own; find the live
    answer whose key opens them (exports.failures._bytes_owner). ``probe_audio``: the
    recordings did not open as their rows'; find whose audio their stored bytes are
    (``audio_owner``), listed under ``audio``."""
    rows = _rows(session, account_id, recording_ids)
    owners: dict[str, str] = {
        device_id: owner
        for device_id, owner in session.execute(
            select(Device.id, Device.account_id).where(Device.id.in_({r[2] for r in rows}))
        )
    }
    tallies: dict[str, _Tally] = defaultdict(_tally)
    for rid, row_account, device_id, at in rows:
        # A recording is the data of its device's account when a device is known.
        owner = owners.get(device_id, row_account)
        tallies[owner].add(rid, device_id, at)
    audio = []
    for rid in recording_ids if probe_audio else ():
        if owners.get(_device_of(rows, rid), account_id) != account_id:
            continue  # its device already says whose it is
        found = audio_owner(vault, session, rid)
        if found is not None and found.account_id != account_id:
            tallies[found.account_id].add(found.id, found.device_id, found.captured_at)
        audio.append(_audio_evidence(vault, session, account_id, rid, found))
    # An account the answer's own row points at: its data is what the vault holds of it.
    behind = _accounts_behind(session, account_id, export)
    if probe_bytes and export is not None:
        behind |= _bytes_owner(vault, session, export) - {account_id}
    for other in behind - set(tallies):
        for rid, _, device_id, at in _rows(session, other, ()):
            tallies[other].add(rid, device_id, at)
        tallies.setdefault(other, _tally())
    people = [
        affected_people.Found(a, len(t.recordings), t.first, t.last, frozenset(t.devices))
        for a, t in tallies.items()
    ]
    own = _summary(vault, session, account_id, tallies.pop(account_id, _tally()))
    own["affected"] = [_summary(vault, session, a, t) for a, t in sorted(tallies.items())]
    if audio:
        own["audio"] = audio
    return Evidence(own, people)


def _device_of(rows: list[tuple[str, str, str, datetime]], recording_id: str) -> str:
    return next((device for rid, _, device, _ in rows if rid == recording_id), "")


# --- whose audio a recording's row points at -------------------------------------------


@dataclass(frozen=True)
class OtherRecording:
    """The recording whose audio a failed row's stored bytes really are, and how it was found."""

    id: str
    account_id: str  # its device's account (the row's own if the device is gone)
    device_id: str
    captured_at: datetime
    found_by: str  # "sealed_sha256" or "stored_bytes"


def audio_owner(vault: Vault, session: Session, recording_id: str) -> OtherRecording | None:
    """The other recording whose audio this row's stored audio is, where the vault's own
    data shows it without decrypting anything; None when it does not."""
    row = session.get(Recording, recording_id)
    if row is None:
        return None
    if row.audio_sha256 is not None and not _opens_as_its_own(vault, session, row):
        same = session.scalar(
            select(Recording)
            .where(Recording.audio_sha256 == row.audio_sha256, Recording.id != row.id)
            .limit(1)
        )
        if same is not None:
            return _other(session, same, "sealed_sha256")
    try:
        return _same_stored_bytes(vault, session, row)
    except (NotFound, StorageFailed, OSError):
        return None  # the row's blob cannot be read: nothing to compare


def _opens_as_its_own(vault: Vault, session: Session, row: Recording) -> bool:
    """The row's sealed hash opens under its owner's key bound to it: then it is the row's
    own, and another row holding the same bytes is the copy, not the original."""
    assert row.audio_sha256 is not None
    try:
        key = vault.keyring.data_key(session, row.account_id)
        aead.open_sealed(
            key, row.audio_sha256, ad=audio_sha256_ad(row.account_id, row.id), kind="audio hash"
        )
    except (IntegrityFailure, KeyDestroyed):
        return False
    return True


def _same_stored_bytes(vault: Vault, session: Session, row: Recording) -> OtherRecording | None:
    size = vault.blobs.size(row.audio_blob)
    head = _head(vault, row.audio_blob)
    candidates = session.scalars(
        select(Recording)
        .where(
            Recording.audio_bytes == aead.plaintext_size(size),
            Recording.id != row.id,
            Recording.audio_blob != row.audio_blob,
        )
        .order_by(Recording.id)
        .limit(SAME_LENGTH_LIMIT)
    )
    for other in candidates:
        try:
            same = vault.blobs.size(other.audio_blob) == size
            same = same and hmac.compare_digest(_head(vault, other.audio_blob), head)
            # The stream prefix is random per encryption; the whole ciphertext confirms it.
            same = same and _digest(vault, other.audio_blob) == _digest(vault, row.audio_blob)
        except (NotFound, StorageFailed, OSError):
            continue
        if same:
            return _other(session, other, "stored_bytes")
    return None


def _head(vault: Vault, blob: str) -> bytes:
    with vault.blobs.open(blob) as source:
        return source.read(aead.HEADER_BYTES)


def _digest(vault: Vault, blob: str) -> bytes:
    digest = hashlib.sha256()
    with vault.blobs.open(blob) as source:
        while chunk := source.read(1 << 16):
            digest.update(chunk)
    return digest.digest()


def _other(session: Session, row: Recording, found_by: str) -> OtherRecording:
    device_owner = session.scalar(select(Device.account_id).where(Device.id == row.device_id))
    return OtherRecording(
        id=row.id,
        account_id=device_owner or row.account_id,
        device_id=row.device_id,
        captured_at=row.captured_at,
        found_by=found_by,
    )


def _audio_evidence(
    vault: Vault, session: Session, account_id: str, recording_id: str, found: OtherRecording | None
) -> dict[str, Any]:
    """What the evidence says of one failed recording's audio: whose it is, or that this
    could not be determined. Pseudonyms only, as the audit log names them."""
    evidence: dict[str, Any] = {
        "recording": _recording_name(vault, session, account_id, recording_id)
    }
    if found is None:
        return evidence | {"owner": None, "found_by": None, "evidence": UNDETERMINED}
    owner = account_pseudonym(vault, session, found.account_id)
    other = _recording_name(vault, session, found.account_id, found.id)
    return evidence | {
        "owner": owner,
        "found_by": found.found_by,
        "evidence": f"the stored audio is that of recording {other} of {owner}",
    }


def _recording_name(vault: Vault, session: Session, account_id: str, recording_id: str) -> str:
    try:
        return names_for(vault, session, account_id).recording(recording_id)
    except KeyDestroyed:  # erased: its recordings have no names any more
        return "rec:erased"


def _rows(
    session: Session, account_id: str, recording_ids: Iterable[str]
) -> list[tuple[str, str, str, datetime]]:
    columns = (Recording.id, Recording.account_id, Recording.device_id, Recording.captured_at)
    rows = list(session.execute(select(*columns).where(Recording.account_id == account_id)))
    ids = set(recording_ids)
    if ids:  # failed recordings the vault attributes to another account
        rows += session.execute(
            select(*columns).where(Recording.id.in_(ids), Recording.account_id != account_id)
        )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def _accounts_behind(session: Session, account_id: str, export: Export | None) -> set[str]:
    """Accounts an answer's own row points at: its owner, and any answer sharing its key."""
    if export is None:
        return set()
    found = {export.account_id} - {account_id}
    if export.key_sealed is not None:
        found |= set(
            session.scalars(
                select(Export.account_id).where(
                    Export.key_sealed == export.key_sealed, Export.id != export.id
                )
            )
        )
    return found - {account_id}


def _bytes_owner(vault: Vault, session: Session, export: Export) -> set[str]:
    """The account of the live answer whose key opens this answer's stored bytes, if any.

    Each answer's bytes are bound to its owner and id (AEAD), so only the right
    key and binding open them; live answers are few (they expire), so each is tried.
    """
    if export.blob is None:
        return set()
    candidates = session.scalars(
        select(Export).where(
            Export.id != export.id,
            Export.key_sealed.is_not(None),
            Export.state.in_([ExportState.BUILT.value, ExportState.RELEASED.value]),
        )
    )
    size = vault.blobs.size(export.blob)
    for other in candidates:
        assert other.key_sealed is not None
        try:
            data_key = vault.keyring.data_key(session, other.account_id)
            ad = aead.associated_data(kind="export_key", owner=other.account_id, object_id=other.id)
            key = aead.open_sealed(data_key, other.key_sealed, ad=ad, kind="export key")
            ad = aead.associated_data(kind="export", owner=other.account_id, object_id=other.id)
            with vault.blobs.open(export.blob) as source:
                aead.SegmentedReader(key, source, size=size, ad=ad, kind="export").read(1)
        except IntegrityFailure:
            continue
        return {other.account_id}
    return set()


def _summary(vault: Vault, session: Session, account_id: str, tally: _Tally) -> dict[str, Any]:
    try:
        names = names_for(vault, session, account_id)
        devices = sorted(names.device(d) for d in tally.devices)
    except KeyDestroyed:  # erased: its devices have no names any more
        devices = []
    return {
        "account": account_pseudonym(vault, session, account_id),
        "recordings": len(tally.recordings),
        "first": tally.first.isoformat() if tally.first else None,
        "last": tally.last.isoformat() if tally.last else None,
        "devices": devices,
    }
