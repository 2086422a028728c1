"""A closed incident is read-only for good: closed is final (there is no reopening).

The console shows it without a single form and says so; every service call the
console, the API and the command line share refuses to act on it with a clear
error, and nothing is written: no timeline step, no audit event, no containment.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from console.console_helpers import browser
from console.oversight_helpers import bearer, staff_token
from helpers import assert_clean_failure_in_process, assert_error
from incidents.test_containment import dpo, events_of, incident_for, released
from incidents.test_containment_api import fresh_dpo
from incidents.test_containment_cli import run as contain_cli
from people.people_helpers import PASSWORD
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict
from voxkeep.exports.models import Export
from voxkeep.incidents import containment, notification, service
from voxkeep.incidents.containment import OnServer
from voxkeep.incidents.models import IncidentEvent, Risk
from voxkeep.incidents.notice_texts import What
from voxkeep.incidents.notify import notify_affected
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.people.staff import add_staff
from voxkeep.vault import Vault

CLOSED = "The incident is closed: it cannot be changed any more."


def closed_incident(vault: Vault) -> tuple[str, str]:
    """Anna's answer is out; its incident was assessed as unlikely a risk and closed, and
    the answer was never revoked. Returns the incident and the answer's id."""
    _, request_id, export_id = released(vault)
    incident = incident_for(vault, request_id, export=export_id)
    staff = dpo(vault, "dina")
    service.assess(
        vault, staff=staff, incident_id=incident, risk=Risk.UNLIKELY, reason="Own data only"
    )
    service.close(vault, staff=staff, incident_id=incident, reason="Nothing left to do")
    return incident, export_id


def steps(vault: Vault, incident: str) -> int:
    with vault.reading() as session:
        found = session.scalar(select(func.count()).where(IncidentEvent.incident_id == incident))
    return int(found or 0)


def test_every_action_on_a_closed_incident_is_refused_and_writes_nothing(vault: Vault) -> None:
    incident, export_id = closed_incident(vault)
    staff = dpo(vault, "dana")
    add_staff(vault, name="mallory", roles=("agent",), actor="system:test", password=PASSWORD)
    before, audited = steps(vault, incident), len(events_of(vault, incident))
    actions: dict[str, Callable[[], object]] = {
        "aware": lambda: service.set_awareness(
            vault, staff=staff, incident_id=incident, aware_at=utcnow(), reason="r"
        ),
        "assess": lambda: service.assess(
            vault, staff=staff, incident_id=incident, risk=Risk.HIGH, reason="r"
        ),
        "derive": lambda: service.derive_affected(vault, staff=staff, incident_id=incident),
        "add": lambda: service.add_affected(
            vault, staff=staff, incident_id=incident, account="anna", reason="r"
        ),
        "close": lambda: service.close(vault, staff=staff, incident_id=incident, reason="r"),
        "revoke": lambda: containment.revoke_answers(vault, incident_id=incident, by=staff),
        "suspend": lambda: containment.suspend_staff(
            vault, incident_id=incident, staff="mallory", by=OnServer()
        ),
        "reset": lambda: containment.force_password_reset(
            vault, incident_id=incident, account="anna", by=staff
        ),
        "reassign": lambda: containment.reassign_recordings(
            vault,
            incident_id=incident,
            device="anna-kueche",
            since=utcnow() - timedelta(days=1),
            to_account="anna",
            by=staff,
        ),
        "notify people": lambda: notify_affected(
            vault, incident, actor=staff, what=What.SENT_TO_OTHER
        ),
        "notify authority": lambda: notification.notify_authority(vault, incident, actor=staff),
        "follow up": lambda: notification.add_follow_up(
            vault, incident, actor=staff, what_is_new="n"
        ),
    }
    for name, act in actions.items():
        with pytest.raises(Conflict) as refused:
            act()
        assert refused.value.message == CLOSED, name
        assert "no reopening" in (refused.value.hint or ""), name
    assert steps(vault, incident) == before and len(events_of(vault, incident)) == audited
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None and export.state == "released"  # nothing was contained


def test_the_console_shows_a_closed_incident_without_forms_and_says_it_is_final(
    vault: Vault,
) -> None:
    incident, _ = closed_incident(vault)
    page = f"/console/incidents/{incident}"
    with browser(vault) as dora:
        dora.cookies.set(STAFF_COOKIE, staff_token(vault, "cleo", "dpo"))
        shown = dora.get(page)
        assert shown.status_code == 200
        text = html.unescape(shown.text)
        assert "Closed is final" in text and "cannot be reopened" in text
        assert f'action="{page}/' not in text  # no form acts on it, containment's neither
        assert 'id="containment"' not in text
        confirm = dora.get(f"{page}/contain/revoke-answers")
        assert confirm.status_code == 409 and CLOSED in html.unescape(confirm.text)


def test_the_api_and_the_command_line_refuse_clearly(
    vault: Vault, client: TestClient, settings: Settings
) -> None:
    incident, _ = closed_incident(vault)
    base = f"/api/v1/incidents/{incident}"
    fresh = fresh_dpo(vault, client)
    for path, body in (
        ("containment/revoke-answers", None),
        ("containment/force-password-reset", {"account": "anna"}),
        ("assessment", {"risk": "high", "reason": "r"}),
        ("notices", {}),
    ):
        refused = client.post(f"{base}/{path}", json=body, headers=fresh)
        assert assert_error(refused, 409, "conflict")["error"] == CLOSED, path
    reader = client.get(base, headers=bearer(staff_token(vault, "adam", "admin")))
    assert reader.status_code == 200 and reader.json()["state"] == "closed"
    cli = contain_cli(settings, "revoke-answers", incident, "--yes")
    assert_clean_failure_in_process(cli, CLOSED)
