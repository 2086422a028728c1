"""Invariant 4: possessing a link is never enough to download an answer.

Real sessions (invite mail → password → sign-in → re-authentication) over the
HTTP API; every refusal is a refusal of the archive's bytes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from export_helpers import archive_bytes, run_export_job
from factory import Household, portal_request, record
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from helpers import sql_statements
from people.people_helpers import PASSWORD, bearer, person
from smtp_sink import SmtpSink
from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import DeviceKind
from voxkeep.audit.events import AuditEvent
from voxkeep.db.base import utcnow
from voxkeep.exports.delivery import Download, open_download
from voxkeep.exports.models import Export, ExportDownload
from voxkeep.incidents.models import Incident
from voxkeep.people.models import PersonSessionRow
from voxkeep.requests.models import DataRequest
from voxkeep.vault import Vault

DOCS = Path(__file__).resolve().parents[2] / "docs"


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
    return make_answer(vault, client, mailbox, recordings=4, frames=40_000)


def make_answer(
    vault: Vault, client: TestClient, mailbox: SmtpSink, *, recordings: int, frames: int
) -> Answer:
    """A released answer of anna's, who has just re-entered her password."""
    house, token = _signed_in_household(vault, client, mailbox, "anna")
    for n in range(recordings):
        record(vault, house, f"anna-{n}", seed=n, frames=frames, transcript="Wie spät ist es?")
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
    assert seen["downloads_left"] == 4


def _get(client: TestClient, answer: Answer, range_: str | None = None) -> Any:
    headers = bearer(answer.token) | ({"Range": f"bytes={range_}"} if range_ else {})
    return client.get(answer.url, headers=headers)


def _refused(response: Any) -> None:
    assert response.status_code == 403, response.status_code
    body = response.json()
    assert body["code"] == "downloads_exhausted"
    assert body["error"].startswith("This answer has been downloaded 5 times, the limit.")


def test_small_ranges_do_not_use_up_a_whole_download(client: TestClient, answer: Answer) -> None:
    """The issue's reproduction: 1 whole, 110 bytes in 3 ranges, 3 whole, then the 5th."""
    assert _get(client, answer).status_code == 200
    for range_ in ("0-9", "10-59", "60-109"):
        assert _get(client, answer, range_).status_code == 206
    for _ in range(3):
        assert _get(client, answer).status_code == 200
    fifth = _get(client, answer)  # four archives and 110 bytes were sent: this is the 5th
    assert fifth.status_code == 200 and fifth.content == answer.archive
    _refused(_get(client, answer))  # the 6th
    _refused(_get(client, answer, "110-"))  # and no range past the limit either
    seen = client.get(f"/api/v1/exports/{answer.export_id}", headers=bearer(answer.token)).json()
    assert seen["downloads_left"] == 0


@pytest.mark.parametrize("short", [1, 0], ids=["one-byte-below", "exactly-at-the-limit"])
def test_the_limit_is_five_archives_worth_of_bytes(
    client: TestClient, answer: Answer, short: int
) -> None:
    size = len(answer.archive)
    for _ in range(4):
        assert _get(client, answer).status_code == 200
    assert _get(client, answer, f"0-{size - 1 - short}").status_code == 206
    # Sent so far: 5 archives' worth less `short` bytes.
    seen = client.get(f"/api/v1/exports/{answer.export_id}", headers=bearer(answer.token)).json()
    assert seen["downloads_left"] == short
    after = _get(client, answer, "0-0")
    if short:
        assert after.status_code == 206 and after.content == answer.archive[:1]
        _refused(_get(client, answer, "0-0"))  # now exactly 5 archives' worth: the limit
    else:
        _refused(after)


def test_the_refusal_states_the_rule_of_the_docs(client: TestClient, answer: Answer) -> None:
    for _ in range(5):
        assert _get(client, answer).status_code == 200
    refusal = _get(client, answer).json()
    docs = " ".join((DOCS / "exports.md").read_text().replace("\n  > ", " ").split())
    assert " ".join(refusal["error"].split()) in docs  # the same rule, the same numbers


@dataclass
class _Signedin:
    id: str
    account_id: str
    reauth_at: datetime


def owners_download(vault: Vault, export_id: str) -> Download:
    """The whole answer opened for download by its owner, as the route does."""
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None
        owner = _Signedin("session-1", export.account_id, utcnow())
    return open_download(
        vault,
        person=owner,
        export_id=export_id,
        range_header=None,
        if_range=None,
        address="192.0.2.1",
        user_agent="tests/1",
    )


def test_a_download_cut_off_counts_only_the_bytes_sent(vault: Vault, answer: Answer) -> None:
    got = owners_download(vault, answer.export_id)
    first = next(got.chunks)
    assert 0 < len(first) < len(answer.archive)
    got.chunks.close()  # the connection dropped after the first chunk
    with vault.reading() as session:
        export = session.get(Export, answer.export_id)
        [download] = session.scalars(select(ExportDownload)).all()
        assert export is not None and export.bytes_served == len(first)
        assert (download.range_start, download.range_end) == (0, len(first) - 1)


def test_the_list_of_answers_finds_their_incidents_in_one_query(
    vault: Vault, client: TestClient, answer: Answer
) -> None:
    revoked = client.post(
        f"/api/v1/exports/{answer.export_id}/not-mine", headers=bearer(answer.token)
    )
    incident_id = revoked.json()["incident"]
    with vault.transaction() as session:  # two more withdrawn answers, with no incident
        export = session.get(Export, answer.export_id)
        assert export is not None
        columns = {c.key: getattr(export, c.key) for c in Export.__mapper__.column_attrs}
        copies = [f"{answer.export_id[:-1]}{n}" for n in "xy"]
        session.add_all(Export(**{**columns, "id": c, "blob": None}) for c in copies)
    with sql_statements(vault.engine) as seen:
        listed = client.get("/api/v1/exports", headers=bearer(answer.token))
    assert listed.status_code == 200
    found = {e["id"]: e["incident"] for e in listed.json()}
    assert found == {answer.export_id: incident_id, copies[0]: None, copies[1]: None}
    assert len([s for s in seen if "FROM incidents" in s]) == 1, seen
