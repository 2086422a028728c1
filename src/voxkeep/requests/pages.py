"""The portal's requests: ask for a copy, the machine-readable data or erasure; follow
each request's steps and legal due date; withdraw one while that is still possible.

Handlers gather from requests.service and requests.views (the same services as
``/api/v1/requests/mine``) and render. Filing needs a fresh re-authentication
(its identity check): the form page asks the service first, so a person whose
password check is stale is sent to ``/reauth`` and back before they see it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from voxkeep.errors import NotFound
from voxkeep.requests import service, views
from voxkeep.requests.models import RequestKind
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, SignedIn
from voxkeep.web.render import redirect, render

LIST = "/requests"
router = APIRouter(route_class=PageRoute, include_in_schema=False)


def request_page(request_id: str) -> str:
    return f"{LIST}/{request_id}"


def _kind(value: str) -> RequestKind:
    try:
        return RequestKind(value)
    except ValueError:
        raise NotFound("There is no such kind of request.") from None


def when(at: datetime) -> dict[str, str]:
    """A time for a page: machine-readable and as people read it (UTC)."""
    at = at.astimezone(UTC)
    return {"iso": at.isoformat(), "day": at.strftime("%Y-%m-%d"), "minute": f"{at:%Y-%m-%d %H:%M}"}


def _summary(summary: views.RequestSummary) -> dict[str, object]:
    return {
        "id": summary.id,
        "kind": summary.kind,
        "state": summary.state,
        "received": when(summary.received_at),
        "due": when(summary.due_at),
        "paused": summary.paused,
        "overdue": summary.overdue,
        "extended": summary.extension_months,
        "link": request_page(summary.id),
    }


@router.get(LIST)
async def my_requests(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    found = await run_in_threadpool(views.list_own, vault, person=who.person)
    return render(
        request,
        "portal/requests.html",
        lang=who.lang,
        signed_in=True,
        active="requests",
        requests=[_summary(s) for s in found],
        kinds=[k.value for k in RequestKind],
    )


@router.get(LIST + "/new/{kind}")
async def ask_form(kind: str, request: Request, vault: VaultDep, who: SignedIn) -> Response:
    wanted = _kind(kind)
    # Stale password check: ReauthRequired sends the person to /reauth and back here.
    await run_in_threadpool(service.require_filing_reauth, vault, person=who.person)
    return render(
        request, "portal/ask.html", lang=who.lang, signed_in=True, active="requests", kind=wanted
    )


@router.post(LIST + "/new/{kind}")
async def ask_submit(kind: str, vault: VaultDep, who: SignedIn) -> Response:
    wanted = _kind(kind)
    filed = await run_in_threadpool(service.file_request, vault, person=who.person, kind=wanted)
    return redirect(request_page(filed) + "?sent")


async def _request_page(
    request: Request, vault: VaultDep, who: SignedIn, request_id: str, template: str
) -> Response:
    view = await run_in_threadpool(views.show_own, vault, person=who.person, request_id=request_id)
    return render(
        request,
        template,
        lang=who.lang,
        signed_in=True,
        active="requests",
        item=_summary(view.summary),
        steps=[{"when": when(s.at), "state": s.state, "step": s.step} for s in view.timeline],
        extension_reason=view.extension_reason,
        refusal_reason=view.refusal_reason,
        answer=f"/answers/{view.export_id}" if view.export_id else "",
        can_withdraw=view.can_withdraw,
        sent="sent" in request.query_params,
        withdrawn="withdrawn" in request.query_params,
    )


@router.get(LIST + "/{request_id}")
async def one_request(
    request_id: str, request: Request, vault: VaultDep, who: SignedIn
) -> Response:
    return await _request_page(request, vault, who, request_id, "portal/request.html")


@router.get(LIST + "/{request_id}/withdraw")
async def withdraw_form(
    request_id: str, request: Request, vault: VaultDep, who: SignedIn
) -> Response:
    return await _request_page(request, vault, who, request_id, "portal/withdraw.html")


@router.post(LIST + "/{request_id}/withdraw")
async def withdraw_submit(request_id: str, vault: VaultDep, who: SignedIn) -> Response:
    await run_in_threadpool(service.cancel_own, vault, person=who.person, request_id=request_id)
    return redirect(request_page(request_id) + "?withdrawn")
