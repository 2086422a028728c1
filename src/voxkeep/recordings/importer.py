"""`voxkeep import DIR`: bulk import of WAV files with JSON sidecars.

Layout (docs/import.md): ``DIR/accounts.json`` (optional) registers accounts,
devices and household members first; then every ``NAME.wav`` anywhere below
DIR is imported with the metadata in ``NAME.json`` beside it (the same fields
as the API's upload metadata).

Work goes in batches; each batch's blobs are written and synced, then its
rows and one audit event per account commit in one transaction. A killed
import loses at most the batch in flight (its blobs become orphans for `voxkeep
gc`), and a rerun skips everything already stored with identical audio, so an
import is resumed by running it again.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import insert

from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import DeviceKind, Language, Retention
from voxkeep.accounts.service import account_actor_pseudonym
from voxkeep.api.schemas import RecordingMetadata
from voxkeep.audit.events import AuditAction, record
from voxkeep.batching import map_all, map_each
from voxkeep.errors import InvalidInput, KeyDestroyed, VoxkeepError
from voxkeep.recordings.models import Recording
from voxkeep.recordings.service import (
    NewRecording,
    OwnerLookup,
    Prepared,
    build_row,
    check_audio,
    check_metadata,
    check_owner,
    prepare,
    same_recording,
    stored_rows,
)
from voxkeep.recordings.wav import WavInfo
from voxkeep.retention import policy as retention
from voxkeep.vault import Vault

BATCH = 1000
ACTOR = "system:import"


class _Device(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    kind: DeviceKind
    name: str
    registered_at: str | None = None


class _Member(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str


class _Account(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    email: str | None = None
    language: Language | None = None
    retention: Retention | None = None
    devices: list[_Device] = Field(default_factory=list)
    members: list[_Member] = Field(default_factory=list)


@dataclass
class ImportReport:
    found: int = 0
    imported: int = 0
    already_present: int = 0
    discarded: int = 0  # valid, for accounts whose retention is "don't save"
    accounts: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)


Progress = Callable[[int], None]


def find_wavs(root: Path) -> list[Path]:
    """Every .wav below root, in a stable order, without following links out of it."""
    found: list[Path] = []
    stack = [root]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False) and entry.name.lower().endswith(".wav"):
                    found.append(Path(entry.path))
    return sorted(found)


def register_accounts(vault: Vault, path: Path) -> int:
    """Upsert the accounts, devices and members listed in accounts.json."""
    try:
        raw = json.loads(path.read_bytes())
        listed = [_Account.model_validate(item) for item in raw]
    except (json.JSONDecodeError, UnicodeDecodeError, TypeError) as exc:
        raise InvalidInput(f"{path.name} is not a JSON list: {type(exc).__name__}.") from None
    except ValidationError as exc:
        raise InvalidInput(f"{path.name} is not valid: {exc.error_count()} problem(s).") from None
    with vault.transaction() as session:
        for item in listed:
            changes = accounts.AccountChanges(
                email=item.email, language=item.language, retention=item.retention
            )
            account, _ = accounts.upsert_account(
                vault, session, external_id=item.id, changes=changes, actor=ACTOR
            )
            for device in item.devices:
                when = (
                    datetime.fromisoformat(device.registered_at) if device.registered_at else None
                )
                accounts.upsert_device(
                    vault,
                    session,
                    account=account,
                    device_id=device.id,
                    kind=device.kind,
                    name=device.name,
                    registered_at=when,
                    actor=ACTOR,
                )
            for member in item.members:
                accounts.upsert_member(
                    vault,
                    session,
                    account=account,
                    member_id=member.id,
                    name=member.name,
                    actor=ACTOR,
                )
    return len(listed)


def _read_one(vault: Vault, wav_path: Path) -> tuple[NewRecording, bytes]:
    sidecar = wav_path.with_suffix(".json")
    try:
        raw = sidecar.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"There is no sidecar {sidecar.name} beside the WAV file.") from None
    try:
        meta = RecordingMetadata.model_validate_json(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput("The sidecar is not valid UTF-8.") from None
    except ValidationError as exc:
        fields = ", ".join(sorted({str(e["loc"][0]) if e["loc"] else "body" for e in exc.errors()}))
        raise InvalidInput(f"The sidecar is not valid (fields: {fields}).") from None
    new = NewRecording(
        id=meta.id,
        account=meta.account,
        device=meta.device,
        captured_at=meta.captured_at,
        language=meta.language,
        transcript=meta.transcript,
        speaker=meta.speaker,
    )
    check_metadata(vault, new)
    return new, wav_path.read_bytes()


def _batches(items: list[Path], size: int) -> Iterator[list[Path]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


Loaded = tuple[NewRecording, bytes, WavInfo] | VoxkeepError


class _Owned(NamedTuple):
    """A file whose owner checks passed."""

    path: Path
    meta: NewRecording
    audio: bytes
    wav: WavInfo
    account_id: str
    key: bytes

    def prepared(self) -> tuple[Prepared, bytes]:
        prepared = prepare(
            self.meta, self.wav, self.audio, account_id=self.account_id, key=self.key
        )
        return prepared, self.audio


def _load(vault: Vault, path: Path) -> Loaded:
    """Read and check one WAV file and its sidecar; a rejection is returned, not raised."""
    try:
        meta, audio = _read_one(vault, path)
        return meta, audio, check_audio(vault, audio)
    except VoxkeepError as exc:
        return exc


def _import_batch(
    vault: Vault,
    lookup: OwnerLookup,
    files: list[tuple[Path, Loaded]],
    root: Path,
    report: ImportReport,
    seen: set[str],
) -> None:
    """Import one batch of loaded files; seen holds every recording id met so far in this run."""
    with vault.reading() as session:
        lookup.session = session
        owned: list[_Owned] = []
        for path, loaded in files:
            try:
                if isinstance(loaded, VoxkeepError):
                    raise loaded
                meta, audio, wav = loaded
                if meta.id in seen:
                    raise InvalidInput("Another file in this import has the same recording id.")
                seen.add(meta.id)
                owned.append(_Owned(path, meta, audio, wav, *check_owner(lookup, meta)))
            except VoxkeepError as exc:
                report.rejected.append((str(path.relative_to(root)), str(exc)))
        existing = stored_rows(session, [o.meta.id for o in owned])
    # Digests in the I/O pool: hashing releases the GIL.
    staged = map_each(_Owned.prepared, owned, tasks=TASKS)
    ready: list[tuple[Prepared, bytes]] = []
    for (path, *_), (prepared, audio) in zip(owned, staged, strict=True):
        stored = existing.get(prepared.meta.id)
        if stored is None:
            ready.append((prepared, audio))
            continue
        try:
            same_recording(vault, prepared, stored)
            report.already_present += 1
        except VoxkeepError as exc:
            report.rejected.append((str(path.relative_to(root)), str(exc)))
    if ready:
        kept = store_batch(vault, ready)
        report.imported += kept
        report.discarded += len(ready) - kept


def store_batch(vault: Vault, ready: list[tuple[Prepared, bytes]], *, actor: str = ACTOR) -> int:
    """Write a batch's blobs, sync them once, then commit all rows in one transaction.

    Returns how many were stored: uploads for "don't save" accounts are only counted.
    """
    ready = _drop_dont_save(vault, ready, actor=actor)
    if not ready:
        return 0
    # Encrypted and written in the I/O pool; one sync below makes them all durable.
    rows = map_all(
        lambda item: build_row(vault, *item, durable=False),
        ready,
        undo=lambda row: vault.blobs.delete(row.audio_blob),
        tasks=TASKS,
    )
    try:
        vault.blobs.sync()
        with vault.transaction() as session:
            by_account: dict[str, list[str]] = {}
            for prepared, _ in ready:
                by_account.setdefault(prepared.account_id, []).append(prepared.meta.id)
            for account_id, ids in by_account.items():
                if not accounts.has_data_key(session, account_id):
                    raise KeyDestroyed("An account in this batch was erased during the import.")
                record(
                    session,
                    AuditAction.RECORDINGS_IMPORTED,
                    actor=actor,
                    objects={
                        "account": account_actor_pseudonym(vault, session, account_id),
                        "recordings": ids,
                    },
                    counts={"recordings": len(ids)},
                )
            retention.stamp_expiry(vault, session, rows)
            session.execute(insert(Recording), [_as_dict(row) for row in rows])
    except BaseException:
        for row in rows:
            vault.blobs.delete(row.audio_blob)
        raise
    return len(rows)


def _drop_dont_save(
    vault: Vault, ready: list[tuple[Prepared, bytes]], *, actor: str
) -> list[tuple[Prepared, bytes]]:
    with vault.reading() as session:
        dropped = retention.dont_save_accounts(vault, session, {p.account_id for p, _ in ready})
    if not dropped:
        return ready
    retention.count_discarded(
        vault, Counter(p.account_id for p, _ in ready if p.account_id in dropped), actor=actor
    )
    return [(p, audio) for p, audio in ready if p.account_id not in dropped]


def _as_dict(row: Recording) -> dict[str, object]:
    """Column values for a bulk INSERT (created_at comes from its column default)."""
    return {c.key: getattr(row, c.key) for c in COLUMNS}


COLUMNS = [c for c in Recording.__table__.columns if c.key != "created_at"]


def run_import(
    vault: Vault, root: Path, *, on_found: Progress | None = None, on_done: Progress | None = None
) -> ImportReport:
    if not root.is_dir():
        raise InvalidInput(f"{root} is not a folder.", hint="Pass the folder to import.")
    report = ImportReport()
    accounts_file = root / "accounts.json"
    if accounts_file.is_file():
        report.accounts = register_accounts(vault, accounts_file)
    wavs = find_wavs(root)
    report.found = len(wavs)
    if on_found:
        on_found(len(wavs))
    with vault.reading() as session:
        lookup = OwnerLookup(vault, session)
    seen: set[str] = set()
    batches = list(_batches(wavs, BATCH))
    loading = _start_loading(vault, batches[0]) if batches else []
    for index, batch in enumerate(batches):
        loaded = [result for future in loading for result in future.result()]
        # Read the next batch's files while this one is written and committed.
        loading = _start_loading(vault, batches[index + 1]) if index + 1 < len(batches) else []
        try:
            _import_batch(vault, lookup, list(zip(batch, loaded, strict=True)), root, report, seen)
        except BaseException:
            for future in loading:
                future.cancel()
            raise
        if on_done:
            on_done(len(batch))
    return report


def _start_loading(vault: Vault, paths: list[Path]) -> list[Future[list[Loaded]]]:
    size = -(-len(paths) // TASKS)
    return [
        _loaders.submit(lambda run: [_load(vault, path) for path in run], paths[i : i + size])
        for i in range(0, len(paths), size)
    ]


# Threads share the work of a batch in a few long runs: file reads, hashing and
# encryption release the GIL, and few hand-overs keep the GIL's overhead low.
TASKS = 4
_loaders = ThreadPoolExecutor(max_workers=TASKS, thread_name_prefix="voxkeep-import-reader")
