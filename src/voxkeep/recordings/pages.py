"""The portal's voice history: the signed-in person's recordings, newest first, with
filters in the query string, each playable in the page.

The page gathers from recordings.history and renders. Each recording has a
checkbox and a delete button (one form around the list: "delete selected"
sends the checked ones); the deleting itself is retention/pages.py. Filters travel in the
URL as dates, operator device and member ids and the search words; never a
name or an e-mail address. Audio plays from the person API's Range-capable
route, so the browser's player can seek.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from voxkeep.recordings import history
from voxkeep.recordings.api import audio_path
from voxkeep.web import i18n
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, SignedIn
from voxkeep.web.render import FieldError, render

PAGE_SIZE = 20
FILTERS = ("from", "to", "device", "member", "q")
router = APIRouter(route_class=PageRoute, include_in_schema=False)


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD date as the pages' date fields send it; None when empty or not one."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole days in UTC: from the start of since up to the start of the day after until."""
    return (
        datetime.combine(since, time(), UTC) if since else None,
        datetime.combine(until + timedelta(days=1), time(), UTC) if until else None,
    )


def _item(item: history.HistoryItem) -> dict[str, object]:
    at = item.info.captured_at.astimezone(UTC)
    return {
        "id": item.info.id,
        "iso": at.isoformat(),
        "when": at.strftime("%Y-%m-%d %H:%M UTC"),
        "device": item.device_name,
        "speaker": item.speaker_name,
        "seconds": round(item.info.duration_ms / 1000, 1),
        "transcript": item.transcript,
        "audio": audio_path(item.info.id),
    }


def _link(filters: dict[str, str], **more: str) -> str:
    query = urlencode({k: v for k, v in {**filters, **more}.items() if v})
    return "/history" + (f"?{query}" if query else "")


def _delete_link(kind: str, filters: dict[str, str], *names: str) -> str:
    """The confirmation page of deleting what the filters name (empty if they name nothing)."""
    chosen = {name: filters[name] for name in names if filters[name]}
    return "/delete?" + urlencode({"kind": kind, **chosen}) if chosen else ""


@router.get("/history")
async def voice_history(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    params = request.query_params
    filters = {name: params.get(name, "").strip() for name in FILTERS}
    errors = [
        FieldError(name, i18n.translate(who.lang, "history.bad_date"))
        for name in ("from", "to")
        if filters[name] and parse_day(filters[name]) is None
    ]
    account_id = who.person.account_id
    if errors:
        names = await run_in_threadpool(history.household, vault, account_id=account_id)
        page = history.HistoryPage(items=[], next=None, household=names)
    else:
        since, until = day_bounds(parse_day(filters["from"]), parse_day(filters["to"]))
        wanted = history.HistoryFilter(
            since=since,
            until=until,
            device=filters["device"] or None,
            member=filters["member"] or None,
            words=filters["q"] or None,
        )
        page = await run_in_threadpool(
            history.history,
            vault,
            account_id=account_id,
            filters=wanted,
            limit=PAGE_SIZE,
            before=history.parse_cursor(params.get("before")),
        )
    return render(
        request,
        "portal/history.html",
        lang=who.lang,
        signed_in=True,
        active="history",
        errors=errors,
        field_errors={e.field: e.message for e in errors},
        filters=filters,
        devices=page.household.devices,
        members=page.household.members,
        items=[_item(item) for item in page.items],
        older=_link(filters, before=page.cursor) if page.cursor else "",
        delete_range=_delete_link("range", filters, "from", "to") if not errors else "",
        delete_device=_delete_link("device", filters, "device"),
        newest=_link(filters) if params.get("before") else "",
    )
