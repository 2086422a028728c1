"""What viewing the voice history and playing audio cost the database: they write only
their audit event, in a short transaction of its own, so many people browsing at once
do not queue behind each other's reads for the one write lock (SQLite's, or the audit
log's append lock on PostgreSQL); and a page reads the household's devices once."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from portal_helpers import household
from sqlalchemy import event, select, update

from helpers import sql_statements
from people.people_helpers import PASSWORD, sign_in
from smtp_sink import SmtpSink
from voxkeep.db.base import utcnow
from voxkeep.db.engine import READ_ONLY
from voxkeep.people.models import PersonSessionRow
from voxkeep.vault import Vault

TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class Write:
    statements: list[str] = field(default_factory=list)


@contextlib.contextmanager
def writes(vault: Vault) -> Iterator[list[Write]]:
    """Every read-write transaction begun on the vault's engine in the block, with its SQL."""
    seen: list[Write] = []

    def writing(conn: Any) -> bool:
        return not conn.get_execution_options().get(READ_ONLY)

    def begin(conn: Any) -> None:
        if writing(conn):
            seen.append(Write())

    def execute(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if writing(conn) and seen and not statement.startswith(("BEGIN", "PRAGMA")):
            seen[-1].statements.append(" ".join(statement.split()))

    event.listen(vault.engine, "begin", begin)
    event.listen(vault.engine, "before_cursor_execute", execute)
    try:
        yield seen
    finally:
        event.remove(vault.engine, "begin", begin)
        event.remove(vault.engine, "before_cursor_execute", execute)


def _only_the_audit_append(write: Write) -> None:
    assert any(s.startswith("INSERT INTO audit_events") for s in write.statements), write
    for statement in write.statements:
        assert "audit_events" in statement or "pg_advisory_xact_lock" in statement, statement


@pytest.fixture
def signed_in(client: TestClient, mailbox: SmtpSink) -> TestClient:
    household(client, mailbox, password=PASSWORD)
    sign_in(client, "anna@example.org")  # the client keeps the session cookie
    return client


@pytest.mark.parametrize("words", ["", "tea"])
def test_a_history_page_writes_only_its_audit_event(
    signed_in: TestClient, vault: Vault, words: str
) -> None:
    token = TOKEN.search(signed_in.get("/history").text)
    assert token is not None
    with writes(vault) as seen:
        if words:  # a search is posted
            form = {"device": "dev-kitchen", "q": words, "csrf_token": token.group(1)}
            response = signed_in.post("/history", data=form)
        else:
            response = signed_in.get("/history?device=dev-kitchen")
    assert response.status_code == 200
    assert len(seen) == 1, [w.statements for w in seen]
    _only_the_audit_append(seen[0])


def test_playing_audio_writes_only_its_audit_event(signed_in: TestClient, vault: Vault) -> None:
    with writes(vault) as seen:
        response = signed_in.get(
            "/api/v1/me/recordings/rec-car-1/audio", headers={"Range": "bytes=0-65535"}
        )
    assert response.status_code == 206
    assert len(seen) == 1, [w.statements for w in seen]
    _only_the_audit_append(seen[0])


def test_a_history_page_reads_the_household_once(signed_in: TestClient, vault: Vault) -> None:
    with sql_statements(vault.engine) as seen:
        response = signed_in.get("/history")
    assert response.status_code == 200 and "Kitchen speaker" in response.text
    assert len([s for s in seen if "FROM devices" in s]) == 1, seen


def test_a_page_with_a_bad_date_still_offers_the_devices(signed_in: TestClient) -> None:
    response = signed_in.get("/history?from=2026-02-30")
    assert response.status_code == 200
    assert "Kitchen speaker" in response.text and 'aria-invalid="true"' in response.text


def _last_used(vault: Vault, seconds_ago: float) -> None:
    with vault.transaction() as session:
        session.execute(
            update(PersonSessionRow).values(last_seen_at=utcnow() - timedelta(seconds=seconds_ago))
        )


def test_a_page_view_notes_the_session_use_at_most_once_a_minute(
    signed_in: TestClient, vault: Vault
) -> None:
    _last_used(vault, 120)
    with writes(vault) as seen:
        for _ in range(3):
            assert signed_in.get("/history").status_code == 200
    noted = [w for w in seen if any("person_sessions" in s for s in w.statements)]
    assert len(noted) == 1, [w.statements for w in seen]
    assert len(seen) == 4  # the one note and each view's audit event
    with vault.reading() as session:
        last = session.scalars(select(PersonSessionRow.last_seen_at)).one()
    assert last is not None and utcnow() - last < timedelta(seconds=60)


def test_an_unused_session_sends_the_person_to_sign_in(signed_in: TestClient, vault: Vault) -> None:
    assert signed_in.get("/history").status_code == 200
    _last_used(vault, vault.settings.session_idle_s + 5)
    response = signed_in.get("/history", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
