"""Containment from an incident: revoke answers, suspend staff, force a password reset,
move misattributed recordings; each one transaction naming the incident, DPO only."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from exports.export_helpers import run_export_job
from exports.factory import BASE, Household, Person, household, portal_request, record
from people.people_helpers import OTHER_PASSWORD, PASSWORD, bearer, person
from smtp_sink import SmtpSink
from staff_totp import sign_in as staff_sign_in
from voxkeep.accounts.models import Device, Retention
from voxkeep.audit.events import AuditEvent
from voxkeep.audit.pseudonyms import names_for
from voxkeep.errors import Conflict, Forbidden, NotFound, ReauthRequired, Unauthorized
from voxkeep.exports.delivery import report_not_mine
from voxkeep.exports.models import Export, ExportState
from voxkeep.incidents import containment
from voxkeep.incidents.containment import OnServer
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import open_incident
from voxkeep.jobs.worker import run_once
from voxkeep.people import staff as staff_accounts
from voxkeep.people.staff import StaffSession, add_staff, current_staff
from voxkeep.recordings import reassign
from voxkeep.recordings.history import HistoryFilter, history
from voxkeep.recordings.models import Recording
from voxkeep.recordings.service import decrypt_blob
from voxkeep.requests.models import DataRequest, RequestKind, RequestState
from voxkeep.retention.choices import choose
from voxkeep.retention.policy import expiry
from voxkeep.storage.gc import collect_orphans
from voxkeep.vault import Vault

SERVER = OnServer()


@dataclass
class Signed(Person):
    """A signed-in person with a session id, as report_not_mine records it."""

    id: str = "session-of-the-reporter"


CODE = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", re.M)


def incident_for(vault: Vault, request_id: str | None = None, **details: object) -> str:
    with vault.transaction() as session:
        return open_incident(
            vault,
            session,
            kind=IncidentKind.NOT_MY_DATA,  # a kind the incident page names today
            request_id=request_id,
            details=dict(details),
            actor="system:test",
        ).id


def events_of(vault: Vault, incident: str) -> list[dict[str, object]]:
    with vault.reading() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        found = [json.loads(e.data) for e in rows]
    # What containment did: every event naming the incident but its opening.
    return [
        e
        for e in found
        if e["objects"].get("incident") == incident and e["action"] != "incident:opened"
    ]


def dpo(vault: Vault, name: str = "dora", *, fresh: bool = True) -> StaffSession:
    add_staff(vault, name=name, roles=("dpo",), actor="system:test", password=PASSWORD)
    signed = staff_sign_in(vault, name, PASSWORD)
    if not fresh:
        return signed.session
    return staff_accounts.staff_reauthenticate(
        vault, staff=signed.session, password=PASSWORD, client="tests"
    )


def released(vault: Vault, name: str = "anna") -> tuple[Household, str, str]:
    house = household(vault, name)
    record(vault, house, f"{name}-r1")
    request_id = portal_request(vault, house)
    export_id = run_export_job(vault, request_id)
    assert export_id is not None
    return house, request_id, export_id


# 1. Answers --------------------------------------------------------------------


def test_revoking_withdraws_every_answer_of_the_request_and_deletes_its_archive(
    vault: Vault,
) -> None:
    _, request_id, export_id = released(vault)
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None and export.state == ExportState.RELEASED.value
        blob = export.blob
    assert blob is not None
    incident = incident_for(vault, request_id)
    done = containment.revoke_answers(vault, incident_id=incident, by=dpo(vault))
    assert done.exports == [export_id]
    with vault.reading() as session:
        export = session.get(Export, export_id)
        request = session.get(DataRequest, request_id)
        assert export is not None and request is not None
        assert (export.state, export.key_sealed, export.blob) == ("revoked", None, None)
        assert export.key_destroyed_at is not None
        assert request.state == RequestState.BLOCKED.value
    with pytest.raises(NotFound):
        vault.blobs.open(blob)
    [event] = [e for e in events_of(vault, incident) if e["action"] == "export:revoked"]
    assert event["objects"]["export"] == export_id and event["actor"].startswith("staff:")
    # Again: nothing is left to revoke, and nothing breaks.
    assert containment.revoke_answers(vault, incident_id=incident, by=SERVER).exports == []


def test_revoking_finds_the_request_through_the_answer_the_incident_names(vault: Vault) -> None:
    _, _, export_id = released(vault)
    incident = incident_for(vault, None, export=export_id)
    assert containment.revoke_answers(vault, incident_id=incident, by=SERVER).exports == [export_id]
    lonely = incident_for(vault, None)
    with pytest.raises(Conflict):
        containment.revoke_answers(vault, incident_id=lonely, by=SERVER)
    with pytest.raises(NotFound):
        containment.revoke_answers(vault, incident_id="0" * 32, by=SERVER)


def test_only_a_dpo_with_a_fresh_password_contains(vault: Vault) -> None:
    _, request_id, export_id = released(vault)
    incident = incident_for(vault, request_id)
    add_staff(vault, name="adam", roles=("admin",), actor="system:test", password=PASSWORD)
    admin = staff_accounts.staff_reauthenticate(
        vault, staff=staff_sign_in(vault, "adam", PASSWORD).session, password=PASSWORD, client="t"
    )
    with pytest.raises(Forbidden):
        containment.revoke_answers(vault, incident_id=incident, by=admin)
    with pytest.raises(ReauthRequired):
        containment.revoke_answers(vault, incident_id=incident, by=dpo(vault, fresh=False))
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None and export.state == ExportState.RELEASED.value


# 2. Staff ----------------------------------------------------------------------


def test_suspending_a_staff_member_ends_every_session_at_once(vault: Vault) -> None:
    add_staff(vault, name="mallory", roles=("agent",), actor="system:test", password=PASSWORD)
    signed = [staff_sign_in(vault, "mallory", PASSWORD) for _ in range(2)]
    incident = incident_for(vault)
    officer = dpo(vault)
    done = containment.suspend_staff(vault, incident_id=incident, staff="mallory", by=officer)
    assert done.name == "mallory"
    for s in signed:
        with vault.reading() as session, pytest.raises(Unauthorized):
            current_staff(vault, session, token=s.token)
    assert staff_accounts.get_staff(vault, "mallory").disabled_at is not None
    [event] = events_of(vault, incident)
    assert event["action"] == "staff:disabled" and event["counts"] == {"sessions_ended": 2}
    with pytest.raises(Unauthorized):
        staff_sign_in(vault, "mallory", PASSWORD)
    with pytest.raises(Conflict):
        containment.suspend_staff(vault, incident_id=incident, staff="dora", by=officer)
    with pytest.raises(NotFound):
        containment.suspend_staff(vault, incident_id=incident, staff="nobody", by=officer)


# 3. A person's password ----------------------------------------------------------


def test_a_forced_reset_ends_sessions_stops_the_password_and_mails_the_person(
    vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    email = "anna@example.org"
    token = person(client, mailbox, account="acct-anna", email=email)
    assert client.get("/api/v1/people/sessions/current", headers=bearer(token)).status_code == 200
    incident = incident_for(vault)
    done = containment.force_password_reset(
        vault, incident_id=incident, account="acct-anna", by=dpo(vault)
    )
    assert done.sessions_ended == 1 and done.account.startswith("account:")
    assert client.get("/api/v1/people/sessions/current", headers=bearer(token)).status_code == 401
    old = client.post("/api/v1/people/sessions", json={"email": email, "password": PASSWORD})
    assert old.status_code == 401
    before = len(mailbox.to(email))
    assert run_once(vault) >= 1  # the mail goes out as a job, after the commit
    [told] = mailbox.wait_for(email, count=before + 1)[before:]
    assert "/reset" in told.body and PASSWORD not in told.body
    assert [e["action"] for e in events_of(vault, incident)] == ["person:password:locked"]
    # The reset by mailed code gives the person their account back.
    asked = client.post("/api/v1/people/password-reset", json={"email": email})
    assert asked.status_code == 202
    assert run_once(vault) == 1  # the code's mail is a job too
    code = CODE.search(mailbox.wait_for(email, count=before + 2)[-1].body)
    assert code is not None
    confirmed = client.post(
        "/api/v1/people/password-reset/confirm",
        json={"email": email, "code": code.group(1), "password": OTHER_PASSWORD},
    )
    assert confirmed.status_code in (200, 204), confirmed.text
    again = client.post(
        "/api/v1/people/sessions", json={"email": email, "password": OTHER_PASSWORD}
    )
    assert again.status_code == 201


# 4. Recordings -------------------------------------------------------------------

SOLD = BASE + timedelta(days=10)


def resold(vault: Vault) -> tuple[Household, Household, list[str], list[str]]:
    """Anna sold her speaker to Ben on SOLD; the operator kept sending Ben's under Anna."""
    anna = household(vault, "anna")
    ben = household(vault, "ben")
    record(vault, ben, "ben-own", at=BASE)
    annas = [f"anna-{i}" for i in range(2)]
    bens = [f"ben-{i}" for i in range(5)]
    for i, rid in enumerate(annas):
        record(vault, anna, rid, at=BASE + timedelta(hours=i), transcript=f"Anna {i}")
    for i, rid in enumerate(bens):
        record(vault, anna, rid, at=SOLD + timedelta(hours=i), transcript=f"Ben {i}")
    return anna, ben, annas, bens


def move_annas_speaker(vault: Vault, anna: Household, incident: str) -> reassign.Moved:
    """From the command line: Anna's speaker's recordings since SOLD go to Ben."""
    return containment.reassign_recordings(
        vault, incident_id=incident, device=anna.devices[0], since=SOLD, to_account="ben", by=SERVER
    )


def owners(vault: Vault) -> dict[str, str]:
    with vault.reading() as session:
        return dict(session.execute(select(Recording.id, Recording.account_id)).all())


def plain_audio(vault: Vault, rid: str) -> bytes:
    """The recording's audio, opened with its current owner's key (bound to that owner)."""
    with vault.reading() as session:
        row = session.get(Recording, rid)
        assert row is not None
        key = vault.keyring.data_key(session, row.account_id)
        blob, owner = row.audio_blob, row.account_id
    return b"".join(decrypt_blob(vault, key, blob, owner, rid))


def listed(vault: Vault, house: Household) -> dict[str, str | None]:
    page = history(vault, account_id=house.account_id, filters=HistoryFilter(), limit=100)
    return {item.info.id: item.transcript for item in page.items}


def test_the_real_case_a_resold_speaker_moves_to_its_new_owner(vault: Vault) -> None:
    anna, ben, annas, bens = resold(vault)
    audio = {rid: anna.recordings[rid] for rid in bens}
    choose(vault, person=Person(ben.account_id), account_id=ben.account_id, choice="3_months")
    # Anna asks for her data, gets Ben's too, and says "this is not my data".
    request_id = portal_request(vault, anna)
    export_id = run_export_job(vault, request_id)
    assert export_id is not None
    incident = report_not_mine(vault, person=Signed(anna.account_id), export_id=export_id)
    with vault.reading() as session:
        pseudonym = names_for(vault, session, anna.account_id).device(anna.devices[0])
        old_blobs = {r.id: r.audio_blob for r in session.scalars(select(Recording))}
    seen: list[tuple[int, int]] = []
    moved = containment.reassign_recordings(
        vault,
        incident_id=incident,
        device=pseudonym,  # as the incident page shows it
        since=SOLD,
        to_account="ben",
        by=dpo(vault),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert moved.moved == 5 and seen[0] == (0, 5) and seen[-1] == (5, 5)
    now = owners(vault)
    assert {rid for rid, owner in now.items() if owner == ben.account_id} == {"ben-own", *bens}
    assert {rid for rid, owner in now.items() if owner == anna.account_id} == set(annas)
    # Re-encrypted for Ben: the same audio, under his key, in new blobs; the old ones gone.
    for rid in bens:
        assert plain_audio(vault, rid) == audio[rid]
        with pytest.raises(NotFound):
            vault.blobs.open(old_blobs[rid])
    assert listed(vault, ben) == {"ben-own": "Wie wird das Wetter morgen?"} | {
        f"ben-{i}": f"Ben {i}" for i in range(5)
    }
    assert set(listed(vault, anna)) == set(annas)
    with vault.reading() as session:
        old_device = session.get(Device, anna.devices[0])
        new_device = session.get(Device, moved.new_device)
        assert old_device is not None and new_device is not None
        assert old_device.removed_at == SOLD and old_device.account_id == anna.account_id
        assert (new_device.account_id, new_device.registered_at) == (ben.account_id, SOLD)
        # Retention follows Ben's choice (3 months), not Anna's.
        for rid in bens:
            row = session.get(Recording, rid)
            assert row is not None and row.device_id == moved.new_device
            assert row.expires_at == expiry(row.captured_at, Retention.MONTHS_3)
    actions = [e["action"] for e in events_of(vault, incident)]
    assert actions.count("recording:reassigned:out") == 1
    assert actions.count("recording:reassigned:in") == 1
    assert "device:reassigned" in actions
    out = next(e for e in events_of(vault, incident) if e["action"] == "recording:reassigned:out")
    assert out["counts"] == {"recordings": 5}
    assert out["objects"]["account"] != out["objects"]["to_account"]
    # Anna's next answer (her access request stays blocked) passes the release gate.
    again = portal_request(vault, anna, RequestKind.PORTABILITY)
    assert run_export_job(vault, again) is not None
    with vault.reading() as session:
        request = session.get(DataRequest, again)
        assert request is not None and request.state == RequestState.READY.value
    # Running it again moves nothing and doubles nothing.
    rerun = move_annas_speaker(vault, anna, incident)
    assert rerun.moved == 0 and owners(vault) == now


def test_a_move_interrupted_midway_loses_and_doubles_nothing(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna, ben, annas, bens = resold(vault)
    audio = {rid: anna.recordings[rid] for rid in bens}
    incident = incident_for(vault)
    monkeypatch.setattr("voxkeep.recordings.reassign.BATCH", 2)
    real = reassign.commit_batch
    calls = []

    def dies_on_the_second(*args: object, **kwargs: object) -> list[reassign.Resealed]:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")  # after the pack was written, before the commit
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reassign, "commit_batch", dies_on_the_second)
    with pytest.raises(RuntimeError):
        move_annas_speaker(vault, anna, incident)
    half = owners(vault)
    assert sorted(rid for rid in bens if half[rid] == ben.account_id) == bens[:2]
    for rid in bens + annas:  # every recording opens under its owner of the moment
        assert plain_audio(vault, rid) == (audio.get(rid) or anna.recordings[rid])
    # Interrupted after a commit, before the old blobs were deleted: only orphans remain.
    monkeypatch.setattr(reassign, "commit_batch", real)
    deletes = []
    real_delete = vault.blobs.delete_many

    def refuses_first(keys: object) -> None:
        deletes.append(1)
        if len(deletes) == 1:
            raise OSError("killed")
        real_delete(keys)  # type: ignore[arg-type]

    monkeypatch.setattr(vault.blobs, "delete_many", refuses_first)
    with pytest.raises(OSError):
        move_annas_speaker(vault, anna, incident)
    monkeypatch.setattr(vault.blobs, "delete_many", real_delete)
    done = move_annas_speaker(vault, anna, incident)
    final = owners(vault)
    assert len(final) == 1 + len(annas) + len(bens)
    assert {rid for rid in bens if final[rid] == ben.account_id} == set(bens)
    assert done.moved == 1  # four had moved before the interruptions
    for rid in bens:
        assert plain_audio(vault, rid) == audio[rid]
    # What the interruptions left is unreferenced ciphertext, which gc removes.
    report = collect_orphans(vault, grace_s=0)
    assert report.orphans
    for rid in bens + annas + ["ben-own"]:
        plain_audio(vault, rid)
    ins = [e for e in events_of(vault, incident) if e["action"] == "recording:reassigned:in"]
    assert sum(e["counts"]["recordings"] for e in ins) == 5


def test_a_move_is_refused_when_it_names_nothing_it_can_move(vault: Vault) -> None:
    anna, _, _, _ = resold(vault)
    incident = incident_for(vault)
    kwargs = {"incident_id": incident, "since": SOLD, "by": SERVER}
    with pytest.raises(NotFound):
        containment.reassign_recordings(vault, device="nope", to_account="ben", **kwargs)
    with pytest.raises(NotFound):
        containment.reassign_recordings(vault, device=anna.devices[0], to_account="x", **kwargs)
    with pytest.raises(Conflict):
        containment.reassign_recordings(vault, device=anna.devices[0], to_account="anna", **kwargs)
    with pytest.raises(NotFound):  # a pseudonym needs an incident that names an answer
        containment.reassign_recordings(vault, device="dev:00", to_account="ben", **kwargs)
    assert len(owners(vault)) == 8


def test_no_personal_data_in_the_events(vault: Vault, tmp_path: Path) -> None:
    anna, _, _, _ = resold(vault)
    incident = incident_for(vault)
    move_annas_speaker(vault, anna, incident)
    text = json.dumps(events_of(vault, incident))
    for secret in ("anna", "ben", "Ben 0", "Küche", anna.devices[0]):
        assert secret not in text


# The timeline -------------------------------------------------------------------


def test_every_measure_is_a_step_on_the_incidents_timeline(vault: Vault) -> None:
    from register_helpers import table_bytes

    from voxkeep.incidents.service import show_incident

    anna, _, _, _ = resold(vault)
    add_staff(vault, name="mallory", roles=("agent",), actor="system:test", password=PASSWORD)
    request_id = portal_request(vault, anna)
    export_id = run_export_job(vault, request_id)
    assert export_id is not None
    incident = report_not_mine(vault, person=Signed(anna.account_id), export_id=export_id)
    officer = dpo(vault)
    containment.revoke_answers(vault, incident_id=incident, by=officer)
    containment.suspend_staff(vault, incident_id=incident, staff="mallory", by=officer)
    containment.force_password_reset(vault, incident_id=incident, account="ben", by=officer)
    move_annas_speaker(vault, anna, incident)
    with pytest.raises(NotFound):  # a refused measure leaves no step behind
        containment.suspend_staff(vault, incident_id=incident, staff="nobody", by=officer)
    shown = show_incident(vault, incident, reader=officer)
    steps = [(e.action, e.actor, (e.params or {}).get("measure")) for e in shown.timeline]
    assert steps[1:] == [
        ("contained", officer.actor, "revoke-answers"),
        ("contained", officer.actor, "suspend-staff"),
        ("contained", officer.actor, "force-password-reset"),
        ("contained", "system", "reassign-recordings"),
    ]
    # A measure names the staff account by its id: the name is nowhere in the table.
    assert b"mallory" not in table_bytes(vault, "incident_events")
