"""Invariant 8: every state change is one transaction; blobs are written before the rows
that name them and orphans are collected; a killed process loses nothing committed."""

from __future__ import annotations

import os
import signal
import time

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import setup_account, start_server, stored_blobs, upload
from voxkeep.config import Settings
from voxkeep.recordings.models import Recording
from voxkeep.storage.gc import collect_orphans
from voxkeep.vault import Vault


def _rows_and_blobs(vault: Vault) -> tuple[set[str], set[str]]:
    with vault.reading() as session:
        named = set(session.scalars(select(Recording.audio_blob)))
    on_disk = stored_blobs(vault.settings)
    return named, on_disk


def test_invariant_8_a_crash_between_blob_and_row_leaves_only_an_orphan_that_gc_removes(
    client: TestClient, vault: Vault
) -> None:
    setup_account(client)
    assert upload(client, rec_id="kept").status_code == 201
    # A crash after the pack was written and before the commit: no row names its entries.
    with vault.blobs.new_pack() as pack:
        orphans = {pack.add(44, lambda out: out.__setitem__(slice(None), b"c" * 44)) for _ in "ab"}
    named, on_disk = _rows_and_blobs(vault)
    assert named <= on_disk, "a committed row must never lack its blob"
    assert on_disk - named == orphans

    assert collect_orphans(vault, grace_s=3600).orphans == []  # in-flight uploads are spared
    if vault.settings.s3_bucket is None:
        old = time.time() - 7200
        for path in vault.settings.blob_dir.rglob("*"):
            os.utime(path, (old, old))
        report = collect_orphans(vault, grace_s=3600)
    else:
        # An object's time cannot be set back: a cutoff an hour ahead counts every object old.
        report = collect_orphans(vault, grace_s=-3600)
    assert set(report.orphans) == orphans
    if vault.settings.s3_bucket is None:
        assert len(list(vault.settings.blob_dir.rglob("*.pack"))) == 1, "the orphan pack is gone"
    named, on_disk = _rows_and_blobs(vault)
    assert named == on_disk
    audio = client.get("/api/v1/accounts/acct-1/recordings/kept/audio")
    assert audio.status_code == 200


def test_invariant_8_a_killed_server_loses_nothing_it_acknowledged(
    settings: Settings, client: TestClient, vault: Vault, token: str
) -> None:
    """Uploads acknowledged before SIGKILL are all there, each with its blob, after restart."""
    setup_account(client)
    server, base = start_server(settings)
    try:
        acknowledged = []
        with httpx.Client(base_url=base, timeout=10) as remote:
            remote.headers["Authorization"] = f"Bearer {token}"
            for n in range(20):
                if upload(remote, rec_id=f"live-{n}").status_code == 201:
                    acknowledged.append(f"live-{n}")
        server.send_signal(signal.SIGKILL)
        server.communicate(timeout=10)  # also closes its stderr pipe
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert len(acknowledged) == 20
    with vault.reading() as session:
        stored = set(session.scalars(select(Recording.id).where(Recording.id.like("live-%"))))
        count = session.scalar(select(func.count()).select_from(Recording))
    assert stored == set(acknowledged)
    named, on_disk = _rows_and_blobs(vault)
    assert named <= on_disk and len(named) == count
