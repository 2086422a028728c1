"""The console's incident pages: the list with each 72-hour clock, and one incident's evidence.

Gather from incidents.service and render; the clock is the service's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from voxkeep.incidents import service
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, StaffSigned, render_console, staff_page

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
