"""The durable job queue: enqueued with the state change, claimed once, survives a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from helpers import settings_env
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, InvalidInput
from voxkeep.jobs import registry
from voxkeep.jobs.models import Job
from voxkeep.jobs.queue import enqueue, retry_failed
from voxkeep.jobs.worker import run_once, start_worker
from voxkeep.vault import Vault, open_vault

Handler = registry.Handler


@pytest.fixture
def handlers() -> Iterator[dict[str, Handler]]:
    """Register test handlers by kind; they are removed after the test."""
    registered: dict[str, Handler] = {}

    class Registrar(dict[str, Handler]):
        def __setitem__(self, kind: str, handler: Handler) -> None:
            registry.register(kind, handler)
            registered[kind] = handler
            super().__setitem__(kind, handler)

    yield Registrar()
    for kind in registered:
        registry.unregister(kind)


def _enqueue(vault: Vault, kind: str, n: int = 1) -> list[str]:
    with vault.transaction() as session:
        jobs = [enqueue(session, kind, {"request_id": f"rq_{i}", "n": i}) for i in range(n)]
        return [j.id for j in jobs]


def _job(vault: Vault, job_id: str) -> Job:
    with vault.reading() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_a_job_commits_or_rolls_back_with_its_transaction(vault: Vault) -> None:
    with pytest.raises(RuntimeError), vault.transaction() as session:
        enqueue(session, "test.nothing", {"request_id": "rq_1"})
        raise RuntimeError("the state change failed")
    with vault.reading() as session:
        assert session.scalars(select(Job)).all() == []


@pytest.mark.parametrize("value", [{"a": 1}, ["rq_1"], True, 1.5, None])
def test_a_payload_holds_ids_only(vault: Vault, value: Any) -> None:
    with pytest.raises(InvalidInput), vault.transaction() as session:
        enqueue(session, "test.nothing", {"request_id": value})


def test_run_once_runs_each_due_job(vault: Vault, handlers: dict[str, Handler]) -> None:
    seen: list[Mapping[str, Any]] = []
    handlers["test.ok"] = lambda _vault, payload: seen.append(payload)
    ids = _enqueue(vault, "test.ok", 3)
    assert run_once(vault) == 3
    assert sorted(p["n"] for p in seen) == [0, 1, 2]
    for job_id in ids:
        job = _job(vault, job_id)
        assert (job.state, job.attempts, job.locked_by) == ("done", 1, None)
        assert job.finished_at is not None
    assert run_once(vault) == 0


def test_a_crashing_handler_is_retried_later_and_its_message_is_not_kept(
    vault: Vault, handlers: dict[str, Handler]
) -> None:
    def boom(_vault: Vault, _payload: Mapping[str, Any]) -> None:
        raise ValueError("mail to someone@example.org failed")

    handlers["test.boom"] = boom
    [job_id] = _enqueue(vault, "test.boom")
    assert run_once(vault) == 1
    job = _job(vault, job_id)
    assert (job.state, job.attempts, job.last_error) == ("queued", 1, "job: ValueError")
    assert job.run_after > utcnow() + timedelta(seconds=3)  # backs off
    assert run_once(vault) == 0  # not due yet


def test_a_job_fails_for_good_after_the_last_attempt(
    vault: Vault, handlers: dict[str, Handler]
) -> None:
    def boom(_vault: Vault, _payload: Mapping[str, Any]) -> None:
        raise ValueError("again")

    handlers["test.boom"] = boom
    [job_id] = _enqueue(vault, "test.boom")
    for attempt in range(vault.settings.job_max_attempts):
        with vault.transaction() as session:  # make it due now
            session.execute(update(Job).where(Job.id == job_id).values(run_after=utcnow()))
        assert run_once(vault) == 1
        assert _job(vault, job_id).attempts == attempt + 1
    job = _job(vault, job_id)
    assert job.state == "failed"
    with vault.transaction() as session:
        assert retry_failed(session) == 1
    assert _job(vault, job_id).state == "queued"


def test_a_refusal_fails_at_once_without_retrying(
    vault: Vault, handlers: dict[str, Handler]
) -> None:
    def refused(_vault: Vault, _payload: Mapping[str, Any]) -> None:
        raise Conflict("The request was cancelled meanwhile.")

    handlers["test.refused"] = refused
    [job_id] = _enqueue(vault, "test.refused")
    run_once(vault)
    job = _job(vault, job_id)
    assert (job.state, job.last_error) == (
        "failed",
        "conflict: The request was cancelled meanwhile.",
    )


def test_an_unknown_kind_fails(vault: Vault) -> None:
    [job_id] = _enqueue(vault, "test.nobody-handles-this")
    run_once(vault)
    assert _job(vault, job_id).state == "failed"


def _lock(vault: Vault, job_id: str, *, until: timedelta, attempts: int = 1) -> None:
    with vault.transaction() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                state="running",
                locked_by="dead-host:1:cafe",
                locked_until=utcnow() + until,
                attempts=attempts,
            )
        )


def test_a_stale_claim_is_taken_over_and_a_live_one_is_not(
    vault: Vault, handlers: dict[str, Handler]
) -> None:
    ran: list[str] = []
    handlers["test.ok"] = lambda _vault, payload: ran.append(str(payload["n"]))
    live, stale = _enqueue(vault, "test.ok", 2)
    _lock(vault, live, until=timedelta(minutes=1))
    _lock(vault, stale, until=-timedelta(seconds=1))
    assert run_once(vault) == 1
    assert ran == ["1"]
    assert (_job(vault, stale).state, _job(vault, stale).attempts) == ("done", 2)
    assert _job(vault, live).state == "running"


def test_a_job_that_kills_every_worker_is_given_up(vault: Vault) -> None:
    [job_id] = _enqueue(vault, "test.ok")
    _lock(vault, job_id, until=-timedelta(seconds=1), attempts=vault.settings.job_max_attempts)
    assert run_once(vault) == 0
    job = _job(vault, job_id)
    assert job.state == "failed" and job.last_error == "the worker stopped during every attempt"


def test_many_workers_run_every_job_exactly_once(
    vault: Vault, handlers: dict[str, Handler]
) -> None:
    runs: Counter[str] = Counter()
    lock = threading.Lock()

    def count(_vault: Vault, payload: Mapping[str, Any]) -> None:
        time.sleep(0.005)
        with lock:
            runs[str(payload["n"])] += 1

    handlers["test.count"] = count
    ids = _enqueue(vault, "test.count", 60)
    done: list[int] = []
    workers = [
        threading.Thread(target=lambda: done.append(run_once(vault)), name=f"w{n}")
        for n in range(6)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert sum(done) == 60
    assert runs == Counter({str(n): 1 for n in range(60)})
    assert {_job(vault, i).state for i in ids} == {"done"}
    assert sum(1 for n in done if n > 0) > 1  # the work was really shared


HANG = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from voxkeep.config import Settings
    from voxkeep.jobs import registry
    from voxkeep.jobs.worker import run_once
    from voxkeep.vault import open_vault

    marker = Path(sys.argv[1])

    def hang(vault, payload):
        marker.write_text("started")
        time.sleep(600)

    registry.register("test.hang", hang)
    run_once(open_vault(Settings()))
    """
)


def test_a_job_survives_its_worker_being_killed(
    settings: Settings, handlers: dict[str, Handler], tmp_path: Path
) -> None:
    lease = 1.0
    vault = open_vault(settings.model_copy(update={"job_lease_s": lease}))
    try:
        [job_id] = _enqueue(vault, "test.hang")
        marker = tmp_path / "started"
        env = settings_env(settings, VOXKEEP_JOB_LEASE_S=str(lease))
        child = subprocess.Popen([sys.executable, "-c", HANG, str(marker)], env=env)
        try:
            deadline = time.monotonic() + 60
            while not marker.exists():
                assert child.poll() is None, "the worker process died early"
                assert time.monotonic() < deadline, "the worker never started the job"
                time.sleep(0.05)
            held_by = _job(vault, job_id).locked_by
            time.sleep(lease * 2.5)  # longer than the lease: only renewal keeps it
            ran: list[str] = []
            handlers["test.hang"] = lambda _vault, payload: ran.append("again")
            assert run_once(vault) == 0  # alive and renewing: nobody takes it over
            assert _job(vault, job_id).locked_by == held_by
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        job = _job(vault, job_id)
        assert (job.state, job.locked_by) == ("running", held_by)  # what the crash left
        time.sleep(lease * 1.5)
        assert run_once(vault) == 1
        job = _job(vault, job_id)
        assert (job.state, job.attempts, ran) == ("done", 2, ["again"])
    finally:
        vault.close()


def test_the_app_runs_a_worker_that_wakes_on_commit(
    settings: Settings, handlers: dict[str, Handler]
) -> None:
    vault = open_vault(settings.model_copy(update={"job_workers": 2, "job_poll_s": 60.0}))
    ran = threading.Event()
    handlers["test.wake"] = lambda _vault, _payload: ran.set()
    try:
        with TestClient(create_app(vault)):
            started = time.monotonic()
            _enqueue(vault, "test.wake")
            assert ran.wait(10), "the in-process worker did not run the job"
            assert time.monotonic() - started < 10  # woken by the commit, not the 60 s poll
        stop_threads = [t for t in threading.enumerate() if t.name.startswith("voxkeep-worker")]
        assert stop_threads == []  # the lifespan stopped them
    finally:
        vault.close()


def test_no_worker_threads_when_switched_off(vault: Vault) -> None:
    assert vault.settings.job_workers == 0
    stop = start_worker(vault)
    assert not [t for t in threading.enumerate() if t.name.startswith("voxkeep-worker")]
    stop()


def test_an_api_only_app_runs_no_worker_threads(settings: Settings) -> None:
    """`voxkeep serve --no-jobs`: the app starts no job threads whatever the setting says."""
    vault = open_vault(settings.model_copy(update={"job_workers": 2}))
    try:
        with TestClient(create_app(vault, jobs=False)) as client:
            assert client.get("/healthz").status_code == 200
            running = [t for t in threading.enumerate() if t.name.startswith("voxkeep-worker")]
            assert running == []
        with TestClient(create_app(vault)):  # the default still runs them
            running = [t for t in threading.enumerate() if t.name.startswith("voxkeep-worker")]
            assert len(running) == 2
    finally:
        vault.close()
