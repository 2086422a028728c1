"""DESIGN invariant 6: erasure is real.

A person's recordings carry marker patterns in their audio samples and
transcripts, their account marker names and an e-mail address. Three ways of
deleting (erasing the account, deleting one recording, a retention sweep) are
each followed by a scan of every file under the data directory (database and
WAL, blobs, anything else; on an S3 vault every version of every object under
its prefix too) for the plaintext markers and for the exact
ciphertext bytes the data was stored as. Nothing of the deleted data may be
found; the data of everyone else must still be found (the scan is not blind).
On PostgreSQL every column of every table is searched with SQL as well, and
no row of the erased account remains.

The ids an operator chose for an account, its devices, members and recordings
must not outlive the erasure either, in the audit log (which is never
rewritten) or anywhere else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
from voxkeep.accounts.service import find_account
from voxkeep.audit.events import AuditEvent
from voxkeep.audit.log import account_events, verify_log, write_checkpoint
from voxkeep.audit.pseudonyms import names_for
from voxkeep.audit.store import event_count
from voxkeep.config import Settings
from voxkeep.errors import VoxkeepError
from voxkeep.exports.models import Export
from voxkeep.recordings import importer
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
    found = scan_files(settings, traces)
    if TEST_BACKEND == "postgresql":
        assert settings.database_url is not None
        found |= scan_postgres(settings.database_url.get_secret_value(), traces)
    return found


def assert_gone(settings: Settings, gone: Traces, kept: Traces, logs: str) -> None:
    found = found_anywhere(settings, gone.merged(kept))
    where = locate(settings, gone)
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


# --- client-chosen ids (issue 10, point 8) -----------------------------------------------

# Ids an operator chose, the way family names end up in ids: each must vanish with the account.
GRUBER = "familie-okapi-gruber-4711"
KITCHEN, NURSERY, CAR = (f"okapi-gruber-{room}-4711" for room in ("kueche", "kinderzimmer", "auto"))
DAUGHTER, GRANDPA = "okapi-gruber-tochter-lena-4711", "okapi-gruber-opa-hans-4711"
UPLOADED = [f"okapi-gruber-aufnahme-{n}-4711" for n in range(3)]
IMPORTED = [f"okapi-gruber-import-{n}-4711" for n in range(2)]
GRUBER_IDS = [GRUBER, KITCHEN, NURSERY, CAR, DAUGHTER, GRANDPA, *UPLOADED, *IMPORTED]


def _gruber_household(client: TestClient, vault: Vault, folder: Path) -> None:
    """Every path that names a device, member or recording in an event: API, import, sweep."""
    assert client.put(f"/api/v1/accounts/{GRUBER}", json={"language": "de"}).status_code == 201
    for device in (KITCHEN, NURSERY):
        response = client.put(
            f"/api/v1/accounts/{GRUBER}/devices/{device}",
            json={"kind": "speaker", "name": "Gerät", "registered_at": ago(days=400)},
        )
        assert response.status_code == 201, response.text
    response = client.put(f"/api/v1/accounts/{GRUBER}/members/{DAUGHTER}", json={"name": "L."})
    assert response.status_code == 201, response.text
    for n, (rec_id, days_old) in enumerate(zip(UPLOADED, (1, 2, 100), strict=True)):
        metadata = {
            "id": rec_id,
            "account": GRUBER,
            "device": KITCHEN,
            "captured_at": ago(days=days_old),
            "speaker": DAUGHTER,
            "language": "de",
            "transcript": f"Nachricht {n}",
        }
        response = client.post(
            "/api/v1/recordings",
            files={
                "metadata": (None, json.dumps(metadata).encode(), "application/json"),
                "audio": ("a.wav", make_wav(0.2, seed=n), "audio/wav"),
            },
        )
        assert response.status_code == 201, response.text
    folder.mkdir()
    listed = [
        {
            "id": GRUBER,
            "devices": [{"id": CAR, "kind": "car", "name": "Auto"}],
            "members": [{"id": GRANDPA, "name": "H."}],
        }
    ]
    (folder / "accounts.json").write_text(json.dumps(listed), encoding="utf-8")
    for n, rec_id in enumerate(IMPORTED):
        (folder / f"{n}.wav").write_bytes(make_wav(0.2, seed=10 + n))
        sidecar = {
            "id": rec_id,
            "account": GRUBER,
            "device": CAR,
            "captured_at": ago(days=1),
            "language": "de",
        }
        (folder / f"{n}.json").write_text(json.dumps(sidecar), encoding="utf-8")
    assert importer.run_import(vault, folder, workers=1).imported == 2
    base = f"/api/v1/accounts/{GRUBER}"
    for path in ("", "/audio", "/transcript"):
        assert client.get(f"{base}/recordings/{UPLOADED[0]}{path}").status_code == 200
    assert client.delete(f"{base}/recordings/{UPLOADED[1]}").status_code == 200
    assert client.delete(f"{base}/devices/{NURSERY}").status_code == 200
    assert run_retention(vault).sweep.counts.recordings == 1  # UPLOADED[2]


def _audit_data(vault: Vault) -> bytes:
    with vault.reading() as session:
        return b"\n".join(bytes(d) for d in session.scalars(select(AuditEvent.data)))


def _ids_in(data: bytes) -> list[str]:
    return [i for i in GRUBER_IDS if i.encode() in data or i.encode("utf-16-le") in data]


def test_invariant_6_client_chosen_ids_leave_no_trace_in_the_audit_log(
    client: TestClient, vault: Vault, settings: Settings, tmp_path: Path
) -> None:
    """The log names devices, members and recordings by pseudonyms their account's key made."""
    bystander = Person("ids")
    register(client, bystander)
    _gruber_household(client, vault, tmp_path / "drop")
    assert _ids_in(_audit_data(vault)) == []

    # While the account exists, its ids lead to its events: the log stays searchable.
    found = account_events(vault, account=GRUBER, recordings=UPLOADED[1:])
    assert {e.action for e in found} >= {
        "account:registered",
        "device:registered",
        "device:removed",
        "member:registered",
        "recording:ingested",
        "recording:imported",
        "recording:read",
        "recording:audio:read",
        "recording:transcript:read",
        "recording:deleted",
        "retention:swept",
    }
    with vault.reading() as session:
        names = names_for(vault, session, find_account(vault, session, GRUBER).id)
    removed = next(e for e in found if e.action == "device:removed")
    assert removed.objects == {"account": names.account, "device": names.device(NURSERY)}
    deleted = next(e for e in found if e.action == "recording:deleted")
    assert deleted.objects["recordings"] == [names.recording(UPLOADED[1])]
    assert names.device(KITCHEN).startswith("dev:") and names.member(DAUGHTER).startswith("mem:")
    write_checkpoint(vault)

    response = client.post(f"/api/v1/accounts/{GRUBER}/erasure")
    assert response.status_code == 200, response.text
    # The receipt names the account as the log did before the erasure.
    assert response.json()["receipt"]["account"] == names.account

    assert _ids_in(_audit_data(vault)) == []
    gone, kept = Traces(), Traces()
    for object_id in GRUBER_IDS:
        gone.add_text(object_id, object_id)
    kept.add("bystander's device id", f"{bystander.tag}-dev".encode())  # the scan is not blind
    found = found_anywhere(settings, gone.merged(kept))
    assert sorted(found & set(gone.patterns)) == [], locate(settings, gone)
    assert found >= set(kept.patterns)
    with pytest.raises(VoxkeepError):  # nothing links an id to a pseudonym any more
        account_events(vault, account=GRUBER, recordings=UPLOADED)
    write_checkpoint(vault)
    with vault.reading() as session:
        assert verify_log(vault).events == event_count(session) > len(found)
