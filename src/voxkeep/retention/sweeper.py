"""The retention sweeper: deletes every recording whose retention has ended.

Each run takes "now" once, then repeats: select the next batch of recordings
with ``expires_at <= now`` through the expiry index (so a run reads only what
is due: its cost follows the number of expired recordings, not the size of the
vault), unlink their blobs, delete their rows with one ``retention:swept``
audit event in one transaction. Killed at any point, a rerun finishes the job
(see purge.py). A run also finishes interrupted account erasures and applies a
changed operator maximum first.

It runs as a background thread in ``voxkeep serve`` and ``voxkeep worker`` (every
``retention_sweep_interval_s`` on one node of a fleet, jobs/periodic.py, and at
once when a retention change asks for it) and on demand as ``voxkeep retention run``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.pseudonyms import names_for_many
from voxkeep.db.base import utcnow
from voxkeep.jobs import periodic
from voxkeep.recordings.models import Recording
from voxkeep.retention import erasure, policy, purge, wakeup
from voxkeep.retention.purge import Counts, Deleted
from voxkeep.vault import Vault

ACTOR = "system:retention"
SWEEP = "retention.sweep"  # its row in periodic_runs
log = logging.getLogger("voxkeep.retention")

Progress = Callable[[int], None]


@dataclass
class SweepReport:
    now: datetime
    counts: Counts = field(default_factory=Counts)
    batches: int = 0
    seconds: float = 0.0


@dataclass
class RetentionRun:
    reexpired: int
    erasures: list[str]
    sweep: SweepReport


def count_expired(vault: Vault, now: datetime) -> int:
    with vault.reading() as session:
        query = select(func.count()).select_from(Recording).where(Recording.expires_at <= now)
        return int(session.scalar(query) or 0)


def _audit(vault: Vault, session: Session, deleted: list[Deleted], counts: Counts) -> None:
    """One event per batch, naming each recording under its account's key.

    Recordings of an account erased but not yet purged are counted, not
    named: their key is gone, and the erasure receipt accounts for them.
    """
    names = names_for_many(vault, session, {item.account_id for item in deleted})
    named = [
        names[item.account_id].recording(item.id) for item in deleted if item.account_id in names
    ]
    record(
        session,
        AuditAction.RETENTION_SWEPT,
        actor=ACTOR,
        objects={"recordings": named},
        counts=counts.as_dict(),
    )


def sweep(
    vault: Vault,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    on_done: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SweepReport:
    """Delete recordings expired at ``now`` (default: the start of the run), in batches."""
    started = time.perf_counter()
    report = SweepReport(now=now or utcnow())
    progress = purge.remove_where(
        vault,
        [Recording.expires_at <= report.now],
        order=Recording.expires_at,
        limit=limit,
        audit=lambda session, deleted, counts: _audit(vault, session, deleted, counts),
        on_done=on_done,
        should_stop=should_stop,
    )
    report.counts, report.batches = progress.counts, progress.batches
    if report.batches:
        purge.checkpoint_wal(vault)
    report.seconds = time.perf_counter() - started
    return report


def run_retention(
    vault: Vault,
    *,
    limit: int | None = None,
    on_total: Progress | None = None,
    on_done: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RetentionRun:
    """Everything retention owes now: a changed maximum, unfinished erasures, the sweep."""
    reexpired = policy.apply_max(vault)
    erased = erasure.purge_erased(vault, should_stop=should_stop)
    now = utcnow()
    if on_total is not None:
        due = count_expired(vault, now)
        on_total(due if limit is None else min(due, limit))
    report = sweep(vault, now=now, limit=limit, on_done=on_done, should_stop=should_stop)
    return RetentionRun(reexpired=reexpired, erasures=erased, sweep=report)


def start_sweeper(vault: Vault) -> Callable[[], None]:
    """Run retention in a background thread every interval, one node of a fleet per period
    (jobs/periodic.py), and at once when a retention change asks; returns a stop function."""
    interval = vault.settings.retention_sweep_interval_s
    if interval <= 0:
        return lambda: None
    wake = wakeup.register()

    def run_once(stopped: Callable[[], bool]) -> None:
        run = run_retention(vault, should_stop=stopped)
        if run.sweep.counts.recordings or run.erasures or run.reexpired:
            log.info(
                "retention: %d recordings swept, %d erasures finished, %d re-expired",
                run.sweep.counts.recordings,
                len(run.erasures),
                run.reexpired,
            )

    stop_periodic = periodic.start_periodic(vault, SWEEP, run_once, interval_s=interval, wake=wake)

    def stop() -> None:
        stop_periodic()
        wakeup.unregister(wake)

    return stop
