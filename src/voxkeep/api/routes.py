"""Routes of /api/v1: thin shells over the services."""

from __future__ import annotations

import asyncio
import base64
import binascii
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError
from sqlalchemy import Engine

from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import Language, Retention
from voxkeep.api.multipart import read_parts
from voxkeep.api.schemas import (
    AccountIn,
    AccountOut,
    DeviceIn,
    DeviceOut,
    ErrorOut,
    MemberIn,
    MemberOut,
    RecordingMetadata,
    RecordingOut,
    RecordingPage,
    TranscriptOut,
    UploadResult,
)
from voxkeep.batching import BatchWorker
from voxkeep.errors import InvalidInput, PayloadTooLarge, VoxkeepError
from voxkeep.recordings import service as recordings
from voxkeep.recordings.service import NewRecording, RecordingInfo
from voxkeep.tokens.service import Scope, TokenInfo, authenticate
from voxkeep.vault import Vault

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 409, 413, 422)
}
router = APIRouter(prefix="/api/v1", responses=ERRORS)
METADATA_LIMIT = 256 * 1024
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
    return await _outcome(checker.submit(_TokenCheck(vault, presented, scope)))


async def _outcome(future: Future[T]) -> T:
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


def _account_out(external_id: str, account: Any) -> AccountOut:
    return AccountOut(
        id=external_id,
        language=Language(account.language),
        retention=Retention(account.retention),
        has_email=account.email_hash is not None,
        created_at=account.created_at,
    )


@router.put("/accounts/{account_id}", response_model=AccountOut, tags=["accounts"])
def put_account(
    account_id: str, body: AccountIn, vault: VaultDep, token: IngestToken, response: Response
) -> AccountOut:
    """Register an account, or update its e-mail, language or retention choice."""
    changes = accounts.AccountChanges(
        email=body.email, language=body.language, retention=body.retention
    )
    with vault.transaction() as session:
        account, created = accounts.upsert_account(
            vault, session, external_id=account_id, changes=changes, actor=actor(token)
        )
        response.status_code = 201 if created else 200
        return _account_out(account_id, account)


@router.put(
    "/accounts/{account_id}/devices/{device_id}", response_model=DeviceOut, tags=["accounts"]
)
def put_device(
    account_id: str,
    device_id: str,
    body: DeviceIn,
    vault: VaultDep,
    token: IngestToken,
    response: Response,
) -> DeviceOut:
    """Register a device for an account, or update it."""
    with vault.transaction() as session:
        account = accounts.find_account(vault, session, account_id)
        device, created = accounts.upsert_device(
            vault,
            session,
            account=account,
            device_id=device_id,
            kind=body.kind,
            name=body.name,
            registered_at=body.registered_at,
            actor=actor(token),
        )
        response.status_code = 201 if created else 200
        return DeviceOut.model_validate(device, from_attributes=True)


@router.delete(
    "/accounts/{account_id}/devices/{device_id}", response_model=DeviceOut, tags=["accounts"]
)
def delete_device(
    account_id: str, device_id: str, vault: VaultDep, token: IngestToken
) -> DeviceOut:
    """Mark a device removed (its recordings stay until deleted or expired)."""
    with vault.transaction() as session:
        account = accounts.find_account(vault, session, account_id)
        device = accounts.remove_device(
            vault, session, account=account, device_id=device_id, actor=actor(token)
        )
        return DeviceOut.model_validate(device, from_attributes=True)


@router.put(
    "/accounts/{account_id}/members/{member_id}", response_model=MemberOut, tags=["accounts"]
)
def put_member(
    account_id: str,
    member_id: str,
    body: MemberIn,
    vault: VaultDep,
    token: IngestToken,
    response: Response,
) -> MemberOut:
    """Register a household member (a named voice profile), or rename one."""
    with vault.transaction() as session:
        account = accounts.find_account(vault, session, account_id)
        _, created = accounts.upsert_member(
            vault, session, account=account, member_id=member_id, name=body.name, actor=actor(token)
        )
        response.status_code = 201 if created else 200
        return MemberOut(id=member_id)


UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["metadata", "audio"],
                    "properties": {
                        "metadata": {
                            "type": "string",
                            "description": "JSON, UTF-8: see RecordingMetadata.",
                        },
                        "audio": {
                            "type": "string",
                            "format": "binary",
                            "description": "RIFF/WAVE PCM, 8/16/24-bit, 8–48 kHz, mono/stereo.",
                        },
                    },
                }
            }
        },
    }
}


def _parse_metadata(raw: bytes) -> NewRecording:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(
            "The metadata is not valid UTF-8.", hint="Encode the JSON (and transcript) as UTF-8."
        ) from None
    try:
        meta = RecordingMetadata.model_validate_json(text)
    except ValidationError as exc:
        raise InvalidInput(f"The metadata is not valid: {_summary(exc)}.") from None
    return meta.recording()


def _summary(exc: ValidationError) -> str:
    """Field names and messages only: never the input, which may be personal data."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in exc.errors()
    )


@router.post(
    "/recordings",
    response_model=UploadResult,
    status_code=201,
    tags=["recordings"],
    openapi_extra=UPLOAD_DOC,
)
async def upload_recording(request: Request) -> Response:
    """Upload one recording: a `metadata` JSON part and an `audio` WAV part.

    201 when stored, 200 when the same id with the same audio was already
    stored, 409 when the id is taken by different audio. Nothing is stored
    when the upload is rejected. For an account whose retention is "don't
    save", a valid upload is answered 200 with `discarded: true` and nothing
    but a daily count is kept.
    """
    # The hot path: no dependencies to solve and no response model to
    # validate; the token is still checked before the body is read.
    vault = vault_of(request)
    token = await ingest_token(request)
    limit = vault.settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + METADATA_LIMIT:
        raise PayloadTooLarge(f"The upload is larger than the {limit}-byte limit.")
    parts = await read_parts(
        request.headers.get("content-type", ""),
        request.stream(),
        allowed={"metadata": METADATA_LIMIT, "audio": limit},
    )
    if set(parts) != {"metadata", "audio"}:
        raise InvalidInput("The upload needs a 'metadata' part and an 'audio' part.")
    meta = _parse_metadata(parts["metadata"])
    outcome = await _outcome(
        recordings.submit_ingest(vault, meta, parts["audio"], actor=actor(token))
    )
    created = outcome is recordings.Ingested.STORED
    result = UploadResult(
        id=meta.id, created=created, discarded=outcome is recordings.Ingested.DISCARDED
    )
    return JSONResponse(result.model_dump(mode="json"), status_code=201 if created else 200)


def _cursor(info: RecordingInfo) -> str:
    raw = f"{info.captured_at.isoformat()}|{info.id}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def _after(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        when, _, rid = base64.urlsafe_b64decode(cursor).decode().partition("|")
        return datetime.fromisoformat(when), rid
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("The cursor is not valid.", hint="Pass `next` from a page.") from None


def _recording_out(account: str, info: RecordingInfo) -> RecordingOut:
    return RecordingOut(account=account, **info.__dict__)


@router.get("/accounts/{account_id}/recordings", response_model=RecordingPage, tags=["recordings"])
def list_recordings(
    account_id: str,
    vault: VaultDep,
    token: ReadToken,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: str | None = None,
) -> RecordingPage:
    """An account's recordings, oldest first, one page at a time."""
    rows = recordings.list_recordings(
        vault, account=account_id, limit=limit, after=_after(after), actor=actor(token)
    )
    return RecordingPage(
        items=[_recording_out(account_id, r) for r in rows],
        next=_cursor(rows[-1]) if len(rows) == limit else None,
    )


@router.get(
    "/accounts/{account_id}/recordings/{recording_id}",
    response_model=RecordingOut,
    tags=["recordings"],
)
def get_recording(
    account_id: str, recording_id: str, vault: VaultDep, token: ReadToken
) -> RecordingOut:
    """One recording's metadata."""
    info = recordings.get_recording(
        vault, account=account_id, recording_id=recording_id, actor=actor(token)
    )
    return _recording_out(account_id, info)


@router.get(
    "/accounts/{account_id}/recordings/{recording_id}/transcript",
    response_model=TranscriptOut,
    tags=["recordings"],
)
def get_transcript(
    account_id: str, recording_id: str, vault: VaultDep, token: ReadToken
) -> TranscriptOut:
    """One recording's transcript (null when none was sent)."""
    text = recordings.read_transcript(
        vault, account=account_id, recording_id=recording_id, actor=actor(token)
    )
    return TranscriptOut(id=recording_id, transcript=text)


@router.get(
    "/accounts/{account_id}/recordings/{recording_id}/audio",
    response_class=StreamingResponse,
    responses={200: {"content": {"audio/wav": {}}, "description": "The original WAV bytes."}},
    tags=["recordings"],
)
def get_audio(
    account_id: str, recording_id: str, vault: VaultDep, token: ReadToken
) -> StreamingResponse:
    """The recording's audio, decrypted on the fly."""
    stream = recordings.open_audio(
        vault, account=account_id, recording_id=recording_id, actor=actor(token)
    )
    # Authenticate the first segment before the status line goes out, so a
    # damaged blob is a clean error response rather than a cut-off download.
    first = next(stream.chunks)

    def body() -> Iterator[bytes]:
        yield first
        yield from stream.chunks

    return StreamingResponse(
        body(),
        media_type="audio/wav",
        headers={"Content-Length": str(stream.size), "Cache-Control": "no-store"},
    )
