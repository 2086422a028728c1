"""The console's incident pages: the list with each 72-hour clock, and one incident's evidence.

Gather from incidents.service and render; the clock is the service's.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from voxkeep.incidents import containment, service
from voxkeep.people.api import STAFF_KNOWN_COOKIE, client_address
from voxkeep.people.staff import staff_reauthenticate
from voxkeep.vault import Vault
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, StaffSigned, render_console, staff_page
from voxkeep.web.render import redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Reader = Annotated[StaffSigned, Depends(staff_page(*service.READERS))]


@router.get("/console/incidents")
def incidents_page(request: Request, who: Reader, vault: VaultDep) -> Response:
    rows = service.incident_summaries(vault)
    return render_console(request, "console/incidents.html", who, active="incidents", rows=rows)


@router.get("/console/incidents/{incident_id}")
def incident_page(request: Request, incident_id: str, who: Reader, vault: VaultDep) -> Response:
    detail = service.show_incident(vault, incident_id)
    return render_console(
        request,
        "console/incident.html",
        who,
        active="incidents",
        row=detail.summary,
        detail=detail,
    )


# Containment (incidents/containment.py): a form on the incident page names the action,
# its page asks for the password again (unless it was re-entered in the last 10 minutes)
# and for a confirmation; the page after it says what was done.
Container = Annotated[StaffSigned, Depends(staff_page(*containment.CONTAINERS))]
CONTAIN = "/console/incidents/{incident_id}/contain"


def _contain_page(
    request: Request, who: StaffSigned, vault: Vault, incident_id: str, action: str, form: Any
) -> Response:
    chosen = containment.action_of(action)
    detail = service.show_incident(vault, incident_id)
    return render_console(
        request,
        "console/incident_contain.html",
        who,
        active="incidents",
        row=detail.summary,
        action=chosen.value,
        values=containment.fields_of(chosen, form),
        fresh=containment.reauth_is_fresh(who.staff),
    )


@router.get(CONTAIN + "/{action}")
def contain_page(
    request: Request, incident_id: str, action: str, who: Container, vault: VaultDep
) -> Response:
    return _contain_page(request, who, vault, incident_id, action, request.query_params)


@router.post(CONTAIN + "/{action}/reauth")
async def contain_reauth(
    request: Request, incident_id: str, action: str, who: Container, vault: VaultDep
) -> Response:
    chosen = containment.action_of(action)
    form = await request.form()
    await run_in_threadpool(
        staff_reauthenticate,
        vault,
        staff=who.staff,
        password=str(form.get("password") or ""),
        client=client_address(request),
        known_client=request.cookies.get(STAFF_KNOWN_COOKIE),
    )
    query = urlencode(containment.fields_of(chosen, {k: str(v) for k, v in form.items()}))
    return redirect(
        f"/console/incidents/{quote(incident_id, safe='')}/contain/{chosen.value}?{query}"
    )


@router.post(CONTAIN + "/{action}")
async def contain_submit(
    request: Request, incident_id: str, action: str, who: Container, vault: VaultDep
) -> Response:
    form = await request.form()
    chosen = containment.action_of(action)
    done = await run_in_threadpool(
        partial(
            containment.contain,
            vault,
            action=chosen,
            incident_id=incident_id,
            fields=containment.fields_of(chosen, {k: str(v) for k, v in form.items()}),
            by=who.staff,
        )
    )
    return render_console(
        request,
        "console/incident_contained.html",
        who,
        active="incidents",
        incident_id=incident_id,
        done=done,
    )
