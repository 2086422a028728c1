"""The console's request page names every code in the page's language.

A request's kind, channel and verification method, why it is blocked (a job
that gave up after a fault, a job that spent its attempts), what holds it up
(a notice waiting for the mail server) and its background jobs' kinds and
states are kept as codes and figures; the page words them in English, German
or French as it is shown. A job's last error is a technical text (the
operation and the error's class): it stays as it is, labelled in the page's
words. Real requests run through the real services and the real job worker,
with a real mail server that takes the code and one that takes no mail.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from request_helpers import Person, Team, closed_port, code_from, make_subject
from sqlalchemy import update

from console.console_helpers import browser
from smtp_sink import SmtpSink
from voxkeep.errors import StorageFailed
from voxkeep.jobs.models import Job
from voxkeep.jobs.queue import MIN_FAULT_RETRY_S
from voxkeep.jobs.worker import run_once
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.requests import service, verification
from voxkeep.requests.models import Channel, DataRequest, RequestKind
from voxkeep.requests.tasks import give_up
from voxkeep.vault import Vault
from voxkeep.web.i18n import translate
from voxkeep.web.render import LANG_COOKIE

EVIDENCE = "Wim las den Code am Telefon vor."
# Codes as stored: never shown as they are on the page.
CODES = (
    "export.build",
    "request.notify",
    "email_code",
    "reauth",
    "gave up after a storage fault",
    ">access<",
    ">portability<",
    ">portal<",
    ">post<",
    ">queued<",
    ">failed<",
    ">done<",
)


def _pages(vault: Vault, team: Team, request_id: str) -> dict[str, str]:
    """The request's page in each language, as text."""
    shown: dict[str, str] = {}
    with browser(vault) as client:
        client.cookies.set(STAFF_COOKIE, team.tokens["dora"])
        for language in ("en", "de", "fr"):
            shown[language] = _page(client, request_id, language)
    return shown


def _page(client: TestClient, request_id: str, language: str) -> str:
    client.cookies.set(LANG_COOKIE, language)
    page = client.get(f"/console/requests/{request_id}")
    assert page.status_code == 200, page.text
    return html.unescape(page.text)


def _job(vault: Vault, request_id: str, kind: str) -> Job:
    with vault.reading() as session:
        (job,) = [j for j in session.query(Job).filter_by(ref=request_id, kind=kind)]
        session.expunge(job)
        return job


def _check(shown: dict[str, str], expected: Mapping[str, Any]) -> None:
    """Each (key, figures) worded in each language; no code and no English word elsewhere."""
    for language, page in shown.items():
        for key, figures in expected.items():
            text = translate(language, key, **figures(language))
            assert text in page, (language, key)
            english = translate("en", key, **figures("en"))
            if english != text:  # "Portal" is German too
                assert english not in page, (language, key)
        for code in CODES:
            assert code not in page, (language, code)


def _none(_language: str) -> dict[str, object]:
    return {}


def test_why_a_request_is_blocked_and_its_jobs_read_in_the_pages_language(
    vault: Vault, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    full, buggy = (
        service.file_request(vault, person=Person(make_subject(vault, name).account_id), kind=kind)
        for name, kind in (("ula", RequestKind.ACCESS), ("vera", RequestKind.PORTABILITY))
    )

    def build(_vault: Vault, request_id: str) -> Any:
        if request_id == full:
            raise StorageFailed("The blob store could not be written.")
        raise RuntimeError("a bug")

    monkeypatch.setattr("voxkeep.requests.tasks.build_for_request", build)
    once = replace(vault, settings=vault.settings.model_copy(update={"job_max_attempts": 1}))
    with vault.transaction() as session:  # due long ago: the fault's margin is past
        session.execute(
            update(DataRequest)
            .where(DataRequest.id == full)
            .values(received_at=datetime.now(UTC) - timedelta(days=40))
        )
    while run_once(once):
        pass
    past = datetime.now(UTC) - timedelta(seconds=MIN_FAULT_RETRY_S + 60)
    with vault.transaction() as session:  # the fault began long enough ago to give up
        session.execute(update(Job).where(Job.ref == full).values(run_after=past, fault_since=past))
    while run_once(once):
        pass
    gave_up, failed = _job(vault, full, "export.build"), _job(vault, buggy, "export.build")
    assert (gave_up.state, gave_up.fault, failed.state, failed.fault) == (
        "failed",
        "storage",
        "failed",
        None,
    )
    since = f"{past:%Y-%m-%d %H:%M}"

    def fault(language: str) -> dict[str, object]:
        return {
            "job": translate(language, "console.job_kind_export_build"),
            "cause": translate(language, "console.fault_storage"),
            "since": since,
        }

    def attempts(language: str) -> dict[str, object]:
        return {"job": translate(language, "console.job_kind_export_build"), "attempts": 1}

    def error_of(job: Job) -> Any:
        return lambda _language: {"error": job.last_error}

    _check(
        _pages(vault, team, full),
        {
            "console.blocked_fault": fault,
            "console.last_error": error_of(gave_up),
            "console.kind_access": _none,
            "console.channel_portal": _none,
            "console.method_reauth": _none,
            "console.job_state_failed": _none,
        },
    )
    _check(
        _pages(vault, team, buggy),
        {
            "console.blocked_failed": attempts,
            "console.kind_portability": _none,
            "console.job_state_failed": _none,
        },
    )
    assert gave_up.last_error and failed.last_error
    for page in _pages(vault, team, buggy).values():  # the technical text as it is
        assert failed.last_error in page


def test_a_notice_held_up_by_the_mail_server_reads_in_the_pages_language(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    make_subject(vault, "wim")
    request_id = service.enter_request(
        vault, staff=team.alice, account="wim", kind=RequestKind.ERASURE, channel=Channel.POST
    )
    verification.send_code(vault, staff=team.alice, request_id=request_id)
    code = code_from(mail, "wim@example.org")
    verification.check_code(
        vault, staff=team.alice, request_id=request_id, code=code, evidence=EVIDENCE
    )
    service.extend(
        vault, staff=team.alice, request_id=request_id, months=1, reason="Unterlagen folgen"
    )
    down = replace(vault, settings=vault.settings.model_copy(update={"smtp_port": closed_port()}))
    while run_once(down):
        pass
    notice = _job(vault, request_id, "request.notify")
    assert (notice.state, notice.fault) == ("queued", "mail")
    assert notice.fault_since is not None

    def late(language: str) -> dict[str, object]:
        return {
            "cause": translate(language, "console.fault_mail"),
            "since": f"{notice.fault_since:%Y-%m-%d %H:%M}",
        }

    _check(
        _pages(vault, team, request_id),
        {
            "console.notice_late": late,
            "console.job_kind_request_notify": _none,
            "console.last_error": lambda _language: {"error": notice.last_error},
            "console.job_state_queued": _none,
            "console.kind_erasure": _none,
            "console.channel_post": _none,
            "console.method_email_code": _none,
        },
    )


def test_an_integrity_failure_reads_as_its_incidents_kind_and_check(
    vault: Vault, team: Team
) -> None:
    who = make_subject(vault, "xena")
    request_id = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ACCESS)
    give_up(vault, {"request_id": request_id}, "export: bad hash", True)  # opens build_failed

    def check(language: str) -> dict[str, object]:
        return {
            "failure": translate(language, "incidents.kind_build_failed"),
            "check": "job_failed",
        }

    _check(_pages(vault, team, request_id), {"console.blocked_check": check})


def test_the_queue_and_the_new_request_form_word_kinds_and_channels(
    vault: Vault, team: Team
) -> None:
    make_subject(vault, "yves")
    service.enter_request(
        vault, staff=team.alice, account="yves", kind=RequestKind.PORTABILITY, channel=Channel.PHONE
    )
    with browser(vault) as client:
        client.cookies.set(STAFF_COOKIE, team.tokens["dora"])
        for language in ("en", "de", "fr"):
            client.cookies.set(LANG_COOKIE, language)
            for path in ("/console/requests", "/console/requests/new"):
                page = client.get(path)
                assert page.status_code == 200, page.text
                shown = html.unescape(page.text)
                for key in ("kind_portability", "kind_erasure", "channel_phone", "channel_post"):
                    assert f">{translate(language, f'console.{key}')}<" in shown, (path, key)
                for code in (">portability<", ">erasure<", ">phone<", ">post<"):
                    assert code not in shown, (language, path, code)
