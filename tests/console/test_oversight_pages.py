"""The console's oversight pages over HTTP: incidents, audit log, dashboard, staff management.

Who may see what is checked here too; the access matrix lists every route.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from console_helpers import browser, csrf_of
from fastapi.testclient import TestClient

from console.oversight_helpers import staff_token
from retention.seeding import register
from smtp_sink import SmtpSink
from voxkeep.audit.verifications import verify_and_record
from voxkeep.db.base import utcnow
from voxkeep.incidents.models import Incident, IncidentKind
from voxkeep.incidents.service import open_incident
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.people.staff import list_staff
from voxkeep.vault import Vault
from voxkeep.web.render import LANG_COOKIE


@pytest.fixture
def web(vault: Vault) -> Iterator[TestClient]:
    with browser(vault) as client:
        yield client


def _as(client: TestClient, vault: Vault, name: str, *roles: str) -> TestClient:
    client.cookies.set(STAFF_COOKIE, staff_token(vault, name, *roles))
    return client


def _post(client: TestClient, page: str, path: str, form: dict[str, object]) -> object:
    return client.post(path, data={"csrf_token": csrf_of(client.get(page)), **form})


@pytest.fixture
def incident(vault: Vault) -> str:
    with vault.transaction() as session:
        return open_incident(
            vault,
            session,
            kind=IncidentKind.RELEASE_GATE_FAILED,
            request_id="r" * 32,
            details={"export": "e" * 32, "check": "owner", "account": "account:abc"},
            actor="system",
        ).id


def test_incidents_list_and_page_for_the_dpo(vault: Vault, web: TestClient, incident: str) -> None:
    _as(web, vault, "dpo", "dpo")
    listed = web.get("/console/incidents")
    assert listed.status_code == 200
    assert listed.headers["cache-control"] == "no-store"
    assert f'href="/console/incidents/{incident}"' in listed.text
    assert re.search(r"7[12] hours left", listed.text)
    shown = web.get(f"/console/incidents/{incident}")
    assert shown.status_code == 200
    assert "owner" in shown.text and "e" * 32 in shown.text and "incident:opened" in shown.text
    assert web.get(f"/console/incidents/{'0' * 32}").status_code == 404


def test_incidents_are_refused_to_agents_and_strangers(
    vault: Vault, web: TestClient, incident: str
) -> None:
    assert web.get("/console/incidents").headers["location"] == "/console/sign-in"
    _as(web, vault, "agent", "agent")
    assert web.get("/console/incidents").status_code == 403
    assert web.get(f"/console/incidents/{incident}").status_code == 403


def test_the_audit_page_shows_verify_checkpoint_and_searches(
    vault: Vault, web: TestClient, incident: str
) -> None:
    verify_and_record(vault)
    _as(web, vault, "dpo", "dpo")
    page = web.get("/console/audit", params={"action": "incident:opened"})
    assert page.status_code == 200
    assert "Intact" in page.text and "No checkpoint has been signed yet." in page.text
    assert page.text.count("<code>incident:opened</code>") == 1
    by_id = web.get("/console/audit", params={"object": incident})
    assert by_id.text.count("<tr>") == 2  # the header row and the one event
    bad = web.get("/console/audit", params={"from": "yesterday"})
    assert bad.status_code == 422 and "Enter a date like 2026-03-31." in bad.text


def test_an_operator_id_is_posted_never_in_the_url(vault: Vault, web: TestClient) -> None:
    register(vault, "haushalt-mueller", devices=["kueche"])
    _as(web, vault, "admin", "admin")
    found = _post(
        web,
        "/console/audit",
        "/console/audit",
        {"object_kind": "device", "object_id": "kueche"},
    )
    assert found.status_code == 200  # type: ignore[attr-defined]
    assert "device:registered" in found.text  # type: ignore[attr-defined]
    missing = _post(
        web, "/console/audit", "/console/audit", {"object_kind": "member", "object_id": "x"}
    )
    assert missing.status_code == 422  # type: ignore[attr-defined]


def test_the_dashboard_draws_four_charts_for_any_staff(vault: Vault, web: TestClient) -> None:
    _as(web, vault, "agent", "agent")
    page = web.get("/console/dashboard")
    assert page.status_code == 200
    assert page.text.count('role="img"') == 4
    assert page.text.count('class="chart-table"') == 4
    assert "style=" not in page.text


def test_an_admin_invites_changes_roles_and_disables(
    vault: Vault, web: TestClient, mailbox: SmtpSink
) -> None:
    _as(web, vault, "root", "admin")
    added = _post(
        web,
        "/console/staff/new",
        "/console/staff/new",
        {"name": "B.Weber", "email": "b.weber@operator.test", "roles": ["agent", "approver"]},
    )
    assert added.status_code == 200, added.text  # type: ignore[attr-defined]
    assert "Invitation sent" in added.text  # type: ignore[attr-defined]
    [mail] = mailbox.wait_for("b.weber@operator.test", count=1)
    assert "/console/set-password#vsp_" in mail.body
    member = next(s for s in list_staff(vault) if s.name == "b.weber")
    page = f"/console/staff/{member.id}"
    moved = _post(web, page, f"{page}/roles", {"roles": ["dpo"]})
    assert moved.headers["location"] == f"{page}?done=roles"  # type: ignore[attr-defined]
    off = _post(web, page, f"{page}/disable", {})
    assert off.headers["location"] == f"{page}?done=disable"  # type: ignore[attr-defined]
    after = {s.name: s for s in list_staff(vault)}["b.weber"]
    assert [r.value for r in after.roles] == ["dpo"] and after.disabled_at is not None


def test_the_navigation_offers_only_pages_the_roles_open(vault: Vault, web: TestClient) -> None:
    _as(web, vault, "agent", "agent")
    page = web.get("/console/dashboard").text
    assert 'href="/console/dashboard"' in page and 'href="/console/requests"' in page
    for hidden in ("/console/staff", "/console/incidents", "/console/audit"):
        assert f'href="{hidden}"' not in page
    web.cookies.clear()
    _as(web, vault, "root", "admin")
    page = web.get("/console/dashboard").text
    for shown in ("/console/staff", "/console/incidents", "/console/audit"):
        assert f'href="{shown}"' in page


def test_staff_pages_are_for_admins_only(vault: Vault, web: TestClient) -> None:
    _as(web, vault, "officer", "dpo", "approver")
    assert web.get("/console/staff").status_code == 403
    assert web.get("/console/staff/new").status_code == 403
    token = csrf_of(web.get("/console/dashboard"))
    forged = web.post(
        "/console/staff/new",
        data={"csrf_token": token, "name": "x", "email": "x@y.test", "roles": ["admin"]},
    )
    assert forged.status_code == 403
    assert [s.name for s in list_staff(vault)] == ["officer"]


def test_an_admin_cannot_drop_their_own_admin_role(vault: Vault, web: TestClient) -> None:
    _as(web, vault, "root", "admin")
    me = list_staff(vault)[0]
    page = f"/console/staff/{me.id}"
    assert "/disable" not in web.get(page).text
    refused = _post(web, page, f"{page}/roles", {"roles": ["agent"]})
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert "You cannot remove your own admin role." in refused.text  # type: ignore[attr-defined]


def test_an_incident_past_its_72_hours_is_marked_overdue(
    vault: Vault, web: TestClient, incident: str
) -> None:
    with vault.transaction() as session:
        row = session.get(Incident, incident)
        assert row is not None
        row.opened_at = utcnow() - timedelta(hours=80)
    _as(web, vault, "dpo", "dpo")
    listed = web.get("/console/incidents").text
    assert '<span class="tag tag-overdue">Overdue</span>' in listed
    assert re.search(r"\b8 hours past the deadline", listed)


def test_the_dashboard_speaks_the_pages_language(vault: Vault, web: TestClient) -> None:
    _as(web, vault, "agent", "agent")
    web.cookies.set(LANG_COOKIE, "de")
    page = web.get("/console/dashboard").text
    assert '<html lang="de">' in page
    assert ">Eingegangene Anträge pro Monat</title>" in page
    assert "Median der Tage bis zur Antwort" in page
