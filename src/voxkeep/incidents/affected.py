"""Who an incident affects, derived from the answer it concerns, never typed (Art. 33(3)(a)).

The answer's signed manifest lists every recording it held; each recording's
device says whose it is (a recording that a bug or the operator's backend put
under the wrong account still comes from its own device), so people are
grouped by the device's account: how many recordings, which period, which
devices (their audit-log pseudonyms). While the answer's key lives the manifest is read; once
the key is destroyed (a blocked answer, a revoked one) the answer is what its
builder drew from: the answer's account's recordings stored before it was
built (invariant 2). An answer that was downloaded marks its people
``downloads``: their data left the vault.

The DPO can add a person by their account id, with a sealed reason. When a
person's account is purged their rows keep the pseudonym and the counts and
lose the account id (ON DELETE SET NULL), so the register outlives them
without naming them.
"""

from __future__ import annotations

import secrets
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Device
from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.pseudonyms import account_pseudonym, names_for_many
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, IntegrityFailure, KeyDestroyed
from voxkeep.exports.models import Export, ExportDownload
from voxkeep.incidents.models import AffectedSource, Incident, IncidentAffected
from voxkeep.incidents.states import Step, record_step, seal_note
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault

_BATCH = 500


@dataclass
class _Group:
    account_id: str
    recordings: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    devices: set[str] = field(default_factory=set)

    def add(self, captured_at: datetime, device_id: str) -> None:
        self.recordings += 1
        self.first_at = min(self.first_at or captured_at, captured_at)
        self.last_at = max(self.last_at or captured_at, captured_at)
        self.devices.add(device_id)


def answer_recording_ids(vault: Vault, session: Session, export: Export) -> list[str] | None:
    """The recordings the answer's signed manifest lists, or None once it cannot be read."""
    if export.key_sealed is None or export.blob is None:
        return None
    from voxkeep.exports import signing
    from voxkeep.exports.verify import ArchiveInvalid, signed_manifest

    try:
        data_key = vault.keyring.data_key(session, export.account_id)
        key_ad = aead.associated_data(
            kind="export_key", owner=export.account_id, object_id=export.id
        )
        archive_key = aead.open_sealed(data_key, export.key_sealed, ad=key_ad, kind="export key")
        size = vault.blobs.size(export.blob)
        ad = aead.associated_data(kind="export", owner=export.account_id, object_id=export.id)
        source = vault.blobs.open(export.blob)
        reader: IO[bytes] = aead.SegmentedReader(  # type: ignore[assignment]
            archive_key, source, size=size, ad=ad, kind="export"
        )
        with source, zipfile.ZipFile(reader) as archive:
            manifest = signed_manifest(archive, signing.public_key(vault, session))
    except (KeyDestroyed, IntegrityFailure, ArchiveInvalid, OSError, zipfile.BadZipFile):
        return None
    return manifest.recording_ids()


def _builder_selection(session: Session, export: Export) -> list[str]:
    """What the builder drew the answer from: the account's recordings stored before it."""
    return list(
        session.scalars(
            select(Recording.id).where(
                Recording.account_id == export.account_id,
                Recording.created_at < export.created_at,
            )
        )
    )


def _groups(session: Session, recording_ids: list[str]) -> dict[str, _Group]:
    """Recordings grouped by their device's account (the recording's own if the device is gone)."""
    groups: dict[str, _Group] = {}
    for start in range(0, len(recording_ids), _BATCH):
        batch = recording_ids[start : start + _BATCH]
        rows = session.execute(
            select(
                Recording.account_id,
                Recording.device_id,
                Recording.captured_at,
                Device.account_id.label("device_account"),
            )
            .outerjoin(Device, Device.id == Recording.device_id)
            .where(Recording.id.in_(batch))
        )
        for row in rows:
            owner = row.device_account or row.account_id
            groups.setdefault(owner, _Group(owner)).add(row.captured_at, row.device_id)
    return groups


def _downloaded(session: Session, export: Export) -> bool:
    count = session.scalar(
        select(func.count())
        .select_from(ExportDownload)
        .where(ExportDownload.export_id == export.id)
    )
    return bool(count) or export.bytes_served > 0


def derive_in(vault: Vault, session: Session, incident: Incident, *, actor: str) -> int | None:
    """Derive the incident's affected people in the caller's transaction. Idempotent.

    Returns how many people its answer concerns, or None when the incident names
    no answer that still exists. A person already listed keeps their row (and an
    added one their reason); the counts are the derivation's.
    """
    export_id = incident.details.get("export")
    export = session.get(Export, export_id) if isinstance(export_id, str) else None
    if export is None:
        return None
    recording_ids = answer_recording_ids(vault, session, export)
    if recording_ids is None:
        recording_ids = _builder_selection(session, export)
    groups = _groups(session, recording_ids)
    source = AffectedSource.DOWNLOADS if _downloaded(session, export) else AffectedSource.MANIFEST
    list_in(vault, session, incident, groups.values(), source=source, actor=actor)
    total = sum(g.recordings for g in groups.values())
    record(
        session,
        AuditAction.INCIDENT_AFFECTED_DERIVED,
        actor=actor,
        objects={"incident": incident.id, "export": export.id},
        counts={"people": len(groups), "recordings": total},
    )
    return len(groups)


@dataclass(frozen=True)
class Found:
    """One person the evidence of a failure names: their recordings it concerns."""

    account_id: str
    recordings: int
    first_at: datetime | None
    last_at: datetime | None
    devices: frozenset[str]  # device ids


def list_in(
    vault: Vault,
    session: Session,
    incident: Incident,
    found: Iterable[_Group | Found],
    *,
    source: AffectedSource,
    actor: str,
) -> None:
    """Write the people a derivation or a failure's evidence found into the register, in
    the caller's transaction: a person already listed keeps their row (an added one its
    reason and source); the counts are the latest."""
    listed = {
        row.account: row
        for row in session.scalars(
            select(IncidentAffected).where(IncidentAffected.incident_id == incident.id)
        )
    }
    people = list(found)
    # Devices by the audit log's names (dev:…), under their account's object key: the DPO
    # finds their events by them, and an erasure makes them unlinkable (invariant 6).
    names = names_for_many(vault, session, [p.account_id for p in people])
    for group in people:
        name = account_pseudonym(vault, session, group.account_id)
        known = names.get(group.account_id)
        devices = sorted(known.device(d) for d in group.devices) if known else []
        row = listed.get(name)
        if row is None:
            row = IncidentAffected(
                id=secrets.token_hex(16),
                incident_id=incident.id,
                account=name,
                source=source.value,
                added_at=utcnow(),
                added_by=actor,
            )
            session.add(row)
            listed[name] = row
        elif row.source != AffectedSource.ADDED.value:
            row.source = source.value
        row.account_id = group.account_id
        row.recordings, row.first_at, row.last_at = group.recordings, group.first_at, group.last_at
        row.devices = devices


def add_in(
    vault: Vault,
    session: Session,
    incident: Incident,
    *,
    account_id: str,
    reason: str,
    actor: str,
) -> IncidentAffected:
    """List one more person, with the DPO's reason (sealed); Conflict if already listed."""
    name = account_pseudonym(vault, session, account_id)
    taken = session.scalar(
        select(IncidentAffected.id).where(
            IncidentAffected.incident_id == incident.id, IncidentAffected.account == name
        )
    )
    if taken is not None:
        raise Conflict(
            "This person is already listed on the incident.",
            hint="Their row is in the affected people's table.",
        )
    row_id = secrets.token_hex(16)
    row = IncidentAffected(
        id=row_id,
        incident_id=incident.id,
        account_id=account_id,
        account=name,
        source=AffectedSource.ADDED.value,
        recordings=0,
        devices=[],
        reason_ct=seal_note(vault, session, incident.id, affected_field(row_id), reason),
        added_at=utcnow(),
        added_by=actor,
    )
    session.add(row)
    record_step(vault, session, incident, actor=actor, step=Step.AFFECTED_ADDED, note=reason)
    record(
        session,
        AuditAction.INCIDENT_AFFECTED_ADDED,
        actor=actor,
        objects={"incident": incident.id, "account": name},
    )
    return row


def affected_field(row_id: str) -> str:
    return f"affected_{row_id}"


def affected_rows(session: Session, incident_ids: Iterable[str]) -> list[IncidentAffected]:
    return list(
        session.scalars(
            select(IncidentAffected)
            .where(IncidentAffected.incident_id.in_(list(incident_ids)))
            .order_by(IncidentAffected.recordings.desc(), IncidentAffected.account)
        )
    )
