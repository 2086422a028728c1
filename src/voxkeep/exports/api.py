"""Routes for answers: the public signing key, the person's downloads, "not my data".

Thin shells over exports.delivery; every check of invariant 4 lives there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from voxkeep.byteranges import RangeNotSatisfiable
from voxkeep.exports import delivery, signing
from voxkeep.people.api import PersonDep, client_address
from voxkeep.vault import Vault
from voxkeep.web.deps import ERRORS, ExportId, VaultDep
from voxkeep.web.streaming import ClosingStreamingResponse

router = APIRouter(
    prefix="/api/v1", responses={**ERRORS, 410: ERRORS[404], 416: ERRORS[404]}, tags=["exports"]
)
NO_STORE = {"Cache-Control": "no-store"}


class PublicKeyOut(BaseModel):
    algorithm: str
    key_id: str
    public_key: str
    pem: str


class NotMineOut(BaseModel):
    ok: bool = True
    incident: str


@router.get("/exports/key", response_model=PublicKeyOut)
def export_key(vault: VaultDep) -> PublicKeyOut:
    """The public key that signs every answer's manifest.json (Ed25519). No sign-in needed."""
    with vault.reading() as session:
        info = signing.public_key_info(vault, session)
    return PublicKeyOut(**info.__dict__)


# The views are dataclasses; FastAPI serializes and documents them as they are.
@router.get("/exports", response_model=list[delivery.ExportView])
def my_exports(vault: VaultDep, person: PersonDep) -> list[delivery.ExportView]:
    """The signed-in person's answers, newest first."""
    return delivery.list_exports(vault, person=person)


@router.get("/exports/{export_id}", response_model=delivery.ExportView)
def my_export(export_id: ExportId, vault: VaultDep, person: PersonDep) -> delivery.ExportView:
    """One of the signed-in person's answers, with every download so far."""
    return delivery.get_export(vault, person=person, export_id=export_id)


@router.get(
    "/exports/{export_id}/archive",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/zip": {}}, "description": "The whole archive."},
        206: {"content": {"application/zip": {}}, "description": "One byte range."},
    },
)
async def download(
    export_id: ExportId,
    request: Request,
    vault: VaultDep,
    person: PersonDep,
    range_header: Annotated[str | None, Header(alias="range")] = None,
    if_range: Annotated[str | None, Header(alias="if-range")] = None,
) -> Response:
    """Download the archive: only the owner, in their own session, within 10 minutes of a
    password re-entry, before expiry and within the download limit. One `Range` per request."""
    try:
        return await archive_response(
            request, vault, person, export_id, range_header=range_header, if_range=if_range
        )
    except RangeNotSatisfiable as exc:
        body = {
            "ok": False,
            "error": exc.message,
            "hint": exc.hint,
            "code": exc.code,
            "status": exc.status,
        }
        return JSONResponse(body, exc.status, headers={**exc.headers, **NO_STORE})


async def archive_response(
    request: Request,
    vault: Vault,
    person: delivery.Person,
    export_id: str,
    *,
    range_header: str | None,
    if_range: str | None,
) -> Response:
    """The archive's bytes (whole, or the one range asked for), streamed as they are
    decrypted; delivery.open_download checks every condition first. Shared by the API
    and the portal's download."""
    got = await run_in_threadpool(
        delivery.open_download,
        vault,
        person=person,
        export_id=export_id,
        range_header=range_header,
        if_range=if_range,
        address=client_address(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(got.range.length),
        "Content-Disposition": f'attachment; filename="voxkeep-answer-{got.export_id[:12]}.zip"',
        "ETag": got.etag,
        **NO_STORE,
    }
    if got.partial:
        headers["Content-Range"] = got.range.content_range(got.size)
    return ClosingStreamingResponse(
        got.chunks,
        status_code=206 if got.partial else 200,
        media_type="application/zip",
        headers=headers,
    )


@router.post("/exports/{export_id}/not-mine", response_model=NotMineOut)
def not_mine(export_id: ExportId, vault: VaultDep, person: PersonDep) -> NotMineOut:
    """ "This is not my data": withdraws the answer at once and opens an incident."""
    return NotMineOut(incident=delivery.report_not_mine(vault, person=person, export_id=export_id))
