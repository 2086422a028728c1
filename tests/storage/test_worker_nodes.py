"""Worker nodes: `voxkeep worker` processes over one PostgreSQL and one bucket.

Real processes, each in an empty working directory and an empty data
directory of its own (the master key comes from the environment, the blobs
from SeaweedFS, the rows and jobs from PostgreSQL): nothing is shared but the
database and the bucket. A worker is frozen and then killed with SIGKILL while
it builds an answer; a second worker takes the job over once its lease lapses
and finishes it. The answer, its release and its mail each happen once.

A worker is killed in the middle of an erasure's purge, held after its first
batch by the test-only VOXKEEP_PURGE_PAUSE_S (a chosen moment, not a race);
another finishes it and no version of the person is left in the bucket. And
the retention sweep, claimed fleet-wide (jobs/periodic.py), runs on one worker
per period, and on another once the one sweeping died.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from exports.export_helpers import archive_bytes, open_zip
from exports.factory import household, portal_request, record
from helpers import TEST_BACKEND
from nodes import (
    LEASE_S,
    Node,
    Nodes,
    bucket_names,
    job_of,
    job_story,
    pending_jobs,
    started,
    wait_for,
)
from retention.seeding import days_ago, register, seed
from smtp_sink import SmtpSink
from voxkeep.audit.events import AuditAction, AuditEvent
from voxkeep.db.base import utcnow
from voxkeep.exports.models import Export
from voxkeep.jobs.models import PeriodicRun
from voxkeep.recordings.models import Recording
from voxkeep.requests.models import DataRequest, RequestEvent, RequestKind
from voxkeep.requests.service import ERASURE_RUN, EXPORT_BUILD
from voxkeep.retention.erasure import get_receipt
from voxkeep.retention.models import ErasureReceipt
from voxkeep.retention.receipts import verify
from voxkeep.retention.sweeper import SWEEP, count_expired
from voxkeep.vault import Vault

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        TEST_BACKEND != "postgresql", reason="nodes share a PostgreSQL, never a SQLite file"
    ),
]

RECORDINGS = 40


def test_a_worker_killed_mid_answer_is_taken_over_and_nothing_happens_twice(
    vault: Vault, nodes: Nodes, mailbox: SmtpSink
) -> None:
    assert vault.settings.s3_bucket is not None
    house = household(vault, "okapi-nodes-0815")
    for n in range(RECORDINGS):  # big enough that building takes a while
        # Recent: the nodes' retention sweeps must find nothing to sweep.
        at = datetime.now(UTC) - timedelta(hours=n + 1)
        record(vault, house, f"nodes-rec-{n}", frames=48_000, seed=n, at=at)
    request_id = portal_request(vault, house)
    address = "okapi-nodes-0815@example.org"

    first = nodes.worker("node-a")
    wait_for(
        "node A to claim the answer",
        lambda: job_of(vault, EXPORT_BUILD, request_id).state == "running",
    )
    os.kill(first.pid, signal.SIGSTOP)  # frozen mid-answer: nothing of it moves on
    claimed = job_of(vault, EXPORT_BUILD, request_id)
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        assert request is not None and request.state == "building", "killed after the answer"
    assert claimed.state == "running" and str(first.pid) in (claimed.locked_by or "")
    os.kill(first.pid, signal.SIGKILL)
    first.process.wait()

    second = nodes.worker("node-b")

    def released() -> bool:
        with vault.reading() as session:
            return (
                session.scalar(select(DataRequest.state).where(DataRequest.id == request_id))
                == "ready"
            )

    wait_for(
        "node B to finish the answer",
        released,
        about=lambda: job_story(vault, EXPORT_BUILD, request_id, second),
    )
    wait_for(
        "node B to mark the job done",
        lambda: job_of(vault, EXPORT_BUILD, request_id).state == "done",
    )
    job = job_of(vault, EXPORT_BUILD, request_id)
    assert (job.state, job.attempts) == ("done", 2)
    assert job.locked_by is None or str(second.pid) in job.locked_by

    assert len(mailbox.wait_for(address, count=1, timeout=60)) == 1
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        assert request is not None and request.export_id is not None
        released_exports = session.scalar(
            select(func.count())
            .select_from(Export)
            .where(Export.request_id == request_id, Export.state == "released")
        )
        to_ready = session.scalar(
            select(func.count())
            .select_from(RequestEvent)
            .where(RequestEvent.request_id == request_id, RequestEvent.to_state == "ready")
        )
        every_export = session.scalars(
            select(Export.state).where(Export.request_id == request_id)
        ).all()
    # What node A had built before it froze is never released (nor left readable).
    assert (released_exports, to_ready) == (1, 1), every_export
    assert request.export_id is not None
    with open_zip(archive_bytes(vault, request.export_id)) as archive:
        audio = [name for name in archive.namelist() if name.endswith(".wav")]
    assert len(audio) == RECORDINGS

    # Every job done: a little longer, and still one mail; node B stops cleanly on SIGTERM.
    wait_for("every job to finish", lambda: pending_jobs(vault) == 0, timeout=60)
    time.sleep(LEASE_S * 2)
    assert len(mailbox.to(address)) == 1
    assert second.stop() == 0
    assert "Traceback" not in second.last_words()
    for name in ("node-a", "node-b"):  # the nodes kept nothing on their own disks
        assert not (nodes.root / name / "data" / "blobs").exists()


# ------------------------------------------------------------------ a purge killed midway

PURGED, BATCH = 12, 4


def _recordings_of(vault: Vault, account_id: str) -> list[str]:
    with vault.reading() as session:
        query = select(Recording.audio_blob).where(Recording.account_id == account_id)
        return list(session.scalars(query))


def test_a_worker_killed_mid_purge_is_taken_over_and_no_version_of_the_person_is_left(
    vault: Vault, nodes: Nodes, mailbox: SmtpSink
) -> None:
    prefix = vault.settings.s3_prefix
    house, stays = household(vault, "okapi-purge-4711"), household(vault, "okapi-stays-4712")
    recent = datetime.now(UTC) - timedelta(hours=1)  # the sweeps must find nothing expired
    for n in range(PURGED):
        record(vault, house, f"purge-rec-{n}", seed=n, at=recent - timedelta(minutes=n))
    for n in range(2):
        record(vault, stays, f"stays-rec-{n}", seed=100 + n, at=recent)
    theirs = {prefix + blob for blob in _recordings_of(vault, house.account_id)}
    others = {prefix + blob for blob in _recordings_of(vault, stays.account_id)}
    assert len(theirs) == PURGED and theirs | others <= bucket_names(vault)
    request_id = portal_request(vault, house, RequestKind.ERASURE)

    # Node A destroys the key, purges one batch and stops in the test-only pause after it
    # (no sweeps of its own, so only the erasure job purges there).
    first = nodes.worker(
        "purge-a",
        VOXKEEP_PURGE_PAUSE_S="3600",
        VOXKEEP_RETENTION_BATCH=str(BATCH),
        VOXKEEP_RETENTION_SWEEP_INTERVAL_S="0",
    )
    wait_for(
        "node A to purge one batch and pause",
        lambda: len(_recordings_of(vault, house.account_id)) == PURGED - BATCH,
        about=lambda: job_story(vault, ERASURE_RUN, request_id, first),
    )
    claimed = job_of(vault, ERASURE_RUN, request_id)
    assert claimed.state == "running" and str(first.pid) in (claimed.locked_by or "")
    left = bucket_names(vault)
    assert len(theirs - left) == BATCH and others <= left  # part way: some objects gone
    with vault.reading() as session:
        [receipt] = session.scalars(select(ErasureReceipt)).all()
        assert receipt.purged_at is None and receipt.signature is None
    os.kill(first.pid, signal.SIGKILL)
    first.process.wait()

    # Node B (sweeps on, no pause) takes the job over once its lease lapsed; its own first
    # sweep may resume the same purge alongside: the receipt's row lock keeps them apart.
    second = nodes.worker("purge-b", VOXKEEP_RETENTION_BATCH=str(BATCH))
    wait_for(
        "node B to finish the erasure",
        lambda: job_of(vault, ERASURE_RUN, request_id).state == "done",
        about=lambda: job_story(vault, ERASURE_RUN, request_id, second),
    )
    job = job_of(vault, ERASURE_RUN, request_id)
    assert job.attempts == 2  # node A's claim, then node B's
    left = bucket_names(vault)
    assert not theirs & left, "an object or a version of the person is left"
    assert others <= left
    assert _recordings_of(vault, house.account_id) == []

    wait_for("every job to finish", lambda: pending_jobs(vault) == 0, timeout=60)
    time.sleep(LEASE_S * 2)  # a little longer: nothing happens again
    with vault.reading() as session:
        [receipt] = session.scalars(select(ErasureReceipt)).all()
        purged = session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.ACCOUNT_PURGED.value)
        ).all()
        request = session.get(DataRequest, request_id)
        steps = session.scalars(
            select(RequestEvent.to_state).where(RequestEvent.request_id == request_id)
        ).all()
    assert request is not None and request.state == "closed"
    assert request.receipt_id == receipt.id
    assert len(purged) == 1  # the receipt was completed (bytes_gone_at set) once
    view = get_receipt(vault, receipt.id)
    assert view.signed is not None and view.bytes_gone_at == receipt.purged_at
    assert view.bytes_gone_at is not None and view.bytes_gone_at >= view.unreadable_at
    verify(
        receipt_json=view.signed.receipt_json,
        signature=view.signed.signature,
        public_key=view.public_key,
    )
    assert view.content["counts"]["recordings"] == PURGED
    # The receipt mail was sealed for its job with the key's destruction, before node A
    # died: node B sends it, exactly once.
    mails = mailbox.to(f"{house.external_id}@example.org")
    assert len(mails) == 1
    assert steps.count("delivered") == 1
    assert second.stop() == 0
    assert "Traceback" not in second.last_words()


# ------------------------------------------------------------------ sweeps, once per fleet

EXPIRED = 6
SWEEP_DONE = "periodic retention.sweep: run done"


def _sweep(vault: Vault) -> PeriodicRun | None:
    with vault.reading() as session:
        return session.get(PeriodicRun, SWEEP)


def _swept(node: Node) -> int:
    """The sweeps this node ran to their end, by its log."""
    return node.log.read_text(errors="replace").count(SWEEP_DONE)


def _expired(vault: Vault) -> int:
    return count_expired(vault, utcnow())


def test_a_sweep_runs_on_one_worker_per_period_and_another_takes_over(
    vault: Vault, nodes: Nodes
) -> None:
    register(vault, "sweep-nodes")
    seed(vault, "sweep-nodes", days_ago(*range(200, 200 + EXPIRED)), prefix="sweep")
    seed(vault, "sweep-nodes", days_ago(1), prefix="kept")
    assert _expired(vault) == EXPIRED

    # Node A claims the first sweep, deletes a batch and stops in the pause after it.
    first = nodes.worker("sweep-a", VOXKEEP_PURGE_PAUSE_S="3600", VOXKEEP_RETENTION_BATCH="2")
    wait_for(
        "node A to sweep one batch and pause",
        lambda: _expired(vault) == EXPIRED - 2,
        about=first.last_words,
    )
    # Node B starts while A holds the sweep: it does not sweep too.
    second = nodes.worker("sweep-b", VOXKEEP_RETENTION_BATCH="2")
    wait_for("node B to start", lambda: started(second))
    time.sleep(LEASE_S * 2)  # B looks every 0.2 s and A renews its lease meanwhile
    held = _sweep(vault)
    assert held is not None and str(first.pid) in (held.locked_by or "")
    assert (held.runs, _expired(vault), _swept(second)) == (0, EXPIRED - 2, 0)

    # A dies mid-sweep: once its lease lapsed, B takes the sweep over and finishes it.
    os.kill(first.pid, signal.SIGKILL)
    first.process.wait()

    def taken_over() -> bool:  # the log says the run ended; the row, that it was let go
        row = _sweep(vault)
        return _swept(second) == 1 and row is not None and row.runs == 1

    wait_for("node B to take the sweep over", taken_over, about=second.last_words)
    assert _expired(vault) == 0
    done = _sweep(vault)
    assert done is not None and done.runs == 1 and str(second.pid) in (done.last_run_by or "")

    # Node C starts within the period B just swept: nothing to do until the next.
    third = nodes.worker("sweep-c")
    wait_for("node C to start", lambda: started(third))
    # The next period comes (its clock moved in the database): B and C look, one sweeps.
    with vault.transaction() as session:
        session.execute(update(PeriodicRun).values(next_run_at=utcnow()))

    def swept_again() -> bool:
        row = _sweep(vault)
        return _swept(second) + _swept(third) == 2 and row is not None and row.runs == 2

    wait_for("the next sweep", swept_again)
    time.sleep(LEASE_S * 2)  # ten looks of each node: still one sweep for the period
    assert _swept(second) + _swept(third) == 2
    final = _sweep(vault)
    assert final is not None and final.runs == 2 and final.locked_by is None
    assert final.next_run_at > utcnow() + timedelta(minutes=30)  # an hour from the last
    for node in (second, third):
        assert node.stop() == 0
        assert "Traceback" not in node.last_words()
