"""The DPO's breach journey in a browser: from the dashboard's countdown to the incident,
awareness set, the risk assessed, a person added, the incident closed. Every page passes
axe-core; the forms are reached and sent with the keyboard alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser_helpers import Visit
from playwright.sync_api import expect

from console.oversight_helpers import staff_token
from exports.factory import household
from voxkeep.db.base import utcnow
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import open_incident
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.vault import Vault

pytestmark = pytest.mark.browser


def test_the_dpo_assesses_and_closes_an_incident_from_the_dashboard(
    vault: Vault, visit: Visit
) -> None:
    household(vault, "ben")
    with vault.transaction() as session:
        incident = open_incident(
            vault,
            session,
            kind=IncidentKind.REPORTED,
            request_id=None,
            details={},
            actor="system",
        ).id
    officer = staff_token(vault, "d.officer", "dpo")
    visit.page.context.add_cookies([{"name": STAFF_COOKIE, "value": officer, "url": visit.base}])
    page = visit.page

    visit.go("/console/dashboard")
    deadlines = page.get_by_role("region", name="Incident deadlines")
    expect(deadlines).to_contain_text("hours left")
    visit.check("dashboard-deadlines")
    deadlines.get_by_role("link", name=incident[:12]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Incident")
    visit.check("incident-open")

    aware = (utcnow() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Aware since (UTC)").fill(aware)
    page.locator("#aware-reason").fill("The operator called us first")
    page.locator("#aware-reason").press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The awareness time is set")

    page.get_by_label("Unlikely to result in a risk").check()
    page.locator("#assess-reason").fill("Only encrypted bytes were exposed")
    page.locator("#assess-nature").fill("A forged download link")
    page.get_by_role("button", name="Save the assessment").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The assessment is saved")

    page.get_by_label("Account id").fill("ben")
    page.locator("#affected-reason").fill("He reported the link")
    page.get_by_role("button", name="Add this person").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The person was added")
    expect(page.get_by_role("table", name="Affected people")).to_contain_text("added by the DPO")
    visit.check("incident-assessed")

    page.locator("#close-reason").fill("Nothing readable left the vault")
    page.get_by_role("button", name="Close the incident").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The incident is closed")
    expect(page.get_by_role("table", name="What was done, by whom")).to_contain_text(
        "Risk assessed"
    )
    visit.check("incident-closed")
