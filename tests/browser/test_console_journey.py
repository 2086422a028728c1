"""Journey 3: an agent signs in to the console (setting up an authenticator app), enters
a postal request, sends the code (the person's mail arrives at the real SMTP server)
and checks it; the agent sees no approve button and a forged approve is refused; a
different approver signs in and approves; the person is told. axe-core on every page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from browser_helpers import Visit
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from people.people_helpers import PASSWORD, register
from smtp_sink import SmtpSink
from voxkeep.jobs.worker import run_once
from voxkeep.people import totp
from voxkeep.people.staff import add_staff
from voxkeep.vault import Vault

pytestmark = pytest.mark.browser

PERSON = "paul@example.org"


def _sign_in(visit: Visit, name: str, shot: str) -> None:
    """Sign in at the console; the first time, set up the app from the key on the page."""
    page = visit.page
    visit.go("/console")
    page.wait_for_url("**/console/sign-in")
    expect(page).to_have_title("Sign in to the console · voxkeep")
    visit.check(f"{shot}-sign-in")
    page.get_by_label("Login name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/console/sign-in/code")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name="QR code of your authenticator secret")).to_be_visible()
    visit.check(f"{shot}-enrol")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("6-digit code").fill(totp.code_at(secret, datetime.now(UTC)))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/requests")
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()
    visit.check(f"{shot}-queue")


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/console/sign-in?signed-out")


def test_agent_enters_and_verifies_a_postal_request_and_another_approves(
    visit: Visit, vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    register(client, "acct-paul", PERSON, language="en")
    # The agent may approve too, only not a request she entered or verified (four eyes).
    roles = ["agent", "approver"]
    add_staff(vault, name="agnes", roles=roles, actor="system:test", password=PASSWORD)
    add_staff(vault, name="bruno", roles=["approver"], actor="system:test", password=PASSWORD)
    page = visit.page

    _sign_in(visit, "agnes", "agent")
    page.get_by_role("link", name="Enter a request received by e-mail, post or phone").click()
    visit.check("agent-new")
    page.get_by_label("Account id").fill("acct-paul")
    page.get_by_label("Kind").select_option("access")
    page.get_by_label("Channel").select_option("post")
    page.get_by_label("Internal note (optional, stored encrypted)").fill("letter of 1 December")
    page.get_by_role("button", name="Enter the request").click()
    page.wait_for_url(re.compile(r".*/console/requests/rq_[0-9a-f]+\?done=entered$"))
    expect(page.get_by_role("status")).to_contain_text("The request is entered")
    request_path = page.url.split("?")[0].removeprefix(visit.base)
    visit.check("agent-entered")

    page.get_by_role("button", name="Send the verification code").click()
    expect(page.get_by_role("status")).to_contain_text("The code is sent")
    body = mailbox.wait_for(PERSON)[-1].body
    found = re.search(r"\b(\d{4}) (\d{4})\b", body)
    assert found, "no code in the person's mail"
    visit.check("agent-code-sent")
    page.get_by_label("Code (8 digits)").fill(found.group(1) + found.group(2))
    page.get_by_label("How the person gave it").fill("read out on a call from the known number")
    page.get_by_role("button", name="Enter the code the person gave back").click()
    expect(page.get_by_role("status")).to_contain_text("The request is verified")
    expect(page.get_by_text("read out on a call from the known number").first).to_be_visible()
    visit.check("agent-verified")
    # Codes in the page's words: the kind, the channel and how it was verified.
    for words in ("Access (Art. 15)", "Post", "Code mailed to the account's address"):
        expect(page.get_by_text(words, exact=True)).to_be_visible()
    visit.docs_shot("console/request-verified", page.locator("body"))

    # Four eyes: no approve button for the agent, and a forged approve is refused.
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    forged = page.request.post(
        f"{visit.base}{request_path}/approve", form={"csrf_token": token}, max_redirects=0
    )
    assert forged.status == 403 and "Four eyes" in forged.text()
    _sign_out(page)

    _sign_in(visit, "bruno", "approver")
    visit.go(request_path)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved.")
    visit.check("approver-approved")
    visit.docs_shot("console/request-approved", page.locator("body"))

    before = len(mailbox.to(PERSON))
    assert run_once(vault) >= 1  # the server's worker is off in tests: build and notify
    told = mailbox.wait_for(PERSON, count=before + 1)[-1]
    assert told.subject == "Your answer is ready"
    visit.go(request_path)
    expect(page.get_by_text("Ready to deliver", exact=True).first).to_be_visible()
    visit.check("approver-ready")
