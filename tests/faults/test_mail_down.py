"""The mail server goes away mid-run: notices wait in the queue, the request says they are
late, and once the server is back on its port each goes out by itself, exactly once.

The fault is real: an aiosmtpd server of the test's own, stopped and started again;
the worker is the real in-process worker; nothing is retried by hand.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from console.console_helpers import add_member, browser, sign_in
from exports.factory import portal_request
from incidents.trigger_helpers import Staff, two_households
from smtp_sink import SmtpSink
from staff_totp import sign_in as staff_sign_in
from voxkeep.config import Settings
from voxkeep.jobs.models import Job
from voxkeep.jobs.worker import start_worker
from voxkeep.requests import service
from voxkeep.requests.views import show_request
from voxkeep.vault import Vault, open_vault

PASSWORD = "correct horse battery staple"
AGENT = Staff("agent-1", roles=("agent",))
WAIT_S = 60.0
MAILS = {"request.notify", "export.notify_ready"}  # the request's jobs that mail the person


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink()
    server.start()
    yield server
    with contextlib.suppress(AssertionError, RuntimeError):  # stopped by the test already
        server.stop()


def _jobs(vault: Vault, request_id: str) -> list[Job]:
    with vault.reading() as session:
        jobs = list(session.scalars(select(Job).where(Job.ref == request_id)))
        session.expunge_all()
        return jobs


def _until(what: str, check: object) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"{what} did not happen within {WAIT_S:.0f}s"
        time.sleep(0.1)


def test_notices_wait_for_the_mail_server_and_go_out_once_it_is_back(
    settings: Settings, sink: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    vault = open_vault(
        settings.model_copy(
            update={"smtp_host": sink.host, "smtp_port": sink.port, "job_backoff_max_s": 0.3}
        )
    )
    try:
        me, _ = two_households(vault, recordings=2)
        request_id = portal_request(vault, me)
        address = "me@example.org"
        sink.stop()  # the mail server disappears before anything was mailed
        service.extend(vault, staff=AGENT, request_id=request_id, months=1, reason="many files")
        stop = start_worker(vault, threads=1)
        try:
            _until(
                "the extension notice waiting for the mail server",
                lambda: any(
                    j.kind == "request.notify" and j.fault == "mail" and j.state == "queued"
                    for j in _jobs(vault, request_id)
                ),
            )
            notify = next(j for j in _jobs(vault, request_id) if j.kind == "request.notify")
            assert notify.last_error is not None and "mail_failed" in notify.last_error
            assert "example.org" not in notify.last_error
            assert any("SMTP" in r.getMessage() for r in caplog.records)
            assert all("example.org" not in r.getMessage() for r in caplog.records)

            # The request says its notice is late, and why, to staff everywhere.
            detail = show_request(vault, staff=AGENT, request_id=request_id)
            late = [w for w in detail.summary.waiting if w.kind == "request.notify"]
            assert len(late) == 1 and late[0].notice and late[0].fault == "mail"
            assert late[0].text.startswith("notice to the person late: mail server unavailable")
            assert detail.extension_notified_at is None
            add_member(vault, "agent-1", "agent")
            with browser(vault) as client:
                sign_in(client, vault, "agent-1")
                page = client.get(f"/console/requests/{request_id}")
                queue = client.get(f"/console/requests?state={detail.summary.state}")
            assert page.status_code == queue.status_code == 200
            assert 'id="waiting"' in page.text
            assert "Notice to the person late: mail server unavailable since" in page.text
            assert "Notice late" in queue.text
            token = staff_sign_in(vault, "agent-1", PASSWORD).token
            with browser(vault) as client:
                api = client.get(
                    f"/api/v1/requests/{request_id}", headers={"Authorization": f"Bearer {token}"}
                )
            assert api.status_code == 200, api.text
            waiting = [w for w in api.json()["waiting"] if w["kind"] == "request.notify"]
            assert waiting and waiting[0]["notice"] is True and waiting[0]["fault"] == "mail"
            assert waiting[0]["gave_up"] is False

            sink.restart()  # back, on the same port: nobody retries anything by hand
            _until(
                "every notice of the request mailed",
                lambda: {j.state for j in _jobs(vault, request_id) if j.kind in MAILS} == {"done"},
            )
        finally:
            stop()
        extension = [m for m in sink.to(address) if m.subject.startswith("Mehr Zeit")]  # German
        assert len(extension) == 1, [m.subject for m in sink.to(address)]
        subjects = [m.subject for m in sink.to(address)]
        assert len(subjects) == len(set(subjects)), subjects  # each notice exactly once
        assert all(j.fault is None for j in _jobs(vault, request_id))
        detail = show_request(vault, staff=AGENT, request_id=request_id)
        assert detail.summary.waiting == ()
        assert detail.extension_notified_at is not None
    finally:
        vault.close()
