"""Journey 1 (the rest): a person signs in, filters by device, deletes a date range
(confirmation, then the receipt), changes retention (after re-entering the password,
the new choice is shown), deletes a selection, and lists the receipts; then, signed
out, resets the forgotten password with the code from the real SMTP sink. Every page
passes axe-core and is saved as a screenshot."""

from __future__ import annotations

import re

import pytest
from browser_helpers import Visit, confirm_password, sign_in
from playwright.sync_api import expect

from people.people_helpers import OTHER_PASSWORD
from smtp_sink import SmtpSink
from voxkeep.jobs.worker import run_once
from voxkeep.vault import Vault

pytestmark = pytest.mark.browser
CODE = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", re.M)


def test_filter_delete_a_range_change_retention_delete_a_selection_reset_password(
    visit: Visit, anna: dict[str, str], mailbox: SmtpSink, vault: Vault
) -> None:
    page = visit.page
    sign_in(visit, anna)
    expect(page.locator("li.recording")).to_have_count(3)

    # Filter by device.
    page.get_by_label("Device").select_option(label="Kitchen speaker")
    page.get_by_role("button", name="Show recordings").click()
    page.wait_for_url("**/history?*device=dev-kitchen*")
    expect(page.locator("li.recording")).to_have_count(2)
    visit.check("history-kitchen")

    # A date range: the filters' dates, then the link to delete what they show.
    page.get_by_label("Device").select_option(label="Any")
    page.get_by_label("From (date)").fill("2026-03-12")
    page.get_by_label("To (date)").fill("2026-03-12")
    page.get_by_role("button", name="Show recordings").click()
    page.wait_for_url("**/history?*from=2026-03-12*")
    expect(page.locator("li.recording")).to_have_count(1)
    page.get_by_role("link", name="Delete all recordings in these dates").click()
    page.wait_for_url("**/delete?kind=range*")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to delete these recordings?"
    )
    expect(page.locator("main")).to_contain_text(
        "You are about to delete every recording from 2026-03-12 to 2026-03-12: 1."
    )
    expect(page.locator("main")).to_contain_text("This cannot be undone")
    visit.check("confirm-range")
    page.get_by_role("button", name="Yes, delete them").click()
    page.wait_for_url("**/deletions/*")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recordings deleted")
    expect(page.locator("main")).to_contain_text("Recordings deleted: 1.")
    expect(page.locator("main")).to_contain_text("All recordings from 2026-03-12 to 2026-03-12")
    visit.check("receipt-range")

    # Retention: the choices explained; saving asks for the password first.
    page.get_by_role("link", name="How long recordings are kept").first.click()
    page.wait_for_url("**/retention")
    expect(page.get_by_label("For 3 months (your choice now)")).to_be_checked()
    visit.check("retention")
    page.get_by_label("For 18 months").check()
    page.get_by_role("button", name="Save my choice").click()
    confirm_password(visit, anna, "reauth")
    page.wait_for_url("**/retention?choice=18_months")
    expect(page.get_by_label("For 18 months")).to_be_checked()
    page.get_by_role("button", name="Save my choice").click()
    page.wait_for_url("**/retention?changed")
    expect(page.get_by_role("status")).to_have_text(
        "Saved. Your recordings are now kept: For 18 months."
    )
    expect(page.get_by_label("For 18 months (your choice now)")).to_be_checked()
    visit.check("retention-changed")

    # A selection: tick both recordings left, delete them together.
    page.get_by_role("link", name="Voice history").click()
    page.wait_for_url("**/history")
    boxes = page.get_by_role("checkbox")
    expect(boxes).to_have_count(2)
    for index in range(2):
        boxes.nth(index).check()
    visit.check("history-selected")
    page.get_by_role("button", name="Delete the selected recordings").click()
    expect(page.locator("main")).to_contain_text(
        "You are about to delete the recordings you selected: 2."
    )
    visit.check("confirm-selection")
    page.get_by_role("button", name="Yes, delete them").click()
    page.wait_for_url("**/deletions/*")
    expect(page.locator("main")).to_contain_text("Recordings you selected (2)")
    page.get_by_role("link", name="See all your deletion receipts").click()
    page.wait_for_url("**/deletions")
    expect(page.locator("tbody tr")).to_have_count(2)
    visit.check("receipts")

    # Signed out, the password is forgotten: a code by mail sets a new one.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/?signed-out")
    before = len(mailbox.to(anna["email"]))
    page.get_by_role("link", name=re.compile("Forgotten your password")).click()
    page.wait_for_url("**/reset")
    visit.check("reset")
    page.get_by_label("E-mail address").fill(anna["email"])
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    visit.check("reset-code")
    run_once(vault)  # the job that mails the code (the server's worker is off in tests)
    mail = mailbox.wait_for(anna["email"], count=before + 1)[-1]
    code = CODE.search(mail.body)
    assert code is not None, "no code in the mail"
    page.get_by_label("Code from the mail").fill(code.group(1))
    page.get_by_label("New password (at least 12 characters)").fill(OTHER_PASSWORD)
    page.get_by_label("The same again").fill(OTHER_PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    page.wait_for_url("**/?password-reset")
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    visit.check("reset-done")
    page.get_by_label("E-mail address").fill(anna["email"])
    page.get_by_label("Password").fill(OTHER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/history")
    expect(page.get_by_role("heading", level=1)).to_have_text("Voice history")
