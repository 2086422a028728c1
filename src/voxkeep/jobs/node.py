"""A worker node: every background process of a vault, with no HTTP (docs/deployment.md).

`voxkeep worker` runs this on as many machines as wanted against one
PostgreSQL and one bucket. Jobs are claimed under leases (jobs/queue.py), so a
job whose node died is taken over once its lease lapses; every job's effect is
idempotent, so a job run again after a crash does nothing twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from voxkeep.audit.log import start_checkpointer
from voxkeep.jobs.worker import start_worker
from voxkeep.retention.sweeper import start_sweeper
from voxkeep.vault import Vault

log = logging.getLogger("voxkeep.jobs")


def start_node(vault: Vault, *, threads: int) -> Callable[[], None]:
    """Start job threads (answers, erasure purges, mail), retention sweeps and audit
    checkpoints in this process; returns the function that stops them, newest first."""
    stops = [
        start_worker(vault, threads=threads),
        start_sweeper(vault),
        start_checkpointer(vault, vault.settings.audit_checkpoint_interval_s),
    ]

    def stop() -> None:
        for stop_one in reversed(stops):
            stop_one()

    return stop


def run_node(vault: Vault, *, threads: int, stopped: threading.Event) -> None:
    """Run a worker node until ``stopped`` is set, then stop it (running jobs get
    jobs.worker.STOP_WAIT_S to finish; any still running keep their lease until it lapses)."""
    stop = start_node(vault, threads=threads)
    log.info("worker node: %d job thread(s)", threads)
    try:
        stopped.wait()
    finally:
        stop()
