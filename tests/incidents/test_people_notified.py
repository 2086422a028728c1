"""An incident is "people notified" only once everyone who must be told was (Art. 34).

The resold speaker again: the DPO tells Ben first (his recordings were stored under
Anna's account) and Anna later (she received them): two sends, two texts. The first
send is a step on the timeline, not the move; the page lists who is still to be
told; the last send, or the DPO's Art. 34(3) record of why someone is not told,
makes the move. Closing waits for it. "Whom to tell now" shows what the register
holds for each person (a person the DPO added shows the recordings moved to them
and the DPO's reason), never a misleading 0.
"""

from __future__ import annotations

import ast
import html
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import voxkeep
from console.console_helpers import browser, csrf_of
from console.oversight_helpers import bearer, staff_token
from helpers import settings_env
from incidents.register_helpers import table_bytes
from incidents.test_notify import CONTACT, Case, assess_high, pseudonym, resold_case
from smtp_sink import SmtpSink
from voxkeep.cli import cli
from voxkeep.config import Settings
from voxkeep.errors import Conflict, InvalidInput
from voxkeep.incidents import notification, service
from voxkeep.incidents.models import Incident, IncidentState, Risk
from voxkeep.incidents.notice_texts import What
from voxkeep.incidents.notify import notify_affected, people_section, record_not_told
from voxkeep.incidents.telling import NotTelling
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.vault import Vault

WHY_NOT = "Anna destroyed the files in front of our staff; nobody else heard them."
BASIS_B = ("--basis", "risk_gone", "--reason", WHY_NOT)


def state(vault: Vault, case: Case) -> IncidentState:
    return service.show_incident(vault, case.incident).summary.state


def steps(vault: Vault, case: Case) -> list[str]:
    return [e.action for e in service.show_incident(vault, case.incident).timeline]


def people_notified_at(vault: Vault, case: Case) -> datetime | None:
    with vault.reading() as session:
        incident = session.get(Incident, case.incident)
        assert incident is not None
        return incident.people_notified_at


def notified_authority(vault: Vault, case: Case) -> None:
    assess_high(vault, case)
    notification.notify_authority(vault, case.incident, actor=case.dpo)


def tell(vault: Vault, case: Case, what: What, *people: str) -> tuple[str, ...]:
    return notify_affected(vault, case.incident, actor=case.dpo, what=what, only=people).pending


def test_telling_ben_first_and_anna_later_moves_the_register_once_at_the_last(
    vault: Vault, mailbox: SmtpSink
) -> None:
    case = resold_case(vault, mailbox)
    notified_authority(vault, case)
    ben, anna = pseudonym(vault, case.ben), pseudonym(vault, case.anna)
    assert tell(vault, case, What.STORED_UNDER_OTHER, ben) == (anna,)
    # Ben told, Anna not yet: still "authority notified", the send a step of its own.
    assert state(vault, case) is IncidentState.AUTHORITY_NOTIFIED
    assert steps(vault, case)[-2:] == ["authority_notified", "notices_sent"]
    assert people_notified_at(vault, case) is None
    with pytest.raises(Conflict, match="still to be told"):
        service.close(vault, staff=case.dpo, incident_id=case.incident, reason="done")
    section = people_section(vault, case.incident, language="en")
    assert section.pending == [anna]
    assert tell(vault, case, What.RECEIVED_OTHERS, anna) == ()
    assert state(vault, case) is IncidentState.PEOPLE_NOTIFIED
    assert steps(vault, case)[-3:] == ["authority_notified", "notices_sent", "people_notified"]
    assert steps(vault, case).count("people_notified") == 1
    assert people_notified_at(vault, case) is not None
    assert people_section(vault, case.incident, language="en").pending == []
    service.close(vault, staff=case.dpo, incident_id=case.incident, reason="Both told")


def test_the_dpo_records_why_anna_is_not_told_and_that_completes_it(
    vault: Vault, mailbox: SmtpSink
) -> None:
    case = resold_case(vault, mailbox)
    ben, anna = pseudonym(vault, case.ben), pseudonym(vault, case.anna)

    def not_told(*people: str, basis: NotTelling = NotTelling.RISK_GONE) -> tuple[str, ...]:
        return record_not_told(
            vault, case.incident, actor=case.dpo, accounts=people, basis=basis, reason=WHY_NOT
        )

    assess_high(vault, case, Risk.RISK)
    with pytest.raises(Conflict, match="high risk"):
        not_told(anna)
    notified_authority(vault, case)
    tell(vault, case, What.STORED_UNDER_OTHER, ben)
    with pytest.raises(InvalidInput, match="not among those still to be told"):
        not_told(ben)  # Ben was told
    with pytest.raises(InvalidInput, match="at least one"):
        not_told()
    with pytest.raises(InvalidInput, match="reason"):
        record_not_told(
            vault,
            case.incident,
            actor=case.dpo,
            accounts=[anna],
            basis=NotTelling.PUBLIC,
            reason=" ",
        )
    assert state(vault, case) is IncidentState.AUTHORITY_NOTIFIED
    assert not_told(anna) == (anna,)
    assert state(vault, case) is IncidentState.PEOPLE_NOTIFIED
    assert steps(vault, case)[-3:] == ["notices_sent", "not_told", "people_notified"]
    detail = service.show_incident(vault, case.incident, reader=case.dpo)
    (why,) = [e for e in detail.timeline if e.action == "not_told"]
    assert why.note == WHY_NOT and why.params == {"basis": "risk_gone", "people": 1}
    # The reason is sealed: in no table in the clear, nor in the log.
    stored = table_bytes(vault, "incidents", "incident_events", "audit_events")
    assert WHY_NOT.encode() not in stored
    section = people_section(vault, case.incident, language="en")
    assert {p.account: p.not_told for p in section.affected}[anna] is NotTelling.RISK_GONE


def test_everyone_told_before_the_authority_moves_when_the_authority_is_notified(
    vault: Vault, mailbox: SmtpSink
) -> None:
    case = resold_case(vault, mailbox)
    assess_high(vault, case)
    ben, anna = pseudonym(vault, case.ben), pseudonym(vault, case.anna)
    tell(vault, case, What.STORED_UNDER_OTHER, ben)
    tell(vault, case, What.RECEIVED_OTHERS, anna)
    assert state(vault, case) is IncidentState.ASSESSED  # the authority comes first (Art. 33)
    sent = notification.notify_authority(vault, case.incident, actor=case.dpo)
    assert state(vault, case) is IncidentState.PEOPLE_NOTIFIED
    detail = service.show_incident(vault, case.incident)
    (step,) = [e for e in detail.timeline if e.action == "authority_notified"]
    assert step.sha256 == sent.sha256  # the document's hash stays on its own step
    assert [e.action for e in detail.timeline][-1] == "people_notified"


def test_whom_to_tell_shows_what_was_recorded_for_a_person_added_by_hand(
    vault: Vault, mailbox: SmtpSink
) -> None:
    case = resold_case(vault, mailbox)
    assess_high(vault, case)
    ben, anna = pseudonym(vault, case.ben), pseudonym(vault, case.anna)
    page = f"/console/incidents/{case.incident}"
    with browser(vault) as dpo:
        dpo.cookies.set(STAFF_COOKIE, staff_token(vault, "cleo", "dpo"))
        shown = html.unescape(dpo.get(page).text)
        whom = shown[shown.index('id="people-who"') :]
        whom = whom[: whom.index("</fieldset>")]
        # Ben: added by hand, with the five recordings moved to him and the DPO's reason.
        ben_line = whom[whom.index(ben) :].split("</label>")[0]
        assert "5 recordings" in ben_line and "Ben bought Anna's speaker" in ben_line
        assert "0 recordings" not in whom
        anna_line = whom[whom.index(anna) :].split("</label>")[0]
        assert "2 recordings" in anna_line
        pending = shown[shown.index('id="people-pending"') :].split("</div>")[0]
        assert ben in pending and anna in pending


def test_the_console_api_and_command_record_who_is_not_told(
    vault: Vault, client: TestClient, settings: Settings, mailbox: SmtpSink
) -> None:
    case = resold_case(vault, mailbox)
    notified_authority(vault, case)
    ben, anna = pseudonym(vault, case.ben), pseudonym(vault, case.anna)
    page = f"/console/incidents/{case.incident}"
    api = f"/api/v1/incidents/{case.incident}/notices"
    dpo_api = bearer(staff_token(vault, "cleo", "dpo"))
    told = client.post(api, json={"what": "stored_under_other", "only": [ben]}, headers=dpo_api)
    assert told.status_code == 200 and told.json()["pending"] == [anna], told.text
    with browser(vault) as dpo:
        dpo.cookies.set(STAFF_COOKIE, staff_token(vault, "dina", "dpo"))
        shown = dpo.get(page)
        assert 'action="' + page + '/not-told"' in shown.text
        unticked = dpo.post(
            f"{page}/not-told",
            data={"csrf_token": csrf_of(shown), "basis": "public", "reason": WHY_NOT},
        )
        assert unticked.status_code == 422
        assert "Tick at least one person who is not told." in html.unescape(unticked.text)
        no_basis = dpo.post(
            f"{page}/not-told",
            data={"csrf_token": csrf_of(shown), "only": [anna], "reason": WHY_NOT},
        )
        assert no_basis.status_code == 422
        assert "Choose the case of Art. 34(3)" in html.unescape(no_basis.text)
        assert state(vault, case) is IncidentState.AUTHORITY_NOTIFIED
        # The API refuses a person already told; the command line records Anna.
        refused = client.post(
            f"{api}/not-told",
            json={"accounts": [ben], "basis": "public", "reason": WHY_NOT},
            headers=dpo_api,
        )
        assert refused.status_code == 422 and "still to be told" in refused.json()["error"]
        env = settings_env(
            settings,
            VOXKEEP_JOB_WORKERS="0",
            VOXKEEP_STAFF_TOKEN=staff_token(vault, "otto", "dpo"),
            VOXKEEP_DPO_CONTACT=CONTACT,
        )
        ran = CliRunner().invoke(
            cli,
            ["incidents", "notify", "not-told", case.incident, "--only", anna, *BASIS_B],
            env=env,
        )
        assert ran.exit_code == 0, ran.output
        assert f"Not told (Art. 34(3)): {anna}" in ran.output and "Still to tell: -" in ran.output
        assert WHY_NOT not in ran.output
        assert state(vault, case) is IncidentState.PEOPLE_NOTIFIED
        after = html.unescape(dpo.get(page).text)
        assert 'id="people-pending"' not in after and f'{page}/not-told"' not in after
        assert "Everyone who must be told has been told, or why not is recorded." in after
        anna_line = after[after.index(f'value="{anna}"') :].split("</label>")[0]
        assert "not told (Art. 34(3)): (b) later measures" in anna_line
    assert told.json()["queued"] == [ben]


def test_only_settle_moves_an_incident_to_people_notified() -> None:
    """One code path: the move to people_notified is telling.settle's, made only once
    nobody who must be told is left; no other function moves there by a count it is given."""
    src = Path(voxkeep.__file__).parent
    moves: list[tuple[str, str]] = []
    for path in sorted(src.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for call in ast.walk(function):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id == "move"
                    and any(
                        isinstance(arg, ast.Attribute) and arg.attr == "PEOPLE_NOTIFIED"
                        for arg in call.args
                    )
                ):
                    moves.append((path.relative_to(src).as_posix(), function.name))
    assert moves == [("incidents/telling.py", "settle")]
