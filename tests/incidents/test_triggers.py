"""Every automatic trigger opens exactly one incident with its evidence, also on repeat.

Each test makes the failure happen the way a bug, a disk or an insider would
(the database or the blob store changed behind voxkeep's back), runs the real
services, and checks: the request is blocked, nothing is downloadable, one
incident names the request with its evidence, and the same cause again joins
that incident instead of opening another.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from sqlalchemy import select
from trigger_helpers import (
    APPROVER,
    Person,
    Staff,
    incidents_of,
    pseudonym,
    sql,
    state_of,
    two_households,
)

from exports.export_helpers import run_export_job
from exports.factory import BASE, portal_request
from voxkeep.audit.errors import LogTampered
from voxkeep.audit.events import AuditEvent
from voxkeep.audit.verifications import verify_and_record
from voxkeep.crypto import aead
from voxkeep.errors import Forbidden, NotFound
from voxkeep.exports import builder
from voxkeep.exports.delivery import AnswerWithheld, open_download
from voxkeep.exports.gate import ReleaseBlocked, check_release
from voxkeep.exports.models import Export
from voxkeep.recordings.service import audio_sha256_ad
from voxkeep.requests import verification
from voxkeep.requests.models import Channel, DataRequest, RequestKind
from voxkeep.requests.service import approve, enter_request
from voxkeep.vault import Vault


def _exports_of(vault: Vault, request_id: str) -> list[Export]:
    with vault.reading() as session:
        rows = list(session.scalars(select(Export).where(Export.request_id == request_id)))
        session.expunge_all()
        return rows


def _nothing_downloadable(vault: Vault, request_id: str) -> None:
    for export in _exports_of(vault, request_id):
        assert export.state == "blocked"
        assert export.key_sealed is None and export.blob is None


def _download(vault: Vault, person: Person, export_id: str) -> None:
    got = open_download(
        vault,
        person=person,
        export_id=export_id,
        range_header=None,
        if_range=None,
        address="192.0.2.1",
        user_agent="tests",
    )
    b"".join(got.chunks)


def test_a_recording_whose_hash_does_not_match_stops_the_build(vault: Vault) -> None:
    me, _ = two_households(vault)
    with vault.reading() as session:
        key = vault.keyring.data_key(session, me.account_id)
    wrong = aead.seal(key, bytes(32), ad=audio_sha256_ad(me.account_id, "me-1"))
    sql(vault, "UPDATE recordings SET audio_sha256 = :h WHERE id = 'me-1'", h=wrong)
    request_id = portal_request(vault, me)

    assert run_export_job(vault, request_id) is None  # no answer was recorded
    assert state_of(vault, request_id) == "blocked"
    assert _exports_of(vault, request_id) == []
    (incident,) = incidents_of(vault)
    assert (incident.kind, incident.request_id) == ("build_failed", request_id)
    details = incident.details
    assert details["check"] == "recording_hash"
    assert details["account"] == pseudonym(vault, me.account_id)
    assert (details["recordings"], details["first"], details["last"]) == (
        3,
        BASE.isoformat(),
        (BASE + timedelta(hours=2)).isoformat(),
    )
    assert len(details["devices"]) == 2 and all(d.startswith("dev:") for d in details["devices"])
    assert details["affected"] == []

    approve(vault, staff=APPROVER, request_id=request_id)  # rebuild: the same failure again
    run_export_job(vault, request_id)
    assert state_of(vault, request_id) == "blocked"
    (again,) = incidents_of(vault)
    assert (again.id, again.occurrences) == (incident.id, 2)


def test_an_answer_key_that_does_not_open_is_a_key_failure(vault: Vault) -> None:
    me, _ = two_households(vault)
    request_id = portal_request(vault, me)
    first_export = None
    for attempt in (1, 2):
        export_id = builder.build_for_request(vault, request_id).id
        first_export = first_export or export_id
        sql(
            vault, "UPDATE exports SET key_sealed = :k WHERE id = :e", k=os.urandom(60), e=export_id
        )
        with pytest.raises(ReleaseBlocked) as caught:
            check_release(vault, export_id)
        assert caught.value.check == "export_key"
        assert state_of(vault, request_id) == "blocked"
        _nothing_downloadable(vault, request_id)
        (incident,) = incidents_of(vault)
        assert (incident.kind, incident.occurrences) == ("key_failed", attempt)
        assert incident.details["export"] == first_export  # the occurrence that opened it
        assert incident.details["recordings"] == 3
        if attempt == 1:
            approve(vault, staff=APPROVER, request_id=request_id)


def test_a_failed_release_gate_records_the_other_persons_data_and_joins_on_repeat(
    vault: Vault,
) -> None:
    me, stranger = two_households(vault)
    request_id = portal_request(vault, me)
    moved = "UPDATE recordings SET account_id = :a WHERE id = 'st-0'"
    for attempt in (1, 2):
        export_id = builder.build_for_request(vault, request_id).id
        sql(vault, moved, a=me.account_id)  # a bug files a stranger's recording under me
        with pytest.raises(ReleaseBlocked) as caught:
            check_release(vault, export_id)
        assert caught.value.check == "counts"
        assert state_of(vault, request_id) == "blocked"
        _nothing_downloadable(vault, request_id)
        (incident,) = incidents_of(vault)
        assert (incident.kind, incident.occurrences) == ("release_gate_failed", attempt)
        assert caught.value.incident_id == incident.id
        details = incident.details
        assert (details["account"], details["recordings"]) == (pseudonym(vault, me.account_id), 3)
        (other,) = details["affected"]
        assert other["account"] == pseudonym(vault, stranger.account_id)
        first = (BASE + timedelta(days=2)).isoformat()
        assert (other["recordings"], other["first"], other["last"]) == (1, first, first)
        assert len(other["devices"]) == 1
        sql(vault, moved, a=stranger.account_id)  # put right; then the same bug again
        if attempt == 1:
            approve(vault, staff=APPROVER, request_id=request_id)


def _released(vault: Vault) -> tuple[Person, str, str]:
    me, _ = two_households(vault)
    request_id = portal_request(vault, me)
    export_id = run_export_job(vault, request_id)
    assert export_id is not None and state_of(vault, request_id) == "ready"
    return Person(me.account_id), request_id, export_id


def test_a_key_that_does_not_open_at_download_withdraws_the_answer(vault: Vault) -> None:
    person, request_id, export_id = _released(vault)
    sql(vault, "UPDATE exports SET key_sealed = :k WHERE id = :e", k=os.urandom(60), e=export_id)
    for _ in range(2):
        with pytest.raises(AnswerWithheld) as refused:
            _download(vault, person, export_id)
        assert refused.value.status == 410
    assert state_of(vault, request_id) == "blocked"
    _nothing_downloadable(vault, request_id)
    (incident,) = incidents_of(vault)
    assert (incident.kind, incident.request_id) == ("delivery_failed", request_id)
    assert (incident.details["check"], incident.details["export"]) == ("export_key", export_id)
    assert incident.details["recordings"] == 3


def test_bytes_that_fail_their_check_while_sent_withdraw_the_answer(vault: Vault) -> None:
    person, request_id, export_id = _released(vault)
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None and export.blob is not None
        blob = export.blob
    with vault.blobs.open(blob) as source:
        stored = bytearray(source.read())
    stored[100] ^= 1  # a disk flips a bit in the answer's first segment
    vault.blobs.delete(blob)
    vault.blobs.put_stream(blob, [bytes(stored)])

    got = open_download(
        vault,
        person=person,
        export_id=export_id,
        range_header=None,
        if_range=None,
        address="192.0.2.1",
        user_agent="tests",
    )
    with pytest.raises(Exception) as broke:
        b"".join(got.chunks)
    assert broke.value.__class__.__name__ == "IntegrityFailure"
    with pytest.raises(AnswerWithheld):
        _download(vault, person, export_id)
    assert state_of(vault, request_id) == "blocked"
    _nothing_downloadable(vault, request_id)
    (incident,) = incidents_of(vault)
    assert (incident.kind, incident.details["check"]) == ("delivery_failed", "archive_bytes")


def test_asking_for_another_accounts_answer_is_a_404_and_one_incident_per_session(
    vault: Vault,
) -> None:
    me, stranger = two_households(vault)
    request_id = portal_request(vault, stranger)
    export_id = run_export_job(vault, request_id)
    assert export_id is not None
    snooping = Person(me.account_id, id="session-1")
    with pytest.raises(NotFound) as unknown:
        _download(vault, snooping, "0" * 32)
    for _ in range(2):
        with pytest.raises(NotFound) as refused:
            _download(vault, snooping, export_id)
        assert (refused.value.code, refused.value.message, refused.value.hint) == (
            unknown.value.code,
            unknown.value.message,
            unknown.value.hint,
        )
    (incident,) = incidents_of(vault)
    assert (incident.kind, incident.request_id, incident.occurrences) == (
        "foreign_download",
        request_id,
        2,
    )
    assert incident.details["account"] == pseudonym(vault, stranger.account_id)
    assert incident.details["asker"] == pseudonym(vault, me.account_id)
    assert incident.details["export"] == export_id

    with pytest.raises(NotFound):
        _download(vault, Person(me.account_id, id="session-2"), export_id)
    assert len(incidents_of(vault)) == 2
    assert state_of(vault, request_id) == "ready"  # the owner's answer is not touched


def test_approving_what_one_entered_is_refused_and_recorded(vault: Vault, mailbox: object) -> None:
    me, _ = two_households(vault)
    carol = Staff("carol", roles=("agent", "approver"))
    request_id = enter_request(
        vault, staff=carol, account=me.external_id, kind=RequestKind.ACCESS, channel=Channel.EMAIL
    )
    verification.send_code(vault, staff=carol, request_id=request_id)
    code = _code(mailbox, "me@example.org")
    verification.check_code(
        vault, staff=carol, request_id=request_id, code=code, evidence="asked by e-mail"
    )
    for attempt in (1, 2):
        with pytest.raises(Forbidden):
            approve(vault, staff=carol, request_id=request_id)
        (incident,) = incidents_of(vault)
        assert (incident.kind, incident.request_id, incident.occurrences) == (
            "four_eyes_refused",
            request_id,
            attempt,
        )
        assert incident.details["staff"] == "staff:carol"
        assert incident.details["check"] == "four_eyes_entered"
    assert state_of(vault, request_id) == "verified"
    approve(vault, staff=APPROVER, request_id=request_id)  # another pair of eyes: allowed
    assert len(incidents_of(vault)) == 1


def _code(mailbox: object, address: str) -> str:
    import re

    body = mailbox.wait_for(address)[-1].body  # type: ignore[attr-defined]
    found = re.search(r"\b(\d{4}) (\d{4})\b", body)
    assert found, "no code in the mail"
    return found.group(1) + found.group(2)


def test_a_failed_audit_verify_opens_one_incident_naming_the_first_bad_event(
    vault: Vault,
) -> None:
    two_households(vault, recordings=1)
    with vault.reading() as session:
        first = session.get(AuditEvent, 0)
        assert first is not None
        data = json.loads(first.data)
    data["actor"] = "someone-else"
    sql(vault, "UPDATE audit_events SET data = :d WHERE seq = 0", d=json.dumps(data).encode())
    for attempt in (1, 2):
        with pytest.raises(LogTampered):
            verify_and_record(vault)
        (incident,) = incidents_of(vault)
        assert (incident.kind, incident.cause, incident.occurrences) == (
            "audit_verify_failed",
            "audit_verify_failed:event:0",
            attempt,
        )
        assert (incident.details["check"], incident.details["seq"]) == ("event", 0)


def test_the_request_of_an_answer_stays_with_its_account(vault: Vault) -> None:
    """The evidence names accounts by pseudonym only: no external id, no address."""
    me, _ = two_households(vault)
    request_id = portal_request(vault, me)
    sql(vault, "UPDATE recordings SET account_id = :a WHERE id = 'st-1'", a=me.account_id)
    run_export_job(vault, request_id)
    (incident,) = incidents_of(vault)
    text = json.dumps(incident.details)
    for secret in ("me@example.org", "stranger", "Gute Nacht", "Küche", "st-1", "me-0"):
        assert secret not in text
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        assert request is not None and request.account_id == me.account_id
