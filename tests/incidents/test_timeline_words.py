"""The steps voxkeep writes on an incident's timeline read in the page's language.

voxkeep keeps what it says of a step (people told, notices sent, the Art. 34(3)
case, the measures, the assessed risk) as a code with its figures, and the
incident page words it in English, German or French as it is shown; what the DPO
typed stays as typed. The resold speaker again, through every kind of system step:
containment (all four measures), assessment, notices sent, not told, people
notified. The API gives the codes and figures, and the command line prints them.
"""

from __future__ import annotations

import html

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from console.console_helpers import add_member, browser
from console.oversight_helpers import bearer, staff_token
from helpers import settings_env
from incidents.test_notify import SOLD, Case, assess_high, pseudonym, resold_case
from smtp_sink import SmtpSink
from voxkeep.cli import cli
from voxkeep.config import Settings
from voxkeep.incidents import containment, notification, service
from voxkeep.incidents.containment import OnServer
from voxkeep.incidents.notice_texts import What
from voxkeep.incidents.notify import notify_affected, record_not_told
from voxkeep.incidents.telling import NotTelling
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.vault import Vault
from voxkeep.web.i18n import translate
from voxkeep.web.render import LANG_COOKIE

WHY_NOT = "Anna hat die Dateien vor unseren Augen gelöscht."
CLOSING = "Alle informiert; Anna hat nichts weitergegeben."
# What voxkeep wrote into the timeline before it kept codes: English whatever the page.
ENGLISH = ("told: ", "still to tell", "erased: ", "Art. 34(3) risk_gone", "high: ")
CODES = (
    "risk_gone",
    "revoke-answers",
    "suspend-staff",
    "force-password-reset",
    "reassign-recordings",
    "→",
)


@pytest.fixture
def case(vault: Vault, mailbox: SmtpSink) -> Case:
    """Every kind of step voxkeep words itself, on one incident, closed at the end."""
    found = resold_case(vault, mailbox)  # Anna's speaker's recordings moved to Ben
    add_member(vault, "mallory", "agent")
    server = OnServer()
    containment.revoke_answers(vault, incident_id=found.incident, by=server)
    containment.suspend_staff(vault, incident_id=found.incident, staff="mallory", by=server)
    containment.force_password_reset(vault, incident_id=found.incident, account="ben", by=server)
    assess_high(vault, found)
    notification.notify_authority(vault, found.incident, actor=found.dpo)
    ben, anna = pseudonym(vault, found.ben), pseudonym(vault, found.anna)
    notify_affected(
        vault, found.incident, actor=found.dpo, what=What.STORED_UNDER_OTHER, only=[ben]
    )
    record_not_told(
        vault,
        found.incident,
        actor=found.dpo,
        accounts=[anna],
        basis=NotTelling.RISK_GONE,
        reason=WHY_NOT,
    )
    service.close(vault, staff=found.dpo, incident_id=found.incident, reason=CLOSING)
    return found


def timeline_of(client: TestClient, incident: str, language: str) -> str:
    client.cookies.set(LANG_COOKIE, language)
    page = html.unescape(client.get(f"/console/incidents/{incident}").text)
    return page[page.index('id="timeline"') : page.index('id="events-title"')]


def said(vault: Vault, case: Case, language: str) -> list[str]:
    """What the page must say of each system step, in ``language``."""
    ben, anna = pseudonym(vault, case.ben), pseudonym(vault, case.anna)

    def t(key: str, **values: object) -> str:
        return translate(language, key, **values)

    (mallory,) = [
        e.params["staff"]
        for e in service.show_incident(vault, case.incident).timeline
        if e.params and e.params.get("measure") == "suspend-staff"
    ]
    return [
        t("incidents.said_reassigned", source=anna, target=ben, since=f"{SOLD:%Y-%m-%d %H:%M}"),
        t("incidents.said_revoked", count=0),  # "not my data" revoked it already
        t("incidents.said_suspended", staff=mallory),
        t("incidents.said_reset", account=ben),
        t("incidents.said_assessed", risk=t("incidents.risk_high")),
        t("incidents.said_notices_sent", told=1, pending=1),
        t("incidents.said_not_told", people=1, basis=t("notify.basis_risk_gone")),
        t("incidents.said_people_notified", told=1, not_told=1, erased=0),
    ]


def test_the_steps_voxkeep_wrote_read_in_german_and_french_and_typed_words_stay(
    vault: Vault, case: Case
) -> None:
    with browser(vault) as dpo:
        dpo.cookies.set(STAFF_COOKIE, staff_token(vault, "cleo", "dpo"))
        for language in ("en", "de", "fr"):
            shown = timeline_of(dpo, case.incident, language)
            for words in said(vault, case, language):
                assert words in shown, (language, words)
            for code in CODES:
                assert code not in shown, (language, code)
            if language != "en":
                for english in (*ENGLISH, *said(vault, case, "en")):
                    assert english not in shown, (language, english)
            # What the DPO typed, as typed, beside the words voxkeep gave the step.
            assert WHY_NOT in shown and CLOSING in shown
            assert "Intimate home recordings reached a stranger" in shown
        german = timeline_of(dpo, case.incident, "de")
        assert "Benachrichtigt: 1; noch zu benachrichtigen: 1" in german
        assert "Bewertung: Hohes Risiko" in german
        french = timeline_of(dpo, case.incident, "fr")
        assert "Réponses révoquées : 0" in french


def test_the_api_gives_codes_and_figures_and_the_command_prints_them(
    vault: Vault, case: Case, client: TestClient, settings: Settings
) -> None:
    token = staff_token(vault, "cleo", "dpo")
    got = client.get(f"/api/v1/incidents/{case.incident}", headers=bearer(token))
    assert got.status_code == 200, got.text
    steps = {e["action"]: e for e in got.json()["timeline"]}
    assert steps["notices_sent"]["params"] == {"told": 1, "pending": 1}
    assert steps["notices_sent"]["note"] is None
    assert steps["people_notified"]["params"] == {"told": 1, "not_told": 1, "erased": 0}
    assert steps["not_told"]["params"] == {"basis": "risk_gone", "people": 1}
    assert steps["not_told"]["note"] == WHY_NOT  # the DPO's words only
    assert steps["assessed"]["params"] == {"risk": "high"}
    assert steps["closed"]["params"] is None and steps["closed"]["note"] == CLOSING
    env = settings_env(settings, VOXKEEP_JOB_WORKERS="0", VOXKEEP_STAFF_TOKEN=token)
    ran = CliRunner().invoke(cli, ["incidents", "show", case.incident], env=env)
    assert ran.exit_code == 0, ran.output
    assert "notices_sent (told=1 pending=1)" in ran.output
    assert f"not_told (basis=risk_gone people=1): {WHY_NOT}" in ran.output
    measures = [
        e["params"]["measure"] for e in got.json()["timeline"] if e["action"] == "contained"
    ]
    assert measures == [
        "reassign-recordings",
        "revoke-answers",
        "suspend-staff",
        "force-password-reset",
    ]
