"""Enqueue, claim, renew, finish: the queue's whole protocol.

A job is a row. ``enqueue`` adds it inside the caller's transaction, so the job
exists exactly when the state change that needs it committed (and the worker
sees it only after that commit). A worker claims a job by setting a lease
(``locked_by``, ``locked_until``) and renews it while it runs; a worker that
dies stops renewing, the lease lapses, and another worker claims the job
again. Handlers are therefore written to be safe to run twice.

Claiming is a short transaction of its own: on PostgreSQL ``SELECT … FOR
UPDATE SKIP LOCKED`` lets many workers claim different jobs at once; on SQLite
every write transaction begins with ``BEGIN IMMEDIATE``, which serializes the
claims.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.orm import Session

from voxkeep.db.base import utcnow
from voxkeep.errors import InvalidInput
from voxkeep.jobs.faults import Fault
from voxkeep.jobs.models import Job, JobState
from voxkeep.jobs.registry import give_up_for

if TYPE_CHECKING:
    from voxkeep.config import Settings
    from voxkeep.vault import Vault

BACKOFF_MIN_S = 5.0
# Even a job whose deadline margin has passed retries a fault this long: a database
# restart or a disk cleaned up within the hour should not block a request.
MIN_FAULT_RETRY_S = 3600.0
log = logging.getLogger("voxkeep.jobs")


@dataclass(frozen=True)
class ClaimedJob:
    id: str
    kind: str
    payload: Mapping[str, Any]
    attempts: int


# Workers in this process wait on these; a commit that enqueued work sets them.
_waiters: set[threading.Event] = set()
_waiters_lock = threading.Lock()


def add_waiter(wake: threading.Event) -> None:
    with _waiters_lock:
        _waiters.add(wake)


def remove_waiter(wake: threading.Event) -> None:
    with _waiters_lock:
        _waiters.discard(wake)


def _wake_workers(_session: Session) -> None:
    with _waiters_lock:
        for wake in _waiters:
            wake.set()


def enqueue(
    session: Session,
    kind: str,
    payload: Mapping[str, str | int],
    *,
    ref: str | None = None,
    run_after: datetime | None = None,
) -> Job:
    """Add a job in the caller's transaction. The payload holds opaque ids only."""
    for key, value in payload.items():
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise InvalidInput(f"A job payload holds ids, not {type(value).__name__} ({key}).")
    job = Job(
        id=secrets.token_hex(16),
        kind=kind,
        payload=dict(payload),
        ref=ref,
        state=JobState.QUEUED.value,
        run_after=run_after or utcnow(),
        attempts=0,
    )
    session.add(job)
    if not event.contains(session, "after_commit", _wake_workers):
        event.listen(session, "after_commit", _wake_workers)
    return job


def _due(now: datetime) -> Any:
    return or_(
        and_(Job.state == JobState.QUEUED.value, Job.run_after <= now),
        and_(Job.state == JobState.RUNNING.value, Job.locked_until < now),
    )


def claim(
    vault: Vault, *, worker_id: str, kinds: tuple[str, ...] | None = None
) -> ClaimedJob | None:
    """Take the oldest due job (or one whose lease lapsed), or None when there is none."""
    settings = vault.settings
    given_up: list[tuple[str, dict[str, Any]]] = []
    claimed = None
    with vault.transaction() as session:
        while True:
            now = utcnow()
            query = select(Job).where(_due(now)).order_by(Job.run_after, Job.id).limit(1)
            if kinds is not None:
                query = query.where(Job.kind.in_(kinds))
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            job = session.scalars(query).first()
            if job is None:
                break
            if job.state == JobState.RUNNING.value and job.attempts >= settings.job_max_attempts:
                # Its worker died on every attempt (a crash, not an exception): stop trying.
                _finish(job, JobState.FAILED, now, CRASHED)
                given_up.append((job.kind, dict(job.payload)))
                continue
            job.state = JobState.RUNNING.value
            job.locked_by = worker_id
            job.locked_until = now + timedelta(seconds=settings.job_lease_s)
            job.attempts += 1
            claimed = ClaimedJob(
                id=job.id, kind=job.kind, payload=dict(job.payload), attempts=job.attempts
            )
            break
    for kind, payload in given_up:  # after the commit that gave them up
        give_up(vault, kind, payload, error=CRASHED, integrity=False)
    return claimed


CRASHED = "the worker stopped during every attempt"


def give_up(
    vault: Vault, kind: str, payload: Mapping[str, Any], *, error: str, integrity: bool
) -> None:
    """Run the kind's give-up hook once a job failed for good (registry.register).

    A hook that fails is logged and left: the job stays failed for a person to retry.
    """
    hook = give_up_for(kind)
    if hook is None:
        return
    try:
        hook(vault, payload, error, integrity)
    except Exception as exc:
        log.error("job kind %s: its give-up hook raised %s", kind, type(exc).__name__)


def _finish(job: Job, state: JobState, now: datetime, error: str | None) -> None:
    job.state = state.value
    job.finished_at = now if state in (JobState.DONE, JobState.FAILED) else None
    job.locked_by = None
    job.locked_until = None
    if error is not None:
        job.last_error = error[:500]
    if state is JobState.DONE:
        job.fault = job.fault_since = None


def renew(vault: Vault, job_id: str, *, worker_id: str) -> bool:
    """Extend the lease; False when this worker no longer holds it."""
    with vault.transaction() as session:
        result = session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                Job.locked_by == worker_id,
                Job.state == JobState.RUNNING.value,
            )
            .values(locked_until=utcnow() + timedelta(seconds=vault.settings.job_lease_s))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _held(session: Session, job_id: str, worker_id: str) -> Job | None:
    job = session.get(Job, job_id, with_for_update=True)
    if job is None or job.locked_by != worker_id or job.state != JobState.RUNNING.value:
        return None
    return job


def complete(vault: Vault, job_id: str, *, worker_id: str) -> bool:
    """Mark the job done; False when the lease was lost (another worker owns it now)."""
    with vault.transaction() as session:
        job = _held(session, job_id, worker_id)
        if job is None:
            return False
        _finish(job, JobState.DONE, utcnow(), None)
        return True


def fail(
    vault: Vault,
    job_id: str,
    *,
    worker_id: str,
    error: str,
    retry: bool,
    fault: Fault | None = None,
    deadline: datetime | None = None,
) -> JobState | None:
    """Record a failed attempt: queue it again with backoff, or give up.

    A transient ``fault`` is retried until ``retry_until`` (its attempts are not
    counted); anything else that may be retried is, until ``job_max_attempts``.
    """
    settings = vault.settings
    with vault.transaction() as session:
        job = _held(session, job_id, worker_id)
        if job is None:
            return None
        now = utcnow()
        if retry and fault is not None:
            job.attempts -= 1
            if job.fault != fault.value or job.fault_since is None:
                job.fault, job.fault_since = fault.value, now
            since = job.fault_since
            if now >= retry_until(settings, fault=fault, since=since, deadline=deadline):
                _finish(job, JobState.FAILED, now, error)
                return JobState.FAILED
            _finish(job, JobState.QUEUED, now, error)
            job.run_after = now + timedelta(
                seconds=backoff(settings, (now - since).total_seconds())
            )
            return JobState.QUEUED
        job.fault = job.fault_since = None
        if not retry or job.attempts >= settings.job_max_attempts:
            _finish(job, JobState.FAILED, now, error)
            return JobState.FAILED
        _finish(job, JobState.QUEUED, now, error)
        job.run_after = now + timedelta(seconds=backoff(settings, 5.0 * 2 ** (job.attempts - 1)))
        return JobState.QUEUED


def backoff(settings: Settings, wanted_s: float) -> float:
    """The wait before the next try: at least BACKOFF_MIN_S, at most job_backoff_max_s. A
    fault's wait is the time it has lasted so far, so waits double while it lasts."""
    return min(max(BACKOFF_MIN_S, wanted_s), settings.job_backoff_max_s)


def retry_until(
    settings: Settings, *, fault: Fault, since: datetime, deadline: datetime | None
) -> datetime:
    """When a job failing since ``since`` for ``fault`` stops retrying and is marked failed:
    a margin before its request's deadline (so staff can still act in time), else after
    mail_retry_s for mail and job_retry_s for the rest."""
    if deadline is not None:
        margin = timedelta(seconds=settings.job_deadline_margin_s)
        return max(deadline - margin, since + timedelta(seconds=MIN_FAULT_RETRY_S))
    window = settings.mail_retry_s if fault is Fault.MAIL else settings.job_retry_s
    return since + timedelta(seconds=window)


@dataclass(frozen=True)
class Waiting:
    """A job of an object that is retrying a transient fault."""

    kind: str
    fault: str
    since: datetime
    last_error: str | None
    gave_up: bool  # it stopped retrying: failed for good, for a person to retry


def waiting_for(session: Session, refs: Collection[str]) -> dict[str, list[Waiting]]:
    """The jobs of these objects that wait out a fault (or gave up waiting), by object,
    oldest fault first."""
    if not refs:
        return {}
    rows = session.scalars(
        select(Job)
        .where(
            Job.ref.in_(list(refs)),
            Job.fault.is_not(None),
        )
        .order_by(Job.fault_since, Job.id)
    )
    found: dict[str, list[Waiting]] = {}
    for job in rows:
        if job.ref is not None and job.fault is not None and job.fault_since is not None:
            found.setdefault(job.ref, []).append(
                Waiting(
                    job.kind,
                    job.fault,
                    job.fault_since,
                    job.last_error,
                    gave_up=job.state == JobState.FAILED.value,
                )
            )
    return found


def jobs_for(session: Session, ref: str) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.ref == ref).order_by(Job.created_at)))


def retry_failed(session: Session, *, ref: str | None = None) -> int:
    """Queue failed jobs again (after a person fixed the cause); returns how many."""
    query = select(Job).where(Job.state == JobState.FAILED.value)
    if ref is not None:
        query = query.where(Job.ref == ref)
    jobs = list(session.scalars(query))
    for job in jobs:
        job.state = JobState.QUEUED.value
        job.attempts = 0
        job.run_after = utcnow()
        job.finished_at = None
        job.fault = job.fault_since = None
    if jobs and not event.contains(session, "after_commit", _wake_workers):
        event.listen(session, "after_commit", _wake_workers)
    return len(jobs)
