"""Browser tests: a real voxkeep server on a free loopback port, driven by Debian's chromium
through Playwright, with axe-core (vendored, tests/browser/vendor/axe-core) checking every
page a journey visits.

Needs /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it). Without it
the tests are skipped locally and fail in CI. Playwright's own browser download
(`playwright install`) is never used.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from browser_helpers import ARTIFACTS, Visit
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, ConsoleMessage, sync_playwright

from people.people_helpers import PASSWORD
from portal.portal_helpers import household
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.server import UVICORN
from voxkeep.vault import Vault

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is required in CI (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=FLAGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def server(vault: Vault) -> Iterator[str]:
    """`voxkeep serve`'s app and Uvicorn settings on 127.0.0.1, on a port the OS picks."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(vault), log_level="warning", **UVICORN)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=20)
    sock.close()


@pytest.fixture
def anna(client: TestClient, mailbox: SmtpSink) -> dict[str, str]:
    """A household with real recordings whose owner can sign in."""
    household(client, mailbox, password=PASSWORD)
    return {"email": "anna@example.org", "password": PASSWORD}


@pytest.fixture
def visit(browser: Browser, server: str, request: pytest.FixtureRequest) -> Iterator[Visit]:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    found = Visit(page=page, base=server, shots=shots)

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.csp_violations.append(message.text)

    page.on("console", on_console)
    yield found
    context.close()
