"""The authority's document filled from the register, and the act of notifying (Art. 33).

The real case: a resold speaker's recordings in its first owner's answer, a real
"this is not my data", the DPO's assessment; the document read back from its PDF
in en/de/fr for every Art. 33(3) field, the numbers as incident_affected counts
them; notified on time, late only with reasons, and a phase-2 follow-up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from authority_helpers import AUTHORITY, CONTROLLER, DPO, configured, missing, text_of, when
from click.testing import CliRunner, Result
from export_helpers import run_export_job
from factory import BASE, household, portal_request, record
from fastapi.testclient import TestClient
from register_helpers import Staff, staff, table_bytes
from sqlalchemy import select, update

from console.console_helpers import browser, csrf_of
from console.oversight_helpers import bearer, staff_token
from helpers import settings_env
from voxkeep.audit.events import AuditEvent
from voxkeep.cli import cli
from voxkeep.config import Settings
from voxkeep.errors import Conflict, Forbidden, InvalidInput
from voxkeep.exports.delivery import report_not_mine
from voxkeep.incidents import notification, service
from voxkeep.incidents.authority_texts import STRINGS
from voxkeep.incidents.models import Incident, IncidentEvent, Risk
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.vault import Vault

NATURE = "Anna's access answer held the recordings of the speaker's new owner."
CONSEQUENCES = "Conversations at home disclosed to a stranger."
TAKEN = "Download revoked at once; recordings moved to the right account."
PROPOSED = "Tell the new owner; check device hand-overs."
LATE_REASON = "The operator confirmed the resale only on day four."
NEWS = "The operator found two more speakers sold the same week."
REFERENCE = "LfDI-2026-0815"


@pytest.fixture
def vault(settings: Settings) -> Iterator[Vault]:
    with configured(settings) as opened:
        yield opened


@dataclass
class Person:
    account_id: str
    reauth_at: datetime | None = field(default_factory=lambda: datetime.now(UTC))
    id: str = "session-of-the-first-owner"


@dataclass
class Case:
    incident_id: str
    team: Staff


def not_my_data(vault: Vault, *, assess: bool = True) -> Case:
    """Anna's second speaker was resold: 5 of the new owner's recordings in her answer."""
    anna = household(vault, "anna", devices=(("kueche", "Küche"), ("bad", "Bad")))
    for n in range(3):
        record(vault, anna, f"anna-k{n}", device=anna.devices[0], at=BASE + timedelta(days=n))
    for n in range(5):
        record(vault, anna, f"anna-b{n}", device=anna.devices[1], at=BASE + timedelta(days=40 + n))
    export_id = run_export_job(vault, portal_request(vault, anna))
    assert export_id is not None
    incident_id = report_not_mine(vault, person=Person(anna.account_id), export_id=export_id)
    team = staff(vault)
    if assess:
        service.assess(
            vault,
            staff=team.dpo,
            incident_id=incident_id,
            risk=Risk.HIGH,
            reason="Home recordings sent to a stranger.",
            nature=NATURE,
            consequences=CONSEQUENCES,
            measures_taken=TAKEN,
            measures_proposed=PROPOSED,
        )
    return Case(incident_id, team)


def affected_counts(vault: Vault, incident_id: str) -> tuple[int, int, datetime, datetime]:
    shown = service.show_incident(vault, incident_id)
    firsts = [a.first_at for a in shown.affected if a.first_at]
    lasts = [a.last_at for a in shown.affected if a.last_at]
    return (
        len(shown.affected),
        sum(a.recordings for a in shown.affected),
        min(firsts),
        max(lasts),
    )


@pytest.mark.parametrize("lang", ["en", "de", "fr"])
def test_the_pdf_shows_every_art_33_3_field_from_the_register(vault: Vault, lang: str) -> None:
    case = not_my_data(vault)
    people, records, first, last = affected_counts(vault, case.incident_id)
    assert (people, records) == (1, 8)
    report = notification.authority_report(vault, case.incident_id, reader=case.team.admin)
    text = text_of(notification.document(report, format="pdf", language=lang))
    words = STRINGS[lang]
    wanted = [words[k] for k in ("a", "b", "c", "d", "people_number", "records_number")]
    wanted += [words["period"].format(first=when(first, lang), last=when(last, lang))]
    wanted += [*CONTROLLER, *DPO, AUTHORITY, NATURE, CONSEQUENCES, TAKEN, PROPOSED]
    wanted += [case.incident_id, when(report.aware_at, lang), when(report.deadline, lang)]
    wanted += [words["data_voice_recordings"], words["people_account_holders"]]
    assert missing(text, wanted) == []
    assert f"{words['people_number']} {people}" in text
    assert f"{words['records_number']} {records}" in text
    assert words["pending"] not in text  # nothing left unknown
    # The JSON says the same.
    doc = json.loads(notification.document(report, format="json"))
    assert doc["nature"]["data_subjects"]["approximate_number"] == people
    assert doc["nature"]["records"]["approximate_number"] == records
    period = doc["nature"]["records"]["period"]
    assert [datetime.fromisoformat(period[k]) for k in ("first", "last")] == [first, last]
    assert doc["pending"] == []


def test_reading_the_document_is_audited_without_its_words(vault: Vault) -> None:
    case = not_my_data(vault)
    notification.authority_report(vault, case.incident_id, reader=case.team.admin)
    with vault.reading() as session:
        data = [e.data for e in session.scalars(select(AuditEvent))]
    read = [json.loads(d) for d in data if b'"incident:document"' in d]
    assert [(e["actor"], e["objects"]) for e in read] == [
        (case.team.admin.actor, {"incident": case.incident_id})
    ]
    assert not any(NATURE.encode() in d or b"Brandt" in d for d in data)


def test_an_unassessed_incident_says_what_is_not_yet_known(vault: Vault) -> None:
    case = not_my_data(vault, assess=False)
    report = notification.authority_report(vault, case.incident_id, reader=case.team.dpo)
    doc = json.loads(notification.document(report, format="json"))
    assert doc["pending"] == [
        "nature.description",
        "consequences",
        "measures.taken",
        "measures.proposed",
    ]
    assert doc["nature"]["records"]["approximate_number"] == 8
    assert STRINGS["de"]["pending"] in text_of(
        notification.document(report, format="pdf", language="de")
    )


def test_notifying_on_time_keeps_the_documents_hash_on_the_timeline(vault: Vault) -> None:
    case = not_my_data(vault)
    with pytest.raises(Forbidden):
        notification.notify_authority(vault, case.incident_id, actor=case.team.admin)
    sent = notification.notify_authority(
        vault, case.incident_id, actor=case.team.dpo, reference=REFERENCE
    )
    assert sent.phase == 1 and not sent.report.late
    # What was sent is provable: the phase-1 JSON made again hashes to the kept value.
    again = notification.authority_report(vault, case.incident_id, phase=1, reader=case.team.dpo)
    document = notification.document(again, format="json")
    assert hashlib.sha256(document).hexdigest() == sent.sha256
    with vault.reading() as session:
        incident = session.get(Incident, case.incident_id)
        assert incident is not None and incident.state == "authority_notified"
        step = session.scalar(
            select(IncidentEvent).where(
                IncidentEvent.incident_id == case.incident_id,
                IncidentEvent.action == "authority_notified",
            )
        )
        assert step is not None and step.sha256 == sent.sha256
        sent_events = [
            json.loads(e.data)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "incident:document:sent")
            )
        ]
    assert [e["objects"]["sha256"] for e in sent_events] == [sent.sha256]
    assert notification.reference_of(vault, case.incident_id, reader=case.team.admin) == REFERENCE
    assert REFERENCE.encode() not in table_bytes(vault, "incidents", "incident_events")
    with pytest.raises(Conflict):  # once is enough
        notification.notify_authority(vault, case.incident_id, actor=case.team.dpo)


def _aware_days_ago(vault: Vault, incident_id: str, days: int) -> datetime:
    aware = datetime.now(UTC) - timedelta(days=days)
    with vault.transaction() as session:
        session.execute(update(Incident).where(Incident.id == incident_id).values(aware_at=aware))
    return aware


def test_a_late_notification_is_refused_without_reasons_and_kept_with_them(vault: Vault) -> None:
    case = not_my_data(vault)
    _aware_days_ago(vault, case.incident_id, 4)
    with pytest.raises(InvalidInput, match="reasons for the delay"):
        notification.notify_authority(vault, case.incident_id, actor=case.team.dpo)
    with vault.reading() as session:  # nothing half-written
        incident = session.get(Incident, case.incident_id)
        assert incident is not None and incident.state == "assessed"
    # A late draft is refused without reasons, and made with them.
    report = notification.authority_report(vault, case.incident_id, reader=case.team.dpo)
    with pytest.raises(InvalidInput, match="past its 72-hour deadline"):
        notification.document(report, format="pdf")
    sent = notification.notify_authority(
        vault, case.incident_id, actor=case.team.dpo, late_reason=LATE_REASON
    )
    assert sent.report.late and sent.report.delay_reasons == LATE_REASON
    text = text_of(notification.document(sent.report, format="pdf", language="fr"))
    assert LATE_REASON in text
    assert LATE_REASON.encode() not in table_bytes(vault, "incidents", "incident_events")


def test_a_follow_up_is_phase_two_with_what_is_new(vault: Vault) -> None:
    case = not_my_data(vault)
    with pytest.raises(Conflict, match="not been notified"):
        notification.add_follow_up(vault, case.incident_id, actor=case.team.dpo, what_is_new=NEWS)
    first = notification.notify_authority(vault, case.incident_id, actor=case.team.dpo)
    with pytest.raises(InvalidInput):
        notification.add_follow_up(vault, case.incident_id, actor=case.team.dpo, what_is_new=" ")
    second = notification.add_follow_up(
        vault, case.incident_id, actor=case.team.dpo, what_is_new=NEWS
    )
    assert second.phase == 2 and second.sha256 != first.sha256
    report = notification.authority_report(vault, case.incident_id, reader=case.team.dpo)
    assert report.phase == 2 and [f.news for f in report.follow_ups] == [NEWS]
    for lang in ("en", "de", "fr"):
        text = text_of(notification.document(report, format="pdf", language=lang))
        assert NEWS in text
        assert STRINGS[lang]["phase_follow_up"].format(phase=2) in text
    phase_one = notification.authority_report(
        vault, case.incident_id, phase=1, reader=case.team.dpo
    )
    assert NEWS not in text_of(notification.document(phase_one, format="pdf"))
    shown = service.show_incident(vault, case.incident_id, reader=case.team.dpo)
    assert [e.action for e in shown.timeline][-2:] == ["authority_notified", "follow_up"]
    assert NEWS.encode() not in table_bytes(vault, "incident_events")


# The API --------------------------------------------------------------------------


def test_the_api_gives_the_document_and_records_the_notification(
    vault: Vault, client: TestClient
) -> None:
    case = not_my_data(vault)
    _aware_days_ago(vault, case.incident_id, 4)
    dpo = bearer(staff_token(vault, "dpo2", "dpo"))
    admin = bearer(staff_token(vault, "admin2", "admin"))
    url = f"/api/v1/incidents/{case.incident_id}/authority-notification"
    # Late and not yet notified: the draft is refused with the reason why.
    draft = client.get(url, headers=admin)
    assert draft.status_code == 422 and "72-hour deadline" in draft.json()["error"]
    assert client.post(url, json={}, headers=admin).status_code == 403
    refused = client.post(url, json={"reference": REFERENCE}, headers=dpo)
    assert refused.status_code == 422 and "delay" in refused.json()["error"]
    sent = client.post(url, json={"late_reason": LATE_REASON}, headers=dpo)
    assert sent.status_code == 201, sent.text
    assert sent.json()["phase"] == 1
    document = client.get(url, headers=admin)
    assert document.status_code == 200
    assert hashlib.sha256(document.content).hexdigest() == sent.json()["sha256"]
    timeline = client.get(f"/api/v1/incidents/{case.incident_id}", headers=admin).json()
    kept = [e["sha256"] for e in timeline["timeline"] if e["action"] == "authority_notified"]
    assert kept == [sent.json()["sha256"]]
    body = document.json()
    assert body["timing"]["late"] and body["timing"]["delay_reasons"] == LATE_REASON
    assert body["nature"]["records"]["approximate_number"] == 8
    follow = client.post(f"{url}/follow-ups", json={"what_is_new": NEWS}, headers=dpo)
    assert follow.status_code == 201 and follow.json()["phase"] == 2
    assert client.get(url, headers=admin).json()["follow_ups"][0]["news"] == NEWS
    assert client.get(f"{url}?phase=1", headers=admin).json()["follow_ups"] == []
    assert client.get(f"{url}?phase=3", headers=admin).status_code == 422


# The command line -----------------------------------------------------------------


def test_the_command_line_writes_the_documents_and_records_the_notification(
    vault: Vault, settings: Settings, tmp_path: Path
) -> None:
    env = settings_env(
        settings,
        VOXKEEP_JOB_WORKERS="0",
        VOXKEEP_DPO_NAME=DPO[0],
        VOXKEEP_DPO_CONTACT=DPO[1],
        VOXKEEP_SUPERVISORY_AUTHORITY=AUTHORITY,
    )
    case = not_my_data(vault)
    _aware_days_ago(vault, case.incident_id, 4)
    dpo = staff_token(vault, "dpo3", "dpo")

    def run(*args: str) -> Result:
        return CliRunner().invoke(
            cli,
            ["incidents", *args],
            env={**env, "VOXKEEP_STAFF_TOKEN": dpo},
            catch_exceptions=False,
        )

    draft = tmp_path / "draft.pdf"
    refused = run("notify", "authority", case.incident_id, "--draft", "--pdf", str(draft))
    assert refused.exit_code != 0 and "72-hour deadline" in refused.output
    assert "Traceback" not in refused.output and not draft.exists()
    refused = run("notify", "authority", case.incident_id, "--reference", REFERENCE)
    assert refused.exit_code != 0 and "delay" in refused.output
    pdf, doc = tmp_path / "sent.pdf", tmp_path / "sent.json"
    sent = run(
        "notify",
        "authority",
        case.incident_id,
        "--late-reason",
        LATE_REASON,
        "--reference",
        REFERENCE,
        "--pdf",
        str(pdf),
        "--json",
        str(doc),
        "--language",
        "de",
    )
    assert sent.exit_code == 0, sent.output
    assert hashlib.sha256(doc.read_bytes()).hexdigest() in sent.output
    text = text_of(pdf.read_bytes())
    assert missing(text, [LATE_REASON, NATURE, DPO[0], AUTHORITY, STRINGS["de"]["title"]]) == []
    assert LATE_REASON not in sent.output and REFERENCE not in sent.output
    follow = run("follow-up", case.incident_id, "--what-is-new", NEWS, "--json", str(doc))
    assert follow.exit_code == 0, follow.output
    assert json.loads(doc.read_text())["phase"] == 2
    assert hashlib.sha256(doc.read_bytes()).hexdigest() in follow.output


# The console ----------------------------------------------------------------------


def test_the_console_downloads_the_document_and_records_the_notification(vault: Vault) -> None:
    case = not_my_data(vault)
    _aware_days_ago(vault, case.incident_id, 4)
    page = f"/console/incidents/{case.incident_id}"
    with browser(vault) as dpo, browser(vault) as admin:
        dpo.cookies.set(STAFF_COOKIE, staff_token(vault, "dpo4", "dpo"))
        admin.cookies.set(STAFF_COOKIE, staff_token(vault, "admin4", "admin"))
        shown = dpo.get(page)
        assert shown.status_code == 200
        assert 'id="authority-title"' in shown.text and 'name="late_reason"' in shown.text
        # Late and not yet recorded: the draft is refused, the form says why.
        assert dpo.get(f"{page}/authority.pdf?language=de").status_code == 422
        csrf = csrf_of(shown)
        refused = dpo.post(f"{page}/authority", data={"csrf_token": csrf, "reference": REFERENCE})
        assert refused.status_code == 422
        assert 'id="authority-late-reason-error"' in refused.text
        sent = dpo.post(
            f"{page}/authority",
            data={"csrf_token": csrf, "reference": REFERENCE, "late_reason": LATE_REASON},
        )
        assert sent.status_code == 303 and sent.headers["location"].endswith("done=authority")
        # Admins read the documents but cannot act.
        for lang in ("en", "de", "fr"):
            pdf = admin.get(f"{page}/authority.pdf?language={lang}")
            assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
            assert (
                missing(text_of(pdf.content), [LATE_REASON, NATURE, STRINGS[lang]["title"]]) == []
            )
        document = admin.get(f"{page}/authority.json")
        assert document.json()["nature"]["records"]["approximate_number"] == 8
        assert (
            admin.post(
                f"{page}/authority/follow-up",
                data={"csrf_token": csrf_of(admin.get(page)), "what_is_new": NEWS},
            ).status_code
            == 403
        )
        shown = dpo.get(f"{page}?done=authority")
        assert 'name="late_reason"' not in shown.text and 'name="what_is_new"' in shown.text
        follow = dpo.post(
            f"{page}/authority/follow-up",
            data={"csrf_token": csrf_of(shown), "what_is_new": NEWS},
        )
        assert follow.status_code == 303
        assert dpo.get(f"{page}/authority.json").json()["phase"] == 2
        assert dpo.get(f"{page}/authority.json?phase=1").json()["follow_ups"] == []
        first = hashlib.sha256(dpo.get(f"{page}/authority.json?phase=1").content).hexdigest()
        shown = dpo.get(page).text
        assert "phase=1" in shown and first in shown  # the timeline shows what was sent
