"""Periodic work claimed fleet-wide: one node runs each period (docs/deployment.md).

Every worker node (and ``voxkeep serve`` with its jobs) runs a scheduler thread
for each kind of periodic work, such as the retention sweep. Before a run it
claims the kind's row in ``periodic_runs`` with one conditional UPDATE — due
(``next_run_at`` passed) and not leased (``locked_until`` empty or passed) — so
however many nodes try at once, one matches and the others find it taken.
The runner renews its lease while it runs (a sweep may take minutes) and, when
done, moves ``next_run_at`` one interval on and lets go. A node that dies in a
run stops renewing; once its lease lapses the run is still due and another
node claims it and does it: the work is idempotent (each batch of a sweep is a
transaction, deleting a blob twice is harmless), so nothing is done twice that
matters.

A node waits for the next due time, but looks again at least every
``job_poll_s``: a run another node finished moved it on, and a run asked for
now (a retention change, ``wake``) is owed until this node ran one itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from voxkeep.db.base import utcnow
from voxkeep.jobs.models import PeriodicRun
from voxkeep.jobs.worker import new_worker_id
from voxkeep.vault import Vault

log = logging.getLogger("voxkeep.jobs")

# The work of one run; it should return soon after its argument says the node stops.
Run = Callable[[Callable[[], bool]], None]


def _ensure(session: Session, kind: str, now: datetime) -> None:
    """Create the kind's row, due now, unless a node already did."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(PeriodicRun)
        .values(kind=kind, next_run_at=now, runs=0)
        .on_conflict_do_nothing(index_elements=["kind"])
    )


def claim(vault: Vault, kind: str, *, node_id: str, force: bool = False) -> bool:
    """Take the kind's next run: True when this node holds it now. ``force`` takes it
    before it is due (a run asked for now), never from a node that holds it."""
    now = utcnow()
    with vault.transaction() as session:
        _ensure(session, kind, now)
        result = session.execute(
            update(PeriodicRun)
            .where(
                PeriodicRun.kind == kind,
                true() if force else PeriodicRun.next_run_at <= now,
                or_(PeriodicRun.locked_until.is_(None), PeriodicRun.locked_until < now),
            )
            .values(
                locked_by=node_id,
                locked_until=now + timedelta(seconds=vault.settings.job_lease_s),
                last_started_at=now,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def renew(vault: Vault, kind: str, *, node_id: str) -> bool:
    """Extend this node's lease; False when it lost it (it lapsed and another took over)."""
    with vault.transaction() as session:
        result = session.execute(
            update(PeriodicRun)
            .where(PeriodicRun.kind == kind, PeriodicRun.locked_by == node_id)
            .values(locked_until=utcnow() + timedelta(seconds=vault.settings.job_lease_s))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def finish(vault: Vault, kind: str, *, node_id: str, interval_s: float, done: bool) -> bool:
    """Let go of the run; the next is due an interval from now (after a failure too, as
    before: the next period tries again). False when the lease was lost meanwhile."""
    now = utcnow()
    with vault.transaction() as session:
        result = session.execute(
            update(PeriodicRun)
            .where(PeriodicRun.kind == kind, PeriodicRun.locked_by == node_id)
            .values(
                locked_by=None,
                locked_until=None,
                next_run_at=now + timedelta(seconds=interval_s),
                runs=PeriodicRun.runs + int(done),
                last_run_by=node_id if done else PeriodicRun.last_run_by,
                last_finished_at=now if done else PeriodicRun.last_finished_at,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _wait_s(vault: Vault, kind: str, poll_s: float) -> float:
    """How long until the kind's run may be claimed, at most poll_s."""
    with vault.reading() as session:
        row = session.get(PeriodicRun, kind)
    if row is None:
        return 0.0
    ready = row.next_run_at
    if row.locked_until is not None and row.locked_until > ready:
        ready = row.locked_until
    return min(poll_s, max(0.0, (ready - utcnow()).total_seconds()))


def run_held(
    vault: Vault, kind: str, run: Run, *, node_id: str, stopped: Callable[[], bool]
) -> bool:
    """Run a claimed run with its lease renewed meanwhile; True when it finished."""
    done = threading.Event()

    def beat() -> None:
        while not done.wait(vault.settings.job_lease_s / 3):
            try:
                if not renew(vault, kind, node_id=node_id):
                    log.warning("periodic %s: lease lost while running", kind)
                    return
            except Exception as exc:  # the next beat tries again; the lease has slack
                log.warning("periodic %s: lease renewal failed (%s)", kind, type(exc).__name__)

    heart = threading.Thread(target=beat, daemon=True, name=f"periodic-{kind}-lease")
    heart.start()
    started, ok = time.perf_counter(), False
    try:
        run(stopped)
        ok = True
    except Exception as exc:  # keep the node running; the next period tries again
        log.error("periodic %s failed: %s", kind, type(exc).__name__)
    finally:
        done.set()
        heart.join()
    log.info(
        "periodic %s: run %s in %.2f s",
        kind,
        "done" if ok else "failed",
        time.perf_counter() - started,
    )
    return ok


def start_periodic(
    vault: Vault,
    kind: str,
    run: Run,
    *,
    interval_s: float,
    wake: threading.Event | None = None,
) -> Callable[[], None]:
    """Run ``run`` once per ``interval_s`` across every node that starts this kind, in a
    background thread; ``wake`` set asks for a run now. Returns the function that stops it.
    An interval of 0 starts nothing."""
    if interval_s <= 0:
        return lambda: None
    stopping = threading.Event()
    nudge = wake if wake is not None else threading.Event()
    node_id = new_worker_id()
    poll_s = vault.settings.job_poll_s

    def loop() -> None:
        owed = False  # a run was asked for and this node has not run one since
        while not stopping.is_set():
            if nudge.is_set():
                nudge.clear()
                owed = not stopping.is_set()
            try:
                # A read first: only a due (or asked for) run costs a write transaction.
                wait_s = 0.0 if owed else _wait_s(vault, kind, poll_s)
                if wait_s <= 0 and claim(vault, kind, node_id=node_id, force=owed):
                    owed = False
                    ok = run_held(vault, kind, run, node_id=node_id, stopped=stopping.is_set)
                    if not finish(vault, kind, node_id=node_id, interval_s=interval_s, done=ok):
                        log.warning("periodic %s: finished after its lease lapsed", kind)
                    continue
                wait_s = wait_s or poll_s  # another node took it just now
            except Exception as exc:  # the database went away: look again later
                log.error("periodic %s: %s; retrying in %.0fs", kind, type(exc).__name__, poll_s)
                wait_s = poll_s
            nudge.wait(wait_s)

    thread = threading.Thread(target=loop, name=f"voxkeep-periodic-{kind}", daemon=True)
    thread.start()

    def stop() -> None:
        stopping.set()
        nudge.set()
        thread.join(timeout=60)

    return stop
