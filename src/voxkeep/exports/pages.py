"""The portal's answer page: what the answer holds, every download of it, the download
itself, and "this is not my data".

Handlers gather from exports.delivery (the same service as ``/api/v1/exports``)
and render. The download is the API's own streaming response (Range-capable);
when the password check is stale, the person re-enters it at ``/reauth`` and
comes back to this page to download. "This is not my data" is a prominent
button on the page, confirmed on a page of its own, and answered by a page
that says what happened and what comes next.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from voxkeep.errors import ReauthRequired
from voxkeep.exports import delivery
from voxkeep.exports.api import archive_response
from voxkeep.exports.models import ExportState
from voxkeep.requests.pages import request_page, when
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, SignedIn, reauth_page
from voxkeep.web.render import redirect, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def answer_page(export_id: str) -> str:
    return f"/answers/{export_id}"


def _answer(view: delivery.ExportView) -> dict[str, object]:
    return {
        "id": view.id,
        "kind": view.kind,
        "state": view.state,
        "released": view.state == ExportState.RELEASED.value,
        "created": when(view.created_at),
        "expires": when(view.expires_at) if view.expires_at else None,
        "megabytes": f"{view.size / 1_000_000:.1f}",
        "files": view.files,
        "recordings": view.recordings,
        "withheld": view.withheld,
        "downloads_left": view.downloads_left,
        "max_downloads": view.max_downloads,
        "incident": view.incident,
        "request": request_page(view.request_id),
        "page": answer_page(view.id),
        "downloads": [
            {
                "when": when(d.at),
                "address": d.address,
                "browser": d.user_agent,
                "whole": d.range_start == 0 and d.range_end == view.size - 1,
                "start": d.range_start,
                "end": d.range_end,
            }
            for d in view.downloads
        ],
    }


async def _view(vault: VaultDep, who: SignedIn, export_id: str) -> delivery.ExportView:
    return await run_in_threadpool(
        delivery.get_export, vault, person=who.person, export_id=export_id
    )


def _page(request: Request, who: SignedIn, view: delivery.ExportView, template: str) -> Response:
    return render(
        request, template, lang=who.lang, signed_in=True, active="requests", answer=_answer(view)
    )


@router.get("/answers/{export_id}")
async def answer(export_id: str, request: Request, vault: VaultDep, who: SignedIn) -> Response:
    return _page(request, who, await _view(vault, who, export_id), "portal/answer.html")


@router.get("/answers/{export_id}/download")
async def download(export_id: str, request: Request, vault: VaultDep, who: SignedIn) -> Response:
    try:
        return await archive_response(
            request,
            vault,
            who.person,
            export_id,
            range_header=request.headers.get("range"),
            if_range=request.headers.get("if-range"),
        )
    except ReauthRequired:
        # Back to the answer's page, not to the download: a download that followed the
        # password form would leave the person looking at that form.
        return redirect(reauth_page(answer_page(export_id)))


@router.get("/answers/{export_id}/not-mine")
async def not_mine_form(
    export_id: str, request: Request, vault: VaultDep, who: SignedIn
) -> Response:
    return _page(request, who, await _view(vault, who, export_id), "portal/not_mine.html")


@router.post("/answers/{export_id}/not-mine")
async def not_mine_submit(export_id: str, vault: VaultDep, who: SignedIn) -> Response:
    await run_in_threadpool(delivery.report_not_mine, vault, person=who.person, export_id=export_id)
    return redirect(answer_page(export_id) + "/reported")


@router.get("/answers/{export_id}/reported")
async def reported(export_id: str, request: Request, vault: VaultDep, who: SignedIn) -> Response:
    view = await _view(vault, who, export_id)
    if view.incident is None:  # nothing was reported: the answer's page says what there is
        return redirect(answer_page(export_id))
    return _page(request, who, view, "portal/reported.html")
