"""Periodic work claimed fleet-wide (jobs/periodic.py), on SQLite and PostgreSQL.

Two schedulers of one kind in one process stand for two nodes: they share
nothing but the database. The run itself counts; the clock is moved in the
database, never waited out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import update

from nodes import wait_for
from voxkeep.db.base import utcnow
from voxkeep.jobs import periodic
from voxkeep.jobs.models import PeriodicRun
from voxkeep.vault import Vault

KIND = "test.periodic"
HOUR = 3600.0
WINDOW_S = 1.0  # several looks of each scheduler (job_poll_s is 0.2 below)


def _row(vault: Vault) -> PeriodicRun:
    with vault.reading() as session:
        row = session.get(PeriodicRun, KIND)
    assert row is not None
    return row


def _runs(vault: Vault) -> int:
    """Runs finished so far (0 before any node created the row)."""
    with vault.reading() as session:
        row = session.get(PeriodicRun, KIND)
    return 0 if row is None else row.runs


def _eventually(check: Callable[[], bool]) -> None:
    wait_for("the scheduler", check, timeout=30)


def _fast(vault: Vault) -> Vault:
    from dataclasses import replace

    return replace(vault, settings=vault.settings.model_copy(update={"job_poll_s": 0.2}))


def test_two_schedulers_run_each_period_once(vault: Vault) -> None:
    vault = _fast(vault)
    runs: list[str] = []
    lock = threading.Lock()

    def counted(name: str) -> periodic.Run:
        def run(_stopped: Callable[[], bool]) -> None:
            with lock:
                runs.append(name)

        return run

    stops = [periodic.start_periodic(vault, KIND, counted(name), interval_s=HOUR) for name in "ab"]
    try:
        _eventually(lambda: _runs(vault) >= 1)
        time.sleep(WINDOW_S)
        assert len(runs) == 1 and _row(vault).runs == 1
        for period in (2, 3):  # the next periods come: still one run each
            with vault.transaction() as session:
                session.execute(update(PeriodicRun).values(next_run_at=utcnow()))
            _eventually(lambda: _runs(vault) >= period)  # noqa: B023
            time.sleep(WINDOW_S)
            assert len(runs) == period
        row = _row(vault)
        assert row.runs == 3 and row.locked_by is None
        assert row.next_run_at > utcnow() + timedelta(minutes=50)
    finally:
        for stop in stops:
            stop()


def test_a_run_held_by_a_dead_node_is_taken_over_after_its_lease(vault: Vault) -> None:
    vault = _fast(vault)
    # A node claimed the run and died: its lease lapses only at locked_until.
    assert periodic.claim(vault, KIND, node_id="dead-node")
    assert not periodic.claim(vault, KIND, node_id="other")  # held
    assert not periodic.claim(vault, KIND, node_id="other", force=True)  # held, even asked
    ran = threading.Event()
    stop = periodic.start_periodic(vault, KIND, lambda _s: ran.set(), interval_s=HOUR)
    try:
        time.sleep(WINDOW_S)
        assert not ran.is_set()
        with vault.transaction() as session:  # the lease lapses
            session.execute(update(PeriodicRun).values(locked_until=utcnow()))
        _eventually(ran.is_set)
        _eventually(lambda: _runs(vault) == 1)
        assert "dead-node" not in (_row(vault).last_run_by or "")
        # The dead node, back, cannot finish what it no longer holds.
        assert not periodic.finish(vault, KIND, node_id="dead-node", interval_s=HOUR, done=True)
        assert _row(vault).runs == 1
    finally:
        stop()


def test_a_run_asked_for_runs_before_it_is_due_and_a_failed_run_is_not_counted(
    vault: Vault,
) -> None:
    vault = _fast(vault)
    runs: list[int] = []
    wake = threading.Event()

    def run(_stopped: Callable[[], bool]) -> None:
        runs.append(1)
        if len(runs) == 1:
            raise RuntimeError("the first run fails")

    stop = periodic.start_periodic(vault, KIND, run, interval_s=HOUR, wake=wake)
    try:
        _eventually(lambda: len(runs) == 1)
        _eventually(lambda: _row(vault).locked_by is None)
        failed = _row(vault)
        assert failed.runs == 0 and failed.next_run_at > utcnow()  # tried again next period
        wake.set()  # e.g. a retention change: a run now, though none is due
        _eventually(lambda: len(runs) == 2)
        _eventually(lambda: _runs(vault) == 1)
    finally:
        stop()


def test_an_interval_of_zero_starts_nothing(vault: Vault) -> None:
    ran = threading.Event()
    stop = periodic.start_periodic(vault, KIND, lambda _s: ran.set(), interval_s=0)
    stop()
    assert not ran.is_set()
    with vault.reading() as session:
        assert session.get(PeriodicRun, KIND) is None
