"""Running jobs: in-process worker threads (the embedded default) or ``--once`` passes.

A handler that raises a VoxkeepError with a status below 500 failed for a
reason retrying cannot fix (the request moved on, the input is wrong): the job
fails at once. A transient fault (jobs.faults: a full disk, the database or the
mail server down) is retried with backoff for a span of time tied to the job's
deadline (queue.retry_until); anything else is retried with backoff until
``job_max_attempts``. After the last attempt the kind's give-up hook runs
(a request is blocked, never left building). Error texts kept in the table are
the operation and the error's code, class or errno (jobs.faults.describe), or a
refusal's message, which never carry personal data.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime

from voxkeep.errors import VoxkeepError, is_integrity_failure
from voxkeep.jobs import queue
from voxkeep.jobs.faults import Failure, describe
from voxkeep.jobs.models import JobState
from voxkeep.jobs.queue import ClaimedJob
from voxkeep.jobs.registry import deadline_for, handler_for
from voxkeep.vault import Vault

log = logging.getLogger("voxkeep.jobs")
STOP_WAIT_S = 10.0  # then a job still running keeps its lease until it lapses


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


def _heartbeat(vault: Vault, job_id: str, worker_id: str, done: threading.Event) -> None:
    interval = vault.settings.job_lease_s / 3
    while not done.wait(interval):
        try:
            if not queue.renew(vault, job_id, worker_id=worker_id):
                log.warning("job %s: lease lost while running", job_id)
                return
        except Exception as exc:  # the next beat tries again; the lease has slack
            log.warning("job %s: lease renewal failed (%s)", job_id, type(exc).__name__)


def run_job(vault: Vault, job: ClaimedJob, *, worker_id: str) -> bool:
    """Run one claimed job to its end; True when it succeeded."""
    handler = handler_for(job.kind)
    if handler is None:
        queue.fail(
            vault, job.id, worker_id=worker_id, error=f"no handler for {job.kind}", retry=False
        )
        log.error("job %s: no handler for kind %s", job.id, job.kind)
        return False
    done = threading.Event()
    beat = threading.Thread(
        target=_heartbeat, args=(vault, job.id, worker_id, done), daemon=True, name="job-lease"
    )
    beat.start()
    failure: Failure | None = None
    integrity = False
    try:
        handler(vault, job.payload)
    except Exception as exc:
        failure, integrity = describe(exc), is_integrity_failure(exc)
        state = _record_failure(vault, job, worker_id, exc, failure)
    finally:
        done.set()
        beat.join()
    if failure is not None:
        if state is JobState.FAILED:  # its last attempt: leave its object actionable
            queue.give_up(vault, job.kind, job.payload, error=failure.error, integrity=integrity)
        return False
    if not queue.complete(vault, job.id, worker_id=worker_id):
        log.warning("job %s finished after its lease passed to another worker", job.id)
    return True


def _record_failure(
    vault: Vault, job: ClaimedJob, worker_id: str, exc: Exception, failure: Failure
) -> JobState | None:
    """Write the failed attempt down; a refusal (a VoxkeepError below 500) is not retried."""
    retry = not (isinstance(exc, VoxkeepError) and exc.status < 500)
    deadline = _deadline(vault, job) if failure.fault is not None else None
    state = queue.fail(
        vault,
        job.id,
        worker_id=worker_id,
        error=failure.error,
        retry=retry,
        fault=failure.fault,
        deadline=deadline,
    )
    if failure.fault is not None:
        log.warning(
            "job %s (%s) waits out a %s fault: %s; now %s",
            job.id,
            job.kind,
            failure.fault,
            failure.error,
            state,
        )
    elif isinstance(exc, VoxkeepError):
        log.warning("job %s (%s) failed: %s; now %s", job.id, job.kind, failure.error, state)
    else:
        log.error("job %s (%s) raised %s; now %s", job.id, job.kind, failure.error, state)
    return state


def _deadline(vault: Vault, job: ClaimedJob) -> datetime | None:
    """The job's object's deadline (registry), or None when it has none or cannot be read
    now (the database may be the fault): then the kind's time window applies."""
    hook = deadline_for(job.kind)
    if hook is None:
        return None
    try:
        return hook(vault, job.payload)
    except Exception as exc:
        log.warning("job %s: its deadline could not be read (%s)", job.id, type(exc).__name__)
        return None


def run_once(vault: Vault, *, worker_id: str | None = None, max_jobs: int | None = None) -> int:
    """Run due jobs until none is left (or max_jobs ran); returns how many ran."""
    worker_id = worker_id or new_worker_id()
    ran = 0
    while max_jobs is None or ran < max_jobs:
        job = queue.claim(vault, worker_id=worker_id)
        if job is None:
            break
        run_job(vault, job, worker_id=worker_id)
        ran += 1
    return ran


def _loop(vault: Vault, stopping: threading.Event, wake: threading.Event) -> None:
    worker_id = new_worker_id()
    poll = vault.settings.job_poll_s
    while not stopping.is_set():
        wake.clear()
        try:
            job = queue.claim(vault, worker_id=worker_id)
            if job is not None:
                run_job(vault, job, worker_id=worker_id)
                continue
        except Exception as exc:  # the database went away: wait and try again
            log.error("job worker: %s; retrying in %.0fs", type(exc).__name__, poll)
        wake.wait(poll)


def start_worker(vault: Vault, *, threads: int | None = None) -> Callable[[], None]:
    """Start worker threads in this process; returns the function that stops them.

    Stopping waits up to STOP_WAIT_S for running jobs; a job still running
    after that keeps its lease until it lapses (the process exits with it), and
    then another worker takes it over.
    """
    count = vault.settings.job_workers if threads is None else threads
    if count <= 0:
        return lambda: None
    stopping = threading.Event()
    wake = threading.Event()
    queue.add_waiter(wake)
    workers = [
        threading.Thread(
            target=_loop, args=(vault, stopping, wake), daemon=True, name=f"voxkeep-worker-{n}"
        )
        for n in range(count)
    ]
    for worker in workers:
        worker.start()

    def stop() -> None:
        stopping.set()
        wake.set()
        deadline = time.monotonic() + STOP_WAIT_S
        for worker in workers:
            worker.join(timeout=max(0.0, deadline - time.monotonic()))
        queue.remove_waiter(wake)

    return stop
