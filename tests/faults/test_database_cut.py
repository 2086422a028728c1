"""PostgreSQL made unreachable mid-work through a TCP relay the test cuts
(fault_helpers.TcpRelay); the shared database itself is never stopped. PostgreSQL only.

A cut database answers 503 ``database_unavailable`` with ``Retry-After`` and a log line
naming the driver's error; nothing is half-applied; once the relay is back the next
requests succeed without restarting anything (the pool's pre-ping replaces the broken
connections). A connection cut while a unit of work runs is retried; one cut during its
COMMIT leaves the outcome unknown: the upload is then either whole or absent, never half.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from fault_helpers import TcpRelay, serving
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from helpers import (
    TEST_BACKEND,
    assert_clean_failure_in_process,
    assert_error,
    invoke_cli,
    make_wav,
    settings_cli_env,
    setup_account,
    stored_blobs,
    upload,
)
from voxkeep.config import Settings
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault, open_vault

pytestmark = pytest.mark.skipif(TEST_BACKEND != "postgresql", reason="PostgreSQL only")

AUDIO = "/api/v1/accounts/acct-1/recordings/{}/audio"
RECORDING = "/api/v1/accounts/acct-1/recordings/{}"


@pytest.fixture
def relay(settings: Settings) -> Iterator[TcpRelay]:
    assert settings.database_url is not None
    url = make_url(settings.database_url.get_secret_value())
    with TcpRelay(url.host or "127.0.0.1", url.port or 5432) as running:
        yield running


@pytest.fixture
def relayed(settings: Settings, relay: TcpRelay, token: str) -> Iterator[TestClient]:
    """The test's vault through the relay, in a client with the test's token."""
    assert settings.database_url is not None
    url = make_url(settings.database_url.get_secret_value()).set(port=relay.port)
    vault = open_vault(
        settings.model_copy(
            update={"database_url": SecretStr(url.render_as_string(hide_password=False))}
        )
    )
    try:
        with serving(vault, token) as client:
            yield client
    finally:
        vault.close()


def _rows(vault: Vault) -> dict[str, str]:
    """Recording id → blob, read straight from the database (not through the relay)."""
    with vault.reading() as session:
        found = session.execute(select(Recording.id, Recording.audio_blob))
        return {row.id: row.audio_blob for row in found}


def _plays(client: TestClient, rec_id: str, audio: bytes) -> None:
    response = client.get(AUDIO.format(rec_id))
    assert response.status_code == 200, response.text
    assert response.content == audio


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_cut_database_is_a_503_with_retry_after_and_works_again_once_back(
    relayed: TestClient, relay: TcpRelay, vault: Vault, caplog: pytest.LogCaptureFixture
) -> None:
    setup_account(relayed)
    first = make_wav(seed=1)
    assert upload(relayed, rec_id="rec-1", audio=first).status_code == 201

    relay.cut()
    for response in (
        upload(relayed, rec_id="rec-2", audio=make_wav(seed=2)),
        relayed.get(RECORDING.format("rec-1")),
    ):
        body = assert_error(response, 503, "database_unavailable")
        assert int(response.headers["Retry-After"]) > 0
        assert "127.0.0.1" not in str(body) and str(relay.port) not in str(body)
    lines = _errors(caplog)
    assert any(
        line.startswith("request failed: database_unavailable: database: ")
        and "psycopg" in line
        and "check that the database server is up" in line
        for line in lines
    ), lines
    assert not any("unexpected error" in line or "rec-" in line for line in lines), lines
    assert set(_rows(vault)) == {"rec-1"}  # the refused upload left nothing
    assert stored_blobs(vault.settings) == set(_rows(vault).values())

    relay.restore()  # the database is back; voxkeep is not restarted
    second = make_wav(seed=2)
    assert upload(relayed, rec_id="rec-2", audio=second).status_code == 201
    _plays(relayed, "rec-1", first)
    _plays(relayed, "rec-2", second)


def test_a_page_shows_the_database_fault_in_the_visitors_language(
    relayed: TestClient, relay: TcpRelay
) -> None:
    relayed.cookies.set("voxkeep_lang", "de")
    form = relayed.get("/console/sign-in", headers={"Accept": "text/html"})
    csrf_token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
    assert csrf_token is not None, form.text
    relay.cut()
    response = relayed.post(
        "/console/sign-in",
        data={"csrf_token": csrf_token[1], "name": "someone", "password": "a password"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "Der Tresor ist gerade nicht erreichbar." in response.text
    assert "Traceback" not in response.text and "psycopg" not in response.text


def test_a_connection_cut_before_the_commit_is_retried_and_the_upload_stored(
    relayed: TestClient, relay: TcpRelay, vault: Vault, caplog: pytest.LogCaptureFixture
) -> None:
    setup_account(relayed)
    audio = make_wav(seed=3)
    relay.cut_at(b"INSERT INTO recordings", forward=False)  # the relay keeps accepting
    assert upload(relayed, rec_id="rec-3", audio=audio).status_code == 201
    assert relay.cuts == 1
    assert any("trying again" in line for line in _errors(caplog))
    _plays(relayed, "rec-3", audio)
    assert stored_blobs(vault.settings) == set(_rows(vault).values())


def test_a_connection_cut_while_an_upload_reads_is_retried(
    relayed: TestClient, relay: TcpRelay, vault: Vault, caplog: pytest.LogCaptureFixture
) -> None:
    setup_account(relayed)
    audio = make_wav(seed=5)
    relay.cut_at(b"FROM recordings", forward=False)  # which of the ids are stored already
    assert upload(relayed, rec_id="rec-5", audio=audio).status_code == 201
    assert relay.cuts == 1
    assert any("trying again" in line for line in _errors(caplog))
    _plays(relayed, "rec-5", audio)


@pytest.mark.parametrize("committed", [True, False], ids=["commit-applied", "commit-lost"])
def test_a_connection_cut_during_the_commit_leaves_the_upload_whole_or_absent(
    relayed: TestClient, relay: TcpRelay, vault: Vault, committed: bool
) -> None:
    setup_account(relayed)
    audio = make_wav(seed=4)
    relay.cut_at(b"COMMIT", forward=committed, after=b"INSERT INTO recordings")
    response = upload(relayed, rec_id="rec-4", audio=audio)
    assert relay.cuts == 1
    assert_error(response, 503, "database_unavailable")
    assert "Retry-After" in response.headers
    rows = _rows(vault)
    assert ("rec-4" in rows) is committed
    # Its blob is kept either way: a row never names a missing blob; gc takes an orphan.
    assert set(rows.values()) <= stored_blobs(vault.settings)

    again = upload(relayed, rec_id="rec-4", audio=audio)  # the client repeats the call
    assert again.status_code == (200 if committed else 201), again.text
    _plays(relayed, "rec-4", audio)
    with vault.reading() as session:
        count = session.scalar(select(func.count()).select_from(Recording))
    assert count == 1


def test_a_command_with_the_database_cut_says_so_in_one_line(
    settings: Settings, relay: TcpRelay
) -> None:
    assert settings.database_url is not None
    url = make_url(settings.database_url.get_secret_value()).set(port=relay.port)
    env = settings_cli_env(settings, VOXKEEP_DATABASE_URL=url.render_as_string(False))
    relay.cut()
    line = assert_clean_failure_in_process(
        invoke_cli("requests", "list", env=env),
        "The database is not available just now",
        "psycopg OperationalError",
        "check that the database server is up",
    )
    assert "Traceback" not in line and (url.password or "\0") not in line


def test_a_read_whose_connection_breaks_is_answered_again_on_a_fresh_connection(
    relayed: TestClient, relay: TcpRelay, caplog: pytest.LogCaptureFixture
) -> None:
    setup_account(relayed)
    audio = make_wav(seed=6)
    assert upload(relayed, rec_id="rec-6", audio=audio).status_code == 201
    caplog.clear()
    relay.cut_at(b"FROM recordings", forward=False)  # the GET's read of the recording
    response = relayed.get(RECORDING.format("rec-6"))
    assert relay.cuts == 1
    assert response.status_code == 200, response.text
    assert response.json()["id"] == "rec-6"
    lines = _errors(caplog)
    assert any(
        line.startswith("database: GET /api/v1/accounts/{account_id}/recordings/{recording_id} ")
        and "lost its connection (psycopg OperationalError" in line
        and "answering it again on a fresh connection" in line
        for line in lines
    ), lines
    # The dropped first attempt is not reported as a failure; nothing names the recording.
    assert not any("request failed" in line or "rec-" in line for line in lines), lines

    relay.cut_at(b"FROM recordings", forward=False)  # the audio too: the answer not begun
    _plays(relayed, "rec-6", audio)
    assert relay.cuts == 2


def test_a_read_is_answered_again_once_only(relayed: TestClient, relay: TcpRelay) -> None:
    setup_account(relayed)
    assert upload(relayed, rec_id="rec-7", audio=make_wav(seed=7)).status_code == 201
    relay.cut_at(b"FROM recordings", forward=False, times=3)  # more cuts than one retry
    response = relayed.get(RECORDING.format("rec-7"))
    assert relay.cuts == 2  # the first attempt and its one repetition
    assert_error(response, 503, "database_unavailable")
    assert "Retry-After" in response.headers


def test_a_write_whose_connection_breaks_still_answers_503_and_changes_nothing(
    settings: Settings, relay: TcpRelay, vault: Vault, caplog: pytest.LogCaptureFixture
) -> None:
    from voxkeep.retention.models import DeletionReceiptRow
    from voxkeep.tokens.service import Scope, create_token

    with vault.transaction() as session:
        _, value = create_token(
            session, name="deleter", scopes=[Scope.INGEST, Scope.DELETE], actor="system"
        )
    assert settings.database_url is not None
    url = make_url(settings.database_url.get_secret_value()).set(port=relay.port)
    through = open_vault(
        settings.model_copy(
            update={"database_url": SecretStr(url.render_as_string(hide_password=False))}
        )
    )
    try:
        with serving(through, value) as client:
            setup_account(client)
            audio = make_wav(seed=8)
            assert upload(client, rec_id="rec-8", audio=audio).status_code == 201
            caplog.clear()
            relay.cut_at(b"FROM recordings", forward=False)
            response = client.post(
                "/api/v1/accounts/acct-1/deletions",
                json={"kind": "selection", "recordings": ["rec-8"]},
            )
            assert relay.cuts == 1
            assert_error(response, 503, "database_unavailable")
            assert "Retry-After" in response.headers
            lines = _errors(caplog)
            assert any(line.startswith("request failed: database_unavailable") for line in lines)
            assert not any("answering it again" in line for line in lines), lines
    finally:
        through.close()
    rows = _rows(vault)
    assert set(rows) == {"rec-8"}  # not deleted, not half: the row and its blob are there
    assert set(rows.values()) <= stored_blobs(vault.settings)
    with vault.reading() as session:
        assert session.scalar(select(func.count()).select_from(DeletionReceiptRow)) == 0
