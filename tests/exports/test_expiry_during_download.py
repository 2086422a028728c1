"""An answer does not expire under a download in progress (a real uvicorn, a real socket).

The clock is moved in the database (``expires_at``, a download's start), never
by sleeping; the download is half-read when the expiry runs.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from test_invariant_4_delivery_binding import Answer, make_answer, owners_download

from people.people_helpers import bearer
from smtp_sink import SmtpSink
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.errors import NotFound
from voxkeep.exports.delivery import expire_export, expire_exports
from voxkeep.exports.models import Export, ExportDownload
from voxkeep.exports.tasks import EXPIRE
from voxkeep.jobs.models import Job
from voxkeep.requests.models import DataRequest
from voxkeep.vault import Vault

DOCS = Path(__file__).resolve().parents[2] / "docs"


class _Line:
    """One HTTP/1.1 download over a socket whose small receive buffer keeps the server
    mid-way until the test reads on."""

    def __init__(self, port: int, answer: Answer) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", port))
        self.sock.sendall(
            f"GET {answer.url} HTTP/1.1\r\nHost: vault\r\n"
            f"Authorization: Bearer {answer.token}\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            got = self.sock.recv(4096)
            assert got, "the server closed the line before its headers"
            head += got
        head, self.body = head.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 200 "), head.split(b"\r\n", 1)[0]
        length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
        assert length is not None
        self.length = int(length.group(1))

    def read(self, at_least: int) -> None:
        while len(self.body) < min(at_least, self.length):
            got = self.sock.recv(65536)
            assert got, "the download was cut off"
            self.body += got

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def line(server: int, large_answer: Answer) -> Iterator[_Line]:
    opened = _Line(server, large_answer)
    opened.read(256 * 1024)  # half-read: the server is blocked sending the rest
    yield opened
    opened.close()


def _export(vault: Vault, export_id: str) -> Export:
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None
        session.expunge(export)
        return export


def _download(vault: Vault, export_id: str) -> ExportDownload:
    with vault.reading() as session:
        (download,) = session.scalars(
            select(ExportDownload).where(ExportDownload.export_id == export_id)
        )
        session.expunge(download)
        return download


def _time_runs_out(vault: Vault, export_id: str) -> None:
    with vault.transaction() as session:
        session.execute(
            update(Export)
            .where(Export.id == export_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )


def _until(check: object, what: str) -> None:
    """The server settles a download right after its last byte: wait for it, a while at most."""
    assert callable(check)
    for _ in range(400):
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"the server did not {what}")


def _assert_expired(vault: Vault, answer: Answer, blob: str) -> None:
    export = _export(vault, answer.export_id)
    assert export.state == "expired"
    assert export.key_sealed is None and export.key_destroyed_at is not None
    assert export.blob is None
    with pytest.raises(NotFound):
        vault.blobs.size(blob)
    with vault.reading() as session:
        request = session.get(DataRequest, answer.request_id)
        assert request is not None and request.state == "closed"


def test_a_download_under_way_at_expiry_finishes_then_the_answer_expires(
    vault: Vault, client: TestClient, large_answer: Answer, line: _Line
) -> None:
    assert line.length == len(large_answer.archive) > 10 * 1024 * 1024
    assert _download(vault, large_answer.export_id).ended_at is None  # in progress
    blob = _export(vault, large_answer.export_id).blob
    assert blob is not None
    _time_runs_out(vault, large_answer.export_id)

    # The sweep and the expiry job leave it; the job comes back when the grace ends.
    assert expire_exports(vault) == 0
    assert not expire_export(vault, large_answer.export_id)
    export = _export(vault, large_answer.export_id)
    assert export.state == "released" and export.key_sealed is not None
    assert vault.blobs.size(blob) > 0
    started = _download(vault, large_answer.export_id).at
    with vault.reading() as session:
        again = session.scalars(
            select(Job.run_after).where(Job.kind == EXPIRE, Job.ref == large_answer.request_id)
        ).all()
    assert started + timedelta(seconds=vault.settings.export_download_grace_s) in again

    # New downloads and resumed ranges are refused meanwhile, and expire nothing.
    for headers in ({}, {"Range": f"bytes={len(line.body)}-"}):
        refused = client.get(large_answer.url, headers={**bearer(large_answer.token), **headers})
        assert refused.status_code == 410, refused.text
        assert refused.json()["code"] == "export_gone"
    assert _export(vault, large_answer.export_id).state == "released"

    line.read(line.length)
    assert line.body == large_answer.archive  # complete, and the answer's own bytes

    _until(lambda: _export(vault, large_answer.export_id).state == "expired", "expire it")
    _assert_expired(vault, large_answer, blob)
    download = _download(vault, large_answer.export_id)
    assert download.ended_at is not None
    assert (download.range_start, download.range_end) == (0, line.length - 1)
    gone = client.get(large_answer.url, headers=bearer(large_answer.token))
    assert gone.status_code == 410, gone.text


def test_a_stalled_download_does_not_keep_the_answer_past_its_grace(
    vault: Vault, client: TestClient, large_answer: Answer, line: _Line
) -> None:
    blob = _export(vault, large_answer.export_id).blob
    assert blob is not None
    _time_runs_out(vault, large_answer.export_id)
    assert expire_exports(vault) == 0  # within the grace: held
    grace = timedelta(seconds=vault.settings.export_download_grace_s + 1)
    started = _download(vault, large_answer.export_id).at
    with vault.transaction() as session:  # the client has stalled longer than the grace
        session.execute(
            update(ExportDownload)
            .where(ExportDownload.export_id == large_answer.export_id)
            .values(at=started - grace)
        )
    assert expire_exports(vault) == 1
    _assert_expired(vault, large_answer, blob)
    line.close()
    gone = client.get(large_answer.url, headers=bearer(large_answer.token))
    assert gone.status_code == 410, gone.text


def test_the_last_download_is_not_cut_off_by_the_sweep(
    vault: Vault, large_answer: Answer, line: _Line
) -> None:
    """The download that uses up the limit counts at its start; the sweep lets it finish."""
    with vault.transaction() as session:
        session.execute(
            update(Export).where(Export.id == large_answer.export_id).values(max_downloads=1)
        )
    blob = _export(vault, large_answer.export_id).blob
    assert blob is not None
    assert expire_exports(vault) == 0
    line.read(line.length)
    assert line.body == large_answer.archive
    _until(lambda: _download(vault, large_answer.export_id).ended_at is not None, "end it")
    assert expire_exports(vault) == 1
    _assert_expired(vault, large_answer, blob)


def test_the_grace_default_is_the_documented_one() -> None:
    text = (DOCS / "configuration.md").read_text()
    row = re.search(r"`VOXKEEP_EXPORT_DOWNLOAD_GRACE_S` \| `(\d+)`", text)
    assert row is not None
    assert float(row.group(1)) == Settings.model_fields["export_download_grace_s"].default


def test_a_response_that_ends_before_its_first_byte_holds_nothing(
    vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    """Closed unsent (the client left before the body): no download in progress is left
    behind to hold the answer for the grace, and no byte of it is counted."""
    answer = make_answer(vault, client, mailbox, recordings=2, frames=40_000)
    got = owners_download(vault, answer.export_id)
    got.chunks.close()
    download = _download(vault, answer.export_id)
    assert download.ended_at is not None
    assert _export(vault, answer.export_id).bytes_served == 0
    blob = _export(vault, answer.export_id).blob
    assert blob is not None
    _time_runs_out(vault, answer.export_id)
    assert expire_exports(vault) == 1
    _assert_expired(vault, answer, blob)
