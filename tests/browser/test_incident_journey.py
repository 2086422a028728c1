"""The DPO's breach journey in a browser: from the dashboard's countdown to the incident,
awareness set, the risk assessed, a person added, the incident closed; the authority's
document downloaded, its sending recorded, a follow-up. Every page passes
axe-core; the forms are reached and sent with the keyboard alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser_helpers import Visit
from playwright.sync_api import expect
from pypdf import PdfReader

from console.oversight_helpers import staff_token
from exports.factory import household
from incidents.register_helpers import reported, signed_in
from voxkeep.db.base import utcnow
from voxkeep.incidents.models import Risk
from voxkeep.incidents.service import assess
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.vault import Vault

pytestmark = pytest.mark.browser


def test_the_dpo_assesses_and_closes_an_incident_from_the_dashboard(
    vault: Vault, visit: Visit
) -> None:
    household(vault, "ben")
    incident = reported(vault)
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


def test_the_dpo_downloads_the_authority_document_and_records_it_sent(
    vault: Vault, visit: Visit
) -> None:
    incident = reported(vault)
    officer = staff_token(vault, "d.officer", "dpo")
    assess(
        vault,
        staff=signed_in(vault, "dora", "dpo"),
        incident_id=incident,
        risk=Risk.RISK,
        reason="Recordings went to the wrong household",
        nature="A misdirected answer",
    )
    visit.page.context.add_cookies([{"name": STAFF_COOKIE, "value": officer, "url": visit.base}])
    page = visit.page
    visit.go(f"/console/incidents/{incident}")
    section = page.get_by_role("region", name="Authority notification")
    expect(section).to_contain_text("draft")
    with page.expect_download() as download:
        section.get_by_role("link", name="Download the PDF (Deutsch)").click()
    pdf = PdfReader(download.value.path())
    assert "A misdirected answer" in " ".join(p.extract_text() for p in pdf.pages)
    visit.check("incident-authority-draft")

    page.get_by_label("The authority's reference").fill("LfDI-1")
    page.get_by_role("button", name="Record the notification").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("notification to the authority is recorded")
    expect(page.get_by_role("table", name="What was done, by whom")).to_contain_text("SHA-256")
    page.get_by_label("What is new").fill("Two more recordings were found")
    page.get_by_role("button", name="Record the follow-up").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("follow-up is recorded")
    expect(page.get_by_role("region", name="Authority notification")).to_contain_text(
        "The current phase is 2."
    )
    visit.check("incident-authority-sent")
