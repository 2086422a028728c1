"""The steps voxkeep writes on a request's timeline read in the console page's language.

voxkeep keeps what it says of a step it writes itself (the code mailed, awaited,
sent again, wrong, void, expired or confirmed; the address changed or confirmed;
the deadline extended; a notice mailed; the request withdrawn; the answer
expired, "not mine", contained or stopped by a failed check; the account erased;
the erasure done and its receipt mailed or not) as a code with its figures, and
the console's request page words it in English, German or French as it is shown;
what staff typed stays as typed. Real requests walk every kind of system step
through the real services, the real job worker and the real SMTP sink. The API
gives the codes and figures, the command line prints them, and a step recorded
before the codes keeps its English note.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from request_helpers import (
    Person,
    Subject,
    Team,
    auth,
    change_address,
    code_from,
    expire_code,
    make_subject,
    send_code_unmailed,
)

from console.console_helpers import browser
from helpers import settings_env
from smtp_sink import SmtpSink
from voxkeep.audit.events import SYSTEM
from voxkeep.cli import cli
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.errors import InvalidInput
from voxkeep.exports.delivery import expire_export, report_not_mine
from voxkeep.incidents import containment
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import open_incident
from voxkeep.jobs.worker import run_once
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.requests import service, verification
from voxkeep.requests.models import Channel, DataRequest, RequestKind
from voxkeep.requests.states import append_step, lock_request
from voxkeep.requests.tasks import give_up
from voxkeep.retention.erasure import erase_account
from voxkeep.vault import Vault
from voxkeep.web.i18n import translate
from voxkeep.web.render import LANG_COOKIE

EVIDENCE = "Anna las den Code am Telefon vor."
WHY_LONGER = "Anna schickt ihre Unterlagen per Post."
WHY_NOT = "Offensichtlich unbegründet: die dritte Anfrage dieser Woche."
DISK = "storage: disk full"
# Words voxkeep wrote into a timeline before it kept codes: English whatever the page.
OLD_NOTE = "waiting for the person to give back the code (valid until 2026-01-01 07:00 UTC)"


class Key(str):
    """A figure worded by the catalogue itself (a notice's or a failure's name)."""


@dataclass
class Walk:
    """The requests, by the person they are for, and what voxkeep said on each."""

    ids: dict[str, str] = field(default_factory=dict)
    # Per request: (catalogue key, figures) of each system step, in timeline order.
    said: dict[str, list[tuple[str, dict[str, object]]]] = field(default_factory=dict)
    receipts: dict[str, str] = field(default_factory=dict)


def _enter(vault: Vault, team: Team, name: str) -> str:
    return service.enter_request(
        vault, staff=team.alice, account=name, kind=RequestKind.ACCESS, channel=Channel.EMAIL
    )


def _file(vault: Vault, who: Subject, kind: RequestKind = RequestKind.ACCESS) -> str:
    return service.file_request(vault, person=Person(who.account_id), kind=kind)


def _row(vault: Vault, request_id: str) -> DataRequest:
    with vault.reading() as session:
        row = session.get(DataRequest, request_id)
        assert row is not None
        return row


def _verify_anna(vault: Vault, team: Team, mail: SmtpSink, settings: Settings) -> str:
    """Every step of a code's life, an address change, an extension and its notice."""
    anna = _enter(vault, team, "anna")
    change_address(vault, "anna", "anna.neu@example.org")
    verification.confirm_address(vault, staff=team.alice, request_id=anna)
    verification.send_code(vault, staff=team.alice, request_id=anna)
    verification.send_code(vault, staff=team.alice, request_id=anna)
    for _ in range(vault.settings.request_code_attempts):
        with pytest.raises(InvalidInput):
            verification.check_code(
                vault, staff=team.alice, request_id=anna, code="00000000", evidence=EVIDENCE
            )
    send_code_unmailed(settings, team.alice, anna)
    verification.send_code(vault, staff=team.alice, request_id=anna)
    expire_code(vault, anna)
    with pytest.raises(InvalidInput, match="expired"):
        verification.check_code(
            vault, staff=team.alice, request_id=anna, code="00000000", evidence=EVIDENCE
        )
    sent = len(mail.to("anna.neu@example.org"))
    verification.send_code(vault, staff=team.alice, request_id=anna)
    code = code_from(mail, "anna.neu@example.org", count=sent + 1)
    verification.check_code(vault, staff=team.alice, request_id=anna, code=code, evidence=EVIDENCE)
    service.extend(vault, staff=team.alice, request_id=anna, months=1, reason=WHY_LONGER)
    return anna


@pytest.fixture
def walk(vault: Vault, team: Team, mail: SmtpSink, settings: Settings) -> Walk:
    names = ("anna", "ben", "cleo", "dino", "emil", "fritz", "gina", "hugo", "ida", "kai")
    who = {name: make_subject(vault, name) for name in names}
    who["jan"] = make_subject(vault, "jan", email=False)
    found = Walk()
    ids = found.ids
    ids["anna"] = _verify_anna(vault, team, mail, settings)
    attempts = vault.settings.request_code_attempts
    wrong = [
        ("console.said_code_wrong", {"attempt": n, "attempts": attempts})
        for n in range(1, attempts)
    ]
    found.said["anna"] = [
        ("console.said_address_changed", {}),
        ("console.said_address_confirmed", {}),
        ("console.said_code_by_mail", {}),
        ("console.said_code_sent_again", {}),
        *wrong,
        ("console.said_code_void", {"attempt": attempts, "attempts": attempts}),
        ("console.said_code_mail_failed", {}),
        ("console.said_code_expired", {}),
        ("console.said_code_confirmed", {}),
        ("console.said_extended", {"months": 1}),
        ("console.said_notice_mailed", {"notice": Key("console.said_notice_extended")}),
    ]
    # Portal requests: verified by the re-authentication, answered by the worker.
    for name in ("ben", "cleo", "dino", "emil", "fritz"):
        ids[name] = _file(vault, who[name])
    give_up(vault, {"request_id": ids["emil"]}, DISK, False)  # its job gave up
    give_up(vault, {"request_id": ids["fritz"]}, DISK, True)  # an integrity failure
    # Staff-entered: withdrawn by the person, refused by staff.
    ids["gina"], ids["hugo"] = _enter(vault, team, "gina"), _enter(vault, team, "hugo")
    service.cancel_own(vault, person=Person(who["gina"].account_id), request_id=ids["gina"])
    service.refuse(vault, staff=team.dora, request_id=ids["hugo"], reason=WHY_NOT)
    # Erasures: one mails its receipt, one has no address to mail it to.
    ids["ida"] = _file(vault, who["ida"], RequestKind.ERASURE)
    ids["jan"] = _file(vault, who["jan"], RequestKind.ERASURE)
    while run_once(vault):
        pass
    for name in ("ben", "cleo", "dino"):
        assert _row(vault, ids[name]).state == "ready", name
    ben = Person(who["ben"].account_id)
    report_not_mine(vault, person=ben, export_id=_row(vault, ids["ben"]).export_id or "")
    later = utcnow() + timedelta(days=400)  # the answer's time is up
    expire_export(vault, _row(vault, ids["cleo"]).export_id or "", now=later)
    with vault.transaction() as session:
        incident = open_incident(
            vault,
            session,
            kind=IncidentKind.REPORTED,
            request_id=ids["dino"],
            details={},
            actor="system:test",
        ).id
    containment.revoke_answers(vault, incident_id=incident, by=containment.OnServer())
    # The operator erases an account with a request still open.
    ids["kai"] = _enter(vault, team, "kai")
    erased, _ = erase_account(vault, external_id="kai", actor="operator:test")
    found.receipts["kai"] = erased.receipt_id
    found.receipts["ida"] = _row(vault, ids["ida"]).receipt_id or ""
    found.receipts["jan"] = _row(vault, ids["jan"]).receipt_id or ""
    found.said.update(
        {
            "ben": [("console.said_reauthenticated", {}), ("console.said_not_mine", {})],
            "cleo": [("console.said_reauthenticated", {}), ("console.said_expired", {})],
            "dino": [("console.said_reauthenticated", {}), ("console.said_contained", {})],
            "emil": [
                ("console.said_reauthenticated", {}),
                (
                    "console.said_check_failed",
                    {"failure": Key("console.said_job_failed"), "check": "job_failed"},
                ),
            ],
            "fritz": [
                ("console.said_reauthenticated", {}),
                (
                    "console.said_check_failed",
                    {"failure": Key("incidents.kind_build_failed"), "check": "job_failed"},
                ),
            ],
            "gina": [("console.said_withdrawn", {})],
            "hugo": [
                ("console.said_notice_mailed", {"notice": Key("console.said_notice_refused")})
            ],
            "ida": [
                ("console.said_reauthenticated", {}),
                ("console.said_erased", {"receipt": found.receipts["ida"]}),
                ("console.said_receipt_mailed", {}),
            ],
            "jan": [
                ("console.said_reauthenticated", {}),
                ("console.said_erased", {"receipt": found.receipts["jan"]}),
                ("console.said_receipt_not_mailed", {}),
            ],
            "kai": [("console.said_account_erased", {"receipt": found.receipts["kai"]})],
        }
    )
    return found


def words(language: str, key: str, figures: dict[str, object]) -> str:
    """A step's words in ``language``: figures that name a key are worded too."""
    values = {k: translate(language, v) if isinstance(v, Key) else v for k, v in figures.items()}
    return translate(language, key, **values)


def timeline_of(client: TestClient, request_id: str, language: str) -> str:
    client.cookies.set(LANG_COOKIE, language)
    page = client.get(f"/console/requests/{request_id}")
    assert page.status_code == 200, page.text
    text = html.unescape(page.text)
    start = text.index(translate(language, "console.timeline_title"))
    return text[start : text.index("/console/requests", start)]


# The codes as stored, and a catalogue key left unworded: never on the page.
CODES = (
    "code_wrong",
    "code_void",
    "code_by_mail",
    "notice_mailed",
    "check_failed",
    "account_erased",
    "receipt_mailed",
    "not_mine",
    "said_",
)


def test_every_step_voxkeep_wrote_reads_in_the_pages_language_and_typed_words_stay(
    vault: Vault, team: Team, walk: Walk
) -> None:
    with browser(vault) as client:
        client.cookies.set(STAFF_COOKIE, team.tokens["dora"])
        for name, request_id in walk.ids.items():
            english = [words("en", k, f) for k, f in walk.said[name]]
            for language in ("en", "de", "fr"):
                shown = timeline_of(client, request_id, language)
                expected = [words(language, k, f) for k, f in walk.said[name]]
                at = 0
                for text in expected:  # each in the page, in timeline order
                    found = shown.find(text, at)
                    assert found >= 0, (name, language, text)
                    at = found + len(text)
                for code in CODES:
                    assert code not in shown, (name, language, code)
                if language != "en":
                    for text in english:
                        assert text not in shown, (name, language, text)
        # What staff typed (and a check's own message), as typed, beside voxkeep's words.
        for name, typed in (("anna", EVIDENCE), ("anna", WHY_LONGER), ("hugo", WHY_NOT)):
            assert typed in timeline_of(client, walk.ids[name], "fr"), (name, typed)
        assert DISK in timeline_of(client, walk.ids["emil"], "de")
        german = timeline_of(client, walk.ids["anna"], "de")
        attempts = vault.settings.request_code_attempts
        assert f"Falscher Code eingegeben (1 von {attempts})" in german
        assert "Frist um 1 Monat(e) verlängert" in german
        assert "Mitteilung an die bestätigte Adresse des Kontos gemailt: Frist verlängert" in german
        french = timeline_of(client, walk.ids["cleo"], "fr")
        assert "La réponse a expiré" in french


def test_the_code_awaited_names_its_expiry_in_every_language(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    make_subject(vault, "mia")
    request_id = _enter(vault, team, "mia")
    expires = verification.send_code(vault, staff=team.alice, request_id=request_id)
    until = f"{expires:%Y-%m-%d %H:%M}"
    with browser(vault) as client:
        client.cookies.set(STAFF_COOKIE, team.tokens["dora"])
        for language in ("en", "de", "fr"):
            shown = timeline_of(client, request_id, language)
            assert translate(language, "console.said_code_awaited", until=until) in shown


def test_a_step_recorded_before_the_codes_keeps_its_english_note(vault: Vault, team: Team) -> None:
    make_subject(vault, "nora")
    request_id = _enter(vault, team, "nora")
    with vault.transaction() as session:  # as voxkeep wrote a step before migration 0020
        request = lock_request(session, request_id)
        append_step(vault, session, request, actor=SYSTEM, note=OLD_NOTE, now=utcnow())
    with browser(vault) as client:
        client.cookies.set(STAFF_COOKIE, team.tokens["dora"])
        assert OLD_NOTE in timeline_of(client, request_id, "de")


def test_the_api_gives_codes_and_figures_and_the_command_prints_them(
    vault: Vault, team: Team, walk: Walk, client: TestClient, settings: Settings
) -> None:
    got = client.get(f"/api/v1/requests/{walk.ids['anna']}", headers=auth(team.tokens["dora"]))
    assert got.status_code == 200, got.text
    steps = [e for e in got.json()["timeline"] if e["params"]]
    attempts = vault.settings.request_code_attempts
    assert {"said": "code_void", "attempt": attempts, "attempts": attempts} in [
        e["params"] for e in steps
    ]
    (confirmed,) = [e for e in steps if e["params"]["said"] == "code_confirmed"]
    assert confirmed["note"] == EVIDENCE  # the staff member's words only
    (extended,) = [e for e in steps if e["params"]["said"] == "extended"]
    assert extended["params"] == {"said": "extended", "months": 1}
    assert extended["note"] == WHY_LONGER
    (entered,) = [e for e in got.json()["timeline"] if e["from_state"] is None]
    assert entered["params"] is None
    blocked = client.get(f"/api/v1/requests/{walk.ids['fritz']}", headers=auth(team.tokens["dora"]))
    failed = blocked.json()["timeline"][-1]
    assert failed["params"] == {
        "said": "check_failed",
        "failure": "build_failed",
        "check": "job_failed",
    }
    assert failed["note"] == DISK
    env = settings_env(settings, VOXKEEP_JOB_WORKERS="0", VOXKEEP_STAFF_TOKEN=team.tokens["dora"])
    ran = CliRunner().invoke(cli, ["requests", "show", walk.ids["anna"]], env=env)
    assert ran.exit_code == 0, ran.output
    assert f"said=code_wrong attempt=1 attempts={attempts}" in ran.output
    assert f"said=code_confirmed: {EVIDENCE}" in ran.output
    assert "said=notice_mailed notice=extended" in ran.output


def test_what_staff_typed_for_an_erased_account_is_unreadable_in_the_pages_words(
    vault: Vault, team: Team
) -> None:
    make_subject(vault, "olga")
    request_id = service.enter_request(
        vault,
        staff=team.alice,
        account="olga",
        kind=RequestKind.ACCESS,
        channel=Channel.POST,
        note="Brief vom 3. März, Absender Olga",
    )
    service.refuse(vault, staff=team.dora, request_id=request_id, reason=WHY_NOT)
    erase_account(vault, external_id="olga", actor="operator:test")
    english = translate("en", "console.unreadable")
    with browser(vault) as client:
        client.cookies.set(STAFF_COOKIE, team.tokens["dora"])
        for language in ("en", "de", "fr"):
            client.cookies.set(LANG_COOKIE, language)
            page = html.unescape(client.get(f"/console/requests/{request_id}").text)
            # The entry's note, the refusal's note and its reason: sealed, now unreadable.
            assert page.count(translate(language, "console.unreadable")) == 3, language
            assert WHY_NOT not in page
            if language != "en":
                assert english not in page, language
