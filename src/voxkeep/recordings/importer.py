"""`voxkeep import DIR`: bulk import of WAV files with JSON sidecars.

Layout (docs/import.md): ``DIR/accounts.json`` (optional) registers accounts,
devices and household members first; then every ``NAME.wav`` anywhere below
DIR is imported with the metadata in ``NAME.json`` beside it (the same fields
as the API's upload metadata).

Work goes in batches. Worker processes stage them (recordings.staging: read,
check, encrypt into one pack per batch, made durable) while this process
commits each staged batch in turn: its rows and one audit event per account,
in one transaction. A killed import loses at most the batches in flight (their
packs become orphans for `voxkeep gc`), and a rerun skips everything already
stored with identical audio, so an import is resumed by running it again.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import (
    Account,
    DataKey,
    Device,
    DeviceKind,
    HouseholdMember,
    Language,
    Retention,
)
from voxkeep.errors import InvalidInput
from voxkeep.ids import check_id
from voxkeep.recordings.bulk import ACTOR, commit_imported, delete_blobs
from voxkeep.recordings.service import RowValues
from voxkeep.recordings.staging import Staged, staged_batches
from voxkeep.retention import policy
from voxkeep.vault import Vault

# Files per batch: one pack and one transaction each. Smaller batches keep the
# workers and the committing process busy together; larger ones cost fewer
# transactions and fsyncs.
BATCH = 500
DUPLICATE = "Another file in this import has the same recording id."


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


def find_wavs(root: Path) -> list[str]:
    """Every .wav below root, in a stable order, without following links out of it."""
    found: list[str] = []
    stack = [os.fspath(root)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False) and entry.name.lower().endswith(".wav"):
                    found.append(entry.path)
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
    try:
        with vault.transaction() as session, session.no_autoflush:
            _register(vault, session, listed)
    except IntegrityError:
        raise InvalidInput(
            f"{path.name} lists an e-mail address twice, or one that another account has.",
            hint="Every account needs an e-mail address of its own.",
        ) from None
    return len(listed)


def _register(vault: Vault, session: Session, listed: list[_Account]) -> None:
    """Upsert everything listed with one query per table and one flush at the end."""
    keyring = vault.keyring
    hashes = {
        item.id: keyring.lookup_hash(
            session, kind="external_id", value=check_id(item.id, what="account")
        )
        for item in listed
    }
    known = {
        account.external_id_hash: account
        for account in _in_chunks(
            session, select(Account), Account.external_id_hash, list(hashes.values())
        )
    }
    keys = {
        row.account_id: keyring.unwrap_data_key(
            row.account_id, row.id, row.master_key_id, row.wrapped
        )
        for row in _in_chunks(
            session, select(DataKey), DataKey.account_id, [a.id for a in known.values()]
        )
    }
    devices = {
        row.id: row
        for row in _in_chunks(
            session, select(Device), Device.id, [d.id for item in listed for d in item.devices]
        )
    }
    members = {
        row.id: row
        for row in _in_chunks(
            session,
            select(HouseholdMember),
            HouseholdMember.id,
            [m.id for item in listed for m in item.members],
        )
    }
    for item in listed:
        existing = known.get(hashes[item.id])
        account, key, _ = accounts.apply_account(
            vault,
            session,
            external_id=item.id,
            id_hash=hashes[item.id],
            existing=existing,
            key=keys.get(existing.id) if existing is not None else None,
            changes=accounts.AccountChanges(
                email=item.email, language=item.language, retention=item.retention
            ),
            actor=ACTOR,
        )
        known[hashes[item.id]], keys[account.id] = account, key  # listed twice: one account
        for device in item.devices:
            when = datetime.fromisoformat(device.registered_at) if device.registered_at else None
            devices[device.id], _ = accounts.apply_device(
                vault,
                session,
                account=account,
                key=key,
                existing=devices.get(device.id),
                device_id=check_id(device.id, what="device"),
                kind=device.kind,
                name=device.name,
                registered_at=when,
                actor=ACTOR,
            )
        for member in item.members:
            members[member.id], _ = accounts.apply_member(
                vault,
                session,
                account=account,
                key=key,
                existing=members.get(member.id),
                member_id=check_id(member.id, what="household member"),
                name=member.name,
                actor=ACTOR,
            )
    session.flush()


T = TypeVar("T")


def _in_chunks(session: Session, query: Select[T], column: Any, values: list[Any]) -> Iterator[T]:
    """The rows of query where column is one of values, a few hundred values at a time."""
    for start in range(0, len(values), 500):
        yield from session.scalars(query.where(column.in_(values[start : start + 500])))


def default_workers() -> int:
    """One staging process per CPU core, up to 8: past that, committing is the bottleneck."""
    return max(1, min(os.cpu_count() or 1, 8))


def run_import(
    vault: Vault,
    root: Path,
    *,
    workers: int | None = None,
    on_found: Progress | None = None,
    on_done: Progress | None = None,
) -> ImportReport:
    """Import every WAV file below root; workers: staging processes (default_workers())."""
    if not root.is_dir():
        raise InvalidInput(f"{root} is not a folder.", hint="Pass the folder to import.")
    if workers is not None and workers < 1:
        raise InvalidInput("workers must be at least 1.")
    report = ImportReport()
    accounts_file = root / "accounts.json"
    if accounts_file.is_file():
        report.accounts = register_accounts(vault, accounts_file)
    wavs = find_wavs(root)
    report.found = len(wavs)
    if on_found:
        on_found(len(wavs))
    batches = [wavs[start : start + BATCH] for start in range(0, len(wavs), BATCH)]
    seen: set[str] = set()
    staged = staged_batches(vault, os.fspath(root), batches, workers=workers or default_workers())
    try:
        for batch in staged:
            _commit(vault, batch, report, seen)
            if on_done:
                on_done(len(batch))
    finally:
        staged.close()  # stops the workers; what they staged and nothing commits is deleted
    return report


def _commit(vault: Vault, batch: list[Staged], report: ImportReport, seen: set[str]) -> None:
    """Commit a staged batch; seen holds every recording id met so far in this run."""
    rows: list[RowValues] = []
    refused: list[RowValues] = []  # staged, but another file claimed the id first
    discarded: Counter[str] = Counter()
    for item in batch:
        if item.rec_id is not None:
            if item.rec_id in seen:
                report.rejected.append((item.path, DUPLICATE))
                if item.row is not None:
                    refused.append(item.row)
                continue
            seen.add(item.rec_id)
        if item.rejected is not None:
            report.rejected.append((item.path, item.rejected))
        elif item.present:
            report.already_present += 1
        elif item.discard_for is not None:
            discarded[item.discard_for] += 1
        elif item.row is not None:
            rows.append(item.row)
    try:
        if rows:
            commit_imported(vault, rows, actor=ACTOR)
            report.imported += len(rows)
    finally:
        delete_blobs(vault, refused)
    policy.count_discarded(vault, discarded, actor=ACTOR)
    report.discarded += sum(discarded.values())
