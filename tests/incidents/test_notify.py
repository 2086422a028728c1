"""Telling the people affected from the register (Art. 34): the real case of a resold speaker.

Anna's speaker was sold to Ben and never removed from her account, so her answer
held Ben's recordings. Anna says "this is not my data", the DPO moves Ben's
recordings to him, lists him, assesses high risk, and ``notify_affected`` tells
Ben (in German) and Anna (in English) through the real job worker and the real
SMTP sink, each with their own figures, nothing twice. Not assessed, not high
risk, or no contact point: refused, nothing written.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from sqlalchemy import select

from console.console_helpers import browser, csrf_of
from console.oversight_helpers import bearer, staff_token
from exports.export_helpers import run_export_job
from exports.factory import BASE, Household, Person, household, portal_request, record
from helpers import settings_env
from incidents.register_helpers import staff, table_bytes
from smtp_sink import SmtpSink
from voxkeep.accounts.models import Language
from voxkeep.cli import cli
from voxkeep.config import Settings
from voxkeep.errors import Conflict, Forbidden, InvalidInput
from voxkeep.exports.delivery import report_not_mine
from voxkeep.incidents import containment, notices, service
from voxkeep.incidents.containment import OnServer
from voxkeep.incidents.models import Risk
from voxkeep.incidents.notice_models import IncidentNotice
from voxkeep.incidents.notice_texts import What
from voxkeep.incidents.notify import notify_affected
from voxkeep.jobs.worker import run_once
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.people.staff import StaffSession
from voxkeep.retention.erasure import erase_account
from voxkeep.vault import Vault

SOLD = BASE + timedelta(days=10)
CONTACT = "dpo@operator.test, +49 30 1234567"
NOTE = "Wir entschuldigen uns. / We are sorry."


@dataclass
class Signed(Person):
    id: str = "session-of-the-reporter"


@dataclass(frozen=True)
class Case:
    incident: str
    anna: Household
    ben: Household
    dpo: StaffSession
    admin: StaffSession


def _contact(
    vault: Vault, name: str | None = "Dora Datenschutz", contact: str | None = CONTACT
) -> None:
    vault.settings = vault.settings.model_copy(update={"dpo_name": name, "dpo_contact": contact})


def resold_case(vault: Vault, mailbox: SmtpSink) -> Case:
    anna = household(vault, "anna", language=Language.EN)
    ben = household(vault, "ben", language=Language.DE, devices=(("flur", "Flur"),))
    for i in range(2):
        record(vault, anna, f"anna-{i}", at=BASE + timedelta(hours=i), transcript=f"Anna {i}")
    for i in range(5):  # Ben's words, on Anna's old speaker, still under her account
        record(vault, anna, f"ben-{i}", at=SOLD + timedelta(hours=i), transcript=f"Ben {i}")
    export_id = run_export_job(vault, portal_request(vault, anna))
    assert export_id is not None
    # After the answer was built: moved to Ben too, but never in the answer, so not in his figures.
    record(vault, anna, "ben-late", at=SOLD + timedelta(days=1), transcript="Ben late")
    incident = report_not_mine(vault, person=Signed(anna.account_id), export_id=export_id)
    team = staff(vault)
    containment.reassign_recordings(
        vault,
        incident_id=incident,
        device=anna.devices[0],
        since=SOLD,
        to_account="ben",
        by=OnServer(),
    )
    # Derived again after the move: Anna's row holds only her own two recordings.
    assert service.derive_affected(vault, staff=team.dpo, incident_id=incident) == 1
    service.add_affected(
        vault,
        staff=team.dpo,
        incident_id=incident,
        account="ben",
        reason="Ben bought Anna's speaker",
    )
    _contact(vault)
    run_once(vault)
    mailbox.clear()  # the answer's own mails
    return Case(incident, anna, ben, team.dpo, team.admin)


def assess_high(vault: Vault, case: Case, risk: Risk = Risk.HIGH) -> None:
    service.assess(
        vault,
        staff=case.dpo,
        incident_id=case.incident,
        risk=risk,
        reason="Intimate home recordings reached a stranger",
        consequences="Ben's household may be recognised",
        measures_taken="Download revoked, recordings moved",
    )


def notice_rows(vault: Vault) -> list[IncidentNotice]:
    with vault.reading() as session:
        return list(session.scalars(select(IncidentNotice)))


def pseudonym(vault: Vault, house: Household) -> str:
    with vault.reading() as session:
        return vault.keyring.pseudonym(session, kind="account", object_id=house.account_id)


def test_ben_and_anna_are_told_in_their_languages_with_their_own_figures_once(
    vault: Vault, mailbox: SmtpSink
) -> None:
    case = resold_case(vault, mailbox)
    assess_high(vault, case)
    ben, anna = pseudonym(vault, case.ben), pseudonym(vault, case.anna)
    told_ben = notify_affected(
        vault,
        case.incident,
        actor=case.dpo,
        what=What.STORED_UNDER_OTHER,
        note=NOTE,
        only=[ben],
    )
    assert told_ben.queued == (ben,) and told_ben.already == () and told_ben.erased == ()
    told_anna = notify_affected(
        vault, case.incident, actor=case.dpo, what=What.RECEIVED_OTHERS, only=[anna]
    )
    assert told_anna.queued == (anna,)
    run_once(vault)
    (to_ben,) = mailbox.wait_for("ben@example.org")
    (to_anna,) = mailbox.wait_for("anna@example.org")
    # Ben: German, his five moved recordings, the moved speaker named by what it is (never
    # by Anna's label for it), the measures.
    assert "Gerät, das Sie nutzen" in to_ben.body
    day = f"{SOLD:%Y-%m-%d}"
    assert f"5 Ihrer Aufnahmen, aufgenommen vom {day} bis zum {day}." in to_ben.body
    assert "Geräte: Smart Speaker." in to_ben.body
    assert "Küche" not in to_ben.body and "Flur" not in to_ben.body
    assert "sofort zurückgezogen" in to_ben.body  # the answer was revoked
    assert "dem Konto zugeordnet" in to_ben.body  # the recordings were moved
    assert CONTACT in to_ben.body and NOTE in to_ben.body
    # Anna: English, told she holds someone else's recordings; no note for her.
    assert "held voice recordings of another person" in to_anna.body
    assert "Destroy the files you received" in to_anna.body and NOTE not in to_anna.body
    assert f"2 of your recordings, made from {BASE:%Y-%m-%d} to {BASE:%Y-%m-%d}." in to_anna.body
    for mail in (to_ben, to_anna):
        assert all(f"Ben {i}" not in mail.body for i in range(5))
    # The register says who was told when; the console shows it (test_notify_console).
    register = notices.incident_notices(vault, case.incident)
    assert {r.account for r in register} == {ben, anna}
    assert all(r.mailed_at is not None for r in register)
    # Again, for everyone: nothing is sent twice.
    again = notify_affected(vault, case.incident, actor=case.dpo, what=What.STORED_UNDER_OTHER)
    assert again.queued == () and set(again.already) == {ben, anna}
    run_once(vault)
    assert len(mailbox.to("ben@example.org")) == 1 and len(mailbox.to("anna@example.org")) == 1
    assert len(notice_rows(vault)) == 2


def test_not_assessed_not_high_or_no_contact_is_refused_and_writes_nothing(
    vault: Vault, mailbox: SmtpSink
) -> None:
    case = resold_case(vault, mailbox)

    def tell() -> object:
        return notify_affected(vault, case.incident, actor=case.dpo, what=What.SENT_TO_OTHER)

    with pytest.raises(Conflict, match="not assessed"):
        tell()
    assess_high(vault, case, Risk.RISK)
    with pytest.raises(Conflict, match="not as high risk"):
        tell()
    assess_high(vault, case)
    _contact(vault, contact=None)
    with pytest.raises(InvalidInput, match="No contact point"):
        tell()
    _contact(vault)
    with pytest.raises(Forbidden):
        notify_affected(vault, case.incident, actor=case.admin, what=What.SENT_TO_OTHER)
    with pytest.raises(InvalidInput, match="does not fit"):
        notify_affected(vault, case.incident, actor=case.dpo, what=What.STOPPED_BY_CHECK)
    with pytest.raises(InvalidInput, match="not among"):
        notify_affected(
            vault, case.incident, actor=case.dpo, what=What.SENT_TO_OTHER, only=["account:x"]
        )
    assert notice_rows(vault) == []
    run_once(vault)
    assert mailbox.to("ben@example.org") == [] and mailbox.to("anna@example.org") == []


def test_an_erased_person_is_skipped_and_listed(vault: Vault, mailbox: SmtpSink) -> None:
    case = resold_case(vault, mailbox)
    assess_high(vault, case)
    anna = pseudonym(vault, case.anna)
    erase_account(vault, external_id="anna", actor="system:test")
    told = notify_affected(vault, case.incident, actor=case.dpo, what=What.STORED_UNDER_OTHER)
    assert told.erased == (anna,) and told.queued == (pseudonym(vault, case.ben),)
    run_once(vault)
    mailbox.wait_for("ben@example.org")
    assert mailbox.to("anna@example.org") == []


def test_the_command_tells_the_people_once_and_refuses_clearly(
    vault: Vault, settings: Settings, mailbox: SmtpSink
) -> None:
    case = resold_case(vault, mailbox)
    dpo = staff_token(vault, "cleo", "dpo")
    env = settings_env(
        settings,
        VOXKEEP_JOB_WORKERS="0",
        VOXKEEP_STAFF_TOKEN=dpo,
        VOXKEEP_DPO_NAME="Dora",
        VOXKEEP_DPO_CONTACT=CONTACT,
    )

    def run(*args: str, **extra: str) -> Result:
        return CliRunner().invoke(
            cli, ["incidents", "notify", "people", case.incident, *args], env={**env, **extra}
        )

    refused = run("--yes")
    assert refused.exit_code != 0 and "not assessed" in refused.output
    assert "Traceback" not in refused.output
    assess_high(vault, case)
    unset = run("--yes", VOXKEEP_DPO_CONTACT="")
    assert unset.exit_code != 0 and "No contact point" in unset.output
    assert notice_rows(vault) == []
    asked = run(input="n\n")  # no --yes: it asks, and nothing is sent on "no"
    assert asked.exit_code != 0 and notice_rows(vault) == []
    ben = pseudonym(vault, case.ben)
    sent = run("--what", "stored_under_other", "--only", ben, "--note", NOTE, "--yes")
    assert sent.exit_code == 0, sent.output
    assert f"Told now: {ben}" in sent.output and NOTE not in sent.output
    again = run("--what", "stored_under_other", "--only", ben, "--yes")
    assert f"Told before: {ben}" in again.output and "Told now: -" in again.output
    run_once(vault)
    (mail,) = mailbox.wait_for("ben@example.org")
    assert NOTE in mail.body and CONTACT in mail.body


def test_the_api_tells_the_people_and_says_who_was_told_when(
    vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    case = resold_case(vault, mailbox)
    dpo = bearer(staff_token(vault, "cleo", "dpo"))
    admin = bearer(staff_token(vault, "adam", "admin"))
    path = f"/api/v1/incidents/{case.incident}/notices"
    refused = client.post(path, json={}, headers=dpo)
    assert refused.status_code == 409 and "not assessed" in refused.json()["error"]
    assess_high(vault, case)
    assert client.post(path, json={}, headers=admin).status_code == 403
    bad = client.post(path, json={"what": "nonsense"}, headers=dpo)
    assert bad.status_code == 422
    assert client.get(path, headers=admin).json() == []
    ben = pseudonym(vault, case.ben)
    sent = client.post(
        path, json={"what": "stored_under_other", "only": [ben], "note": NOTE}, headers=dpo
    )
    assert sent.status_code == 200, sent.text
    anna = pseudonym(vault, case.anna)  # still to be told
    assert sent.json() == {"queued": [ben], "already": [], "erased": [], "pending": [anna]}
    again = client.post(path, json={"what": "stored_under_other", "only": [ben]}, headers=dpo)
    assert again.json()["already"] == [ben]
    run_once(vault)
    mailbox.wait_for("ben@example.org")
    [told] = client.get(path, headers=admin).json()
    assert (told["account"], told["language"]) == (ben, "de")
    assert told["mailed_at"] is not None and told["read_at"] is None
    assert NOTE not in json.dumps(told)
    # The note is sealed with the person's key: in no table as plaintext, nor in the log.
    stored = table_bytes(vault, "incident_notices", "incident_notice_texts", "audit_events", "jobs")
    assert NOTE.encode() not in stored and CONTACT.encode() not in stored


def test_the_console_section_sends_and_shows_who_was_told_when(
    vault: Vault, mailbox: SmtpSink
) -> None:
    case = resold_case(vault, mailbox)
    page = f"/console/incidents/{case.incident}"
    with browser(vault) as dpo, browser(vault) as admin:
        dpo.cookies.set(STAFF_COOKIE, staff_token(vault, "cleo", "dpo"))
        admin.cookies.set(STAFF_COOKIE, staff_token(vault, "adam", "admin"))

        ben, anna = pseudonym(vault, case.ben), pseudonym(vault, case.anna)

        def send(**form: str | list[str]) -> Any:
            token = csrf_of(dpo.get(page))
            return dpo.post(f"{page}/notices", data={"csrf_token": token, **form})

        shown = html.unescape(dpo.get(page).text)
        assert "Tell the people affected" in shown and "Nobody has been told yet." in shown
        assert "once the incident is assessed as a high risk" in shown
        refused = send(what="stored_under_other", confirm="yes", only=[ben, anna])
        assert refused.status_code == 422 and "not assessed" in html.unescape(refused.text)
        assess_high(vault, case)
        unconfirmed = send(what="stored_under_other", only=[ben, anna])
        assert unconfirmed.status_code == 422
        assert "Confirm that each affected person" in html.unescape(unconfirmed.text)
        nobody = send(what="stored_under_other", confirm="yes")
        assert nobody.status_code == 422
        assert "Tick at least one person to tell." in html.unescape(nobody.text)
        assert notice_rows(vault) == []
        # Everyone not yet told is ticked; the DPO tells each what happened to them.
        form = html.unescape(dpo.get(page).text)
        for name in (ben, anna):
            assert f'name="only" value="{name}" checked' in form
        sent = send(what="stored_under_other", note=NOTE, confirm="yes", only=[ben])
        assert sent.status_code == 303, sent.text
        assert sent.headers["location"] == f"{page}?done=notices"
        run_once(vault)
        mailbox.wait_for("ben@example.org")
        assert len(notice_rows(vault)) == 1  # Anna was not ticked: not told Ben's story
        form = html.unescape(dpo.get(page).text)
        assert f'name="only" value="{ben}">' in form and "already told" in form
        assert f'name="only" value="{anna}" checked' in form
        received = send(what="received_others", confirm="yes", only=[anna])
        assert received.status_code == 303, received.text
        run_once(vault)
        # The admin reads who was told when, and has no form to send.
        read = html.unescape(admin.get(page).text)
        told = read[read.index('id="people-told"') :]
        for name in (ben, anna):
            assert name in told
        assert "not yet" in told  # nobody has read theirs yet
        assert f"{page}/notices" not in read and NOTE not in read
        assert admin.post(f"{page}/notices", data={}).status_code in (403, 400)
        again = send(what="stored_under_other", confirm="yes", only=[ben, anna])
        assert again.status_code == 303 and len(notice_rows(vault)) == 2
