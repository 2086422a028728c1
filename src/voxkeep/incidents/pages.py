"""The portal's notices: what voxkeep had to tell the signed-in person about an incident
(Art. 34), newest first, in full. Opening the page marks each unread notice read.

Gathers from incidents.notices (the same service as ``GET /api/v1/me/notices``)
and renders.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from voxkeep.incidents import notices
from voxkeep.requests.pages import when
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, SignedIn
from voxkeep.web.render import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _view(notice: notices.OwnNotice) -> dict[str, object]:
    return {
        "id": notice.id,
        "written": when(notice.queued_at),
        "mailed": when(notice.mailed_at) if notice.mailed_at else None,
        "new": notice.read_at is None,
        "text": notice.text,
    }


@router.get("/notices")
async def my_notices(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    found = await run_in_threadpool(
        notices.read_own_notices, vault, account_id=who.person.account_id, language=who.lang
    )
    return render(
        request,
        "portal/notices.html",
        lang=who.lang,
        signed_in=True,
        active="notices",
        unread_notices=0,  # read now: no banner on the page that shows them
        notices=[_view(n) for n in found],
    )
