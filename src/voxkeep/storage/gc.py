"""Finding and removing orphan blobs: ciphertext that no committed row names.

Orphans come from crashes between writing a blob and committing its row. A
grace period keeps blobs of uploads still in flight.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from itertools import islice

from sqlalchemy import select

from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.exports.models import Export
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault

DEFAULT_GRACE_S = 3600.0
_BATCH = 1000


@dataclass
class GcReport:
    scanned: int = 0
    orphans: list[str] = field(default_factory=list)
    removed: bool = False


def _chunks(keys: Iterator[str]) -> Iterator[list[str]]:
    while batch := list(islice(keys, _BATCH)):
        yield batch


def named_blobs(vault: Vault, refs: Collection[str]) -> set[str]:
    """Those of refs that a committed row names: a recording's audio or an answer archive."""
    with vault.reading() as session:
        named = set(
            session.scalars(select(Recording.audio_blob).where(Recording.audio_blob.in_(refs)))
        )
        named.update(
            ref for ref in session.scalars(select(Export.blob).where(Export.blob.in_(refs))) if ref
        )
    return named


def collect_orphans(
    vault: Vault, *, grace_s: float = DEFAULT_GRACE_S, dry_run: bool = False
) -> GcReport:
    report = GcReport()
    for batch in _chunks(vault.blobs.keys_older_than(grace_s)):
        report.scanned += len(batch)
        named = named_blobs(vault, batch)
        report.orphans.extend(k for k in batch if k not in named)
    if report.orphans and not dry_run:
        vault.blobs.delete_many(report.orphans)
        with vault.transaction() as session:
            record(
                session,
                AuditAction.BLOBS_COLLECTED,
                actor=SYSTEM,
                counts={"blobs": len(report.orphans)},
            )
        report.removed = True
    return report
