"""Helpers for the register's tests: a DPO and an admin signed in, incidents opened for real."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from staff_totp import sign_in
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import open_incident
from voxkeep.people.staff import StaffSession, add_staff
from voxkeep.vault import Vault

PASSWORD = "correct horse battery staple"


@dataclass
class Staff:
    dpo: StaffSession
    admin: StaffSession


def signed_in(vault: Vault, name: str, role: str) -> StaffSession:
    add_staff(vault, name=name, roles=(role,), actor="system:test", password=PASSWORD)
    return sign_in(vault, name, PASSWORD).session


def staff(vault: Vault) -> Staff:
    return Staff(dpo=signed_in(vault, "dora", "dpo"), admin=signed_in(vault, "erik", "admin"))


def reported(vault: Vault, **details: Any) -> str:
    """An incident staff recorded (a breach found outside voxkeep)."""
    with vault.transaction() as session:
        return open_incident(
            vault,
            session,
            kind=IncidentKind.REPORTED,
            request_id=None,
            details=details,
            actor="system:test",
        ).id


def table_bytes(vault: Vault, *tables: str) -> bytes:
    """Every cell of the tables as bytes, to look for plaintext in."""
    found = []
    with vault.engine.connect() as connection:
        for table in tables:
            for row in connection.execute(text(f"SELECT * FROM {table}")):  # noqa: S608
                for cell in row:
                    found.append(cell if isinstance(cell, bytes) else str(cell).encode())
    return b"\n".join(found)
