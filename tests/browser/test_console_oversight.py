"""Journey 4: a person presses "this is not my data"; the console's incidents list shows the
incident with its 72-hour clock, its page the evidence; the audit log, the dashboard (its
countdown to the incident's deadline and its charts) and the staff list render. Every page
passes axe-core; screenshots are saved, the dashboard's for docs/console.md too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser_helpers import Visit
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from console.oversight_helpers import staff_token
from exports.export_helpers import run_export_job
from exports.factory import Household, portal_request, record
from people.people_helpers import bearer, person
from smtp_sink import SmtpSink
from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import DeviceKind
from voxkeep.db.base import utcnow
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.vault import Vault

pytestmark = pytest.mark.browser


def _released_answer(vault: Vault, client: TestClient, mailbox: SmtpSink) -> tuple[str, str]:
    """Anna's released answer to an access request: (her session token, the export id)."""
    token = person(client, mailbox, account="anna", email="anna@example.org")
    with vault.transaction() as session:
        account = accounts.find_account(vault, session, "anna")
        accounts.upsert_device(
            vault,
            session,
            account=account,
            device_id="anna-kueche",
            kind=DeviceKind.SPEAKER,
            name="Küche",
            registered_at=utcnow() - timedelta(days=30),
            actor="system:test",
        )
        house = Household("anna", account.id, "de", ["anna-kueche"], [])
    for n in range(2):
        record(vault, house, f"anna-{n}", seed=n, frames=4000, transcript="Wie spät ist es?")
    export_id = run_export_job(vault, portal_request(vault, house))
    assert export_id is not None
    return token, export_id


def test_not_my_data_reaches_the_console_with_its_clock(
    vault: Vault, client: TestClient, mailbox: SmtpSink, visit: Visit
) -> None:
    token, export_id = _released_answer(vault, client, mailbox)
    reported = client.post(f"/api/v1/exports/{export_id}/not-mine", headers=bearer(token))
    assert reported.status_code == 200, reported.text
    incident = reported.json()["incident"]

    officer = staff_token(vault, "d.officer", "dpo", "admin")
    visit.page.context.add_cookies([{"name": STAFF_COOKIE, "value": officer, "url": visit.base}])
    page = visit.page

    visit.go("/console/incidents")
    expect(page.get_by_role("heading", level=1)).to_have_text("Incidents")
    row = page.locator("tr", has=page.get_by_role("link", name=incident[:12]))
    expect(row).to_contain_text("“This is not my data”")
    expect(row).to_contain_text("hours left")
    visit.check("incidents")

    row.get_by_role("link", name=incident[:12]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Incident")
    expect(page.locator("#evidence")).to_contain_text(export_id)
    expect(page.locator("#evidence")).to_contain_text("account:")
    events = page.locator("table.events")
    expect(events).to_contain_text("incident:opened")
    expect(events).to_contain_text("export:revoked")
    visit.check("incident")

    visit.go("/console/audit?action=incident:opened")
    expect(page.locator("table.events tbody tr")).to_have_count(1)
    visit.check("audit")

    visit.go("/console/dashboard")
    deadlines = page.get_by_role("region", name="Incident deadlines")
    expect(deadlines.get_by_role("link", name=incident[:12])).to_be_visible()
    expect(deadlines).to_contain_text("hours left")
    expect(page.locator("svg[role=img]")).to_have_count(4)
    expect(page.locator("table.chart-table")).to_have_count(4)
    visit.check("dashboard")
    visit.docs_shot("console/dashboard", page.locator("body"))

    visit.go("/console/staff")
    expect(page.get_by_role("link", name="d.officer")).to_be_visible()
    visit.check("staff")
