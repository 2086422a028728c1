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
point at (a device of another account, another answer's key). Details hold
ids, pseudonyms, counts, check names and ISO times only (Art. 33(3)(a)).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Device
from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.audit.pseudonyms import account_pseudonym, names_for
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.errors import IntegrityFailure, KeyDestroyed
from voxkeep.exports.models import Export, ExportState
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import cause_of, open_incident
from voxkeep.recordings.models import Recording
from voxkeep.requests.models import DataRequest, RequestKind, RequestState
from voxkeep.requests.states import allowed, lock_request, transition
from voxkeep.vault import Vault

S = RequestState
# A failure can stop a request anywhere from its build to its delivery.
STOPPABLE = frozenset({S.BUILDING, S.CHECKING, S.READY, S.DELIVERED})
MESSAGE_LIMIT = 300
# Checks that mean an answer's stored bytes are not its own: whose they are is probed.
BYTES_CHECKS = frozenset({"archive_ciphertext", "archive_bytes"})


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
            details = {
                "check": failure.check,
                "message": failure.message[:MESSAGE_LIMIT],
                **({"export": export_id} if export_id else {}),
                **answer_evidence(
                    vault,
                    session,
                    account_id=request.account_id,
                    export=export,
                    recording_ids=failure.recording_ids,
                    probe_bytes=failure.check in BYTES_CHECKS,
                ),
            }
            incident_id = open_incident(
                vault,
                session,
                kind=failure.kind,
                cause=cause_key(failure.kind, request_id, export_id, failure.check),
                request_id=request_id,
                details=details,
                actor=actor,
            ).id
        if export is not None and export.state in (ExportState.BUILT, ExportState.RELEASED):
            blob = _block_export(vault, session, export, request, failure, incident_id, now)
        state = S(request.state)
        if state in STOPPABLE and allowed(RequestKind(request.kind), state, S.BLOCKED):
            label = failure.kind.value if failure.kind else "failed"
            note = f"{label}: {failure.check} ({failure.message[:MESSAGE_LIMIT]})"
            transition(vault, session, request, S.BLOCKED, actor=actor, note=note, now=now)
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


def answer_evidence(
    vault: Vault,
    session: Session,
    *,
    account_id: str,
    export: Export | None = None,
    recording_ids: Collection[str] = (),
    probe_bytes: bool = False,
) -> dict[str, Any]:
    """Whose answer, how many recordings over which period from which devices, and every
    other account whose data the answer's rows, key or bytes point at (``affected``).

    ``probe_bytes``: the answer's stored bytes did not decrypt as its own; find the live
    answer whose key opens them (exports.failures._bytes_owner)."""
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
    # An account the answer's own row points at: its data is what the vault holds of it.
    behind = _accounts_behind(session, account_id, export)
    if probe_bytes and export is not None:
        behind |= _bytes_owner(vault, session, export) - {account_id}
    for other in behind - set(tallies):
        for rid, _, device_id, at in _rows(session, other, ()):
            tallies[other].add(rid, device_id, at)
        tallies.setdefault(other, _tally())
    own = _summary(vault, session, account_id, tallies.pop(account_id, _tally()))
    own["affected"] = [_summary(vault, session, a, t) for a, t in sorted(tallies.items())]
    return own


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
