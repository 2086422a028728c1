"""The portal's pages for deleting recordings and choosing how long they are kept.

Deleting: the voice history sends one recording or a selection (a POST: their
ids never go into a URL), or links to a date range, a device or everything;
each opens a confirmation page saying exactly what will go (how many, which
dates, which device) and that it cannot be undone. Confirming deletes
(retention.deletion.delete_own) and shows the receipt, which is kept: the
receipts page lists every one.

Retention: the choices with what each means and what it would do to the
recordings stored now (retention.choices), and changing it.

Deleting everything and changing retention need a fresh re-authentication;
the services check it, and when they refuse, the page sends the person to
``/reauth`` and back to the confirmation (deleting) or to the page with their
choice selected (retention), rather than to the path the form posted to.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from voxkeep.days import day_bounds, parse_day
from voxkeep.errors import InvalidInput, ReauthRequired
from voxkeep.recordings import history
from voxkeep.retention import choices, deletion
from voxkeep.retention.deletion import DeletionKind, DeletionReceipt, DeletionRequest, Owner
from voxkeep.web import i18n
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, SignedIn, reauth_page
from voxkeep.web.render import redirect, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _span(start: datetime | None, end: datetime | None) -> tuple[str, str]:
    """A range as whole days when it is whole days (the pages' ranges), else as times."""

    def last(end: datetime) -> str:
        end = end.astimezone(UTC)
        if end.time() == datetime.min.time():  # up to midnight: the day before, inclusive
            return (end - timedelta(days=1)).date().isoformat()
        return _when(end)

    first = ""
    if start is not None:
        start = start.astimezone(UTC)
        first = start.date().isoformat() if start.time() == datetime.min.time() else _when(start)
    return first, last(end) if end is not None else ""


# Reading what to delete -------------------------------------------------------------


def _request(fields: Mapping[str, str], recordings: list[str]) -> DeletionRequest:
    """The deletion a query string or form names (kind, recording(s), device, from, to)."""
    try:
        kind = DeletionKind(fields.get("kind", ""))
    except ValueError:
        raise InvalidInput("The page was asked for with values it does not understand.") from None
    start, end = day_bounds(parse_day(fields.get("from", "")), parse_day(fields.get("to", "")))
    return DeletionRequest(
        kind=kind,
        recording=recordings[0] if kind is DeletionKind.RECORDING and recordings else None,
        recordings=tuple(recordings) if kind is DeletionKind.SELECTION else (),
        device=fields.get("device") or None,
        start=start,
        end=end,
    )


def _carried(fields: Mapping[str, str], request: DeletionRequest) -> dict[str, object]:
    """What the confirmation form sends back to POST /delete."""
    return {
        "kind": request.kind.value,
        "recordings": [request.recording] if request.recording else list(request.recordings),
        "device": request.device or "",
        "from": fields.get("from", ""),
        "to": fields.get("to", ""),
    }


async def _confirm_page(
    request: Request,
    vault: VaultDep,
    who: SignedIn,
    fields: Mapping[str, str],
    wanted: DeletionRequest,
) -> Response:
    account_id = who.person.account_id
    found = await run_in_threadpool(
        deletion.preview, vault, owner=Owner(account_id=account_id), request=wanted
    )
    names = await run_in_threadpool(history.household, vault, account_id=account_id)
    devices = {d.id: d.name for d in names.devices}
    start, end = _span(wanted.start, wanted.end)
    return render(
        request,
        "portal/delete_confirm.html",
        lang=who.lang,
        signed_in=True,
        active="history",
        kind=wanted.kind.value,
        count=found.recordings,
        oldest=_when(found.oldest) if found.oldest else "",
        newest=_when(found.newest) if found.newest else "",
        device=devices.get(wanted.device or "", wanted.device or ""),
        start=start,
        end=end,
        carried=_carried(fields, wanted),
    )


@router.get("/delete")
async def confirm_from_link(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    """Confirm deleting a date range, a device's recordings or everything (from a link)."""
    fields = dict(request.query_params)
    wanted = _request(fields, [])
    if wanted.kind in (DeletionKind.RECORDING, DeletionKind.SELECTION):
        return redirect("/history")  # those come from the history's form, not a link
    return await _confirm_page(request, vault, who, fields, wanted)


@router.post("/delete/confirm")
async def confirm_from_history(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    """Confirm deleting one recording (its button) or the checked ones ("delete selected")."""
    form = await request.form()
    only = str(form.get("only") or "")
    picked = [str(v) for v in form.getlist("recording") if v]
    if not only and not picked:  # shown by PageRoute's error page, in the visitor's language
        raise InvalidInput(i18n.translate(who.lang, "delete.none_selected"))
    kind = DeletionKind.RECORDING if only else DeletionKind.SELECTION
    fields = {"kind": kind.value}
    wanted = _request(fields, [only] if only else picked)
    return await _confirm_page(request, vault, who, fields, wanted)


@router.post("/delete")
async def delete_confirmed(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    form = await request.form()
    fields = {k: str(form.get(k) or "") for k in ("kind", "device", "from", "to")}
    wanted = _request(fields, [str(v) for v in form.getlist("recording") if v])
    try:
        receipt = await run_in_threadpool(
            deletion.delete_own,
            vault,
            person=who.person,
            account_id=who.person.account_id,
            request=wanted,
        )
    except ReauthRequired:
        query = {k: v for k, v in fields.items() if v}
        return redirect(reauth_page("/delete?" + urlencode(query)))
    return redirect(f"/deletions/{receipt.id}")


# Receipts -------------------------------------------------------------------------


def _receipt_view(receipt: DeletionReceipt, devices: Mapping[str, str]) -> dict[str, object]:
    start, end = _span(receipt.start, receipt.end)
    return {
        "id": receipt.id,
        "kind": receipt.kind.value,
        "by_person": receipt.by_person,
        "asked": receipt.asked,
        "deleted": receipt.deleted,
        "transcripts": receipt.transcripts,
        "device": devices.get(receipt.device or "", receipt.device or ""),
        "start": start,
        "end": end,
        "at": _when(receipt.at),
        "iso": receipt.at.astimezone(UTC).isoformat(),
    }


async def _devices(vault: VaultDep, account_id: str) -> dict[str, str]:
    names = await run_in_threadpool(history.household, vault, account_id=account_id)
    return {d.id: d.name for d in names.devices}


@router.get("/deletions/{receipt_id}")
async def deletion_receipt(
    receipt_id: str, request: Request, vault: VaultDep, who: SignedIn
) -> Response:
    account_id = who.person.account_id
    receipt = await run_in_threadpool(
        deletion.own_receipt, vault, account_id=account_id, receipt_id=receipt_id
    )
    return render(
        request,
        "portal/deletion_receipt.html",
        lang=who.lang,
        signed_in=True,
        active="deletions",
        receipt=_receipt_view(receipt, await _devices(vault, account_id)),
    )


@router.get("/deletions")
async def deletion_receipts(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    account_id = who.person.account_id
    found = await run_in_threadpool(deletion.own_receipts, vault, account_id=account_id)
    devices = await _devices(vault, account_id)
    return render(
        request,
        "portal/deletion_receipts.html",
        lang=who.lang,
        signed_in=True,
        active="deletions",
        receipts=[_receipt_view(r, devices) for r in found],
    )


# Retention ------------------------------------------------------------------------


@router.get("/retention")
async def retention_page(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    found = await run_in_threadpool(choices.view, vault, account_id=who.person.account_id)
    offered = {c.retention.value for c in found.choices}
    wanted = request.query_params.get("choice", "")
    return render(
        request,
        "portal/retention.html",
        lang=who.lang,
        signed_in=True,
        active="retention",
        view=found,
        selected=wanted if wanted in offered else found.choice.value,
        changed="changed" in request.query_params,
    )


@router.post("/retention")
async def retention_change(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    form = await request.form()
    wanted = str(form.get("retention") or "")
    try:
        await run_in_threadpool(
            choices.choose,
            vault,
            person=who.person,
            account_id=who.person.account_id,
            choice=wanted,
        )
    except ReauthRequired:
        return redirect(reauth_page("/retention?" + urlencode({"choice": wanted})))
    return redirect("/retention?changed")
