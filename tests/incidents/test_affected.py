"""Affected people are derived from the incident's answer, never typed (Art. 33(3)(a)).

Real answers built and released by the real job, a real "this is not my data"
over HTTP, a real erasure: the register names people by pseudonym with their
record counts, periods and devices, and outlives an erased account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from export_helpers import run_export_job
from factory import BASE, household, portal_request, record
from fastapi.testclient import TestClient
from register_helpers import reported, staff, table_bytes
from sqlalchemy import update
from test_invariant_4_delivery_binding import make_answer

from people.people_helpers import bearer
from smtp_sink import SmtpSink
from voxkeep.audit.pseudonyms import names_for
from voxkeep.errors import Conflict, NotFound
from voxkeep.exports.delivery import report_not_mine
from voxkeep.exports.models import Export
from voxkeep.incidents import service
from voxkeep.incidents.models import AffectedSource, IncidentKind
from voxkeep.recordings.models import Recording
from voxkeep.retention.erasure import erase_account
from voxkeep.vault import Vault

REASON = "Herr Zweitbesitzer rief an: sein Lautsprecher"


@dataclass
class Person:
    account_id: str
    reauth_at: datetime | None = field(default_factory=lambda: datetime.now(UTC))
    id: str = "session-of-the-first-owner"


def _pseudonym(vault: Vault, account_id: str) -> str:
    with vault.reading() as session:
        return vault.keyring.pseudonym(session, kind="account", object_id=account_id)


def test_a_resold_speaker_names_its_device_period_and_count_when_the_owner_says_not_mine(
    vault: Vault,
) -> None:
    # Anna's second speaker was resold and never removed: the new user's words land in her account.
    anna = household(vault, "anna", devices=(("kueche", "Küche"), ("bad", "Bad")))
    for n in range(3):
        record(vault, anna, f"anna-k{n}", device=anna.devices[0], at=BASE + timedelta(days=n))
    for n in range(5):
        record(vault, anna, f"anna-b{n}", device=anna.devices[1], at=BASE + timedelta(days=40 + n))
    request_id = portal_request(vault, anna)
    export_id = run_export_job(vault, request_id)
    assert export_id is not None
    incident_id = report_not_mine(vault, person=Person(anna.account_id), export_id=export_id)
    team = staff(vault)
    shown = service.show_incident(vault, incident_id, reader=team.dpo)
    [row] = shown.affected  # derived as the incident opened, nothing typed
    assert row.account == _pseudonym(vault, anna.account_id)
    assert (row.recordings, row.first_at, row.last_at) == (
        8,
        BASE,
        BASE + timedelta(days=44),
    )
    with vault.reading() as session:
        names = names_for(vault, session, anna.account_id)
    assert sorted(row.devices) == sorted(names.device(d) for d in anna.devices)
    assert row.source is AffectedSource.MANIFEST  # never downloaded
    assert [e.action for e in shown.timeline] == ["opened"]
    # Deriving again changes nothing (idempotent), and is on the timeline.
    assert service.derive_affected(vault, staff=team.dpo, incident_id=incident_id) == 1
    again = service.show_incident(vault, incident_id, reader=team.dpo)
    assert [(r.account, r.recordings) for r in again.affected] == [(row.account, 8)]
    assert [e.action for e in again.timeline] == ["opened", "affected_derived"]


def test_the_manifest_is_read_while_the_answers_key_lives(vault: Vault) -> None:
    anna = household(vault, "anna")
    ben = household(vault, "ben")
    for n in range(3):
        record(vault, anna, f"anna-{n}", at=BASE + timedelta(hours=n))
    export_id = run_export_job(vault, portal_request(vault, anna))
    assert export_id is not None
    # After the answer was built, a recording appears as if stored before it, and one of
    # the answer's recordings turns out to come from ben's device (the manifest decides).
    record(vault, anna, "anna-late", at=BASE + timedelta(days=9))
    with vault.transaction() as session:
        export = session.get(Export, export_id)
        assert export is not None
        before = export.created_at - timedelta(days=1)
        session.execute(
            update(Recording).where(Recording.id == "anna-late").values(created_at=before)
        )
        session.execute(
            update(Recording).where(Recording.id == "anna-2").values(device_id=ben.devices[0])
        )
    incident_id = reported(vault, export=export_id)
    team = staff(vault)
    shown = service.show_incident(vault, incident_id, reader=team.dpo)
    counts = {r.account: (r.recordings, r.first_at) for r in shown.affected}
    assert counts == {
        _pseudonym(vault, anna.account_id): (2, BASE),
        _pseudonym(vault, ben.account_id): (1, BASE + timedelta(hours=2)),
    }


def test_a_downloaded_answer_marks_its_people_and_shows_the_dpo_each_download(
    vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    answer = make_answer(vault, client, mailbox, recordings=2, frames=800)
    assert client.get(answer.url, headers=bearer(answer.token)).status_code == 200
    revoked = client.post(
        f"/api/v1/exports/{answer.export_id}/not-mine", headers=bearer(answer.token)
    )
    incident_id = revoked.json()["incident"]
    team = staff(vault)
    shown = service.show_incident(vault, incident_id, reader=team.dpo)
    [row] = shown.affected
    assert (row.source, row.recordings) == (AffectedSource.DOWNLOADS, 2)
    [download] = shown.download_log
    assert download.address == "testclient" and download.range_start == 0
    # The address is in no table as plaintext, and no audit event carries it.
    assert b"testclient" not in table_bytes(vault, "incident_affected", "audit_events")
    assert service.show_incident(vault, incident_id).download_log == []  # opened for a reader only


def test_the_dpo_adds_a_person_with_a_reason_once(vault: Vault) -> None:
    ben = household(vault, "ben")
    incident_id = reported(vault)
    team = staff(vault)
    with pytest.raises(Conflict):  # it names no answer
        service.derive_affected(vault, staff=team.dpo, incident_id=incident_id)
    name = service.add_affected(
        vault, staff=team.dpo, incident_id=incident_id, account="ben", reason=REASON
    )
    assert name == _pseudonym(vault, ben.account_id)
    with pytest.raises(Conflict):
        service.add_affected(
            vault, staff=team.dpo, incident_id=incident_id, account="ben", reason=REASON
        )
    with pytest.raises(NotFound):
        service.add_affected(
            vault, staff=team.dpo, incident_id=incident_id, account="nobody", reason=REASON
        )
    [row] = service.show_incident(vault, incident_id, reader=team.dpo).affected
    assert (row.source, row.reason, row.recordings) == (AffectedSource.ADDED, REASON, 0)
    assert REASON.encode() not in table_bytes(vault, "incident_affected", "incident_events")


def test_an_erased_person_stays_in_the_register_by_pseudonym_only(vault: Vault) -> None:
    anna = household(vault, "anna")
    for n in range(2):
        record(vault, anna, f"anna-{n}")
    export_id = run_export_job(vault, portal_request(vault, anna))
    assert export_id is not None
    incident_id = reported(vault, export=export_id)
    team = staff(vault)
    name = _pseudonym(vault, anna.account_id)
    erase_account(vault, external_id="anna", actor="system:test")
    [row] = service.show_incident(vault, incident_id, reader=team.dpo).affected
    assert (row.account, row.recordings, row.erased) == (name, 2, True)
    assert anna.account_id.encode() not in table_bytes(vault, "incident_affected")


def test_an_incident_of_another_kind_without_an_answer_derives_nothing(vault: Vault) -> None:
    with vault.transaction() as session:
        from voxkeep.incidents.service import open_incident

        incident = open_incident(
            vault,
            session,
            kind=IncidentKind.AUDIT_VERIFY_FAILED,
            request_id=None,
            details={"export": "0" * 32},
            actor="system",
        )
        incident_id = incident.id
    assert service.show_incident(vault, incident_id).affected == []
