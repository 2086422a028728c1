"""The console's audit page: the newest verify result, the newest signed checkpoint, and a
search of the events by action, object and time, newest first.

A search by an id the operator chose (an account's, a device's, …) is posted,
never put in the URL: such ids can be personal data. The search itself,
the pseudonyms and the paging are audit.search's.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from voxkeep.audit import log as audit
from voxkeep.audit import search
from voxkeep.audit.events import AuditAction
from voxkeep.audit.verifications import latest_verification
from voxkeep.days import day_bounds
from voxkeep.errors import InvalidInput, KeyDestroyed, NotFound
from voxkeep.vault import Vault
from voxkeep.web import i18n
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, StaffSigned, render_console, staff_page
from voxkeep.web.render import FieldError, day_field

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Reader = Annotated[StaffSigned, Depends(staff_page(*search.READERS))]
OPERATOR_IDS = [r.value for r in search.ObjectRef if r is not search.ObjectRef.LOGGED]


def _checkpoint(vault: Vault) -> str | None:
    try:
        return audit.latest_checkpoint_note(vault)
    except NotFound:
        return None


def _page(
    request: Request,
    who: StaffSigned,
    vault: Vault,
    *,
    query: search.EventQuery | None,
    before: str,
    filters: dict[str, str],
    found: dict[str, str],
    errors: list[FieldError],
) -> Response:
    older_than = int(before) if before.isdigit() else None
    page = search.search_events(vault, query, before=older_than) if query else None
    older_query = ""
    if page is not None and page.older is not None:
        older_query = urlencode({**{k: v for k, v in filters.items() if v}, "before": page.older})
    context: dict[str, Any] = {
        "verification": latest_verification(vault),
        "checkpoint": _checkpoint(vault),
        "actions": [a.value for a in AuditAction],
        "object_kinds": OPERATOR_IDS,
        "filters": filters,
        "found": found,
        "events": page.events if page else [],
        "older": page.older if page else None,
        "older_query": older_query,
        "errors": errors,
        "field_errors": {e.field: e.message for e in errors},
    }
    status = 422 if errors else 200
    return render_console(
        request, "console/audit.html", who, active="audit", status=status, **context
    )


@router.get("/console/audit")
def audit_page(request: Request, who: Reader, vault: VaultDep) -> Response:
    params = request.query_params
    filters = {name: params.get(name, "").strip() for name in ("action", "object", "from", "to")}
    errors: list[FieldError] = []
    bad_date = i18n.translate(who.lang, "audit.bad_date")
    first = day_field(filters["from"], "from", bad_date, errors)
    last = day_field(filters["to"], "to", bad_date, errors)
    if first and last and first > last:
        errors.append(FieldError("to", i18n.translate(who.lang, "audit.bad_range")))
    query = None
    if not errors:
        since, until = day_bounds(first, last)
        names = frozenset({filters["object"]}) if filters["object"] else None
        query = search.EventQuery(
            action=search.parse_action(filters["action"]), names=names, since=since, until=until
        )
    return _page(
        request,
        who,
        vault,
        query=query,
        before=params.get("before", ""),
        filters=filters,
        found={"kind": "account", "id": ""},
        errors=errors,
    )


@router.post("/console/audit")
async def audit_find(request: Request, who: Reader, vault: VaultDep) -> Response:
    form = await request.form()
    kind = str(form.get("object_kind") or "")
    object_id = str(form.get("object_id") or "").strip()
    if kind not in OPERATOR_IDS:
        raise InvalidInput("Choose the kind of id from the list.")
    errors: list[FieldError] = []
    query = None
    if not object_id:
        errors.append(FieldError("object_id", i18n.translate(who.lang, "audit.enter_id")))
    else:
        try:
            names = await run_in_threadpool(
                search.names_for_object, vault, search.ObjectRef(kind), object_id
            )
            query = search.EventQuery(names=names)
        except (NotFound, KeyDestroyed, InvalidInput):
            errors.append(FieldError("object_id", i18n.translate(who.lang, "audit.not_found")))
    filters = dict.fromkeys(("action", "object", "from", "to"), "")
    return await run_in_threadpool(
        _page,
        request,
        who,
        vault,
        query=query,
        before=str(form.get("before") or ""),
        filters=filters,
        found={"kind": kind, "id": object_id},
        errors=errors,
    )
