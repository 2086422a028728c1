"""The console's request pages: the queue (the console's home) with its CSV export,
entering a request that came by e-mail, post or phone, and one request's page with
exactly the actions the signed-in staff member may take (service.allowed_actions).

Every action is a POST to the service function the staff API calls too; the
service enforces roles, states and four eyes, so a forged form is refused there
whatever the page showed.

Handlers parse the URL's filters, ask requests.views and render; the rules
(who may read, what is overdue or at risk, what the CSV may hold) are the
service's. Filters live in the query string, so a filtered queue can be
bookmarked and shared among staff; they carry states, kinds and channels only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from voxkeep.errors import Conflict, InvalidInput, NotFound
from voxkeep.requests import service, verification, views
from voxkeep.requests.models import STAFF_CHANNELS, Channel, RequestKind, RequestState
from voxkeep.requests.service import MAY_ENTER, MAY_READ, may_enter
from voxkeep.vault import Vault
from voxkeep.web import i18n
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, StaffSigned, render_console, staff_page
from voxkeep.web.render import PAGE_HEADERS, FieldError, act, day_field, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Reader = Annotated[StaffSigned, Depends(staff_page(*MAY_READ))]

ALL = "all"


@dataclass(frozen=True)
class Filters:
    state: str  # "" (still owed), "all", or a RequestState
    kind: str
    channel: str

    @classmethod
    def of(cls, request: Request) -> Filters:
        query = request.query_params
        state, kind, channel = (query.get(k, "") for k in ("state", "kind", "channel"))
        try:
            if state and state != ALL:
                RequestState(state)
            if kind:
                RequestKind(kind)
            if channel:
                Channel(channel)
        except ValueError:
            raise InvalidInput(
                "The queue was asked for with a filter it does not know.",
                hint="Choose the filters on the queue's page.",
            ) from None
        return cls(state=state, kind=kind, channel=channel)

    def rows(self, vault: Vault, staff: StaffSigned) -> list[views.RequestSummary]:
        return views.list_requests(
            vault,
            staff=staff.staff,
            states=[RequestState(self.state)] if self.state and self.state != ALL else None,
            everything=self.state == ALL,
            kinds=[RequestKind(self.kind)] if self.kind else None,
            channels=[Channel(self.channel)] if self.channel else None,
        )

    @property
    def query(self) -> str:
        pairs = [(k, v) for k, v in vars(self).items() if v]
        return "&".join(f"{k}={v}" for k, v in pairs)


@router.get("/console/requests")
async def queue(request: Request, vault: VaultDep, who: Reader) -> Response:
    filters = Filters.of(request)
    rows = await run_in_threadpool(filters.rows, vault, who)
    return render_console(
        request,
        "console/requests.html",
        who,
        active="requests",
        rows=rows,
        filters=filters,
        states=[s.value for s in RequestState],
        kinds=[k.value for k in RequestKind],
        channels=[c.value for c in Channel],
        at_risk_days=views.AT_RISK_DAYS,
        may_enter=may_enter(who.staff),
    )


@router.get("/console/requests.csv")
async def queue_csv(request: Request, vault: VaultDep, who: Reader) -> Response:
    filters = Filters.of(request)
    rows = await run_in_threadpool(filters.rows, vault, who)
    return Response(
        views.summaries_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            **PAGE_HEADERS,
            "Content-Disposition": 'attachment; filename="voxkeep-requests.csv"',
        },
    )


# One request -------------------------------------------------------------------------

Enterer = Annotated[StaffSigned, Depends(staff_page(*MAY_ENTER))]
REASON_FIELDS = {"extend": "extend-reason", "refuse": "refuse-reason", "cancel": "cancel-reason"}


def _request_page(
    request: Request,
    vault: Vault,
    who: StaffSigned,
    request_id: str,
    *,
    errors: Sequence[FieldError] = (),
    status: int = 200,
) -> Response:
    detail = views.show_request(vault, staff=who.staff, request_id=request_id)
    return render_console(
        request,
        "console/request.html",
        who,
        status=status,
        active="requests",
        detail=detail,
        s=detail.summary,
        unreadable=views.ERASED,  # a sealed text of an erased account: worded by the page
        errors=list(errors),
        field_errors={e.field: e.message for e in errors},
        done=request.query_params.get("done", ""),
    )


@router.get("/console/requests/new")
def new_form(request: Request, who: Enterer) -> Response:
    return _new_page(request, who)


def _new_page(
    request: Request,
    who: StaffSigned,
    *,
    errors: Sequence[FieldError] = (),
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render_console(
        request,
        "console/request_new.html",
        who,
        status=status,
        active="requests",
        errors=list(errors),
        field_errors={e.field: e.message for e in errors},
        values=values or {},
        kinds=[k.value for k in RequestKind],
        channels=[c.value for c in STAFF_CHANNELS],
    )


@router.post("/console/requests/new")
async def new_submit(request: Request, vault: VaultDep, who: Enterer) -> Response:
    form = await request.form()
    values = {
        k: str(form.get(k) or "").strip()
        for k in ("account", "kind", "channel", "received", "note")
    }

    def t(key: str, **more: object) -> str:
        return i18n.translate(who.lang, key, **more)

    errors = []
    if not values["account"]:
        errors.append(FieldError("account", t("console.new_account_missing")))
    if values["kind"] not in {k.value for k in RequestKind}:
        errors.append(FieldError("kind", t("console.new_kind_missing")))
    if values["channel"] not in {c.value for c in STAFF_CHANNELS}:
        errors.append(FieldError("channel", t("console.new_channel_missing")))
    received = day_field(values["received"], "received", t("history.bad_date"), errors)
    if errors:
        return _new_page(request, who, errors=errors, values=values, status=422)
    try:
        request_id = await run_in_threadpool(
            service.enter_request,
            vault,
            staff=who.staff,
            account=values["account"],
            kind=RequestKind(values["kind"]),
            channel=Channel(values["channel"]),
            received_on=received,
            note=values["note"] or None,
        )
    except (InvalidInput, NotFound, Conflict) as exc:
        field = "received" if isinstance(exc, InvalidInput) else "account"
        return _new_page(
            request, who, errors=[FieldError(field, exc.message)], values=values, status=exc.status
        )
    return redirect(f"/console/requests/{request_id}?done=entered")


@router.get("/console/requests/{request_id}")
async def request_page(request: Request, request_id: str, vault: VaultDep, who: Reader) -> Response:
    return await run_in_threadpool(_request_page, request, vault, who, request_id)


async def _act(
    request: Request,
    vault: Vault,
    who: StaffSigned,
    request_id: str,
    action: str,
    call: Callable[[], object],
    field: str,
) -> Response:
    """Run a staff action (web.render.act) from the request's page."""

    def again(problem: FieldError) -> Response:
        return _request_page(request, vault, who, request_id, errors=[problem], status=422)

    return await act(
        call, done=f"/console/requests/{request_id}?done={action}", again=again, field=field
    )


@router.post("/console/requests/{request_id}/send-code")
async def send_code(request: Request, request_id: str, vault: VaultDep, who: Reader) -> Response:
    def call() -> object:
        return verification.send_code(vault, staff=who.staff, request_id=request_id)

    return await _act(request, vault, who, request_id, "send_code", call, "send-code")


@router.post("/console/requests/{request_id}/confirm-address")
async def confirm_address(
    request: Request, request_id: str, vault: VaultDep, who: Reader
) -> Response:
    def call() -> object:
        return verification.confirm_address(vault, staff=who.staff, request_id=request_id)

    return await _act(request, vault, who, request_id, "confirm_address", call, "confirm-address")


@router.post("/console/requests/{request_id}/check-code")
async def check_code(request: Request, request_id: str, vault: VaultDep, who: Reader) -> Response:
    form = await request.form()
    code, evidence = str(form.get("code") or ""), str(form.get("evidence") or "")

    def call() -> object:
        verification.check_code(
            vault, staff=who.staff, request_id=request_id, code=code, evidence=evidence
        )
        return None

    field = "evidence" if code.strip() and not evidence.strip() else "code"
    return await _act(request, vault, who, request_id, "check_code", call, field)


@router.post("/console/requests/{request_id}/approve")
async def approve(request: Request, request_id: str, vault: VaultDep, who: Reader) -> Response:
    def call() -> object:
        service.approve(vault, staff=who.staff, request_id=request_id)
        return None

    return await _act(request, vault, who, request_id, "approve", call, "approve")


@router.post("/console/requests/{request_id}/extend")
async def extend(request: Request, request_id: str, vault: VaultDep, who: Reader) -> Response:
    form = await request.form()
    reason = str(form.get("reason") or "")
    months = 2 if str(form.get("months")) == "2" else 1

    def call() -> object:
        return service.extend(
            vault, staff=who.staff, request_id=request_id, months=months, reason=reason
        )

    return await _act(request, vault, who, request_id, "extend", call, REASON_FIELDS["extend"])


@router.post("/console/requests/{request_id}/refuse")
@router.post("/console/requests/{request_id}/cancel")
async def end_with_reason(
    request: Request, request_id: str, vault: VaultDep, who: Reader
) -> Response:
    """Refuse or cancel: the same form (a reason), each its service function."""
    action = request.url.path.rsplit("/", 1)[1]
    end = service.refuse if action == "refuse" else service.cancel
    form = await request.form()
    reason = str(form.get("reason") or "")

    def call() -> object:
        end(vault, staff=who.staff, request_id=request_id, reason=reason)
        return None

    return await _act(request, vault, who, request_id, action, call, REASON_FIELDS[action])
