"""The register's console pages over HTTP: the DPO acts through forms, admins read.

A browser without scripts: real staff sessions, CSRF tokens, the forms' POSTs, the
pages read back. Typed words come back on the page for staff, and nowhere else.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from console_helpers import browser, csrf_of
from factory import household
from fastapi.testclient import TestClient

from console.oversight_helpers import staff_token
from voxkeep.db.base import utcnow
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import open_incident
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.vault import Vault
from voxkeep.web.render import LANG_COOKIE

REASON = "Der Lautsprecher von Familie Muster wurde weiterverkauft"


@pytest.fixture
def incident(vault: Vault) -> str:
    with vault.transaction() as session:
        return open_incident(
            vault,
            session,
            kind=IncidentKind.FOREIGN_DOWNLOAD,
            request_id=None,
            details={"export": "e" * 32},
            actor="system",
        ).id


@pytest.fixture
def dpo(vault: Vault) -> Iterator[TestClient]:
    with browser(vault) as client:
        client.cookies.set(STAFF_COOKIE, staff_token(vault, "dora", "dpo"))
        yield client


def _post(client: TestClient, incident: str, action: str, form: dict[str, str]) -> Any:
    page = f"/console/incidents/{incident}"
    return client.post(f"{page}/{action}", data={"csrf_token": csrf_of(client.get(page)), **form})


def _text(response: Any) -> str:
    return html.unescape(response.text)


def test_the_dpo_assesses_sets_awareness_adds_a_person_and_closes(
    vault: Vault, dpo: TestClient, incident: str
) -> None:
    household(vault, "ben")
    page = f"/console/incidents/{incident}"
    first = _text(dpo.get(page))
    assert "Open: not yet assessed" in first and "Assess the risk" in first
    assert "Asked for another person's answer" in first
    assert 'action="/console/incidents/' + incident + '/close"' not in first  # not yet

    aware_at = (utcnow() - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    done = _post(dpo, incident, "aware", {"aware_at": aware_at, "reason": REASON})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=aware")
    done = _post(
        dpo,
        incident,
        "assess",
        {"risk": "unlikely", "reason": "Encrypted bytes only", "nature": "A forged link"},
    )
    assert done.status_code == 303
    done = _post(dpo, incident, "affected", {"account": "ben", "reason": REASON})
    assert done.status_code == 303
    shown = _text(dpo.get(page + "?done=affected"))
    assert "The person was added." in shown
    assert "Unlikely to result in a risk" in shown and "Encrypted bytes only" in shown
    # awareness on the timeline, the added person, its step, and "whom to tell" beside them
    assert shown.count(REASON) == 4
    assert "67 hours left" in shown or "66 hours left" in shown
    assert "ben" not in shown.replace("benachrichtig", "")  # the account id is never shown
    done = _post(dpo, incident, "close", {"reason": "Nothing readable left the vault"})
    assert done.status_code == 303
    closed = _text(dpo.get(page))
    assert "Closed without notification: none was needed" in closed
    assert "Assess the risk" not in closed  # a closed incident has no forms
    listed = _text(dpo.get("/console/incidents"))
    assert "Closed" in listed and "Unlikely to result in a risk" in listed


def test_bad_input_is_shown_beside_its_field_and_changes_nothing(
    vault: Vault, dpo: TestClient, incident: str
) -> None:
    future = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = _post(dpo, incident, "aware", {"aware_at": future, "reason": "x"})
    assert refused.status_code == 422
    assert 'href="#aware-at"' in refused.text
    assert "cannot be in the future" in _text(refused)
    garbled = _post(dpo, incident, "aware", {"aware_at": "next tuesday", "reason": "x"})
    assert garbled.status_code == 422 and 'id="aware-at-error"' in garbled.text
    no_risk = _post(dpo, incident, "assess", {"reason": "kept"})
    assert no_risk.status_code == 422 and 'id="assess-risk-error"' in no_risk.text
    assert "kept" in no_risk.text  # what was typed stays in the form
    nobody = _post(dpo, incident, "affected", {"account": "nobody", "reason": "x"})
    assert nobody.status_code == 422 and 'id="affected-account-error"' in nobody.text
    early = _post(dpo, incident, "close", {"reason": "too early"})
    assert early.status_code == 409
    page = _text(dpo.get(f"/console/incidents/{incident}"))
    assert "Open: not yet assessed" in page and "too early" not in page


def test_admins_read_without_forms_and_cannot_act(vault: Vault, incident: str) -> None:
    with browser(vault) as admin:
        admin.cookies.set(STAFF_COOKIE, staff_token(vault, "erik", "admin"))
        page = admin.get(f"/console/incidents/{incident}")
        assert page.status_code == 200 and "/assess" not in page.text
        token = csrf_of(page)
        refused = admin.post(
            f"/console/incidents/{incident}/assess",
            data={"csrf_token": token, "risk": "high", "reason": "x"},
        )
        assert refused.status_code == 403


def test_the_dashboard_counts_down_for_the_dpo_in_their_language(
    vault: Vault, dpo: TestClient, incident: str
) -> None:
    board = _text(dpo.get("/console/dashboard"))
    assert "Incident deadlines" in board and f'href="/console/incidents/{incident}"' in board
    dpo.cookies.set(LANG_COOKIE, "de")
    assert "Fristen bei Vorfällen" in _text(dpo.get("/console/dashboard"))
    dpo.cookies.set(LANG_COOKIE, "fr")
    page = _text(dpo.get(f"/console/incidents/{incident}"))
    assert "Évaluer le risque" in page
    with browser(vault) as agent:
        agent.cookies.set(STAFF_COOKIE, staff_token(vault, "alice", "agent"))
        assert "Incident deadlines" not in agent.get("/console/dashboard").text
