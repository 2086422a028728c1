"""`voxkeep serve --workers 2`: several processes share one vault, and stop cleanly."""

from __future__ import annotations

import signal
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import setup_account, start_server, upload
from voxkeep.config import Settings
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault


def test_two_worker_processes_store_concurrent_uploads_and_stop_on_sigterm(
    settings: Settings, client: TestClient, vault: Vault, token: str
) -> None:
    setup_account(client)
    server, base = start_server(settings, "--workers", "2")
    try:

        def send(n: int) -> int:
            with httpx.Client(base_url=base, timeout=30) as remote:
                remote.headers["Authorization"] = f"Bearer {token}"
                return int(upload(remote, rec_id=f"multi-{n}").status_code)

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(send, range(48)))
        # The same ids again, spread over both processes: each is a repeat, not a new row.
        with ThreadPoolExecutor(8) as pool:
            again = list(pool.map(send, range(48)))
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert codes == [201] * 48
    assert again == [200] * 48
    assert server.returncode == 0, errors.decode(errors="replace")[-2000:]
    with vault.reading() as session:
        stored = session.scalar(
            select(func.count()).select_from(Recording).where(Recording.id.like("multi-%"))
        )
    assert stored == 48
