"""Transient faults are retried for a span of time, not a count of attempts; everything else
keeps the attempt limit; what the job row keeps of an error names the operation, never data."""

from __future__ import annotations

import errno
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text, update
from sqlalchemy.exc import OperationalError

from exports.factory import portal_request
from incidents.trigger_helpers import Staff, sql, state_of, two_households
from smtp_sink import free_port
from voxkeep.errors import Conflict, MailFailed, StorageFailed
from voxkeep.jobs import registry
from voxkeep.jobs.faults import Fault, describe, fault_of
from voxkeep.jobs.models import Job
from voxkeep.jobs.queue import MIN_FAULT_RETRY_S, enqueue
from voxkeep.jobs.worker import run_once
from voxkeep.requests import service
from voxkeep.requests.views import show_request
from voxkeep.vault import Vault

AGENT = Staff("agent-1", roles=("agent",))
CLOSED_PORT_URL = "postgresql+psycopg://voxkeep:hunter2@127.0.0.1:9/nothing"


@pytest.fixture
def failing() -> Iterator[list[BaseException]]:
    """A job kind ``test.fault`` that raises the next error of the list, then succeeds."""
    errors: list[BaseException] = []

    def handler(_vault: Vault, _payload: Mapping[str, Any]) -> None:
        if errors:
            raise errors.pop(0)

    registry.register("test.fault", handler)
    yield errors
    registry.unregister("test.fault")


def _job(vault: Vault, job_id: str) -> Job:
    with vault.reading() as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def _due_now(vault: Vault, job_id: str, *, fault_age: timedelta | None = None) -> None:
    values: dict[str, Any] = {"run_after": datetime.now(UTC) - timedelta(seconds=1)}
    if fault_age is not None:
        values["fault_since"] = datetime.now(UTC) - fault_age
    with vault.transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(**values))


def _enqueue(vault: Vault) -> str:
    with vault.transaction() as session:
        return enqueue(session, "test.fault", {"n": 1}).id


def test_a_fault_is_retried_past_the_attempt_limit_and_its_run_keeps_its_start(
    vault: Vault, failing: list[BaseException]
) -> None:
    tries = vault.settings.job_max_attempts * 2
    failing.extend(StorageFailed("The blob store could not be written.") for _ in range(tries))
    job_id = _enqueue(vault)
    started = None
    for _ in range(tries):
        assert run_once(vault) == 1
        job = _job(vault, job_id)
        assert (job.state, job.fault, job.attempts) == ("queued", "storage", 0)
        started = started or job.fault_since
        assert job.fault_since == started  # one run of failures, one start
        _due_now(vault, job_id)
    assert run_once(vault) == 1
    job = _job(vault, job_id)
    assert (job.state, job.fault, job.fault_since, job.attempts) == ("done", None, None, 1)


@pytest.mark.parametrize(
    ("error", "window"),
    [
        (MailFailed("The mail server did not take the message."), "mail_retry_s"),
        (StorageFailed("The blob store could not be written."), "job_retry_s"),
    ],
)
def test_a_fault_gives_up_after_its_window(
    vault: Vault, failing: list[BaseException], error: BaseException, window: str
) -> None:
    failing.extend([error, error])
    job_id = _enqueue(vault)
    run_once(vault)
    seconds = getattr(vault.settings, window)
    _due_now(vault, job_id, fault_age=timedelta(seconds=seconds - 600))
    run_once(vault)
    assert _job(vault, job_id).state == "queued"  # inside the window: still retrying
    failing.append(error)
    _due_now(vault, job_id, fault_age=timedelta(seconds=seconds + 1))
    run_once(vault)
    job = _job(vault, job_id)
    assert (job.state, job.fault) == ("failed", Fault(job.fault).value)


def test_a_refusal_fails_at_once_and_a_bug_keeps_the_attempt_limit(
    vault: Vault, failing: list[BaseException]
) -> None:
    failing.append(Conflict("The request was cancelled meanwhile."))
    refused = _enqueue(vault)
    run_once(vault)
    assert (_job(vault, refused).state, _job(vault, refused).fault) == ("failed", None)
    failing.extend(ValueError("bug") for _ in range(vault.settings.job_max_attempts))
    buggy = _enqueue(vault)
    for _ in range(vault.settings.job_max_attempts):
        _due_now(vault, buggy)
        run_once(vault)
    assert (_job(vault, buggy).state, _job(vault, buggy).fault) == ("failed", None)


def test_a_request_job_gives_up_a_margin_before_the_deadline_but_not_within_the_hour(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    me, _ = two_households(vault, recordings=1)
    request_id = portal_request(vault, me)

    def full(_vault: Vault, _request_id: str) -> Any:
        raise StorageFailed("The blob store could not be written.")

    monkeypatch.setattr("voxkeep.requests.tasks.build_for_request", full)
    received = datetime.now(UTC) - timedelta(days=40)  # due date passed: margin passed too
    sql(vault, "UPDATE data_requests SET received_at = :t WHERE id = :r", t=received, r=request_id)
    run_once(vault)
    assert state_of(vault, request_id) == "building"  # a fault just begun gets its hour
    past = datetime.now(UTC) - timedelta(seconds=MIN_FAULT_RETRY_S + 60)
    sql(
        vault,
        "UPDATE jobs SET run_after = :t, fault_since = :t WHERE ref = :r",
        t=past,
        r=request_id,
    )
    run_once(vault)
    assert state_of(vault, request_id) == "blocked"
    blocked = show_request(vault, staff=AGENT, request_id=request_id).summary.blocked
    assert blocked is not None
    assert blocked.reason.startswith("job export.build gave up after a storage fault since")


def test_a_notice_that_gave_up_waiting_for_mail_shows_on_its_request(vault: Vault) -> None:
    me, _ = two_households(vault, recordings=1)
    request_id = portal_request(vault, me)
    service.extend(vault, staff=AGENT, request_id=request_id, months=1, reason="many files")

    # The mail server: a port nobody listens on (a real refusal).
    down = replace(vault, settings=vault.settings.model_copy(update={"smtp_port": free_port()}))
    run_once(down)  # the answer is built; neither notice can be mailed
    late = show_request(vault, staff=AGENT, request_id=request_id).summary.waiting
    assert sorted((w.kind, w.notice, w.gave_up) for w in late) == [
        ("export.notify_ready", True, False),
        ("request.notify", True, False),
    ]
    old = datetime.now(UTC) - timedelta(seconds=vault.settings.mail_retry_s + 60)
    sql(vault, "UPDATE jobs SET run_after = :t, fault_since = :t WHERE fault = 'mail'", t=old)
    run_once(down)
    detail = show_request(vault, staff=AGENT, request_id=request_id)
    assert detail.summary.state == "ready"  # the answer itself is not held up
    assert len(detail.summary.waiting) == 2
    assert all(w.gave_up and "--retry-failed" in w.text for w in detail.summary.waiting)


def test_what_counts_as_a_fault() -> None:
    engine = create_engine(CLOSED_PORT_URL, connect_args={"connect_timeout": 2})
    with pytest.raises(OperationalError) as lost, engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert fault_of(lost.value) is Fault.DATABASE
    assert fault_of(OSError(errno.ENOSPC, "No space left on device", "/data/x")) is Fault.STORAGE
    assert fault_of(OSError(errno.ENOENT, "No such file")) is None
    assert fault_of(ValueError("x")) is None
    assert fault_of(Conflict("x")) is None


def test_the_row_keeps_the_operation_and_errno_never_a_message() -> None:
    def write_blob() -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/data/blobs/someone@example.org")

    try:
        write_blob()
    except OSError as exc:
        failure = describe(exc)
    assert failure.fault is Fault.STORAGE
    assert failure.error == "job: OSError ENOSPC"  # raised outside voxkeep: no operation
    assert "example.org" not in failure.error


def test_an_error_that_names_its_cause_is_kept_by_its_cause() -> None:
    full = StorageFailed("The vault's storage failed.")
    # errors.VoxkeepError.cause (the faults-errors branch): set as that branch's code does.
    vars(full)["cause"] = "storage: write of a blob failed: ENOSPC — check free space"
    failure = describe(full)
    assert failure.fault is Fault.STORAGE
    assert (
        failure.error
        == "storage_failed: storage: write of a blob failed: ENOSPC — check free space"
    )
