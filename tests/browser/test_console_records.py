"""The DPO opens the record of processing (Art. 30) from the console's navigation; the page
passes axe-core and its PDF link serves the record. A screenshot is saved."""

from __future__ import annotations

import pytest
from browser_helpers import Visit
from playwright.sync_api import expect

from console.oversight_helpers import staff_token
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.records.texts import STRINGS
from voxkeep.vault import Vault

pytestmark = pytest.mark.browser


def test_the_dpo_reads_the_record_of_processing(vault: Vault, visit: Visit) -> None:
    officer = staff_token(vault, "d.officer", "dpo")
    visit.page.context.add_cookies([{"name": STAFF_COOKIE, "value": officer, "url": visit.base}])
    page = visit.page
    visit.go("/console/incidents")
    page.get_by_role("link", name="Record of processing").click()
    words = STRINGS["en"]
    expect(page.get_by_role("heading", level=1)).to_have_text(words["title"])
    expect(page.get_by_role("heading", level=2)).to_have_count(8)
    expect(page.locator("dl").last).to_contain_text(words["m_gate_text"])
    visit.check("records")
    pdf = page.request.get(visit.base + "/console/records.pdf?language=fr")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF-")
