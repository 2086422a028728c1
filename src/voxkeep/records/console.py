"""The console's record of processing (Art. 30): the page and its PDF, for the DPO and admins.

Both render records.service.processing_record; the page in the console's language,
the PDF in the one asked for (``?language=``, else the console's).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from voxkeep.records import service
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, StaffSigned, render_console, staff_page
from voxkeep.web.render import PAGE_HEADERS

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Reader = Annotated[StaffSigned, Depends(staff_page(*service.READERS))]


@router.get("/console/records")
def records_page(request: Request, who: Reader, vault: VaultDep) -> Response:
    record = service.processing_record(vault.settings, who.lang)
    return render_console(
        request,
        "console/records.html",
        who,
        active="records",
        record=record,
    )


@router.get("/console/records.pdf")
async def records_pdf(request: Request, who: Reader, vault: VaultDep) -> Response:
    language = request.query_params.get("language", who.lang)
    pdf = await run_in_threadpool(service.processing_record_pdf, vault.settings, language)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            **PAGE_HEADERS,
            "Content-Disposition": f'attachment; filename="voxkeep-record-{language}.pdf"',
        },
    )
