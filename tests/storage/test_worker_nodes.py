"""Worker nodes: `voxkeep worker` processes over one PostgreSQL and one bucket.

Real processes, each in an empty working directory and an empty data
directory of its own (the master key comes from the environment, the blobs
from SeaweedFS, the rows and jobs from PostgreSQL): nothing is shared but the
database and the bucket. A worker is frozen and then killed with SIGKILL while
it builds an answer; a second worker takes the job over once its lease lapses
and finishes it. The answer, its release and its mail each happen once.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from exports.export_helpers import archive_bytes, open_zip
from exports.factory import household, portal_request, record
from helpers import TEST_BACKEND
from nodes import LEASE_S, Nodes, job_of, job_story, pending_jobs, wait_for
from smtp_sink import SmtpSink
from voxkeep.exports.models import Export
from voxkeep.requests.models import DataRequest, RequestEvent
from voxkeep.requests.tasks import EXPORT_BUILD
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
