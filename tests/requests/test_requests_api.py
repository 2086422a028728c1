"""/api/v1/requests over HTTP: persons reach only their own requests; staff work them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from request_helpers import Team, auth, code_from, make_subject, signed_in_person
from sqlalchemy import update

from helpers import assert_error
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.jobs.worker import run_once
from voxkeep.people.models import PersonSessionRow
from voxkeep.vault import Vault


@pytest.fixture
def api(vault: Vault) -> Iterator[TestClient]:
    """A client without default credentials: every call says who it is."""
    with TestClient(create_app(vault), raise_server_exceptions=False) as client:
        yield client


def test_a_person_files_and_follows_their_own_request(
    api: TestClient, vault: Vault, mail: SmtpSink
) -> None:
    who = make_subject(vault, "hana")
    token = signed_in_person(api, vault, mail, who)
    response = api.post("/api/v1/requests/mine", json={"kind": "access"}, headers=auth(token))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["kind"], body["channel"], body["state"]) == ("access", "portal", "building")
    assert [s["state"] for s in body["timeline"]] == ["received", "verified", "building"]
    received = datetime.fromisoformat(body["received_at"])
    assert datetime.fromisoformat(body["due_at"]) - received >= timedelta(days=28)
    listed = api.get("/api/v1/requests/mine", headers=auth(token)).json()
    assert [r["id"] for r in listed] == [body["id"]]
    shown = api.get(f"/api/v1/requests/mine/{body['id']}", headers=auth(token)).json()
    assert "actor" not in str(shown) and "staff" not in str(shown)


def test_filing_needs_a_fresh_reauthentication(
    api: TestClient, vault: Vault, mail: SmtpSink
) -> None:
    who = make_subject(vault, "ines")
    token = signed_in_person(api, vault, mail, who)
    vault_settings = vault.settings
    stale = datetime.now(UTC) - timedelta(seconds=vault_settings.request_reauth_s + 10)
    with vault.transaction() as session:
        session.execute(update(PersonSessionRow).values(reauth_at=stale))
    response = api.post("/api/v1/requests/mine", json={"kind": "erasure"}, headers=auth(token))
    assert_error(response, 403, "reauth_required")


def test_a_person_never_sees_or_touches_anothers_request(
    api: TestClient, vault: Vault, mail: SmtpSink
) -> None:
    owner, other = make_subject(vault, "jana"), make_subject(vault, "karl")
    owner_token = signed_in_person(api, vault, mail, owner)
    other_token = signed_in_person(api, vault, mail, other)
    request_id = api.post(
        "/api/v1/requests/mine", json={"kind": "portability"}, headers=auth(owner_token)
    ).json()["id"]
    for call in (
        lambda h: api.get(f"/api/v1/requests/mine/{request_id}", headers=h),
        lambda h: api.post(f"/api/v1/requests/mine/{request_id}/cancel", headers=h),
    ):
        assert_error(call(auth(other_token)), 404, "not_found")
    assert api.get("/api/v1/requests/mine", headers=auth(other_token)).json() == []
    # Staff routes are not for persons, and person routes not for staff or no one.
    assert_error(api.get("/api/v1/requests", headers=auth(other_token)), 401, "unauthorized")
    assert_error(api.get("/api/v1/requests/mine"), 401, "unauthorized")


def test_a_person_withdraws_before_work_starts_only(
    api: TestClient, vault: Vault, mail: SmtpSink, team: Team
) -> None:
    who = make_subject(vault, "lara")
    token = signed_in_person(api, vault, mail, who)
    staff_entered = api.post(
        "/api/v1/requests",
        json={"account": "lara", "kind": "access", "channel": "email"},
        headers=auth(team.tokens["alice"]),
    ).json()["id"]
    response = api.post(f"/api/v1/requests/mine/{staff_entered}/cancel", headers=auth(token))
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "cancelled"
    filed = api.post("/api/v1/requests/mine", json={"kind": "access"}, headers=auth(token))
    response = api.post(f"/api/v1/requests/mine/{filed.json()['id']}/cancel", headers=auth(token))
    assert_error(response, 409, "conflict")


def test_staff_work_a_request_from_entry_to_approval(
    api: TestClient, vault: Vault, mail: SmtpSink, team: Team
) -> None:
    make_subject(vault, "mona")
    alice, anton, bob = (auth(team.tokens[n]) for n in ("alice", "anton", "bob"))
    letter = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    response = api.post(
        "/api/v1/requests",
        json={"account": "mona", "kind": "access", "channel": "post", "received_at": letter},
        headers=alice,
    )
    assert response.status_code == 201, response.text
    request_id = response.json()["id"]
    assert response.json()["state"] == "received"
    sent = api.post(f"/api/v1/requests/{request_id}/verification/send", headers=alice)
    assert sent.status_code == 200, sent.text
    code = code_from(mail, "mona@example.org")
    wrong = api.post(
        f"/api/v1/requests/{request_id}/verification/check",
        json={"code": "00000000" if code != "00000000" else "11111111", "evidence": "letter"},
        headers=anton,
    )
    assert_error(wrong, 422, "invalid_input")
    ok = api.post(
        f"/api/v1/requests/{request_id}/verification/check",
        json={"code": code, "evidence": "code in a signed letter"},
        headers=anton,
    )
    assert ok.status_code == 204, ok.text
    assert_error(
        api.post(f"/api/v1/requests/{request_id}/approve", headers=anton), 403, "forbidden"
    )
    assert api.post(f"/api/v1/requests/{request_id}/approve", headers=bob).status_code == 204
    detail = api.get(f"/api/v1/requests/{request_id}", headers=auth(team.tokens["dora"])).json()
    assert detail["state"] == "building"
    assert detail["account"] == "mona"
    assert detail["evidence"] == "code in a signed letter"
    assert [e["to_state"] for e in detail["timeline"]] == [
        "received",
        "verifying",
        "paused",
        "paused",  # the wrong code, recorded
        "verified",
        "building",
    ]
    assert [j["kind"] for j in detail["jobs"]] == ["export.build"]


def test_staff_list_is_sorted_by_due_date(api: TestClient, vault: Vault, team: Team) -> None:
    alice = auth(team.tokens["alice"])
    now = datetime.now(UTC)
    for name, days in (("nils", 3), ("olaf", 20), ("pia", 10)):
        make_subject(vault, name)
        api.post(
            "/api/v1/requests",
            json={
                "account": name,
                "kind": "access",
                "channel": "email",
                "received_at": (now - timedelta(days=days)).isoformat(),
            },
            headers=alice,
        )
    listed = api.get("/api/v1/requests", headers=auth(team.tokens["erik"])).json()
    dues = [r["due_at"] for r in listed]
    assert dues == sorted(dues) and len(dues) == 3
    only = api.get("/api/v1/requests?state=paused", headers=alice).json()
    assert only == []


def test_extend_refuse_and_cancel_over_http(
    api: TestClient, vault: Vault, mail: SmtpSink, team: Team
) -> None:
    for name in ("quirin", "rolf", "sina"):
        make_subject(vault, name)
    alice, dora = auth(team.tokens["alice"]), auth(team.tokens["dora"])
    ids = [
        api.post(
            "/api/v1/requests",
            json={"account": name, "kind": "access", "channel": "phone"},
            headers=alice,
        ).json()["id"]
        for name in ("quirin", "rolf", "sina")
    ]
    extended = api.post(
        f"/api/v1/requests/{ids[0]}/extend",
        json={"months": 2, "reason": "12,000 recordings across 9 devices"},
        headers=alice,
    )
    assert extended.status_code == 200, extended.text
    too_much = api.post(
        f"/api/v1/requests/{ids[0]}/extend", json={"months": 3, "reason": "x"}, headers=alice
    )
    assert_error(too_much, 422, "invalid_input")
    assert_error(
        api.post(f"/api/v1/requests/{ids[1]}/refuse", json={"reason": "x"}, headers=alice),
        403,
        "forbidden",
    )
    refused = api.post(
        f"/api/v1/requests/{ids[1]}/refuse",
        json={"reason": "the fourth identical request this week"},
        headers=dora,
    )
    assert refused.status_code == 204
    cancelled = api.post(
        f"/api/v1/requests/{ids[2]}/cancel", json={"reason": "withdrawn by phone"}, headers=alice
    )
    assert cancelled.status_code == 204
    assert run_once(vault) == 2  # the extension and refusal notices
    [notice] = mail.wait_for("quirin@example.org")
    assert "12,000 recordings across 9 devices" in notice.body
    [refusal] = mail.wait_for("rolf@example.org")
    assert "the fourth identical request this week" in refusal.body
    assert "supervisory authority" in refusal.body
    assert mail.to("sina@example.org") == []


def test_a_staff_entry_takes_no_address_and_no_recordings(
    api: TestClient, vault: Vault, team: Team
) -> None:
    make_subject(vault, "tom")
    for extra in ({"email": "attacker@example.net"}, {"recordings": ["tom-rec-1"]}):
        response = api.post(
            "/api/v1/requests",
            json={"account": "tom", "kind": "access", "channel": "email", **extra},
            headers=auth(team.tokens["alice"]),
        )
        assert_error(response, 422, "invalid_input")


def test_the_routes_are_in_the_openapi_document(api: TestClient) -> None:
    paths = api.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/v1/requests",
        "/api/v1/requests/mine",
        "/api/v1/requests/mine/{request_id}",
        "/api/v1/requests/mine/{request_id}/cancel",
        "/api/v1/requests/{request_id}",
        "/api/v1/requests/{request_id}/verification/send",
        "/api/v1/requests/{request_id}/verification/check",
        "/api/v1/requests/{request_id}/approve",
        "/api/v1/requests/{request_id}/extend",
        "/api/v1/requests/{request_id}/refuse",
        "/api/v1/requests/{request_id}/cancel",
    } <= set(paths)
