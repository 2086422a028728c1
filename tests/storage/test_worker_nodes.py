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
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from exports.export_helpers import archive_bytes, open_zip
from exports.factory import household, portal_request, record
from helpers import TEST_BACKEND, cli_env, s3_env, voxkeep_command
from smtp_sink import SmtpSink
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.exports.models import Export
from voxkeep.jobs.models import Job
from voxkeep.requests.models import DataRequest, RequestEvent
from voxkeep.requests.tasks import EXPORT_BUILD
from voxkeep.vault import Vault

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        TEST_BACKEND != "postgresql", reason="nodes share a PostgreSQL, never a SQLite file"
    ),
]

LEASE_S = 2.0
RECORDINGS = 40


def _node_env(settings: Settings, home: Path, smtp: SmtpSink) -> dict[str, str]:
    """A node's environment: its own empty directories; the key, database and bucket shared."""
    assert settings.database_url is not None
    return cli_env(
        home / "data",  # empty: nothing of the vault is on this node's disk
        settings.database_url.get_secret_value(),
        VOXKEEP_MASTER_KEY=settings.key_file.read_text().strip(),
        VOXKEEP_JOB_LEASE_S=str(LEASE_S),
        VOXKEEP_JOB_POLL_S="0.2",
        VOXKEEP_SMTP_HOST=smtp.host,
        VOXKEEP_SMTP_PORT=str(smtp.port),
        VOXKEEP_SMTP_FROM="voxkeep@vault.test",
        VOXKEEP_AUDIT_CHECKPOINT_INTERVAL_S="0",
        **s3_env(settings),
    )


class Nodes:
    def __init__(self, settings: Settings, root: Path, smtp: SmtpSink) -> None:
        self.settings, self.root, self.smtp = settings, root, smtp
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        home = self.root / name
        home.mkdir()
        node = subprocess.Popen(
            [*voxkeep_command(), "worker", "--threads", "1"],
            env=_node_env(self.settings, home, self.smtp),
            cwd=home,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.running.append(node)
        return node

    def stop_all(self) -> None:
        for node in self.running:
            if node.poll() is None:
                node.kill()
            if node.stderr is not None and not node.stderr.closed:
                node.communicate()


@pytest.fixture
def nodes(settings: Settings, tmp_path: Path, smtp_sink: SmtpSink) -> Iterator[Nodes]:
    started = Nodes(settings, tmp_path / "nodes", smtp_sink)
    started.root.mkdir()
    yield started
    started.stop_all()


def _build_job(vault: Vault, request_id: str) -> Job:
    with vault.reading() as session:
        jobs = session.scalars(select(Job).where(Job.kind == EXPORT_BUILD)).all()
    [job] = [j for j in jobs if j.payload.get("request_id") == request_id]
    return job


def _wait(
    what: str,
    check: Callable[[], bool],
    timeout: float = 120.0,
    about: Callable[[], str] = lambda: "",
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {about()}")
        time.sleep(0.02)


def _state(vault: Vault, request_id: str, node: subprocess.Popen[bytes]) -> str:
    """What a stuck take-over looks like: the request, its job, the node's last words."""
    job = _build_job(vault, request_id)
    with vault.reading() as session:
        state = session.scalar(select(DataRequest.state).where(DataRequest.id == request_id))
    if node.poll() is not None:
        _, errors = node.communicate()
        return f"request {state}, job {job.state}; node exited: {errors.decode()[-2000:]}"
    return f"request {state}, job {job.state} x{job.attempts} {job.last_error}"


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

    first = nodes.start("node-a")
    _wait("node A to claim the answer", lambda: _build_job(vault, request_id).state == "running")
    first.send_signal(signal.SIGSTOP)  # frozen mid-answer: nothing of it moves on
    claimed = _build_job(vault, request_id)
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        assert request is not None and request.state == "building", "killed after the answer"
    assert claimed.state == "running" and str(first.pid) in (claimed.locked_by or "")
    os.kill(first.pid, signal.SIGKILL)
    first.wait()

    second = nodes.start("node-b")

    def released() -> bool:
        with vault.reading() as session:
            return (
                session.scalar(select(DataRequest.state).where(DataRequest.id == request_id))
                == "ready"
            )

    _wait("node B to finish the answer", released, about=lambda: _state(vault, request_id, second))
    _wait("node B to mark the job done", lambda: _build_job(vault, request_id).state == "done")
    job = _build_job(vault, request_id)
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
    _wait("every job to finish", lambda: _pending(vault) == 0, timeout=60)
    time.sleep(LEASE_S * 2)
    assert len(mailbox.to(address)) == 1
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=30) == 0
    _, errors = second.communicate()
    assert b"Traceback" not in errors
    for name in ("node-a", "node-b"):  # the nodes kept nothing on their own disks
        assert not (nodes.root / name / "data" / "blobs").exists()


def _pending(vault: Vault) -> int:
    """Jobs running or due now (an answer's expiry is queued for later, and stays)."""
    with vault.reading() as session:
        due = (Job.state == "running") | ((Job.state == "queued") & (Job.run_after <= utcnow()))
        return int(session.scalar(select(func.count()).select_from(Job).where(due)) or 0)
