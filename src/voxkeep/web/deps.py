"""What every HTTP route shares: the vault, bearer tokens, the documented error bodies.

Each domain's routes live in ``<domain>/api.py`` and take these as
dependencies, so authentication is one piece of code.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from weakref import WeakKeyDictionary

from fastapi import Depends, Request
from sqlalchemy import Engine

from voxkeep.batching import BatchWorker
from voxkeep.errors import VoxkeepError
from voxkeep.tokens.service import Scope, TokenInfo, authenticate
from voxkeep.vault import Vault
from voxkeep.web.schemas import ErrorOut


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entry documenting these statuses with the error body."""
    return {code: {"model": ErrorOut} for code in codes}


ERRORS = errors(401, 403, 404, 409, 413, 422)
T = TypeVar("T")


def vault_of(request: Request) -> Vault:
    vault: Vault = request.app.state.vault
    return vault


async def _vault(request: Request) -> Vault:
    # async so FastAPI resolves it on the event loop, not with a threadpool hop.
    return vault_of(request)


VaultDep = Annotated[Vault, Depends(_vault)]


@dataclass(frozen=True, eq=False)
class _TokenCheck:
    vault: Vault
    presented: str
    scope: Scope


def _check_tokens(checks: list[_TokenCheck]) -> list[TokenInfo | Exception]:
    """Authenticate a batch of requests in one read transaction, each valid token once."""
    outcomes: list[TokenInfo | Exception] = []
    valid: dict[tuple[str, Scope], TokenInfo] = {}
    with checks[0].vault.reading() as session:
        for check in checks:
            key = (check.presented, check.scope)
            if key not in valid:
                try:
                    valid[key] = authenticate(session, check.presented, scope=check.scope)
                except VoxkeepError as exc:  # each failure its own error object
                    outcomes.append(exc)
                    continue
            outcomes.append(valid[key])
    return outcomes


# One checker per database; requests arriving together share a transaction.
_checkers: WeakKeyDictionary[Engine, BatchWorker[_TokenCheck, TokenInfo]] = WeakKeyDictionary()
_checkers_lock = threading.Lock()


async def _token(request: Request, scope: Scope) -> TokenInfo:
    header = request.headers.get("authorization", "")
    presented = header[7:] if header[:7].lower() == "bearer " else ""
    vault = vault_of(request)
    with _checkers_lock:
        checker = _checkers.get(vault.engine)
        if checker is None:
            checker = BatchWorker(_check_tokens, name="voxkeep-auth", max_batch=256)
            _checkers[vault.engine] = checker
    return await outcome(checker.submit(_TokenCheck(vault, presented, scope)))


async def outcome(future: Future[T]) -> T:
    """Await a worker's future; as with a threadpool call, the work goes on if we stop waiting."""
    return await asyncio.shield(asyncio.wrap_future(future))


async def ingest_token(request: Request) -> TokenInfo:
    return await _token(request, Scope.INGEST)


async def read_token(request: Request) -> TokenInfo:
    return await _token(request, Scope.READ)


IngestToken = Annotated[TokenInfo, Depends(ingest_token)]
ReadToken = Annotated[TokenInfo, Depends(read_token)]


def actor(token: TokenInfo) -> str:
    return f"token:{token.id}"


async def audit_token(request: Request) -> TokenInfo:
    return await _token(request, Scope.AUDIT)


async def delete_token(request: Request) -> TokenInfo:
    return await _token(request, Scope.DELETE)


AuditToken = Annotated[TokenInfo, Depends(audit_token)]
DeleteToken = Annotated[TokenInfo, Depends(delete_token)]
