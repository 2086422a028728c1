"""Helpers for the audit tests: the busy-vault record and direct SQL to tamper with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from voxkeep.accounts.service import find_account
from voxkeep.audit.pseudonyms import names_for
from voxkeep.vault import Vault

EMAIL = "jana.beispiel@example.org"
MEMBER_NAME = "Alexandra Beispiel"
TRANSCRIPT = "Erinnere mich morgen an den Arzttermin"


@dataclass(frozen=True)
class Busy:
    """A vault after real operations, with three checkpoints and a few events after them."""

    vault: Vault
    client: TestClient
    checkpoints: tuple[int, int, int]
    events: int
    audit_headers: dict[str, str]


def sql(vault: Vault, statement: str, **params: Any) -> None:
    """Change the database behind voxkeep's back, as someone with database access could."""
    with vault.engine.begin() as connection:
        connection.execute(text(statement), params)


def sql_value(vault: Vault, statement: str, **params: Any) -> Any:
    with vault.engine.connect() as connection:
        return connection.execute(text(statement), params).scalar_one()


def recording_names(vault: Vault, account: str, recording_ids: list[str]) -> list[str]:
    """How the audit log names these recordings of an account (the operator's id)."""
    with vault.reading() as session:
        owner = find_account(vault, session, account)
        return names_for(vault, session, owner.id).recordings(recording_ids)
