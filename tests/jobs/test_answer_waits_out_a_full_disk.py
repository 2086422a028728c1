"""An answer built while the blob disk is full waits, says why, and completes by itself once
space is freed: the disk is a real tmpfs of a few megabytes, filled by the test.

Root is needed to mount it (chmod does not stop root, so a read-only directory would
not be a fault here); without it, or on S3, the test is skipped.
"""

from __future__ import annotations

import errno
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from exports.factory import portal_request
from incidents.trigger_helpers import Staff, incidents_of, state_of, two_households
from voxkeep.config import Settings
from voxkeep.jobs.models import Job
from voxkeep.jobs.worker import run_once, start_worker
from voxkeep.requests.views import show_request
from voxkeep.vault import Vault, open_vault

AGENT = Staff("agent-1", roles=("agent",))
PASSWORD = "correct horse battery staple"
WAIT_S = 60.0


@pytest.fixture
def small_disk(settings: Settings) -> Iterator[Path]:
    """The vault's blob directory on its own 4 MB tmpfs."""
    if settings.s3_bucket is not None:
        pytest.skip("the blobs are in a bucket")
    blobs = settings.blob_dir
    blobs.mkdir(parents=True, exist_ok=True)
    assert not any(blobs.iterdir()), "the template vault holds blobs already"
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(blobs)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield blobs
    finally:
        subprocess.run(["umount", "-l", str(blobs)], check=True)


def _fill(disk: Path) -> Path:
    """Write a file until the disk says ENOSPC, to its last block; returns it."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 512, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    finally:
        os.close(fd)
    return filler


def _job(vault: Vault, request_id: str) -> Job:
    with vault.reading() as session:
        job = session.scalars(
            select(Job).where(Job.ref == request_id, Job.kind == "export.build")
        ).one()
        session.expunge(job)
        return job


def test_an_answer_waits_for_a_full_disk_and_completes_once_space_is_freed(
    settings: Settings, small_disk: Path
) -> None:
    vault = open_vault(settings.model_copy(update={"job_backoff_max_s": 0.3}))
    try:
        me, _ = two_households(vault, recordings=2)
        filler = _fill(small_disk)
        request_id = portal_request(vault, me)

        assert run_once(vault, max_jobs=1) == 1
        job = _job(vault, request_id)
        assert (job.state, job.fault, job.attempts) == ("queued", "storage", 0)
        assert job.last_error is not None and "ENOSPC" in job.last_error, job.last_error
        assert state_of(vault, request_id) == "building"  # waiting, not blocked
        waiting = show_request(vault, staff=AGENT, request_id=request_id).summary.waiting
        assert [w.text.split(" since ")[0] for w in waiting] == ["waiting: storage full or failing"]

        stop = start_worker(vault, threads=1)
        try:
            time.sleep(1.0)  # a few retries against the full disk
            assert state_of(vault, request_id) == "building"
            assert _job(vault, request_id).fault == "storage"
            os.remove(filler)  # the operator frees space; nobody touches the job
            deadline = time.monotonic() + WAIT_S
            while state_of(vault, request_id) in ("building", "checking"):
                assert time.monotonic() < deadline, "the answer was not built after space freed"
                time.sleep(0.1)
        finally:
            stop()
        assert state_of(vault, request_id) == "ready"
        job = _job(vault, request_id)
        assert (job.state, job.fault, job.fault_since) == ("done", None, None)
        assert incidents_of(vault) == []  # a full disk is no breach
        assert show_request(vault, staff=AGENT, request_id=request_id).summary.waiting == ()
    finally:
        vault.close()
