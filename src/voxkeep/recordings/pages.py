"""The portal's voice history: the signed-in person's recordings, newest first, with
filters, each playable in the page.

The page gathers from recordings.history and renders. Each recording has a
checkbox and a delete button (one form around the list: "delete selected"
sends the checked ones); the deleting itself is retention/pages.py.

Filters may travel in the URL as dates and operator device and member ids;
never a name, an e-mail address or the search words, which are what the
person said and would stay in browser history, server logs and referrers.
So the filter form is posted (with its CSRF token, as every page form):
without words it sends the browser to the filters' URL (GET /history?…),
with words it answers with the page itself, and the paging of a search posts
the words back in hidden fields. Audio plays from the person API's
Range-capable route, so the browser's player can seek.
"""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from voxkeep.days import day_bounds
from voxkeep.recordings import history
from voxkeep.recordings.api import audio_path
from voxkeep.web import i18n
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, SignedIn
from voxkeep.web.render import FieldError, day_field, redirect, render

PAGE_SIZE = 20
FILTERS = ("from", "to", "device", "member")  # what a URL may carry; the words never
router = APIRouter(route_class=PageRoute, include_in_schema=False)


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


async def _history_page(
    request: Request,
    vault: VaultDep,
    who: SignedIn,
    *,
    filters: dict[str, str],
    words: str,
    before: str | None,
) -> Response:
    errors: list[FieldError] = []
    bad_date = i18n.translate(who.lang, "history.bad_date")
    first, last = (day_field(filters[name], name, bad_date, errors) for name in ("from", "to"))
    account_id = who.person.account_id
    if errors:
        names = await run_in_threadpool(history.household, vault, account_id=account_id)
        page = history.HistoryPage(items=[], next=None, household=names)
    else:
        since, until = day_bounds(first, last)
        wanted = history.HistoryFilter(
            since=since,
            until=until,
            device=filters["device"] or None,
            member=filters["member"] or None,
            words=words or None,
        )
        page = await run_in_threadpool(
            history.history,
            vault,
            account_id=account_id,
            filters=wanted,
            limit=PAGE_SIZE,
            before=history.parse_cursor(before),
        )
    # A search pages by posting its words back (the template's pager forms); other
    # pages by links that carry the filters.
    older = page.cursor or ""
    return render(
        request,
        "portal/history.html",
        lang=who.lang,
        signed_in=True,
        active="history",
        errors=errors,
        field_errors={e.field: e.message for e in errors},
        filters=filters,
        words=words,
        devices=page.household.devices,
        members=page.household.members,
        items=[_item(item) for item in page.items],
        older_cursor=older,
        older=_link(filters, before=older) if older else "",
        paged=bool(before),
        delete_range=_delete_link("range", filters, "from", "to") if not errors else "",
        delete_device=_delete_link("device", filters, "device"),
        newest=_link(filters) if before else "",
    )


@router.get("/history")
async def voice_history(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    params = request.query_params
    filters = {name: params.get(name, "").strip() for name in FILTERS}
    return await _history_page(
        request, vault, who, filters=filters, words="", before=params.get("before")
    )


@router.post("/history")
async def history_search(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    """The filter form, and the paging of a search: words answer here; filters alone
    go to their URL."""
    form = await request.form()
    filters = {name: str(form.get(name) or "").strip() for name in FILTERS}
    words = str(form.get("q") or "").strip()
    if not words:
        return redirect(_link(filters))
    before = str(form.get("before") or "") or None
    return await _history_page(request, vault, who, filters=filters, words=words, before=before)
