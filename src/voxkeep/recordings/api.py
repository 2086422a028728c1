"""Routes of /api/v1/recordings and an account's recordings: thin shells over the service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from voxkeep.errors import InvalidInput, PayloadTooLarge
from voxkeep.metrics import process as metrics
from voxkeep.people.api import PersonDep
from voxkeep.recordings import history
from voxkeep.recordings import service as recordings
from voxkeep.recordings.schemas import (
    MyRecordingOut,
    MyRecordingPage,
    RecordingMetadata,
    RecordingOut,
    RecordingPage,
    TranscriptOut,
    UploadResult,
)
from voxkeep.recordings.service import NewRecording, RecordingInfo
from voxkeep.web.deps import (
    ERRORS,
    OPERATOR_TOKEN,
    AccountId,
    ReadToken,
    RecordingId,
    VaultDep,
    actor,
    errors,
    ingest_token,
    outcome,
    vault_of,
)
from voxkeep.web.errors import INPUT_HINT, describe
from voxkeep.web.multipart import read_parts
from voxkeep.web.streaming import ClosingStreamingResponse

router = APIRouter(prefix="/api/v1", responses=ERRORS)
METADATA_LIMIT = 256 * 1024


UPLOAD_DOC: dict[str, Any] = {
    # The route solves no dependencies (see upload_recording), so it names its scheme here.
    "security": [{OPERATOR_TOKEN.scheme_name: []}],
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
    },
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
        raise InvalidInput(describe(exc.errors(), within="metadata"), hint=INPUT_HINT) from None
    return meta.recording()


@router.post(
    "/recordings",
    response_model=UploadResult,
    status_code=201,
    responses=errors(410, 507),
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
    stored = await outcome(
        recordings.submit_ingest(vault, meta, parts["audio"], actor=actor(token))
    )
    metrics.ingested(stored.value, len(parts["audio"]))
    created = stored is recordings.Ingested.STORED
    result = UploadResult(
        id=meta.id, created=created, discarded=stored is recordings.Ingested.DISCARDED
    )
    return JSONResponse(result.model_dump(mode="json"), status_code=201 if created else 200)


def _recording_out(account: str, info: RecordingInfo) -> RecordingOut:
    return RecordingOut(account=account, **info.__dict__)


@router.get("/accounts/{account_id}/recordings", response_model=RecordingPage, tags=["recordings"])
def list_recordings(
    account_id: AccountId,
    vault: VaultDep,
    token: ReadToken,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: str | None = None,
) -> RecordingPage:
    """An account's recordings, oldest first, one page at a time."""
    rows, more = recordings.list_recordings(
        vault,
        account=account_id,
        limit=limit,
        after=history.parse_cursor(after),
        actor=actor(token),
    )
    return RecordingPage(
        items=[_recording_out(account_id, r) for r in rows],
        next=history.cursor_of(rows[-1].captured_at, rows[-1].id) if more else None,
    )


@router.get(
    "/accounts/{account_id}/recordings/{recording_id}",
    response_model=RecordingOut,
    tags=["recordings"],
)
def get_recording(
    account_id: AccountId, recording_id: RecordingId, vault: VaultDep, token: ReadToken
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
    account_id: AccountId, recording_id: RecordingId, vault: VaultDep, token: ReadToken
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
    account_id: AccountId, recording_id: RecordingId, vault: VaultDep, token: ReadToken
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


# The signed-in person's own recordings -------------------------------------------------
# The account comes from the person's session (cookie or `Bearer vs_...`), never the URL.


def audio_path(recording_id: str) -> str:
    return f"/api/v1/me/recordings/{recording_id}/audio"


def my_recording_out(item: history.HistoryItem) -> MyRecordingOut:
    info = item.info
    return MyRecordingOut(
        id=info.id,
        device=info.device,
        device_name=item.device_name,
        speaker=info.speaker,
        speaker_name=item.speaker_name,
        captured_at=info.captured_at,
        duration_ms=info.duration_ms,
        audio_bytes=info.audio_bytes,
        language=info.language,
        transcript=item.transcript,
        audio=audio_path(info.id),
    )


@router.get("/me/recordings", response_model=MyRecordingPage, tags=["me"])
def my_recordings(
    person: PersonDep,
    vault: VaultDep,
    response: Response,
    since: Annotated[datetime | None, Query(alias="from")] = None,
    until: Annotated[datetime | None, Query(alias="to")] = None,
    device: str | None = None,
    member: str | None = None,
    q: Annotated[str | None, Query(max_length=history.MAX_WORDS)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: str | None = None,
) -> MyRecordingPage:
    """The signed-in person's recordings, newest first, one page at a time.

    `from` (inclusive) and `to` (exclusive) are ISO 8601 times with an offset;
    `device` and `member` are ids; `q` keeps recordings whose transcript holds
    every word of it (any case).
    """
    page = history.history(
        vault,
        account_id=person.account_id,
        filters=history.HistoryFilter(
            since=since, until=until, device=device, member=member, words=q
        ),
        limit=limit,
        before=history.parse_cursor(before),
    )
    response.headers["Cache-Control"] = "no-store"
    return MyRecordingPage(items=[my_recording_out(item) for item in page.items], next=page.cursor)


@router.get(
    "/me/recordings/{recording_id}/audio",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"audio/wav": {}}, "description": "The whole WAV file."},
        206: {"content": {"audio/wav": {}}, "description": "One byte range of it."},
        416: ERRORS[404],
    },
    tags=["me"],
)
async def my_audio(
    recording_id: str,
    person: PersonDep,
    vault: VaultDep,
    range_header: Annotated[str | None, Header(alias="range")] = None,
) -> StreamingResponse:
    """A recording's audio, decrypted on the fly; one `Range` per request (206), so a
    player can seek. 404 for a recording that is not the person's own."""
    part = await run_in_threadpool(
        history.open_own_audio,
        vault,
        account_id=person.account_id,
        recording_id=recording_id,
        range_header=range_header,
    )
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(part.range.length),
        "Cache-Control": "no-store",
    }
    if part.partial:
        headers["Content-Range"] = part.range.content_range(part.size)
    return ClosingStreamingResponse(
        part.chunks,
        status_code=206 if part.partial else 200,
        media_type="audio/wav",
        headers=headers,
    )
