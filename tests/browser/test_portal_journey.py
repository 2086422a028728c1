"""Journey 1 (first slice): a person signs in, hears a recording, seeks in it and
filters the history by device; every page passes axe-core."""

from __future__ import annotations

import pytest
from browser_helpers import Visit
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Response, expect

from people.people_helpers import PASSWORD, invite, register
from smtp_sink import SmtpSink

pytestmark = pytest.mark.browser

PLAY = """el => new Promise((resolve, reject) => {
  el.addEventListener("playing", () => resolve(true), {once: true});
  el.addEventListener("error", () => reject(new Error("media error " + el.error.code)));
  el.play().catch(reject);
})"""
SEEK = """(el, to) => new Promise((resolve) => {
  el.addEventListener("seeked", () => resolve(el.currentTime), {once: true});
  el.currentTime = to;
})"""


def test_sign_in_play_seek_and_filter_by_device(visit: Visit, anna: dict[str, str]) -> None:
    page = visit.page
    audio_answers: list[Response] = []
    page.on("response", lambda r: audio_answers.append(r) if r.url.endswith("/audio") else None)

    visit.go("/")
    expect(page).to_have_title("Sign in · voxkeep")
    visit.check("sign-in")

    # Keyboard first: the skip link is the first stop and takes focus to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.get_by_label("E-mail address").fill(anna["email"])
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The e-mail address or the password is wrong")
    expect(page).to_have_title("Error: Sign in · voxkeep")
    visit.check("sign-in-error")
    summary.get_by_role("link").click()  # the summary leads to the field
    expect(page.get_by_label("E-mail address")).to_be_focused()

    page.get_by_label("Password").fill(anna["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/history")
    expect(page.get_by_role("heading", level=1)).to_have_text("Voice history")
    expect(page.locator("li.recording")).to_have_count(3)
    visit.check("history")

    car = page.locator("li.recording", has_text="Navigate to the station").locator("audio")
    assert car.evaluate(PLAY) is True
    reached = car.evaluate(SEEK, 2.0)
    assert reached >= 1.9
    car.evaluate("el => el.pause()")
    assert any(r.status == 206 for r in audio_answers), "the player never got a range"
    visit.check("playing")

    page.get_by_label("Device").select_option(label="Car")
    # The filter form is posted (search words never go into a URL); without words the
    # answer sends the browser on to the filters' URL.
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/history")) as sent:
        page.get_by_role("button", name="Show recordings").click()
    assert sent.value.headers.get("hx-request") == "true"  # htmx swapped the page in
    page.wait_for_url("**/history?*device=dev-car*")
    expect(page.locator("li.recording")).to_have_count(1)
    expect(page.locator("li.recording")).to_contain_text("Navigate to the station")
    visit.check("filtered-by-device")

    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url("**/history")
    expect(page.locator("li.recording")).to_have_count(3)
    page.get_by_label("Words in the transcript").fill("station")
    page.get_by_role("button", name="Show recordings").click()
    expect(page.locator("li.recording")).to_have_count(1)
    expect(page.locator("li.recording")).to_contain_text("Navigate to the station")
    assert "station" not in page.url  # not in the address bar, nor in the history
    expect(page.get_by_label("Words in the transcript")).to_have_value("station")
    visit.check("searched")


def test_the_same_journey_works_without_javascript(
    browser: Browser, server: str, anna: dict[str, str]
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_label("E-mail address").fill(anna["email"])
    page.get_by_label("Password").fill(anna["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/history")
    page.get_by_label("Device").select_option(label="Car")
    page.get_by_role("button", name="Show recordings").click()
    page.wait_for_url("**/history?*device=dev-car*")
    expect(page.locator("li.recording")).to_have_count(1)
    page.get_by_label("Words in the transcript").fill("station")
    page.get_by_role("button", name="Show recordings").click()
    expect(page.locator("li.recording")).to_have_count(1)
    assert "station" not in page.url
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/?signed-out")
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    context.close()


def test_an_invited_person_sets_a_password_then_signs_in(
    visit: Visit, client: TestClient, mailbox: SmtpSink
) -> None:
    register(client, "acct-9", "dora@example.org", language="de")
    token = invite(client, mailbox, "acct-9", "dora@example.org")
    page = visit.page
    visit.go(f"/portal/set-password#{token}")
    assert token not in page.url  # the script took it out of the address bar
    page.get_by_label("New password (at least 12 characters)").fill(PASSWORD)
    page.get_by_label("The same again").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("status")).to_have_text("Your password is set. You can sign in now.")
    visit.check("password-set")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill("dora@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/history")
    # Dora's account is in German: so, once she is signed in, are the pages.
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sprachverlauf")
    visit.check("history-de")
