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

from fastapi import Depends, Path, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from voxkeep.batching import BatchWorker
from voxkeep.errors import VoxkeepError
from voxkeep.ids import ID_PATTERN, ID_RULE
from voxkeep.tokens.service import Scope, TokenInfo, authenticate
from voxkeep.vault import Vault
from voxkeep.web.schemas import ErrorOut


# The ways in, as the OpenAPI document declares them: each dependency that
# authenticates names its schemes, so every operation lists what it takes and
# /api/docs offers Authorize. auto_error=False: they only document; the
# dependencies below (and people.api's) do the checking, with voxkeep's errors.
def _bearer(name: str, prefix: str, description: str) -> HTTPBearer:
    return HTTPBearer(
        scheme_name=name, bearerFormat=f"{prefix}...", description=description, auto_error=False
    )


def _cookie(name: str, cookie: str, where: str) -> APIKeyCookie:
    description = f"The same session as the cookie a browser gets at {where}."
    return APIKeyCookie(name=cookie, scheme_name=name, description=description, auto_error=False)


OPERATOR_TOKEN = _bearer(
    "operatorToken",
    "vk_",
    "An operator token from `voxkeep tokens create`; each call needs its scope "
    "(ingest, read, delete or audit).",
)
PERSON_COOKIE = "voxkeep_session"
STAFF_COOKIE = "voxkeep_staff_session"
PERSON_BEARER = _bearer(
    "personSession", "vs_", "A person's session token from `POST /api/v1/people/sessions`."
)
PERSON_COOKIE_AUTH = _cookie("personCookie", PERSON_COOKIE, "sign-in")
STAFF_BEARER = _bearer(
    "staffSession", "vst_", "A staff session token from `POST /api/v1/staff/sessions`."
)
STAFF_COOKIE_AUTH = _cookie("staffCookie", STAFF_COOKIE, "staff sign-in")
Documented = HTTPAuthorizationCredentials | str | None


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entry documenting these statuses with the error body."""
    return {code: {"model": ErrorOut} for code in codes}


ERRORS = errors(401, 403, 404, 409, 413, 422)


def _id_in_path(what: str) -> Any:
    return Path(pattern=ID_PATTERN, description=f"The {what} id: {ID_RULE}.")


# Ids the operator chooses, as path parameters: the rule of voxkeep.ids, in the document.
AccountId = Annotated[str, _id_in_path("account")]
DeviceId = Annotated[str, _id_in_path("device")]
MemberId = Annotated[str, _id_in_path("household member")]
RecordingId = Annotated[str, _id_in_path("recording")]
# Ids voxkeep makes fit the same rule; saying so keeps control bytes (which
# PostgreSQL refuses in text) out of every look-up.
RequestId = Annotated[str, Path(pattern=ID_PATTERN, description="The request's id, `rq_...`.")]
ExportId = Annotated[str, Path(pattern=ID_PATTERN, description="The answer's id.")]
StaffRef = Annotated[
    str, Path(pattern=ID_PATTERN, description="The staff member's id or login name.")
]
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


OperatorScheme = Annotated[Documented, Depends(OPERATOR_TOKEN)]


async def ingest_token(request: Request, _scheme: OperatorScheme = None) -> TokenInfo:
    return await _token(request, Scope.INGEST)


async def read_token(request: Request, _scheme: OperatorScheme = None) -> TokenInfo:
    return await _token(request, Scope.READ)


IngestToken = Annotated[TokenInfo, Depends(ingest_token)]
ReadToken = Annotated[TokenInfo, Depends(read_token)]


def actor(token: TokenInfo) -> str:
    return f"token:{token.id}"


async def audit_token(request: Request, _scheme: OperatorScheme = None) -> TokenInfo:
    return await _token(request, Scope.AUDIT)


async def delete_token(request: Request, _scheme: OperatorScheme = None) -> TokenInfo:
    return await _token(request, Scope.DELETE)


AuditToken = Annotated[TokenInfo, Depends(audit_token)]
DeleteToken = Annotated[TokenInfo, Depends(delete_token)]
