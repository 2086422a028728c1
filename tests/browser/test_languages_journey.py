"""Journey 5: the same pages in German and French. A German and a French person (their
accounts' language) sign in and visit their voice history, requests, a request and its
answer, retention and deletion receipts, each page in their language (`<html lang>` and
headings); a staff member switches the console to German for the queue. axe-core runs
on every page; each step saves a screenshot."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from browser_helpers import Visit, sign_in
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from people.people_helpers import PASSWORD
from portal.portal_helpers import DAY, Clip, household
from smtp_sink import SmtpSink
from voxkeep.jobs.worker import run_once
from voxkeep.people import totp
from voxkeep.people.staff import add_staff, enrol_totp_unsafe
from voxkeep.vault import Vault
from voxkeep.web.i18n import translate

pytestmark = pytest.mark.browser

PEOPLE = {
    "de": {
        "account": "acct-de",
        "email": "jonas@example.de",
        "device": "Lautsprecher",
        "said": "Wie spät ist es",
    },
    "fr": {
        "account": "acct-fr",
        "email": "claire@example.fr",
        "device": "Haut-parleur",
        "said": "Quelle heure est-il",
    },
}
# A few headings spelled out, so a test of the catalogue against itself cannot pass
# with English on the page.
HEADINGS = {
    "de": ("Sprachverlauf", "Ihre Anfragen", "Ihre Antwort", "Löschbelege"),
    "fr": ("Historique vocal", "Vos demandes", "Votre réponse", "Reçus de suppression"),
}


def ask_for_a_copy(client: TestClient, email: str) -> str:
    """The person's access request through their own API (signing in is the fresh proof)."""
    signed = client.post("/api/v1/people/sessions", json={"email": email, "password": PASSWORD})
    assert signed.status_code == 201, signed.text
    own = {"Authorization": f"Bearer {signed.json()['token']}"}
    proof = client.post(
        "/api/v1/people/sessions/current/reauth", json={"password": PASSWORD}, headers=own
    )
    assert proof.status_code == 200, proof.text
    filed = client.post("/api/v1/requests/mine", json={"kind": "access"}, headers=own)
    assert filed.status_code == 201, filed.text
    request_id: str = filed.json()["id"]
    return request_id


def see(visit: Visit, lang: str, path: str, heading: str, shot: str) -> None:
    visit.go(path)
    expect(visit.page.locator("html")).to_have_attribute("lang", lang)
    expect(visit.page.get_by_role("heading", level=1)).to_have_text(heading)
    visit.check(shot)


def test_the_portal_in_german_and_french_and_the_console_in_german(
    visit: Visit, vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    requests = {}
    for lang, who in PEOPLE.items():
        household(
            client,
            mailbox,
            account=who["account"],
            email=who["email"],
            password=PASSWORD,
            clips=(Clip(f"rec-{lang}-1", f"dev-{lang}", None, DAY, who["said"]),),
            devices={f"dev-{lang}": who["device"]},
            members={},
            language=lang,
        )
        requests[lang] = ask_for_a_copy(client, who["email"])
    run_once(vault)  # both answers built and released by the real job worker

    page = visit.page
    for lang, who in PEOPLE.items():
        history, mine, answer, receipts = HEADINGS[lang]
        sign_in(visit, {"email": who["email"], "password": PASSWORD})
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.get_by_role("heading", level=1)).to_have_text(history)
        visit.check(f"{lang}-history")
        see(visit, lang, "/requests", mine, f"{lang}-requests")
        page.locator("main table a").first.click()  # the one request
        page.wait_for_url("**/requests/rq_*")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        visit.check(f"{lang}-request")
        page.get_by_role("link", name=translate(lang, "request.answer")).click()
        page.wait_for_url("**/answers/*")
        expect(page.get_by_role("heading", level=1)).to_have_text(answer)
        expect(
            page.get_by_role("link", name=translate(lang, "answer.not_mine_button"))
        ).to_be_visible()
        visit.check(f"{lang}-answer")
        see(visit, lang, "/retention", translate(lang, "retention.title"), f"{lang}-retention")
        see(visit, lang, "/deletions", receipts, f"{lang}-deletions")
        page.get_by_role("button", name=translate(lang, "nav.sign_out")).click()
        page.wait_for_url("**/?signed-out")

    # The console: sign in (in English, no language chosen yet), then switch to German.
    add_staff(vault, name="greta", roles=["agent"], actor="system:test", password=PASSWORD)
    secret = enrol_totp_unsafe(vault, ref="greta", actor="system:test")
    visit.go("/console/sign-in")
    page.get_by_label("Login name").fill("greta")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/console/sign-in/code")
    page.get_by_label("6-digit code").fill(totp.code_at(secret, datetime.now(UTC)))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/requests")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page).to_have_url(f"{visit.base}/console/requests")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anfragen")
    expect(page.get_by_role("button", name="Sprache ändern")).to_be_visible()
    visit.check("de-console-queue")
