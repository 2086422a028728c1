"""Creating, checking and revoking ingestion tokens.

A token reads ``vk_<id>_<secret>``. Only SHA-256 of the secret is stored: the
secret has 256 bits of entropy, so a slow hash adds nothing, and the check is
constant-time.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.audit.events import AuditAction, record
from voxkeep.db.base import utcnow
from voxkeep.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from voxkeep.tokens.models import IngestToken


class Scope(enum.StrEnum):
    INGEST = "ingest"  # register accounts and devices, upload recordings
    READ = "read"  # list and fetch recordings and their audio
    DELETE = "delete"  # delete recordings for a person, erase accounts
    AUDIT = "audit"  # read audit checkpoints, the verifier key and Merkle proofs


PREFIX = "vk_"


@dataclass(frozen=True)
class TokenInfo:
    id: str
    name: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    revoked_at: datetime | None


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


class _TokenFields(Protocol):
    id: str
    name: str
    scopes: str
    created_at: datetime
    revoked_at: datetime | None


def _info(row: _TokenFields) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        name=row.name,
        scopes=tuple(Scope(s) for s in row.scopes.split()),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


def create_token(
    session: Session, *, name: str, scopes: list[Scope], actor: str
) -> tuple[TokenInfo, str]:
    """Returns the token's record and its full value, which is shown once and never again."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("A token name must be 1–100 characters.")
    if not scopes:
        raise InvalidInput(
            "A token needs at least one scope.", hint="Scopes: ingest, read, delete, audit."
        )
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    row = IngestToken(
        id=token_id,
        name=name,
        secret_hash=_digest(secret),
        scopes=" ".join(sorted({s.value for s in scopes})),
    )
    session.add(row)
    session.flush()
    record(session, AuditAction.TOKEN_CREATED, actor=actor, objects={"token": token_id})
    return _info(row), f"{PREFIX}{token_id}_{secret}"


def list_tokens(session: Session) -> list[TokenInfo]:
    return [_info(r) for r in session.scalars(select(IngestToken).order_by(IngestToken.created_at))]


def revoke_token(session: Session, token_id: str, *, actor: str) -> TokenInfo:
    row = session.get(IngestToken, token_id)
    if row is None:
        raise NotFound("There is no token with this id.", hint="`voxkeep tokens list` shows them.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(session, AuditAction.TOKEN_REVOKED, actor=actor, objects={"token": token_id})
    return _info(row)


# Every API request runs this: a plain row, not an ORM object (half the cost).
_BY_ID = select(
    IngestToken.id,
    IngestToken.name,
    IngestToken.scopes,
    IngestToken.created_at,
    IngestToken.revoked_at,
    IngestToken.secret_hash,
)


def authenticate(session: Session, presented: str, *, scope: Scope) -> TokenInfo:
    """The token's record if the value is valid, unrevoked and carries the scope."""
    token_id, _, secret = presented.removeprefix(PREFIX).partition("_")
    row = None
    if presented.startswith(PREFIX):
        row = session.execute(_BY_ID.where(IngestToken.id == token_id)).one_or_none()
    if row is None or not hmac.compare_digest(row.secret_hash, _digest(secret)):
        raise Unauthorized(
            "The API token is missing or not valid.",
            hint="Send `Authorization: Bearer vk_...` with a token from `voxkeep tokens create`.",
        )
    if row.revoked_at is not None:
        raise Unauthorized("The API token has been revoked.")
    info = _info(row)
    if scope not in info.scopes:
        raise Forbidden(f"The API token lacks the {scope.value!r} scope.")
    return info
