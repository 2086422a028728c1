"""What a person's data leaves on disk, and scanning the data directory for it.

Plaintext markers (transcripts, names, e-mail, audio samples) never reach the
disk at all (invariant 5), so invariant 6 also looks for the *ciphertext*
bytes each recording and identity value was stored as, captured before the
deletion: after an erasure or deletion those bytes must be gone from every
file (SQLite database and WAL, blobs), on PostgreSQL from every table, and on
an S3 vault from every object and every object version under its prefix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql
from sqlalchemy import select

from helpers import bucket_objects
from voxkeep.accounts.models import Account, DataKey, Device, HouseholdMember
from voxkeep.config import Settings
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault

# Long enough to be unique, short enough to fit any single SQLite page.
SLICE = 48


@dataclass
class Traces:
    """Byte patterns by label; each must (before) and must not (after) be found."""

    patterns: dict[str, bytes] = field(default_factory=dict)

    def add(self, label: str, data: bytes | None) -> None:
        if data:
            self.patterns[label] = data

    def add_text(self, label: str, text: str) -> None:
        self.patterns[f"{label} (UTF-8)"] = text.encode()
        self.patterns[f"{label} (UTF-16-LE)"] = text.encode("utf-16-le")

    def merged(self, other: Traces) -> Traces:
        return Traces({**self.patterns, **other.patterns})


def _slice(data: bytes) -> bytes:
    middle = max(0, len(data) // 2 - SLICE // 2)
    return data[middle : middle + SLICE]


def recording_traces(vault: Vault, recording_ids: list[str]) -> Traces:
    """The stored ciphertext of recordings: transcript, audio blob, sealed audio hash."""
    traces = Traces()
    with vault.reading() as session:
        rows = session.scalars(select(Recording).where(Recording.id.in_(recording_ids))).all()
        assert len(rows) == len(recording_ids)
        for row in rows:
            with vault.blobs.open(row.audio_blob) as source:
                blob = source.read()
            traces.add(f"{row.id} audio ciphertext", _slice(blob))
            traces.add(f"{row.id} audio ciphertext tail", blob[-SLICE:])
            if row.transcript_ct is not None:
                traces.add(f"{row.id} transcript ciphertext", _slice(row.transcript_ct))
            if row.audio_sha256 is not None:
                traces.add(f"{row.id} sealed audio hash", row.audio_sha256)
    return traces


def account_traces(vault: Vault, account_id: str) -> Traces:
    """Identity ciphertext, look-up hashes, the wrapped data key, device and member names."""
    traces = Traces()
    who = f"account {account_id[:8]}"
    with vault.reading() as session:
        account = session.get(Account, account_id)
        assert account is not None
        traces.add(f"{who} external id ciphertext", _slice(account.external_id_ct))
        traces.add(f"{who} external id look-up hash", account.external_id_hash)
        traces.add(f"{who} e-mail ciphertext", _slice(account.email_ct or b""))
        traces.add(f"{who} e-mail look-up hash", account.email_hash)
        wrapped = session.scalar(select(DataKey.wrapped).where(DataKey.account_id == account_id))
        traces.add(f"{who} wrapped data key", _slice(wrapped or b""))
        for device in session.scalars(select(Device).where(Device.account_id == account_id)):
            traces.add(f"{who} device {device.id} name ciphertext", _slice(device.name_ct))
        for member in session.scalars(
            select(HouseholdMember).where(HouseholdMember.account_id == account_id)
        ):
            traces.add(f"{who} member {member.id} name ciphertext", _slice(member.name_ct))
    return traces


def scan_files(settings: Settings, traces: Traces) -> set[str]:
    """Labels of the patterns found in any file under the data directory (every file, any
    name) and, on an S3 vault, in any version of any object under its prefix."""
    return set(locate(settings, traces))


def locate(settings: Settings, traces: Traces) -> dict[str, list[str]]:
    """Each found pattern's label, with the files and object versions it was found in."""
    found: dict[str, list[str]] = {}
    root = settings.data_dir
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files, f"nothing to scan under {root}"
    stored = [(str(path.relative_to(root)), path.read_bytes()) for path in files]
    for where, data in [*stored, *bucket_objects(settings)]:
        for label, pattern in traces.patterns.items():
            if pattern in data:
                found.setdefault(label, []).append(where)
    return found


def scan_postgres(url: str, traces: Traces) -> set[str]:
    """Labels of the patterns found in any column of any table (bytea byte-wise, else text)."""
    by_bytes = {pattern: label for label, pattern in traces.patterns.items()}
    found: set[str] = set()
    with psycopg.connect(url) as conn:
        columns = conn.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public'"
        ).fetchall()
        for table, column, data_type in columns:
            names = {"t": sql.Identifier(table), "c": sql.Identifier(column)}
            if data_type == "bytea":
                query = sql.SQL(
                    "SELECT p FROM unnest(%s::bytea[]) AS p "
                    "WHERE EXISTS (SELECT 1 FROM {t} WHERE position(p in {c}) > 0)"
                ).format(**names)
            else:
                query = sql.SQL(
                    "SELECT p FROM unnest(%s::bytea[]) AS p WHERE EXISTS "
                    "(SELECT 1 FROM {t} WHERE position(p in convert_to({c}::text, 'UTF8')) > 0)"
                ).format(**names)
            for (pattern,) in conn.execute(query, (list(by_bytes),)):
                found.add(by_bytes[bytes(pattern)])
    return found
