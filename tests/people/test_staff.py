"""Staff: `voxkeep staff`, password tokens, sign-in, roles and their checks."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from people_helpers import OTHER_PASSWORD, PASSWORD, bearer, person, run_cli

from smtp_sink import SmtpSink
from staff_totp import api_sign_in
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.errors import Forbidden
from voxkeep.people.api import StaffDep, staff_with
from voxkeep.people.models import StaffRole
from voxkeep.people.service import StaffSession, current_staff, require_role
from voxkeep.people.staff import add_staff
from voxkeep.vault import Vault

CURRENT = "/api/v1/staff/sessions/current"


def _add(settings: Settings, name: str, *roles: str) -> str:
    """`voxkeep staff add NAME --role ...`: the printed set-password link's token."""
    args = ["staff", "add", name]
    for role in roles:
        args += ["--role", role]
    result = run_cli(settings, *args)
    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    assert "/console/set-password#vsp_" in link
    return link.rpartition("#")[2]


def _sign_in(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    return api_sign_in(client, name, password)


def staff_member(client: TestClient, settings: Settings, name: str, *roles: str) -> str:
    token = _add(settings, name, *roles)
    set_pw = client.post("/api/v1/staff/password", json={"token": token, "password": PASSWORD})
    assert set_pw.status_code == 204, set_pw.text
    signed = _sign_in(client, name)
    assert signed.status_code == 201, signed.text
    value: str = signed.json()["token"]
    return value


def test_staff_add_prints_a_single_use_link_that_sets_the_password(
    client: TestClient, settings: Settings
) -> None:
    token = _add(settings, "A.Schmidt", "agent", "approver")
    body = {"token": token, "password": PASSWORD}
    assert client.post("/api/v1/staff/password", json=body).status_code == 204
    assert client.post("/api/v1/staff/password", json=body).status_code == 401
    signed = _sign_in(client, "a.schmidt")
    assert signed.status_code == 201
    assert signed.json()["token"].startswith("vst_")
    me = client.get(CURRENT, headers=bearer(signed.json()["token"])).json()
    assert me["name"] == "a.schmidt" and me["roles"] == ["agent", "approver"]


def test_staff_add_takes_a_password_from_stdin(client: TestClient, settings: Settings) -> None:
    result = run_cli(
        settings, "staff", "add", "dpo1", "--role", "dpo", "--password-stdin", input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "vsp_" not in result.output and PASSWORD not in result.output
    assert _sign_in(client, "dpo1").status_code == 201


def test_staff_add_takes_a_password_from_a_prompt(client: TestClient, settings: Settings) -> None:
    result = run_cli(
        settings, "staff", "add", "adm", "--role", "admin", "--prompt-password",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _sign_in(client, "adm").status_code == 201


def test_staff_add_refuses_bad_names_roles_and_duplicates(settings: Settings) -> None:
    assert run_cli(settings, "staff", "add", "Anna Schmidt", "--role", "agent").exit_code == 1
    assert run_cli(settings, "staff", "add", "x", "--role", "boss").exit_code == 2
    assert run_cli(settings, "staff", "add", "x").exit_code == 2  # a role is required
    assert run_cli(settings, "staff", "add", "x", "--role", "agent").exit_code == 0
    again = run_cli(settings, "staff", "add", "X", "--role", "agent")
    assert again.exit_code == 1 and "exists already" in again.output


def test_staff_list_roles_disable_enable_password(client: TestClient, settings: Settings) -> None:
    token = staff_member(client, settings, "agent1", "agent")
    listed = run_cli(settings, "staff", "list")
    assert "agent1  [agent]" in listed.output and "active" in listed.output
    assert run_cli(settings, "staff", "roles", "agent1", "--role", "approver").exit_code == 0
    assert client.get(CURRENT, headers=bearer(token)).json()["roles"] == ["approver"]
    assert run_cli(settings, "staff", "disable", "agent1").exit_code == 0
    assert client.get(CURRENT, headers=bearer(token)).status_code == 401
    assert _sign_in(client, "agent1").status_code == 401
    assert "disabled" in run_cli(settings, "staff", "list").output
    assert run_cli(settings, "staff", "enable", "agent1").exit_code == 0
    assert _sign_in(client, "agent1").status_code == 201
    reset = run_cli(
        settings, "staff", "password", "agent1", "--password-stdin", input=OTHER_PASSWORD
    )
    assert reset.exit_code == 0
    assert _sign_in(client, "agent1").status_code == 401
    assert _sign_in(client, "agent1", OTHER_PASSWORD).status_code == 201
    link = run_cli(settings, "staff", "password", "agent1")
    assert "#vsp_" in link.stdout


def test_role_checks(client: TestClient, settings: Settings) -> None:
    admin = staff_member(client, settings, "root", "admin")
    agent = staff_member(client, settings, "agent1", "agent")
    dpo = staff_member(client, settings, "dpo1", "dpo")
    assert client.get("/api/v1/staff", headers=bearer(agent)).status_code == 403
    assert client.get("/api/v1/staff", headers=bearer(dpo)).status_code == 200
    listed = client.get("/api/v1/staff", headers=bearer(admin)).json()
    assert [s["name"] for s in listed] == ["agent1", "dpo1", "root"]
    denied = client.post(
        "/api/v1/staff", json={"name": "x", "roles": ["agent"]}, headers=bearer(dpo)
    )
    assert denied.status_code == 403 and "admin role" in denied.json()["error"]
    added = client.post(
        "/api/v1/staff", json={"name": "appr", "roles": ["approver"]}, headers=bearer(admin)
    )
    assert added.status_code == 201
    new_token = added.json()["password"]["token"]
    assert added.json()["password"]["link"].endswith(f"/console/set-password#{new_token}")
    staff_id = added.json()["staff"]["id"]
    roles = client.put(
        f"/api/v1/staff/{staff_id}/roles",
        json={"roles": ["approver", "agent"]},
        headers=bearer(admin),
    )
    assert roles.json()["roles"] == ["agent", "approver"]
    assert client.post(f"/api/v1/staff/{staff_id}/disable", headers=bearer(admin)).json()[
        "disabled_at"
    ]
    assert (
        client.post(f"/api/v1/staff/{staff_id}/enable", headers=bearer(admin)).json()["disabled_at"]
        is None
    )
    fresh = client.post(f"/api/v1/staff/{staff_id}/password-token", headers=bearer(admin))
    assert fresh.json()["token"].startswith("vsp_")
    bad_role = client.put(
        f"/api/v1/staff/{staff_id}/roles", json={"roles": ["boss"]}, headers=bearer(admin)
    )
    assert bad_role.status_code == 422


def test_an_admin_cannot_lock_themselves_out(client: TestClient, settings: Settings) -> None:
    admin = staff_member(client, settings, "root", "admin")
    me = client.get(CURRENT, headers=bearer(admin)).json()["staff_id"]
    assert client.post(f"/api/v1/staff/{me}/disable", headers=bearer(admin)).status_code == 409
    demote = client.put(f"/api/v1/staff/{me}/roles", json={"roles": ["dpo"]}, headers=bearer(admin))
    assert demote.status_code == 409


def test_require_role_and_the_staff_with_dependency(vault: Vault, settings: Settings) -> None:
    app: FastAPI = create_app(vault)

    @app.get("/approve-something")
    def approve(member: StaffSession = Depends(staff_with(StaffRole.APPROVER))) -> dict[str, str]:  # noqa: B008
        return {"actor": member.actor}

    @app.get("/who")
    def who(member: StaffDep) -> dict[str, str]:
        return {"id": member.staff_id}

    with TestClient(app) as client:
        approver = staff_member(client, settings, "appr", "approver")
        agent = staff_member(client, settings, "agent1", "agent", "dpo")
        ok = client.get("/approve-something", headers=bearer(approver))
        assert ok.status_code == 200 and ok.json()["actor"].startswith("staff:")
        assert client.get("/approve-something", headers=bearer(agent)).status_code == 403
        assert client.get("/who", headers=bearer(agent)).status_code == 200
        client.cookies.clear()
        assert client.get("/who").status_code == 401
        with vault.reading() as db:
            member = current_staff(vault, db, token=agent)
    assert member.roles == {StaffRole.AGENT, StaffRole.DPO}
    require_role(member, StaffRole.DPO, StaffRole.ADMIN)
    with pytest.raises(Forbidden, match="approver"):
        require_role(member, StaffRole.APPROVER)


def test_staff_and_person_tokens_are_not_interchangeable(
    client: TestClient, mailbox: SmtpSink, settings: Settings
) -> None:
    person_token = person(client, mailbox)
    staff_token = staff_member(client, settings, "root", "admin")
    client.cookies.clear()
    assert client.get(CURRENT, headers=bearer(person_token)).status_code == 401
    assert (
        client.get("/api/v1/people/sessions/current", headers=bearer(staff_token)).status_code
        == 401
    )
    # A staff session over a person's cookie: the bearer names who acts.
    assert client.get(CURRENT, headers=bearer(staff_token)).status_code == 200


def test_staff_sign_in_is_rate_limited(client: TestClient, settings: Settings) -> None:
    staff_member(client, settings, "root", "admin")
    for _ in range(settings.signin_max_failures):
        assert _sign_in(client, "root", OTHER_PASSWORD).status_code == 401
    limited = _sign_in(client, "root")
    assert limited.status_code == 429 and "retry-after" in limited.headers


def test_staff_reauth_and_sign_out(client: TestClient, settings: Settings) -> None:
    token = staff_member(client, settings, "appr", "approver")
    assert client.get(CURRENT, headers=bearer(token)).json()["reauth_at"] is None
    wrong = client.post(
        f"{CURRENT}/reauth", json={"password": OTHER_PASSWORD}, headers=bearer(token)
    )
    assert wrong.status_code == 403
    right = client.post(f"{CURRENT}/reauth", json={"password": PASSWORD}, headers=bearer(token))
    assert right.status_code == 200 and right.json()["reauth_at"] is not None
    assert client.delete(CURRENT, headers=bearer(token)).status_code == 204
    assert client.get(CURRENT, headers=bearer(token)).status_code == 401


def test_a_disabled_member_cannot_use_an_old_password_token(
    vault: Vault, client: TestClient
) -> None:
    info, token = add_staff(vault, name="temp", roles=["agent"], actor="system")
    assert token is not None
    run = client.post("/api/v1/staff/password", json={"token": token.token, "password": PASSWORD})
    assert run.status_code == 204
    from voxkeep.people.staff import disable_staff, issue_password_token

    second = issue_password_token(vault, ref=info.id, actor="system")
    disable_staff(vault, ref="temp", actor="system")
    used = client.post("/api/v1/staff/password", json={"token": second.token, "password": PASSWORD})
    assert used.status_code == 401


def test_staff_routes_are_in_the_openapi_docs(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/v1/staff/sessions", "/api/v1/staff", "/api/v1/staff/{staff_id}/roles"):
        assert all("staff" in op["tags"] for op in paths[path].values())
