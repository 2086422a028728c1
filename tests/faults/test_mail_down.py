"""The mail server goes away mid-run: notices wait in the queue, the request says they are
late, and once the server is back on its port each goes out by itself, exactly once.

The fault is real: an aiosmtpd server of the test's own, stopped and started again;
the worker is the real in-process worker; nothing is retried by hand.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from console.console_helpers import add_member, browser, sign_in
from exports.factory import portal_request
from helpers import TEST_BACKEND
from incidents.trigger_helpers import Staff, sql, two_households
from retention.scanning import Traces, account_traces, scan_files, scan_postgres
from smtp_sink import SmtpSink
from staff_totp import sign_in as staff_sign_in
from voxkeep.accounts.models import Account
from voxkeep.config import Settings
from voxkeep.jobs.models import Job
from voxkeep.jobs.queue import retry_failed
from voxkeep.jobs.worker import run_once, start_worker
from voxkeep.requests import service
from voxkeep.requests.models import DataRequest, RequestKind
from voxkeep.requests.views import list_requests, show_request
from voxkeep.retention.erasure import commitment
from voxkeep.retention.models import ErasureReceipt
from voxkeep.retention.receipt_mail import KIND as RECEIPT_MAIL
from voxkeep.retention.receipts import verify_bundle
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


def _mailing(settings: Settings, sink: SmtpSink, *, backoff_max_s: float = 0.3) -> Vault:
    """The test's vault mailing through sink, retrying a fault at least every backoff_max_s."""
    update = {"smtp_host": sink.host, "smtp_port": sink.port, "job_backoff_max_s": backoff_max_s}
    return open_vault(settings.model_copy(update=update))


def _until(what: str, check: object) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"{what} did not happen within {WAIT_S:.0f}s"
        time.sleep(0.1)


def test_notices_wait_for_the_mail_server_and_go_out_once_it_is_back(
    settings: Settings, sink: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    vault = _mailing(settings, sink)
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


def _receipt_row(vault: Vault, request_id: str) -> ErasureReceipt:
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        assert request is not None and request.receipt_id is not None
        row = session.get(ErasureReceipt, request.receipt_id)
        assert row is not None
        session.expunge(row)
        return row


def test_an_erasure_receipt_waits_for_the_mail_server_and_goes_out_once(
    settings: Settings, sink: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    vault = _mailing(settings, sink)
    try:
        me, _ = two_households(vault, recordings=2)
        address = "me@example.org"
        traces = account_traces(vault, me.account_id)
        traces.add_text("address", address)
        sink.stop()  # the mail server is gone before the erasure runs
        request_id = portal_request(vault, me, RequestKind.ERASURE)
        stop = start_worker(vault, threads=1)
        try:
            _until(
                "the receipt's mail waiting for the mail server",
                lambda: any(
                    j.kind == RECEIPT_MAIL and j.fault == "mail" and j.state == "queued"
                    for j in _jobs(vault, request_id)
                ),
            )
            # The erasure itself is complete: the key destroyed, the data purged, the
            # receipt signed; only its mail waits, sealed (address and salt unreadable).
            with vault.reading() as session:
                assert session.get(Account, me.account_id) is None
            sealed = _receipt_row(vault, request_id)
            assert sealed.signature is not None and sealed.purged_at is not None
            assert sealed.mail_ct is not None
            traces.add("sealed receipt mail", sealed.mail_ct[8:56])
            assert all("example.org" not in r.getMessage() for r in caplog.records)

            # The request is still owed: on the default queue, its notice late, and once
            # its deadline passed (the clock moved in the database) overdue.
            past = datetime.now(UTC) - timedelta(days=45)
            sql(
                vault,
                "UPDATE data_requests SET received_at = :at WHERE id = :id",
                at=past,
                id=request_id,
            )
            detail = show_request(vault, staff=AGENT, request_id=request_id)
            assert detail.summary.state == "building" and detail.summary.overdue
            late = [w for w in detail.summary.waiting if w.kind == RECEIPT_MAIL]
            assert len(late) == 1 and late[0].notice and late[0].fault == "mail"
            queue = list_requests(vault, staff=AGENT)
            assert [s.id for s in queue if s.waiting] == [request_id]
            add_member(vault, "agent-1", "agent")
            with browser(vault) as client:
                sign_in(client, vault, "agent-1")
                page = client.get(f"/console/requests/{request_id}")
                listed = client.get("/console/requests")
            assert "Notice to the person late: mail server unavailable since" in page.text
            assert "Notice late" in listed.text

            sink.restart()  # back: nobody retries anything by hand
            _until(
                "the receipt mailed",
                lambda: (
                    {j.state for j in _jobs(vault, request_id) if j.kind == RECEIPT_MAIL}
                    == {"done"}
                ),
            )
        finally:
            stop()
        [mail] = sink.to(address)  # exactly once
        assert mail.subject == "Ihre Daten wurden gelöscht"
        bundle = json.loads(mail.body[mail.body.index("{") :])
        content = verify_bundle(bundle)
        salt = mail.body.split("\n\n    ", 1)[1].split("\n", 1)[0]
        assert commitment(bytes.fromhex(salt), me.external_id) == content["subject_commitment"]
        detail = show_request(vault, staff=AGENT, request_id=request_id)
        assert [e.to_state for e in detail.timeline][-3:] == ["ready", "delivered", "closed"]
        assert detail.summary.waiting == ()
        assert _receipt_row(vault, request_id).mail_ct is None

        # Nothing readable of the person is left: not the sealed mail, not the salt.
        traces.add_text("salt", salt)
        found = scan_files(vault.settings, traces)
        if TEST_BACKEND == "postgresql":
            assert vault.settings.database_url is not None
            found |= scan_postgres(vault.settings.database_url.get_secret_value(), traces)
        assert found == set()
    finally:
        vault.close()


def test_a_receipt_mail_that_finally_fails_is_erased_and_the_request_closes_without_it(
    settings: Settings, sink: SmtpSink
) -> None:
    # Waits of the default length: run_once stops when the refused mail is not yet due.
    vault = _mailing(settings, sink, backoff_max_s=settings.job_backoff_max_s)
    try:
        me, _ = two_households(vault, recordings=1)
        sink.stop()
        request_id = portal_request(vault, me, RequestKind.ERASURE)
        run_once(vault)  # the erasure, and the mail's first try, refused
        [job] = [j for j in _jobs(vault, request_id) if j.kind == RECEIPT_MAIL]
        assert job.state == "queued" and job.fault == "mail"
        sealed = _receipt_row(vault, request_id).mail_ct
        assert sealed is not None
        # The fault has lasted past VOXKEEP_MAIL_RETRY_S: the clock moved in the database.
        long_ago = datetime.now(UTC) - timedelta(seconds=vault.settings.mail_retry_s + 60)
        sql(
            vault,
            "UPDATE jobs SET fault_since = :at, run_after = :at WHERE id = :id",
            at=long_ago,
            id=job.id,
        )
        run_once(vault)
        [job] = [j for j in _jobs(vault, request_id) if j.kind == RECEIPT_MAIL]
        assert job.state == "failed"
        assert _receipt_row(vault, request_id).mail_ct is None  # erased all the same
        detail = show_request(vault, staff=AGENT, request_id=request_id)
        assert detail.summary.state == "closed"
        assert [e.to_state for e in detail.timeline][-2:] == ["ready", "closed"]
        traces = Traces()
        traces.add("sealed receipt mail", sealed[8:56])
        found = scan_files(vault.settings, traces)
        if TEST_BACKEND == "postgresql":
            assert vault.settings.database_url is not None
            found |= scan_postgres(vault.settings.database_url.get_secret_value(), traces)
        assert found == set()

        sink.restart()  # queued again by hand: nothing is left to send, nothing is sent
        with vault.transaction() as session:
            assert retry_failed(session, ref=request_id) == 1
        run_once(vault)
        assert sink.to("me@example.org") == []
        assert {j.state for j in _jobs(vault, request_id)} == {"done"}
    finally:
        vault.close()
