"""Staff sign-ins with the TOTP second factor, for tests: enrol like a new staff member
does, and compute the code an authenticator app would show.

A code is good once, so a member who signs in several times within one 30-second
step would run out of codes; ``fresh_code`` then forgets the last accepted step,
as if the next step had come (the test stands in for the clock, never sleeps).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from voxkeep.db.base import utcnow
from voxkeep.people import totp
from voxkeep.people.models import PersonCredential, StaffMember
from voxkeep.people.staff import SignedInStaff, staff_sign_in, start_enrolment
from voxkeep.vault import Vault


def secret_of(vault: Vault, name: str) -> str:
    """The member's enrolled secret, else the one being enrolled."""
    with vault.reading() as session:
        member = session.scalars(select(StaffMember).where(StaffMember.name == name)).one()
        if member.totp_secret_ct is not None:
            return totp.open_secret(vault, session, member.id, member.totp_secret_ct, what="totp")
        assert member.totp_pending_ct is not None, f"{name} has no TOTP secret"
        return totp.open_secret(
            vault, session, member.id, member.totp_pending_ct, what="totp_pending"
        )


def next_step(row: StaffMember | PersonCredential) -> int:
    """A step of the window whose code has not been used yet (called in a transaction).

    The current step first, then the next one: a step boundary passing before the
    server checks the code leaves either inside the window. When both are used, the row
    forgets its last step, as if time had moved on.
    """
    current = totp.step_of(utcnow())
    last = row.totp_last_step
    step = current if last is None else max(current, last + 1)
    if step > current + totp.DRIFT_STEPS:
        row.totp_last_step = current - 1
        step = current
    return step


def fresh_code(vault: Vault, name: str) -> str:
    """A code the member's next sign-in accepts."""
    with vault.transaction() as session:
        member = session.scalars(select(StaffMember).where(StaffMember.name == name)).one()
        step = next_step(member)
    return totp.code_at(secret_of(vault, name), datetime_of(step))


def person_code(vault: Vault, account_id: str, secret: str) -> str:
    """A code a person's next use of their two-step secret accepts."""
    with vault.transaction() as session:
        row = session.get(PersonCredential, account_id)
        assert row is not None
        step = next_step(row)
    return totp.code_at(secret, datetime_of(step))


def datetime_of(step: int) -> datetime:
    return datetime.fromtimestamp(step * totp.STEP_S, tz=UTC)


def enrolled(vault: Vault, name: str) -> bool:
    with vault.reading() as session:
        member = session.scalars(select(StaffMember).where(StaffMember.name == name)).one()
        return member.totp_secret_ct is not None


def sign_in(vault: Vault, name: str, password: str, *, client: str = "tests") -> SignedInStaff:
    """A staff sign-in through the service, enrolling an app first if the member has none."""
    if not enrolled(vault, name):
        start_enrolment(vault, name=name, password=password, client=client)
    return staff_sign_in(
        vault, name=name, password=password, client=client, totp_code=fresh_code(vault, name)
    )


def api_sign_in(client: Any, name: str, password: str, **kwargs: Any) -> Any:
    """POST /api/v1/staff/sessions with a good code, enrolling through the API if needed.

    The enrolment call checks the password too; when it fails (a wrong password), its
    response is returned as the sign-in's would be."""
    vault: Vault = client.app.state.vault
    cleaned = name.strip().lower()
    with vault.reading() as session:
        member = session.scalars(select(StaffMember).where(StaffMember.name == cleaned)).first()
        needs_enrolment = member is not None and member.totp_secret_ct is None
    body = {"name": name, "password": password}
    if member is None:
        return client.post("/api/v1/staff/sessions", json=body, **kwargs)
    if needs_enrolment:
        enrol = client.post("/api/v1/staff/totp/enrolment", json=body, **kwargs)
        if enrol.status_code != 201:
            return enrol
    code = fresh_code(vault, cleaned)
    return client.post("/api/v1/staff/sessions", json={**body, "totp": code}, **kwargs)
