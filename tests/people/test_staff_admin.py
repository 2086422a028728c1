"""Admins invite staff by mail and send new password links; the address is not kept."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from console.oversight_helpers import bearer, staff_token
from smtp_sink import SmtpSink
from voxkeep.errors import InvalidInput, Unauthorized
from voxkeep.people.models import StaffMember
from voxkeep.people.staff import list_staff, use_password_token
from voxkeep.people.staff_admin import invite_staff, send_password_link
from voxkeep.vault import Vault

ADMIN = "staff:00000000000000ad"
EMAIL = "b.weber@operator.test"
PASSWORD = "correct horse battery staple 42"


def _token(body: str) -> str:
    match = re.search(r"/console/set-password#(vsp_\S+)", body)
    assert match is not None, body
    return match.group(1)


def test_an_invitation_mails_a_link_that_sets_the_password(vault: Vault, mailbox: SmtpSink) -> None:
    invited = invite_staff(
        vault, name="B.Weber", roles=["agent"], email=EMAIL, language="de", actor=ADMIN
    )
    assert invited.staff.name == "b.weber" and not invited.staff.has_password
    [mail] = mailbox.wait_for(EMAIL, count=1)
    assert mail.subject == "Ihr Zugang zur voxkeep-Konsole"
    assert "b.weber" in mail.body
    assert use_password_token(vault, token=_token(mail.body), password=PASSWORD)
    assert [s.has_password for s in list_staff(vault)] == [True]
    with vault.reading() as session:  # the address was for the mail only
        row = session.scalars(select(StaffMember)).one()
        assert EMAIL not in repr(vars(row))


def test_a_new_password_link_replaces_the_unused_one(vault: Vault, mailbox: SmtpSink) -> None:
    invited = invite_staff(
        vault, name="c.roux", roles=["dpo"], email=EMAIL, language="fr", actor=ADMIN
    )
    [first] = mailbox.wait_for(EMAIL, count=1)
    send_password_link(vault, ref=invited.staff.id, email=EMAIL, language="en", actor=ADMIN)
    second = mailbox.wait_for(EMAIL, count=2)[1]
    assert second.subject == "A new password link for the voxkeep console"
    with pytest.raises(Unauthorized, match="was replaced"):
        use_password_token(vault, token=_token(first.body), password=PASSWORD)
    assert use_password_token(vault, token=_token(second.body), password=PASSWORD)


def test_a_bad_address_adds_nobody(vault: Vault, mailbox: SmtpSink) -> None:
    with pytest.raises(InvalidInput, match="e-mail address"):
        invite_staff(vault, name="d.x", roles=["agent"], email="nope", language="en", actor=ADMIN)
    assert list_staff(vault) == []
    assert mailbox.messages == []


def test_the_api_invites_sends_links_and_resets_the_code_app(
    vault: Vault, client: TestClient, mailbox: SmtpSink
) -> None:
    admin = bearer(staff_token(vault, "root", "admin"))
    body = {"name": "e.fischer", "roles": ["agent"], "email": EMAIL, "language": "fr"}
    invited = client.post("/api/v1/staff/invitations", json=body, headers=admin)
    assert invited.status_code == 201, invited.text
    staff_id = invited.json()["staff"]["id"]
    [mail] = mailbox.wait_for(EMAIL, count=1)
    assert mail.subject == "Votre compte sur la console voxkeep"
    assert EMAIL not in invited.text
    link = client.post(
        f"/api/v1/staff/{staff_id}/password-link", json={"email": EMAIL}, headers=admin
    )
    assert link.status_code == 200, link.text
    assert len(mailbox.wait_for(EMAIL, count=2)) == 2
    reset = client.post(f"/api/v1/staff/{staff_id}/totp/reset", headers=admin)
    assert reset.status_code == 200 and reset.json()["id"] == staff_id
    bad = client.post(
        "/api/v1/staff/invitations", json={**body, "name": "x", "email": "no"}, headers=admin
    )
    assert bad.status_code == 422


def test_only_admins_invite_or_reset(vault: Vault, client: TestClient, mailbox: SmtpSink) -> None:
    dpo = bearer(staff_token(vault, "dpo", "dpo"))
    body = {"name": "x.y", "roles": ["admin"], "email": EMAIL}
    assert client.post("/api/v1/staff/invitations", json=body, headers=dpo).status_code == 403
    me = list_staff(vault)[0].id
    assert client.post(f"/api/v1/staff/{me}/totp/reset", headers=dpo).status_code == 403
    assert (
        client.post(
            f"/api/v1/staff/{me}/password-link", json={"email": EMAIL}, headers=dpo
        ).status_code
        == 403
    )
    assert mailbox.messages == []
