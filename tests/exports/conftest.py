"""Fixtures for downloads over a real server: a large answer and a live uvicorn."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient
from test_invariant_4_delivery_binding import Answer, make_answer

from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.vault import Vault


@pytest.fixture
def large_answer(vault: Vault, client: TestClient, mailbox: SmtpSink) -> Answer:
    """About 20 MB: more than the kernel's socket buffers hold, so a cut-off shows."""
    return make_answer(vault, client, mailbox, recordings=5, frames=2_000_000)


@pytest.fixture
def server(vault: Vault) -> Iterator[int]:
    """A real uvicorn serving the test's vault on 127.0.0.1, at a port chosen now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(create_app(vault), host="127.0.0.1", port=port, log_level="warning")
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    while not live.started and thread.is_alive():
        time.sleep(0.02)
    yield port
    live.should_exit = True
    thread.join(10)
