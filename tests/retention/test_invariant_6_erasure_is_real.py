"""DESIGN invariant 6: erasure is real.

A person's recordings carry marker patterns in their audio samples and
transcripts, their account marker names and an e-mail address. Three ways of
deleting (erasing the account, deleting one recording, a retention sweep) are
each followed by a scan of every file under the data directory (database and
WAL, blobs, anything else) for the plaintext markers and for the exact
ciphertext bytes the data was stored as. Nothing of the deleted data may be
found; the data of everyone else must still be found (the scan is not blind).
On PostgreSQL every column of every table is searched with SQL as well, and
no row of the erased account remains.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from exports.export_helpers import run_export_job
from exports.factory import household, portal_request, record
from helpers import TEST_BACKEND, ago, make_wav
from retention.scanning import (
    Traces,
    account_traces,
    locate,
    recording_traces,
    scan_files,
    scan_postgres,
)
from voxkeep.accounts.models import Account
from voxkeep.config import Settings
from voxkeep.exports.models import Export
from voxkeep.recordings.models import Recording
from voxkeep.requests.models import RequestKind
from voxkeep.retention.sweeper import run_retention
from voxkeep.vault import Vault


@dataclass(frozen=True)
class Person:
    """One person's data, every value carrying a marker."""

    tag: str

    @property
    def account(self) -> str:
        return f"kunde-okapi-{self.tag}-0815"

    @property
    def email(self) -> str:
        return f"okapi.{self.tag}.0815@example.org"

    @property
    def device_name(self) -> str:
        return f"Okapi-Schlafzimmer-{self.tag}"

    @property
    def member_name(self) -> str:
        return f"Okapi-Opa-{self.tag}"

    def transcript(self, n: int) -> str:
        return f"okapi-quartz-0815 {self.tag} Nachricht {n}"

    @property
    def audio_marker(self) -> bytes:
        return b"\x8f\x13OKAPI-MARK\x00\xfe\x71" + self.tag.encode()[:4].ljust(4, b"#")

    def markers(self) -> Traces:
        traces = Traces()
        traces.add_text("account id", self.account)
        traces.add_text("e-mail", self.email)
        traces.add_text("device name", self.device_name)
        traces.add_text("member name", self.member_name)
        traces.add_text("transcript", f"okapi-quartz-0815 {self.tag}")
        traces.add("audio marker", self.audio_marker)
        return traces


def register(client: TestClient, person: Person) -> None:
    response = client.put(
        f"/api/v1/accounts/{person.account}", json={"email": person.email, "language": "de"}
    )
    assert response.status_code == 201, response.text
    response = client.put(
        f"/api/v1/accounts/{person.account}/devices/{person.tag}-dev",
        json={"kind": "speaker", "name": person.device_name, "registered_at": ago(days=400)},
    )
    assert response.status_code == 201, response.text
    response = client.put(
        f"/api/v1/accounts/{person.account}/members/{person.tag}-member",
        json={"name": person.member_name},
    )
    assert response.status_code == 201, response.text


def upload(client: TestClient, person: Person, n: int, *, days_old: float = 0.1) -> str:
    rec_id = f"{person.tag}-rec-{n}"
    metadata = {
        "id": rec_id,
        "account": person.account,
        "device": f"{person.tag}-dev",
        "captured_at": ago(days=days_old),
        "language": "de",
        "transcript": person.transcript(n),
        "speaker": f"{person.tag}-member",
    }
    response = client.post(
        "/api/v1/recordings",
        files={
            "metadata": (None, json.dumps(metadata).encode(), "application/json"),
            # Over 64 KiB: a multi-segment blob and overflow pages, not one small cell.
            "audio": ("a.wav", make_wav(2.5, seed=n, marker=person.audio_marker), "audio/wav"),
        },
    )
    assert response.status_code == 201, response.text
    return rec_id


def account_id(vault: Vault, person: Person) -> str:
    with vault.reading() as session:
        digest = vault.keyring.lookup_hash(session, kind="external_id", value=person.account)
        found = session.scalar(select(Account.id).where(Account.external_id_hash == digest))
    assert found is not None
    return found


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    logger = logging.getLogger("voxkeep")
    caplog.set_level(logging.DEBUG, logger="voxkeep")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def found_anywhere(settings: Settings, traces: Traces) -> set[str]:
    found = scan_files(settings.data_dir, traces)
    if TEST_BACKEND == "postgresql":
        assert settings.database_url is not None
        found |= scan_postgres(settings.database_url.get_secret_value(), traces)
    return found


def assert_gone(settings: Settings, gone: Traces, kept: Traces, logs: str) -> None:
    found = found_anywhere(settings, gone.merged(kept))
    where = locate(settings.data_dir, gone)
    assert sorted(found & set(gone.patterns)) == [], where
    # The scan sees the data that should still be there, so it is not blind.
    assert sorted(set(kept.patterns) - found) == []
    for pattern in gone.patterns.values():
        assert pattern.decode("latin-1") not in logs
    if settings.is_sqlite:
        wal = settings.data_dir / "voxkeep.db-wal"
        assert not wal.exists() or wal.stat().st_size == 0


def with_recordings(traces: Traces, person: Person, count: int) -> Traces:
    """Markers of a person whose recordings are all gone; the audio marker only then."""
    return traces.merged(person.markers()) if count else traces


def test_erasing_an_account_leaves_nothing_on_disk(
    client: TestClient, vault: Vault, settings: Settings, logs: pytest.LogCaptureFixture
) -> None:
    erased, bystander = Person("gone"), Person("kept")
    for person in (erased, bystander):
        register(client, person)
    erased_ids = [upload(client, erased, n) for n in range(4)]
    kept_ids = [upload(client, bystander, n) for n in range(2)]
    erased_id = account_id(vault, erased)
    gone = recording_traces(vault, erased_ids).merged(account_traces(vault, erased_id))
    kept = recording_traces(vault, kept_ids).merged(
        account_traces(vault, account_id(vault, bystander))
    )
    before = found_anywhere(settings, gone.merged(erased.markers()))
    assert before == set(gone.patterns), "the scan must see the data before the erasure"

    response = client.post(f"/api/v1/accounts/{erased.account}/erasure")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "purged"

    assert_gone(settings, gone.merged(erased.markers()), kept, logs.text)
    if TEST_BACKEND == "postgresql":
        assert settings.database_url is not None
        url = settings.database_url.get_secret_value()
        with psycopg.connect(url) as conn:
            for table in ("accounts", "data_keys", "devices", "household_members", "recordings"):
                column = "id" if table == "accounts" else "account_id"
                count = conn.execute(
                    f"SELECT count(*) FROM {table} WHERE {column} = %s",  # noqa: S608
                    (erased_id,),
                ).fetchone()
                assert count == (0,), table
    with vault.reading() as session:
        left = session.scalar(select(func.count()).where(Recording.id.in_(erased_ids)))
    assert left == 0


def test_deleting_one_recording_leaves_nothing_of_it_on_disk(
    client: TestClient, vault: Vault, settings: Settings, logs: pytest.LogCaptureFixture
) -> None:
    person = Person("single")
    register(client, person)
    ids = [upload(client, person, n) for n in range(3)]
    gone = recording_traces(vault, ids[1:2])
    kept = recording_traces(vault, [ids[0], ids[2]])
    gone.add_text("transcript", person.transcript(1))
    assert found_anywhere(settings, gone) == set(gone.patterns) - {
        "transcript (UTF-8)",
        "transcript (UTF-16-LE)",
    }

    response = client.delete(f"/api/v1/accounts/{person.account}/recordings/{ids[1]}")
    assert response.status_code == 200, response.text
    assert response.json()["deleted"] == 1

    assert_gone(settings, gone, kept, logs.text)


def test_a_retention_sweep_leaves_nothing_of_expired_recordings_on_disk(
    client: TestClient, vault: Vault, settings: Settings, logs: pytest.LogCaptureFixture
) -> None:
    person = Person("sweep")
    register(client, person)  # default retention: 3 months
    expired = [upload(client, person, n, days_old=100 + n) for n in range(3)]
    fresh = [upload(client, person, n, days_old=10 + n) for n in range(3, 5)]
    gone = recording_traces(vault, expired)
    for n in range(3):
        gone.add_text(f"transcript {n}", person.transcript(n))
    kept = recording_traces(vault, fresh)

    run = run_retention(vault)
    assert run.sweep.counts.recordings == 3

    assert_gone(settings, gone, kept, logs.text)


def test_erasure_also_removes_answer_archives(
    client: TestClient, vault: Vault, settings: Settings, logs: pytest.LogCaptureFixture
) -> None:
    """Art. 17: copies in exports go too, blob and row."""
    house = household(vault, "okapi-export-0815", devices=(("bad", "Okapi-Bad"),))
    for n in range(2):
        record(vault, house, f"okapi-exp-{n}", transcript=f"okapi-quartz-0815 export {n}")
    export_id = run_export_job(vault, portal_request(vault, house, RequestKind.ACCESS))
    assert export_id is not None
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None and export.blob is not None
        blob, sealed_key = export.blob, export.key_sealed
    with vault.blobs.open(blob) as source:
        archive = source.read()
    gone = recording_traces(vault, list(house.recordings))
    gone.add("archive ciphertext", archive[len(archive) // 2 : len(archive) // 2 + 48])
    gone.add("archive ciphertext tail", archive[-48:])
    gone.add("sealed archive key", sealed_key)
    assert found_anywhere(settings, gone) == set(gone.patterns)

    response = client.post(f"/api/v1/accounts/{house.external_id}/erasure")
    assert response.status_code == 200, response.text
    assert response.json()["receipt"]["counts"]["exports"] == 1

    assert_gone(settings, gone, Traces(), logs.text)
    with vault.reading() as session:
        assert session.get(Export, export_id) is None
