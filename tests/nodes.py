"""Real voxkeep nodes for the tests: `voxkeep serve --no-jobs` and `voxkeep worker` processes.

Each node is a subprocess with an empty working directory and an empty data
directory of its own; the master key comes from the environment, the rows and
jobs from the test's PostgreSQL, the blobs from its bucket (SeaweedFS), mail
goes to the test's SMTP sink. Nothing else is shared, as on separate machines.
A node's log goes to a file beside (not inside) its directory, so a chatty
node never blocks on a full pipe and a failing test can show its last words.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx2
from sqlalchemy import func, select

from helpers import cli_env, s3_client, s3_env, voxkeep_command
from smtp_sink import SmtpSink
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.jobs.models import Job
from voxkeep.requests.models import DataRequest
from voxkeep.vault import Vault

LEASE_S = 2.0
START_TIMEOUT_S = 60.0


def node_env(settings: Settings, home: Path, smtp: SmtpSink, **extra: str) -> dict[str, str]:
    """A node's environment: its own empty directories; the key, database and bucket shared;
    ``extra`` VOXKEEP_* settings of this node alone."""
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
        VOXKEEP_PASSWORD_HASH_TIME_COST=str(settings.password_hash_time_cost),
        VOXKEEP_PASSWORD_HASH_MEMORY_KIB=str(settings.password_hash_memory_kib),
        **s3_env(settings),
        **extra,
    )


@dataclass
class Node:
    name: str
    home: Path
    process: subprocess.Popen[bytes]
    log: Path
    url: str = ""  # an API node's base URL

    @property
    def pid(self) -> int:
        return self.process.pid

    def last_words(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, and the exit status once it stopped."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


class Nodes:
    """The nodes a test starts; every one still running is killed at the end."""

    def __init__(self, settings: Settings, root: Path, smtp: SmtpSink) -> None:
        self.settings, self.root, self.smtp = settings, root, smtp
        self.running: list[Node] = []

    def _start(self, name: str, *args: str, env: dict[str, str] | None = None) -> Node:
        home = self.root / name
        home.mkdir()
        log = self.root / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*voxkeep_command(), *args],
                env=node_env(self.settings, home, self.smtp, **(env or {})),
                cwd=home,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        node = Node(name, home, process, log)
        self.running.append(node)
        return node

    def worker(self, name: str, **env: str) -> Node:
        """`voxkeep worker` with one job thread (``env``: settings of this node alone)."""
        return self._start(name, "worker", "--threads", "1", env=env)

    def api(self, name: str) -> Node:
        """`voxkeep serve --no-jobs` on a free loopback port, once its /healthz answers 200."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        node = self._start(name, "serve", "--no-jobs", "--host", "127.0.0.1", "--port", str(port))
        node.url = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            if node.process.poll() is not None:
                raise AssertionError(f"{name} exited: {node.last_words()}")
            try:
                return httpx2.get(f"{node.url}/healthz", timeout=1).status_code == 200
            except httpx2.TransportError:
                return False

        wait_for(f"{name} to answer /healthz", healthy, timeout=START_TIMEOUT_S)
        return node

    def command(self, name: str, *args: str) -> subprocess.CompletedProcess[str]:
        """A one-off `voxkeep` command as an operator runs it on a node of its own."""
        home = self.root / name
        home.mkdir()
        return subprocess.run(
            [*voxkeep_command(), *args],
            env=node_env(self.settings, home, self.smtp),
            cwd=home,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def stop_all(self) -> None:
        for node in self.running:
            if node.process.poll() is None:
                node.process.kill()
                node.process.wait()


def wait_for(
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


def job_of(vault: Vault, kind: str, request_id: str) -> Job:
    """The one job of this kind for a request."""
    with vault.reading() as session:
        jobs = session.scalars(select(Job).where(Job.kind == kind)).all()
    [job] = [j for j in jobs if j.payload.get("request_id") == request_id]
    return job


def job_story(vault: Vault, kind: str, request_id: str, node: Node) -> str:
    """What a stuck take-over looks like: the request, its job, the node's last words."""
    job = job_of(vault, kind, request_id)
    with vault.reading() as session:
        state = session.scalar(select(DataRequest.state).where(DataRequest.id == request_id))
    if node.process.poll() is not None:
        return f"request {state}, job {job.state}; node exited: {node.last_words()}"
    return f"request {state}, job {job.state} x{job.attempts} {job.last_error}"


def pending_jobs(vault: Vault) -> int:
    """Jobs running or due now (an answer's expiry is queued for later, and stays)."""
    with vault.reading() as session:
        due = (Job.state == "running") | ((Job.state == "queued") & (Job.run_after <= utcnow()))
        return int(session.scalar(select(func.count()).select_from(Job).where(due)) or 0)


def bucket_names(vault: Vault) -> set[str]:
    """The name of every version and delete marker under the vault's prefix, as an
    operator lists a versioned bucket."""
    settings = vault.settings
    client = s3_client(settings)
    found: set[str] = set()
    pages = client.get_paginator("list_object_versions")
    for page in pages.paginate(Bucket=settings.s3_bucket, Prefix=settings.s3_prefix):
        for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            found.add(version["Key"])
    return found


def started(node: Node) -> bool:
    """A worker node has started its job threads and periodic work (its log says so)."""
    if node.process.poll() is not None:
        raise AssertionError(f"{node.name} exited: {node.last_words()}")
    return "worker node:" in node.log.read_text(errors="replace")
