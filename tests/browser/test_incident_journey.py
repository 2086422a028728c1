"""The DPO's breach journey in a browser: from the dashboard's countdown to the incident,
awareness set, the risk assessed, a person added, the incident closed; the authority's
document downloaded, its sending recorded, a follow-up; and the whole runbook of
docs/breaches.md on a resold speaker, down to the notices that reach the person by mail
and in the portal, with one screenshot a runbook step. Every page passes axe-core; the
forms are reached and sent with the keyboard alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from browser_helpers import Visit, sign_in
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from console.oversight_helpers import PASSWORD as STAFF_PASSWORD
from console.oversight_helpers import staff_token
from exports.export_helpers import run_export_job
from exports.factory import BASE, Person, household, portal_request, record
from incidents.register_helpers import reported, signed_in
from people.people_helpers import PASSWORD
from smtp_sink import SmtpSink
from voxkeep.accounts.models import Language
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.exports.delivery import report_not_mine
from voxkeep.incidents.models import Risk
from voxkeep.incidents.notice_texts import WHAT, What, pick
from voxkeep.incidents.service import assess
from voxkeep.jobs.worker import run_once
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.people.service import set_password_without_invitation
from voxkeep.vault import Vault
from voxkeep.web.i18n import CATALOGUE
from voxkeep.web.render import LANG_COOKIE

pytestmark = pytest.mark.browser

CONTROLLER = {"controller_name": "Sprachbox GmbH", "controller_contact": "Hauptstr. 1, Berlin"}
DPO = {"dpo_name": "Dora Datenschutz", "dpo_contact": "privacy@sprachbox.test"}
SOLD = BASE + timedelta(days=10)
PHONE = {"width": 390, "height": 844}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
TO_THE_TOP = "window.scrollTo(0, 0)"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The journey's server names its controller and DPO: the notices need a contact point."""
    return settings.model_copy(update=CONTROLLER | DPO)


def en(key: str, **values: object) -> str:
    return CATALOGUE[key].en.format(**values)


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


@dataclass
class Signed(Person):
    """Anna signed in, with the session id report_not_mine records."""

    id: str = "session-of-anna"


def resold_speaker(vault: Vault) -> str:
    """Anna's speaker was sold to Ben and never removed from her account: her answer held
    Ben's five recordings, and she said "this is not my data". The incident, as it opens."""
    anna = household(vault, "anna", language=Language.DE)
    household(vault, "ben", language=Language.EN, devices=(("flur", "Hall"),))
    for i in range(2):
        record(vault, anna, f"anna-{i}", at=BASE + timedelta(hours=i), transcript=f"Anna {i}")
    for i in range(5):
        record(vault, anna, f"ben-{i}", at=SOLD + timedelta(hours=i), transcript=f"Ben {i}")
    export_id = run_export_job(vault, portal_request(vault, anna))
    assert export_id is not None
    set_password_without_invitation(vault, external_id="ben", password=PASSWORD, actor="t")
    return report_not_mine(vault, person=Signed(anna.account_id), export_id=export_id)


def test_the_dpo_follows_the_runbook_to_the_notices_the_person_reads(
    vault: Vault, visit: Visit, browser: Browser, mailbox: SmtpSink
) -> None:
    incident = resold_speaker(vault)
    run_once(vault)
    mailbox.clear()  # the answer's own mails
    officer = staff_token(vault, "d.officer", "dpo")
    visit.page.context.add_cookies([{"name": STAFF_COOKIE, "value": officer, "url": visit.base}])
    page = visit.page

    # 1. Open: the register lists it with its clock.
    visit.go("/console/incidents")
    expect(page.get_by_role("table")).to_contain_text("hours left")
    visit.docs_shot("breaches/1-register")
    page.get_by_role("link", name=incident[:12]).click()
    contents = page.get_by_role("navigation", name=en("incidents.contents"))
    order = [
        "incidents.facts",
        "incidents.affected",
        "incidents.assessment",
        "contain.title",
        "authority.title",
        "notify.title",
        "incidents.close_title",
        "incidents.timeline",
    ]
    expect(contents.get_by_role("link")).to_have_text([en(key) for key in order])
    visit.check("runbook-open")

    # 2. Aware: the clock runs from when reasonable certainty came.
    aware = (utcnow() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Aware since (UTC)").fill(aware)
    page.locator("#aware-reason").fill("Anna called the hotline before she pressed the button")
    page.get_by_role("button", name=en("incidents.aware_submit")).press("Enter")
    expect(page.get_by_role("status")).to_contain_text(en("incidents.done_aware"))
    expect(page.locator("#facts")).to_contain_text("hours left")
    visit.docs_shot("breaches/2-aware")

    # 3. Affected people: worked out from the answer's manifest, Anna's seven recordings.
    contents.get_by_role("link", name=en("incidents.affected")).click()
    expect(page).to_have_url(re.compile(r"#affected$"))
    affected = page.get_by_role("table", name=en("incidents.affected"))
    expect(affected.get_by_role("row")).to_have_count(2)
    expect(affected).to_contain_text(en("incidents.source_manifest"))
    visit.docs_shot("breaches/3-affected", page.locator("#affected"))

    # 4. Assess: a high risk; the measures proposed are left for later and say so.
    page.get_by_label(en("incidents.risk_high")).check()
    page.locator("#assess-reason").fill("Intimate home recordings reached a stranger")
    page.locator("#assess-nature").fill("An answer held another household's recordings")
    page.locator("#assess-consequences").fill("Ben's household may be recognised by its voices")
    page.locator("#assess-measures-taken").fill("The download was revoked at once")
    page.get_by_role("button", name=en("incidents.assess_submit")).press("Enter")
    expect(page.get_by_role("status")).to_contain_text(en("incidents.done_assess"))
    facts = page.locator("#assessment-facts")
    expect(facts.locator("dd")).to_have_count(6)
    expect(facts.locator("dd").last).to_have_text(en("incidents.not_recorded"))
    visit.check("runbook-assessed")
    visit.docs_shot("breaches/4-assessment", page.locator("#assessment"))

    # 5. Contain: Ben's recordings go to his account, after the password again.
    reassign = page.get_by_role("form", name=en("contain.reassign_title"))
    reassign.get_by_label(en("contain.field_device")).fill("anna-kueche")
    reassign.get_by_label(en("contain.field_since")).fill(SOLD.strftime("%Y-%m-%d %H:%M"))
    reassign.get_by_label(en("contain.field_to_account")).fill("ben")
    reassign.get_by_role("button", name=en("contain.continue")).press("Enter")
    page.get_by_label(en("contain.password")).fill(STAFF_PASSWORD)
    page.get_by_role("button", name=en("contain.reauth_submit")).press("Enter")
    visit.check("runbook-contain")
    visit.docs_shot("breaches/5-contain")
    page.get_by_role("button", name=en("contain.confirm")).press("Enter")
    expect(page.locator("#contain-done")).to_contain_text("5")
    page.get_by_role("link", name=en("contain.back")).click()
    # Ben is affected too: his recordings were in Anna's answer.
    page.get_by_role("button", name=en("incidents.derive_submit")).press("Enter")
    expect(page.get_by_role("status")).to_contain_text(en("incidents.done_derive"))
    page.get_by_label(en("incidents.field_account")).fill("ben")
    page.locator("#affected-reason").fill("Ben bought Anna's speaker")
    page.get_by_role("button", name=en("incidents.affected_add_submit")).press("Enter")
    expect(page.get_by_role("status")).to_contain_text(en("incidents.done_affected"))
    expect(affected.get_by_role("row")).to_have_count(3)

    # 6. The authority: the document from the register, then its sending recorded.
    section = page.get_by_role("region", name=en("authority.title"))
    with page.expect_download() as download:
        section.get_by_role("link", name="Download the PDF (English)").click()
    text = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    for expected in ("An answer held another household's recordings", "Dora Datenschutz"):
        assert expected in text
    page.get_by_label(en("authority.field_reference")).fill("LfDI-2026-17")
    page.get_by_role("button", name=en("authority.record_submit")).press("Enter")
    expect(page.get_by_role("status")).to_contain_text(en("authority.done_authority"))
    visit.docs_shot("breaches/6-authority", page.locator("#authority"))

    # 7. The people: told from the page, by mail (the worker's job) and in their portal.
    people = page.get_by_role("region", name=en("notify.title"))
    expect(people).to_contain_text(en("notify.nobody_yet"))
    # Ben is told his recordings went to another household; Anna, in a second
    # send, that she was sent someone else's: each reads what happened to them.
    people.get_by_role("checkbox", name=re.compile(r"· 2 recordings")).uncheck()
    people.get_by_label(en("notify.confirm")).check()
    people.get_by_role("button", name=en("notify.submit")).press("Enter")
    expect(page.get_by_role("status")).to_contain_text(en("notify.done"))
    assert run_once(vault) == 1
    (mail,) = mailbox.wait_for("ben@example.org")
    assert "privacy@sprachbox.test" in mail.body and "5" in mail.body
    people = page.get_by_role("region", name=en("notify.title"))
    expect(
        people.get_by_role("checkbox", name=re.compile(en("notify.who_told")))
    ).not_to_be_checked()
    # Anna is still to be told: the incident is not "people notified" after Ben's notice.
    expect(page.locator("#people-pending")).to_be_visible()
    expect(page.locator("#facts")).to_contain_text(en("incidents.state_authority_notified"))
    people.get_by_label(pick(WHAT[What.RECEIVED_OTHERS], "en")).check()
    people.get_by_label(en("notify.confirm")).check()
    people.get_by_role("button", name=en("notify.submit")).press("Enter")
    expect(page.get_by_role("status")).to_contain_text(en("notify.done"))
    assert run_once(vault) == 1
    mailbox.wait_for("anna@example.org")
    page.reload()
    told = page.locator("#people-told")
    expect(told.get_by_role("row")).to_have_count(3)
    expect(page.locator("#people-complete")).to_have_text(en("notify.all_told"))
    expect(page.locator("#facts")).to_contain_text(en("incidents.state_people_notified"))
    visit.check("runbook-told")
    visit.docs_shot("breaches/7-notices", page.locator("#people"))

    # On a phone (390 px wide) the page, with every form, reads without sideways scrolling.
    desktop = page.viewport_size
    assert desktop is not None
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    visit.check("runbook-phone")
    page.evaluate(TO_THE_TOP)
    visit.docs_shot("breaches/9-phone")
    page.set_viewport_size(desktop)

    ben = Visit(
        page=browser.new_context(locale="en-GB").new_page(), base=visit.base, shots=visit.shots
    )
    sign_in(ben, {"email": "ben@example.org", "password": PASSWORD})
    ben.page.get_by_role("link", name=en("notices.banner")).click()
    notice = ben.page.get_by_role("article")
    expect(notice).to_contain_text("privacy@sprachbox.test")
    ben.check("ben-notice")
    ben.docs_shot("breaches/7-notice-in-the-portal", notice)
    ben.page.context.close()

    # 8. Close: people notified, so it may close; the timeline keeps every step.
    page.reload()
    page.locator("#close-reason").fill("Everyone affected was told; the speaker is Ben's")
    page.get_by_role("button", name=en("incidents.close_submit")).press("Enter")
    expect(page.get_by_role("status")).to_contain_text(en("incidents.done_close"))
    timeline = page.get_by_role("table", name=en("incidents.timeline"))
    for step in ("step_people_notified", "step_authority_notified", "step_contained"):
        expect(timeline).to_contain_text(en(f"incidents.{step}"))
    visit.check("runbook-closed")
    # Long pseudonyms and hashes wrap: the page never scrolls sideways.
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    visit.docs_shot("breaches/8-closed", timeline)

    # The same page in German and French: its parts and the empty fact in their words.
    for lang in ("de", "fr"):
        page.context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": visit.base}])
        page.reload()
        said = {key: getattr(CATALOGUE[key], lang) for key in ("incidents.contents", *order)}
        parts = page.locator("nav.contents")
        expect(parts.get_by_role("heading")).to_have_text(said.pop("incidents.contents"))
        # Closed is final: no "close" part and no containment; the rest in the same order.
        said.pop("incidents.close_title")
        said.pop("contain.title")
        expect(parts.get_by_role("link")).to_have_text(list(said.values()))
        missing = getattr(CATALOGUE["incidents.not_recorded"], lang)
        expect(page.locator("#assessment-facts dd").last).to_have_text(missing)
        final = getattr(CATALOGUE["incidents.closed_final"], lang)
        expect(page.locator("#closed-final")).to_have_text(final)
        page.evaluate(TO_THE_TOP)
        if lang == "de":
            visit.docs_shot("breaches/10-german")
        else:
            visit.docs_shot("breaches/10-french")
        # German and French words are longer: at phone width too, nothing scrolls sideways.
        page.set_viewport_size(PHONE)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), lang
        page.set_viewport_size(desktop)
