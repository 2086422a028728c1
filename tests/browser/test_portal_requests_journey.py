"""Journey 2 and the portal half of journey 4: a person asks for a copy of their data,
reads the "ready" mail, re-authenticates, downloads the zip (the test opens it and checks
its manifest and content), then says "this is not my data", and the download is refused
from then on. axe-core runs on every page; each step saves a screenshot."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from browser_helpers import Visit, confirm_password, sign_in
from playwright.sync_api import expect

from portal.portal_helpers import CLIPS
from smtp_sink import SmtpSink
from voxkeep.accounts.service import find_account
from voxkeep.jobs.worker import run_once
from voxkeep.vault import Vault

pytestmark = pytest.mark.browser


def owner_of(vault: Vault, external_id: str) -> str:
    with vault.reading() as session:
        account = find_account(vault, session, external_id)
        return vault.keyring.pseudonym(session, kind="account", object_id=account.id)


def test_ask_for_a_copy_download_it_then_say_it_is_not_mine(
    visit: Visit, anna: dict[str, str], vault: Vault, mailbox: SmtpSink
) -> None:
    page = visit.page
    sign_in(visit, anna)
    page.get_by_role("link", name="Your requests").click()
    page.wait_for_url("**/requests")
    expect(page.get_by_text("You have not made any requests yet.")).to_be_visible()
    visit.check("requests-empty")

    # Asking needs a fresh password check first, then one confirm step.
    page.get_by_role("link", name="Ask for a copy of your data").click()
    confirm_password(visit, anna, "reauth-to-ask")
    page.wait_for_url("**/requests/new/access")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a copy of your data")
    visit.check("ask-for-a-copy")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/requests/rq_*?sent")
    expect(page.get_by_role("status")).to_contain_text("Your request has been sent")
    expect(page.locator(".timeline")).to_contain_text("We received your request.")
    request_id = page.url.split("/requests/")[1].split("?")[0]
    visit.check("request-sent")

    # The answer is built and released by the real job worker; the mail arrives.
    run_once(vault)
    mails = mailbox.wait_for(anna["email"], count=2)  # the invitation, then "ready"
    ready = mails[-1]
    assert ready.subject == "Your answer is ready"
    assert request_id in ready.body and '"Your requests"' in ready.body
    assert "http" not in ready.body  # the page is named, never linked

    # Later, in a new session: the password was not re-entered in this one.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/?signed-out")
    sign_in(visit, anna)
    page.get_by_role("link", name="Your requests").click()
    page.get_by_role("link", name="A copy of your data", exact=True).click()
    expect(page.locator(".timeline")).to_contain_text("Your answer is ready to download.")
    visit.check("request-ready")
    page.get_by_role("link", name="Go to your answer").click()
    page.wait_for_url("**/answers/*")
    answer_url = page.url
    expect(page.get_by_text("It has not been downloaded yet.")).to_be_visible()
    visit.check("answer")

    # The download asks for the password, comes back to the answer, then downloads.
    page.get_by_role("link", name=re.compile(r"Download the answer")).click()
    confirm_password(visit, anna, "reauth-to-download")
    page.wait_for_url(answer_url)
    with page.expect_download() as started:
        page.get_by_role("link", name=re.compile(r"Download the answer")).click()
    saved = started.value.path()
    assert started.value.suggested_filename.endswith(".zip")

    with zipfile.ZipFile(saved) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        owner = owner_of(vault, "acct-1")
        assert manifest["owner"] == owner and manifest["request"] == request_id
        assert {f["owner"] for f in manifest["files"]} == {owner}
        recorded = {f["source"] for f in manifest["files"] if f["source"].startswith("recording:")}
        assert recorded == {f"recording:{clip.id}" for clip in CLIPS}
        assert set(archive.namelist()) == {f["path"] for f in manifest["files"]} | {
            "manifest.json",
            "manifest.sig",
        }
        text = " ".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.endswith((".json", ".csv"))
        )
        for clip in CLIPS:
            assert clip.transcript in text

    page.reload()
    downloads = page.locator("table", has_text="Network address")
    expect(downloads).to_contain_text("127.0.0.1")
    expect(downloads).to_contain_text("HeadlessChrome")
    visit.check("answer-downloaded")

    # "This is not my data": prominent, confirmed, and then the download is refused.
    page.get_by_role("link", name="This is not my data").click()
    page.wait_for_url("**/not-mine")
    visit.check("not-mine-confirm")
    page.get_by_role("button", name="Yes, this is not my data").click()
    page.wait_for_url("**/reported")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    expect(page.get_by_role("status")).to_contain_text("Incident reference:")
    visit.check("reported")
    refused = page.request.get(answer_url + "/download", max_redirects=0)
    assert refused.status == 410
    page.goto(answer_url)
    expect(page.get_by_role("link", name=re.compile(r"Download the answer"))).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("You told us that this is not your data.")
    visit.check("answer-withdrawn")
