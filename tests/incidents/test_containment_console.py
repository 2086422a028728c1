"""Containment on the console: the incident page's forms, the password asked again, the
confirmation, and the page that says what was done; the DPO only."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlalchemy import select

from console.console_helpers import PASSWORD, add_member, browser, csrf_of, sign_in
from exports.factory import BASE, household, record
from incidents.test_containment import incident_for, released
from voxkeep.exports.models import Export
from voxkeep.people.staff import get_staff
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault


def signed_in(vault: Vault, client: TestClient, name: str, role: str) -> None:
    add_member(vault, name, role)
    sign_in(client, vault, name)


def confirm(client: TestClient, path: str) -> str:
    """Open the confirmation page at path, re-enter the password if it asks (not again
    within 10 minutes), confirm: the text of the page that says what was done."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    if 'name="password"' in page.text:
        back = client.post(
            path.split("?")[0] + "/reauth",
            data={"csrf_token": csrf_of(page), "password": PASSWORD, **query_of(path)},
        )
        assert back.status_code == 303, html.unescape(back.text)[:500]
        page = client.get(back.headers["location"])
    assert page.status_code == 200 and 'id="contain-confirm"' in page.text
    fields = query_of(path)
    for value in fields.values():
        assert html.escape(value) in page.text  # the page shows what will happen
    done = client.post(path.split("?")[0], data={"csrf_token": csrf_of(page), **fields})
    assert done.status_code == 200, html.unescape(done.text)[:2000]
    return html.unescape(done.text)


def query_of(path: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(path).query))


def test_the_dpo_revokes_the_answer_from_the_incident_page(vault: Vault) -> None:
    _, request_id, export_id = released(vault)
    incident = incident_for(vault, request_id)
    with browser(vault) as client:
        signed_in(vault, client, "dora", "dpo")
        page = client.get(f"/console/incidents/{incident}")
        assert page.status_code == 200 and 'id="contain-title"' in page.text
        path = f"/console/incidents/{incident}/contain/revoke-answers"
        assert 'name="password"' in client.get(path).text  # asked again before acting
        text = confirm(client, f"/console/incidents/{incident}/contain/revoke-answers")
        assert "Answers revoked now: 1." in text
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None and export.state == "revoked" and export.blob is None


def test_a_wrong_password_does_nothing(vault: Vault) -> None:
    add_member(vault, "mallory", "agent")
    incident = incident_for(vault)
    path = f"/console/incidents/{incident}/contain/suspend-staff"
    with browser(vault) as client:
        signed_in(vault, client, "dora", "dpo")
        page = client.get(path + "?staff=mallory")
        refused = client.post(
            path + "/reauth",
            data={"csrf_token": csrf_of(page), "password": "not the password", "staff": "mallory"},
        )
        assert refused.status_code == 403
        # Without the password re-entered, the action itself is refused too.
        direct = client.post(path, data={"csrf_token": csrf_of(page), "staff": "mallory"})
        assert direct.status_code == 403
    assert get_staff(vault, "mallory").disabled_at is None


def test_the_dpo_suspends_staff_and_moves_recordings(vault: Vault) -> None:
    add_member(vault, "mallory", "agent")
    anna, ben = household(vault, "anna"), household(vault, "ben")
    record(vault, anna, "ben-1", at=BASE)
    incident = incident_for(vault)
    with browser(vault) as client:
        signed_in(vault, client, "dora", "dpo")
        text = confirm(client, f"/console/incidents/{incident}/contain/suspend-staff?staff=mallory")
        assert "mallory is suspended" in text
        since = "2024-03-01 00:00"
        path = (
            f"/console/incidents/{incident}/contain/reassign-recordings"
            f"?device={anna.devices[0]}&since={since}&to_account=ben"
        )
        text = confirm(client, path)
        assert ": 1." in text
        # A time that is none is refused, saying how to write it.
        page = client.get(path.replace(since, "yesterday"))
        bad = client.post(
            path.split("?")[0],
            data={
                "csrf_token": csrf_of(page),
                "device": anna.devices[0],
                "since": "yesterday",
                "to_account": "ben",
            },
        )
        assert bad.status_code == 422 and "YYYY-MM-DD" in html.unescape(bad.text)
    assert get_staff(vault, "mallory").disabled_at is not None
    with vault.reading() as session:
        owner = session.scalar(select(Recording.account_id).where(Recording.id == "ben-1"))
    assert owner == ben.account_id


def test_an_admin_reads_the_incident_but_contains_nothing(vault: Vault) -> None:
    incident = incident_for(vault)
    with browser(vault) as client:
        signed_in(vault, client, "adam", "admin")
        page = client.get(f"/console/incidents/{incident}")
        assert page.status_code == 200 and 'id="contain-title"' not in page.text
        path = f"/console/incidents/{incident}/contain/revoke-answers"
        assert client.get(path).status_code == 403
