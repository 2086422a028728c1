"""Measurement (b): the whole story of a resold speaker, under one 72-hour clock.

Anna sold her kitchen speaker to Ben; the operator's backend never removed it from
Anna's account and went on filing Ben's recordings under her. Anna and Ben ask for
their data at the same moment in the portal; Anna's answer holds Ben's recordings.
She downloads it, presses "this is not my data", and from then on:

- the download is revoked at once (its URL refuses) and an incident opens naming the
  device and the period;
- the DPO, on the console, records when voxkeep became aware, assesses the risk,
  moves Ben's recordings to his account and lists him among the affected;
- the authority's document (PDF in en/de/fr, and JSON) carries every Art. 33(3) field,
  and the DPO records it sent;
- Ben is told (Art. 34) through the staff API, by the real worker and SMTP sink, and in
  his portal's /notices.

Every time the story recorded, read back as the console and the staff API show the
register (never from the test's own clock), lies inside [awareness, awareness + 72 h].
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from authority_helpers import AUTHORITY, CONTROLLER, DPO, configured, missing, text_of, when
from fastapi.testclient import TestClient

from console.console_helpers import browser, csrf_of
from console.oversight_helpers import bearer, staff_token
from incidents.test_containment_console import confirm, signed_in
from people.people_helpers import PASSWORD
from portal.portal_helpers import (
    DAY,
    Clip,
    answered,
    ask_for_a_copy,
    browser_for,
    household,
    post,
    reauth,
)
from smtp_sink import SmtpSink
from voxkeep.config import Settings
from voxkeep.incidents.authority_texts import STRINGS
from voxkeep.jobs.worker import run_once
from voxkeep.vault import Vault

ANNA, BEN = "anna@example.org", "ben@example.org"
SOLD = DAY + timedelta(days=41)  # in April: Anna's own recordings are from March
ANNAS = (
    Clip("anna-1", "dev-speaker", None, DAY, "Set a timer for the pasta"),
    Clip("anna-2", "dev-speaker", None, DAY + timedelta(hours=1), "Add milk to the list"),
)
# Ben's words, captured by the speaker he bought, still filed under Anna's account.
BENS_ON_ANNAS = tuple(
    Clip(f"ben-moved-{n}", "dev-speaker", None, SOLD + timedelta(hours=n), f"Gute Nacht {n}")
    for n in range(3)
)
NATURE = "Anna's access answer held the recordings of her resold speaker's new owner."
CONSEQUENCES = "Conversations in Ben's home were disclosed to the speaker's former owner."
TAKEN = "Download revoked at once; Ben's recordings moved to his account."
PROPOSED = "Tell Ben; check every device hand-over with the operator."
NOTE = "Wir entschuldigen uns."
# Every time a console page shows, exact (its text shows minutes).
TIME = re.compile(r'<time datetime="([^"]+)"')
EVIDENCE = 'id="events-title"'
INCIDENT_REF = re.compile(r"Incident reference: ([0-9a-f]{32})")


@pytest.fixture
def vault(settings: Settings) -> Iterator[Vault]:
    with configured(settings) as opened:
        yield opened


def two_households(client: TestClient, mailbox: SmtpSink) -> None:
    """Anna (English) with her speaker and Ben's recordings on it; Ben (German) with his own
    hall speaker and one recording. Both can sign in to the portal."""
    household(
        client,
        mailbox,
        account="acct-anna",
        email=ANNA,
        password=PASSWORD,
        clips=ANNAS + BENS_ON_ANNAS,
        devices={"dev-speaker": "Kitchen speaker"},
        members={},
        language="en",
    )
    household(
        client,
        mailbox,
        account="acct-ben",
        email=BEN,
        password=PASSWORD,
        clips=(Clip("ben-own", "dev-hall", None, DAY, "Spiel Radio im Flur"),),
        devices={"dev-hall": "Flur"},
        members={},
        language="de",
    )
    mailbox.clear()  # the invitations


def form(page: Any, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_of(page), **fields}


def test_a_resold_speaker_from_not_my_data_to_the_new_owners_notice_in_72_hours(
    vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    two_households(client, mailbox)
    anna, ben = browser_for(vault, ANNA), browser_for(vault, BEN)
    # Both ask for a copy at the same moment: both requests wait before the worker runs.
    mine, theirs = ask_for_a_copy(anna), ask_for_a_copy(ben)
    export_id = answered(vault, anna, mine)
    answered(vault, ben, theirs)

    # Anna downloads her answer: it holds the three recordings Ben made in April.
    answer = f"/answers/{export_id}"
    assert reauth(anna, answer).headers["location"] == answer
    got = anna.get(f"{answer}/download")
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    wavs = [n for n in zipfile.ZipFile(io.BytesIO(got.content)).namelist() if n.endswith(".wav")]
    assert len(wavs) == 5
    assert len([n for n in wavs if n.startswith(f"recordings/{SOLD:%Y/%m}/")]) == 3

    # "This is not my data", through the portal's own form: revoked at once.
    pressed = post(anna, f"{answer}/not-mine")
    assert pressed.status_code == 303 and pressed.headers["location"] == f"{answer}/reported"
    reported = INCIDENT_REF.search(anna.get(f"{answer}/reported").text)
    assert reported is not None
    incident = reported.group(1)
    refused = anna.get(f"{answer}/download")
    assert refused.status_code == 410 and refused.headers["content-type"].startswith("text/html")

    # The incident names Anna's answer, her speaker and the period of what it held.
    reader = bearer(staff_token(vault, "adam", "admin"))
    api = f"/api/v1/incidents/{incident}"
    opened = client.get(api, headers=reader).json()
    assert (opened["kind"], opened["request_id"], opened["export_id"]) == (
        "not_my_data",
        mine,
        export_id,
    )
    (held,) = opened["affected"]
    assert held["account"] == opened["account"] and held["recordings"] == 5
    assert [datetime.fromisoformat(held[k]) for k in ("first_at", "last_at")] == [
        DAY,
        BENS_ON_ANNAS[-1].captured_at,
    ]
    (speaker,) = held["devices"]
    assert speaker.startswith("dev:")

    page = f"/console/incidents/{incident}"
    with browser(vault) as dpo:
        signed_in(vault, dpo, "dora", "dpo")
        shown = dpo.get(page)
        assert speaker in shown.text  # the device, as the page names it
        # Awareness: the minute Anna reported it, as the page shows the incident opened.
        opened_at = datetime.fromisoformat(TIME.findall(shown.text)[0])
        aware = dpo.post(
            f"{page}/aware",
            data=form(
                shown,
                aware_at=f"{opened_at:%Y-%m-%dT%H:%M}",
                reason="The owner of the answer reported it as not hers.",
            ),
        )
        assert aware.status_code == 303, html.unescape(aware.text)[:2000]
        assessed = dpo.post(
            f"{page}/assess",
            data=form(
                dpo.get(page),
                risk="high",
                reason="Intimate home recordings reached a stranger.",
                nature=NATURE,
                consequences=CONSEQUENCES,
                measures_taken=TAKEN,
                measures_proposed=PROPOSED,
            ),
        )
        assert assessed.status_code == 303, html.unescape(assessed.text)[:2000]

        # Containment: the speaker's recordings since the sale go to Ben, re-encrypted.
        moved = confirm(
            dpo,
            f"{page}/contain/reassign-recordings"
            f"?device={speaker}&since={SOLD:%Y-%m-%d %H:%M}&to_account=acct-ben",
        )
        assert ": 3." in moved
        listed = dpo.post(
            f"{page}/affected",
            data=form(dpo.get(page), account="acct-ben", reason="Ben bought Anna's speaker."),
        )
        assert listed.status_code == 303, html.unescape(listed.text)[:2000]
        bens_history, annas_history = ben.get("/history").text, anna.get("/history").text
        for clip in BENS_ON_ANNAS:
            assert clip.transcript in bens_history and clip.transcript not in annas_history

        # The authority's document: every Art. 33(3) field, read back from the PDF and JSON.
        detail = client.get(api, headers=reader).json()
        people = len(detail["affected"])
        records = sum(a["recordings"] for a in detail["affected"])
        first = min(
            datetime.fromisoformat(a["first_at"]) for a in detail["affected"] if a["first_at"]
        )
        last = max(datetime.fromisoformat(a["last_at"]) for a in detail["affected"] if a["last_at"])
        assert (people, first, last) == (2, DAY, BENS_ON_ANNAS[-1].captured_at), detail["affected"]
        doc = json.loads(dpo.get(f"{page}/authority.json").content)
        assert doc["pending"] == [] and doc["supervisory_authority"] == AUTHORITY
        assert (doc["controller"]["name"], doc["controller"]["contact"]) == CONTROLLER
        assert (doc["contact_point"]["name"], doc["contact_point"]["contact"]) == DPO
        assert doc["nature"]["description"] == NATURE
        assert doc["nature"]["data_subjects"]["approximate_number"] == people
        assert doc["nature"]["records"]["approximate_number"] == records
        period = doc["nature"]["records"]["period"]
        assert [datetime.fromisoformat(period[k]) for k in ("first", "last")] == [first, last]
        assert doc["nature"]["data_subjects"]["categories"]
        assert doc["nature"]["records"]["categories"]
        assert doc["consequences"] == CONSEQUENCES
        assert doc["measures"] == {"taken": TAKEN, "proposed": PROPOSED}
        aware_at = datetime.fromisoformat(doc["timing"]["aware_at"])
        assert aware_at == opened_at.replace(second=0, microsecond=0)
        for lang in ("en", "de", "fr"):
            pdf = dpo.get(f"{page}/authority.pdf?language={lang}")
            assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
            text, words = text_of(pdf.content), STRINGS[lang]
            wanted = [words[k] for k in ("a", "b", "c", "d", "data_voice_recordings")]
            wanted += [words["period"].format(first=when(first, lang), last=when(last, lang))]
            wanted += [*CONTROLLER, *DPO, AUTHORITY, NATURE, CONSEQUENCES, TAKEN, PROPOSED]
            wanted += [incident, when(aware_at, lang), when(aware_at + timedelta(hours=72), lang)]
            assert missing(text, wanted) == [], lang
            assert f"{words['people_number']} {people}" in text
            assert f"{words['records_number']} {records}" in text
            assert words["pending"] not in text
        sent = dpo.post(f"{page}/authority", data=form(dpo.get(page), reference="LfDI-1"))
        assert sent.status_code == 303 and sent.headers["location"].endswith("done=authority")

        # Ben is told, in German, by mail and in his portal.
        run_once(vault)
        mailbox.clear()  # the mails about the answers
        ben_name = next(a["account"] for a in detail["affected"] if a["account"] != held["account"])
        told = client.post(
            f"{api}/notices",
            json={"what": "stored_under_other", "only": [ben_name], "note": NOTE},
            headers=bearer(staff_token(vault, "cleo", "dpo")),
        )
        assert told.status_code == 200 and told.json()["queued"] == [ben_name], told.text
        run_once(vault)
        (mail,) = mailbox.wait_for(BEN)
        day = f"{SOLD:%Y-%m-%d}"
        assert f"3 Ihrer Aufnahmen, aufgenommen vom {day} bis zum {day}." in mail.body
        # The speaker by what it is, in Ben's German: never by Anna's name for it.
        assert "Smart Speaker" in mail.body and "Kitchen speaker" not in mail.body
        assert "sofort zurückgezogen" in mail.body
        assert "dem Konto zugeordnet" in mail.body and DPO[1] in mail.body
        assert all(clip.transcript not in mail.body for clip in BENS_ON_ANNAS)
        notices = ben.get("/notices")
        assert notices.status_code == 200 and "Was wir getan haben" in notices.text
        assert NOTE in notices.text and "Smart Speaker" in html.unescape(notices.text)
        assert "Kitchen speaker" not in html.unescape(notices.text)
        assert "Kitchen speaker" not in html.unescape(ben.get("/history").text)
        assert mailbox.to(ANNA) == []  # Anna was not told anything in Ben's words
        # Anna is still to be told: the incident is not "people notified" yet.
        assert told.json()["pending"] == [held["account"]]
        waiting = client.get(api, headers=reader).json()
        assert waiting["state"] == "authority_notified"
        assert held["account"] in dpo.get(page).text.split('id="people-pending"')[1]
        # Later, Anna is told in her own words: she received someone else's recordings.
        anna_told = client.post(
            f"{api}/notices",
            json={"what": "received_others", "only": [held["account"]]},
            headers=bearer(staff_token(vault, "carla", "dpo")),
        )
        assert anna_told.status_code == 200 and anna_told.json()["pending"] == []
        run_once(vault)
        (to_anna,) = mailbox.wait_for(ANNA)
        assert NOTE not in to_anna.body
        assert all(clip.transcript not in to_anna.body for clip in BENS_ON_ANNAS)

        # Every time the story recorded lies inside [awareness, awareness + 72 h].
        final = client.get(api, headers=reader).json()
        console = dpo.get(page)
    start = datetime.fromisoformat(final["aware_at"])
    end = datetime.fromisoformat(final["notify_by"])
    assert (start, end) == (aware_at, aware_at + timedelta(hours=72))
    for_ben, for_anna = client.get(f"{api}/notices", headers=reader).json()
    steps = [e["action"] for e in final["timeline"]]
    assert steps == [
        "opened",
        "aware",
        "assessed",
        "contained",
        "affected_added",
        "authority_notified",
        "notices_sent",
        "people_notified",
    ], steps
    own = [e for e in final["events"] if json.loads(e["data"])["objects"].get("incident")]
    actions = {e["action"] for e in own}
    assert {"export:revoked", "recording:reassigned:out", "recording:reassigned:in"} <= actions
    recorded = {
        "incident opened": [final["opened_at"]],
        "authority notified": [final["authority_notified_at"]],
        "assessed": [final["assessment"]["assessed_at"]],
        "timeline": [e["at"] for e in final["timeline"]],
        "revocation, reassignment and every event naming the incident": [e["at"] for e in own],
        "notices queued, mailed and read": [
            notice[k] for notice in (for_ben, for_anna) for k in ("queued_at", "mailed_at")
        ]
        + [for_ben["read_at"]],
        # The register as the incident page shows it (above the evidence, which reaches back
        # to the request): opened, aware, deadline, assessed, Ben's notice queued, mailed,
        # read, Anna's queued and mailed.
        "shown on the console's incident page": TIME.findall(console.text.split(EVIDENCE)[0]),
    }
    assert len(recorded["shown on the console's incident page"]) == 9
    outside = [
        (what, at)
        for what, moments in recorded.items()
        for at in map(datetime.fromisoformat, moments)
        if not start <= at <= end
    ]
    assert outside == []
