"""Invariant 4: possessing a link is never enough to download an answer.

Real sessions (invite mail → password → sign-in → re-authentication) over the
HTTP API; every refusal is a refusal of the archive's bytes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from export_helpers import archive_bytes, run_export_job
from factory import Household, portal_request, record
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from people.people_helpers import PASSWORD, bearer, person
from smtp_sink import SmtpSink
from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import DeviceKind
from voxkeep.audit.events import AuditEvent
from voxkeep.db.base import utcnow
from voxkeep.exports.models import Export, ExportDownload
from voxkeep.incidents.models import Incident
from voxkeep.people.models import PersonSessionRow
from voxkeep.requests.models import DataRequest
from voxkeep.vault import Vault


@dataclass
class Answer:
    token: str  # the owner's session
    export_id: str
    request_id: str
    archive: bytes

    @property
    def url(self) -> str:
        return f"/api/v1/exports/{self.export_id}/archive"


def _signed_in_household(
    vault: Vault, client: TestClient, mailbox: SmtpSink, name: str
) -> tuple[Household, str]:
    token = person(client, mailbox, account=name, email=f"{name}@example.org")
    client.cookies.clear()  # the tests present sessions explicitly (bearer)
    with vault.transaction() as session:
        account = accounts.find_account(vault, session, name)
        accounts.upsert_device(
            vault,
            session,
            account=account,
            device_id=f"{name}-kueche",
            kind=DeviceKind.SPEAKER,
            name="Küche",
            registered_at=utcnow() - timedelta(days=30),
            actor="system:test",
        )
        house = Household(name, account.id, "de", [f"{name}-kueche"], [])
    return house, token


def _reauth(client: TestClient, token: str) -> None:
    response = client.post(
        "/api/v1/people/sessions/current/reauth", json={"password": PASSWORD}, headers=bearer(token)
    )
    assert response.status_code in (200, 204), response.text


@pytest.fixture
def answer(vault: Vault, client: TestClient, mailbox: SmtpSink) -> Answer:
    house, token = _signed_in_household(vault, client, mailbox, "anna")
    for n in range(4):
        record(vault, house, f"anna-{n}", seed=n, frames=40_000, transcript="Wie spät ist es?")
    request_id = portal_request(vault, house)
    export_id = run_export_job(vault, request_id)
    assert export_id is not None
    _reauth(client, token)
    return Answer(token, export_id, request_id, archive_bytes(vault, export_id))


def _downloads(vault: Vault, export_id: str) -> int:
    with vault.reading() as session:
        return (
            session.scalar(select(func.count()).where(ExportDownload.export_id == export_id)) or 0
        )


def test_owner_downloads_in_own_recent_session(
    vault: Vault, client: TestClient, answer: Answer
) -> None:
    response = client.get(answer.url, headers={**bearer(answer.token), "User-Agent": "tests/1"})
    assert response.status_code == 200
    assert response.content == answer.archive
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["cache-control"] == "no-store"
    assert _downloads(vault, answer.export_id) == 1
    with vault.reading() as session:
        request = session.get(DataRequest, answer.request_id)
        events = session.scalar(
            select(func.count()).where(AuditEvent.action == "export:downloaded")
        )
    assert request is not None and request.state == "delivered"
    assert events == 1
    seen = client.get(f"/api/v1/exports/{answer.export_id}", headers=bearer(answer.token)).json()
    assert seen["downloads_left"] == 4
    assert [(d["user_agent"], d["address"]) for d in seen["downloads"]] == [
        ("tests/1", "testclient")
    ]


def test_the_ready_mail_has_no_data_and_no_link(
    vault: Vault, mailbox: SmtpSink, answer: Answer
) -> None:
    from voxkeep.jobs.worker import run_once

    run_once(vault)
    mails = mailbox.wait_for("anna@example.org", count=2)  # the invitation, then the notice
    body = mails[-1].body
    assert answer.request_id in body
    assert "http" not in body and answer.export_id not in body and "Wie spät" not in body


def test_a_link_alone_downloads_nothing(client: TestClient, answer: Answer) -> None:
    assert client.get(answer.url, headers={"Authorization": ""}).status_code == 401
    # The operator's API token is not a person's session either.
    assert client.get(answer.url).status_code == 401


def test_another_accounts_session_is_refused(
    vault: Vault, client: TestClient, mailbox: SmtpSink, answer: Answer
) -> None:
    _, other = _signed_in_household(vault, client, mailbox, "bert")
    _reauth(client, other)
    response = client.get(answer.url, headers=bearer(other))
    assert response.status_code == 404
    assert (
        client.post(
            f"/api/v1/exports/{answer.export_id}/not-mine", headers=bearer(other)
        ).status_code
        == 404
    )
    assert _downloads(vault, answer.export_id) == 0


def test_an_expired_session_is_refused(vault: Vault, client: TestClient, answer: Answer) -> None:
    with vault.transaction() as session:
        session.execute(update(PersonSessionRow).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get(answer.url, headers=bearer(answer.token)).status_code == 401


def test_no_recent_reauthentication_is_refused(
    vault: Vault, client: TestClient, answer: Answer
) -> None:
    with vault.transaction() as session:
        session.execute(update(PersonSessionRow).values(reauth_at=utcnow() - timedelta(minutes=11)))
    response = client.get(answer.url, headers=bearer(answer.token))
    assert response.status_code == 403 and response.json()["code"] == "reauth_required"
    with vault.transaction() as session:
        session.execute(update(PersonSessionRow).values(reauth_at=None))
    assert client.get(answer.url, headers=bearer(answer.token)).status_code == 403
    assert _downloads(vault, answer.export_id) == 0


def test_an_expired_answer_is_refused_and_its_key_destroyed(
    vault: Vault, client: TestClient, answer: Answer
) -> None:
    with vault.transaction() as session:
        session.execute(
            update(Export)
            .where(Export.id == answer.export_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    response = client.get(answer.url, headers=bearer(answer.token))
    assert response.status_code == 410
    with vault.reading() as session:
        export = session.get(Export, answer.export_id)
        assert export is not None and export.key_sealed is None and export.blob is None


def test_a_sixth_download_is_refused(vault: Vault, client: TestClient, answer: Answer) -> None:
    for _ in range(5):
        assert client.get(answer.url, headers=bearer(answer.token)).status_code == 200
    response = client.get(answer.url, headers=bearer(answer.token))
    assert response.status_code == 403 and response.json()["code"] == "downloads_exhausted"
    assert _downloads(vault, answer.export_id) == 5


def test_a_revoked_download_is_refused_and_opens_an_incident(
    vault: Vault, client: TestClient, answer: Answer
) -> None:
    assert client.get(answer.url, headers=bearer(answer.token)).status_code == 200
    assert (
        client.get(answer.url, headers={**bearer(answer.token), "Range": "bytes=0-99"}).status_code
        == 206
    )
    revoked = client.post(
        f"/api/v1/exports/{answer.export_id}/not-mine", headers=bearer(answer.token)
    )
    assert revoked.status_code == 200
    incident_id = revoked.json()["incident"]
    assert client.get(answer.url, headers=bearer(answer.token)).status_code == 410
    with vault.reading() as session:
        incident = session.get(Incident, incident_id)
        request = session.get(DataRequest, answer.request_id)
        export = session.get(Export, answer.export_id)
        downloads = list(
            session.scalars(
                select(ExportDownload.id).where(ExportDownload.export_id == answer.export_id)
            )
        )
    assert incident is not None and incident.kind == "not_my_data"
    assert incident.request_id == answer.request_id
    assert incident.details["export"] == answer.export_id
    assert sorted(d["id"] for d in incident.details["downloads"]) == sorted(downloads)
    assert len(downloads) == 2
    assert request is not None and request.state == "blocked"
    assert export is not None and export.key_sealed is None and export.blob is None
    again = client.post(
        f"/api/v1/exports/{answer.export_id}/not-mine", headers=bearer(answer.token)
    )
    assert again.json()["incident"] == incident_id  # idempotent


def test_ranges_resume_to_the_whole_archive(
    vault: Vault, client: TestClient, answer: Answer
) -> None:
    size = len(answer.archive)
    cuts = [0, 1, 70_000, 131_077, size - 10, size]  # across 64 KiB segments
    parts = []
    for start, end in itertools.pairwise(cuts):
        response = client.get(
            answer.url, headers={**bearer(answer.token), "Range": f"bytes={start}-{end - 1}"}
        )
        assert response.status_code == 206
        assert response.headers["content-range"] == f"bytes {start}-{end - 1}/{size}"
        parts.append(response.content)
    assert b"".join(parts) == answer.archive
    tail = client.get(answer.url, headers={**bearer(answer.token), "Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == answer.archive[-10:]
    open_end = client.get(
        answer.url, headers={**bearer(answer.token), "Range": f"bytes={size - 5}-"}
    )
    assert open_end.content == answer.archive[-5:]
    bad = client.get(answer.url, headers={**bearer(answer.token), "Range": f"bytes={size}-"})
    assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{size}"
    # Resuming costs bytes, not downloads: one archive's worth (and a bit) was served.
    seen = client.get(f"/api/v1/exports/{answer.export_id}", headers=bearer(answer.token)).json()
    assert seen["downloads_left"] == 3
