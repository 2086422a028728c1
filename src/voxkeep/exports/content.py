"""What an answer is made of: a consistent snapshot of the requester's data.

The snapshot is read in one read transaction from the request's account id
and nothing else (invariant 2): rows of metadata and sealed transcripts, the
devices, household members and the account's own fields. Audio stays in the
blob store and is streamed later, one recording at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account, Device, HouseholdMember
from voxkeep.accounts.service import open_field, open_name
from voxkeep.crypto import aead
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault


@dataclass(frozen=True, slots=True)
class Row:
    """One recording in the answer; path is None when Art. 15(4) withholds it."""

    id: str
    device: str
    member: str | None
    captured_at: datetime
    duration_ms: int
    language: str
    blob: str
    audio_bytes: int
    audio_sha256: bytes | None  # sealed; None for rows stored before migration 0002
    transcript_ct: bytes | None
    path: str | None


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    id: str
    kind: str
    name: str
    registered_at: datetime
    removed_at: datetime | None


@dataclass
class Snapshot:
    account_id: str
    owner: str  # the account's pseudonym, as in the audit log and the manifest
    language: str
    key: bytes  # the account's data key, for transcripts and audio
    account: dict[str, Any]
    devices: dict[str, DeviceInfo]
    members: dict[str, str]
    rows: list[Row]  # grouped by device (by name), then by time
    requests: list[dict[str, Any]]
    generated_at: datetime

    def transcript(self, row: Row) -> str | None:
        if row.transcript_ct is None or row.path is None:
            return None
        ad = aead.associated_data(kind="transcript", owner=self.account_id, object_id=row.id)
        return aead.open_sealed(self.key, row.transcript_ct, ad=ad, kind="transcript").decode()

    def by_time(self) -> list[Row]:
        return sorted(self.rows, key=lambda r: (r.captured_at, r.id))

    def with_transcripts(self, rows: list[Row]) -> Iterator[tuple[Row, str | None]]:
        for row in rows:
            yield row, self.transcript(row)

    @property
    def withheld(self) -> int:
        return sum(1 for r in self.rows if r.path is None)

    @property
    def attributed(self) -> int:
        return sum(1 for r in self.rows if r.member is not None)


def _safe(part: str) -> str:
    # Device ids may hold ':' (not allowed in Windows file names).
    return part.replace(":", "-")


def archive_path(captured_at: datetime, device: str, taken: set[str]) -> str:
    """recordings/YYYY/MM/<captured-at>_<device>.wav, made unique with a counter."""
    stamp = captured_at.strftime("%Y-%m-%dT%H-%M-%SZ")
    base = f"recordings/{captured_at:%Y}/{captured_at:%m}/{stamp}_{_safe(device)}"
    path, n = f"{base}.wav", 1
    while path in taken:
        n += 1
        path = f"{base}_{n}.wav"
    taken.add(path)
    return path


def read_snapshot(
    vault: Vault, session: Session, account_id: str, *, generated_at: datetime
) -> Snapshot:
    account = session.get(Account, account_id)
    if account is None:
        raise LookupError(account_id)
    key = vault.keyring.data_key(session, account_id)
    devices = {
        d.id: DeviceInfo(
            id=d.id,
            kind=d.kind,
            name=open_name(key, account_id, "device_name", d.id, d.name_ct),
            registered_at=d.registered_at,
            removed_at=d.removed_at,
        )
        for d in session.scalars(select(Device).where(Device.account_id == account_id))
    }
    members = {
        m.id: open_name(key, account_id, "member_name", m.id, m.name_ct)
        for m in session.scalars(
            select(HouseholdMember).where(HouseholdMember.account_id == account_id)
        )
    }
    withhold = vault.settings.export_household_voices == "withhold"
    taken: set[str] = set()
    rows: list[Row] = []
    query = (
        select(
            Recording.id,
            Recording.device_id,
            Recording.member_id,
            Recording.captured_at,
            Recording.duration_ms,
            Recording.language,
            Recording.audio_blob,
            Recording.audio_bytes,
            Recording.audio_sha256,
            Recording.transcript_ct,
        )
        .where(Recording.account_id == account_id)
        .order_by(Recording.captured_at, Recording.id)
        .execution_options(yield_per=1000)  # stream: never two copies of 34,000 rows
    )
    for r in session.execute(query):
        held = withhold and r.member_id is not None
        rows.append(
            Row(
                id=r.id,
                device=r.device_id,
                member=r.member_id,
                captured_at=r.captured_at,
                duration_ms=r.duration_ms,
                language=r.language,
                blob=r.audio_blob,
                audio_bytes=r.audio_bytes,
                audio_sha256=r.audio_sha256,
                transcript_ct=r.transcript_ct,
                path=None if held else archive_path(r.captured_at, r.device_id, taken),
            )
        )
    order = {d: (info.name.casefold(), d) for d, info in devices.items()}
    rows.sort(key=lambda r: (order.get(r.device, ("", r.device)), r.captured_at, r.id))
    return Snapshot(
        account_id=account_id,
        owner=vault.keyring.pseudonym(session, kind="account", object_id=account_id),
        language=account.language,
        key=key,
        account=_account_fields(account, key, devices, members),
        devices=devices,
        members=members,
        rows=rows,
        requests=[],
        generated_at=generated_at,
    )


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat().replace("+00:00", "Z")


def _account_fields(
    account: Account, key: bytes, devices: dict[str, DeviceInfo], members: dict[str, str]
) -> dict[str, Any]:
    email = (
        None if account.email_ct is None else open_field(key, account.id, "email", account.email_ct)
    )
    return {
        "account_id": open_field(key, account.id, "external_id", account.external_id_ct),
        "email": email,
        "email_verified_at": _iso(account.email_verified_at),
        "created_at": _iso(account.created_at),
        "settings": {"language": account.language, "retention": account.retention},
        "devices": [
            {
                "id": d.id,
                "kind": d.kind,
                "name": d.name,
                "registered_at": _iso(d.registered_at),
                "removed_at": _iso(d.removed_at),
            }
            for d in sorted(devices.values(), key=lambda d: d.id)
        ],
        "household_members": [{"id": k, "name": v} for k, v in sorted(members.items())],
    }


def iso(when: datetime | None) -> str | None:
    return _iso(when)
