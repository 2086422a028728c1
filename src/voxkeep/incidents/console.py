"""The console's incident pages: the register with each 72-hour clock, and one incident's
page with its clock, awareness, assessment, affected people, timeline, evidence and close.

Gather from incidents.service and render; every form is a POST to the one service
function the CLI and the API call too, which checks the role (DPO) and the state,
so a forged form is refused there whatever the page showed. Handlers only parse
the form; a problem with it is shown beside its field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from voxkeep.errors import Conflict, InvalidInput, NotFound, VoxkeepError
from voxkeep.incidents import containment, notification, notify, service
from voxkeep.incidents.models import IncidentState, Risk
from voxkeep.incidents.states import CLOSED_IS_FINAL
from voxkeep.people.api import STAFF_KNOWN_COOKIE, client_address
from voxkeep.people.staff import staff_reauthenticate
from voxkeep.vault import Vault
from voxkeep.web import i18n
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, StaffSigned, render_console, staff_page
from voxkeep.web.render import FieldError, act, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Reader = Annotated[StaffSigned, Depends(staff_page(*service.READERS))]
Actor = Annotated[StaffSigned, Depends(staff_page(*service.ACTORS))]


@router.get("/console/incidents")
def incidents_page(request: Request, who: Reader, vault: VaultDep) -> Response:
    rows = service.incident_summaries(vault)
    return render_console(request, "console/incidents.html", who, active="incidents", rows=rows)


def _incident_page(
    request: Request,
    vault: Vault,
    who: StaffSigned,
    incident_id: str,
    *,
    errors: Sequence[FieldError] = (),
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    detail = service.show_incident(vault, incident_id, reader=who.staff)
    acting = who.has(*service.ACTORS) and detail.summary.state is not IncidentState.CLOSED
    return render_console(
        request,
        "console/incident.html",
        who,
        status=status,
        active="incidents",
        row=detail.summary,
        detail=detail,
        acting=acting,
        may_close=IncidentState.CLOSED in detail.next_states,
        risks=[r.value for r in Risk],
        errors=list(errors),
        field_errors={e.field: e.message for e in errors},
        values=values or {},
        done=request.query_params.get("done", ""),
        people=notify.people_section(vault, incident_id, language=who.lang),
    )


@router.get("/console/incidents/{incident_id}")
async def incident_page(
    request: Request, incident_id: str, who: Reader, vault: VaultDep
) -> Response:
    return await run_in_threadpool(_incident_page, request, vault, who, incident_id)


async def _act(
    request: Request,
    vault: Vault,
    who: StaffSigned,
    incident_id: str,
    action: str,
    call: Callable[[], object],
    field: str | Callable[[VoxkeepError], str],
    values: dict[str, str],
    beside: tuple[type[VoxkeepError], ...] = (InvalidInput,),
) -> Response:
    """Run the DPO's action (web.render.act) from the incident's page."""

    def again(problem: FieldError) -> Response:
        return _incident_page(
            request, vault, who, incident_id, errors=[problem], values=values, status=422
        )

    done = f"/console/incidents/{incident_id}?done={action}"
    return await act(call, done=done, again=again, field=field, beside=beside)


async def _form(request: Request, *names: str) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "") for name in names}


def _aware_at(value: str, lang: str) -> datetime:
    """The form's date and time (UTC, from a datetime-local control)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(i18n.translate(lang, "incidents.aware_bad_time")) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@router.post("/console/incidents/{incident_id}/aware")
async def aware(request: Request, incident_id: str, vault: VaultDep, who: Actor) -> Response:
    values = await _form(request, "aware_at", "reason")

    def call() -> object:
        when = _aware_at(values["aware_at"], who.lang)
        return service.set_awareness(
            vault, staff=who.staff, incident_id=incident_id, aware_at=when, reason=values["reason"]
        )

    filled = values["aware_at"].strip() and not values["reason"].strip()
    field = "aware-reason" if filled else "aware-at"
    return await _act(request, vault, who, incident_id, "aware", call, field, values)


@router.post("/console/incidents/{incident_id}/assess")
async def assess(request: Request, incident_id: str, vault: VaultDep, who: Actor) -> Response:
    values = await _form(
        request,
        "risk",
        "reason",
        "nature",
        "consequences",
        "measures_taken",
        "measures_proposed",
    )

    def call() -> object:
        try:
            risk = Risk(values["risk"])
        except ValueError:
            raise InvalidInput(i18n.translate(who.lang, "incidents.assess_no_risk")) from None
        return service.assess(
            vault,
            staff=who.staff,
            incident_id=incident_id,
            risk=risk,
            reason=values["reason"],
            nature=values["nature"],
            consequences=values["consequences"],
            measures_taken=values["measures_taken"],
            measures_proposed=values["measures_proposed"],
        )

    field = "assess-reason" if values["risk"] in {r.value for r in Risk} else "assess-risk"
    return await _act(request, vault, who, incident_id, "assess", call, field, values)


@router.post("/console/incidents/{incident_id}/derive")
async def derive(request: Request, incident_id: str, vault: VaultDep, who: Actor) -> Response:
    def call() -> object:
        return service.derive_affected(vault, staff=who.staff, incident_id=incident_id)

    return await _act(request, vault, who, incident_id, "derive", call, "derive", {})


@router.post("/console/incidents/{incident_id}/affected")
async def add_affected(request: Request, incident_id: str, vault: VaultDep, who: Actor) -> Response:
    values = await _form(request, "account", "reason")

    def call() -> object:
        if not values["account"].strip():
            raise InvalidInput(i18n.translate(who.lang, "incidents.affected_no_account"))
        return service.add_affected(
            vault,
            staff=who.staff,
            incident_id=incident_id,
            account=values["account"],
            reason=values["reason"],
        )

    def field(exc: VoxkeepError) -> str:
        typed = isinstance(exc, InvalidInput) and values["account"].strip()
        return "affected-reason" if typed else "affected-account"

    # The account id is never sent back into the page: it may be personal data.
    return await _act(
        request,
        vault,
        who,
        incident_id,
        "affected",
        call,
        field,
        {},
        beside=(InvalidInput, NotFound, Conflict),
    )


@router.post("/console/incidents/{incident_id}/close")
async def close(request: Request, incident_id: str, vault: VaultDep, who: Actor) -> Response:
    values = await _form(request, "reason")

    def call() -> object:
        service.close(vault, staff=who.staff, incident_id=incident_id, reason=values["reason"])
        return None

    return await _act(request, vault, who, incident_id, "close", call, "close-reason", values)


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
    if detail.summary.state is IncidentState.CLOSED:
        raise Conflict(CLOSED_IS_FINAL[0], hint=CLOSED_IS_FINAL[1])
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


# Telling the people affected (Art. 34): incidents.notify; the section is
# console/incident_people.html, its data incidents.notify.people_section.


@router.post("/console/incidents/{incident_id}/notices")
async def tell_people(request: Request, incident_id: str, vault: VaultDep, who: Actor) -> Response:
    from voxkeep.incidents.notice_texts import What
    from voxkeep.incidents.notify import notify_affected

    values = await _form(request, "what", "note", "confirm")
    # Whom to tell: the people ticked, each told what happened to them (one text per send).
    only = [str(name) for name in (await request.form()).getlist("only")]

    def call() -> object:
        try:
            what = What(values["what"])
        except ValueError:
            raise InvalidInput(i18n.translate(who.lang, "notify.what_missing")) from None
        if not only:
            raise InvalidInput(i18n.translate(who.lang, "notify.who_missing"))
        if values["confirm"] != "yes":
            raise InvalidInput(i18n.translate(who.lang, "notify.confirm_missing"))
        return notify_affected(
            vault, incident_id, actor=who.staff, what=what, note=values["note"] or None, only=only
        )

    def field(exc: VoxkeepError) -> str:
        if values["what"] not in {w.value for w in What} or not isinstance(exc, InvalidInput):
            return "people-what"
        return "people-confirm" if only else "people-who"

    return await _act(
        request,
        vault,
        who,
        incident_id,
        "notices",
        call,
        field,
        values,
        beside=(InvalidInput, Conflict),
    )


@router.post("/console/incidents/{incident_id}/not-told")
async def not_told(request: Request, incident_id: str, vault: VaultDep, who: Actor) -> Response:
    """Art. 34(3): the people ticked are not told, on the basis chosen, with a reason."""
    from voxkeep.incidents.telling import NotTelling

    values = await _form(request, "basis", "reason")
    only = [str(name) for name in (await request.form()).getlist("only")]

    def call() -> object:
        if not only:
            raise InvalidInput(i18n.translate(who.lang, "notify.not_told_who_missing"))
        if values["basis"] not in {b.value for b in NotTelling}:
            raise InvalidInput(i18n.translate(who.lang, "notify.not_told_basis_missing"))
        return notify.record_not_told(
            vault,
            incident_id,
            actor=who.staff,
            accounts=only,
            basis=NotTelling(values["basis"]),
            reason=values["reason"],
        )

    def field(exc: VoxkeepError) -> str:
        if not only or "not among" in exc.message:
            return "not-told-who"
        return (
            "not-told-basis"
            if values["basis"] not in {b.value for b in NotTelling}
            else ("not-told-reason")
        )

    return await _act(request, vault, who, incident_id, "not_told", call, field, values)


# The notification to the supervisory authority (incidents/notification.py): the
# document of the current phase (or ?phase=n) to download, PDF in en/de/fr or JSON,
# for the DPO and admins; the DPO records it sent and adds follow-ups (Art. 33(4)).
AUTHORITY = "/console/incidents/{incident_id}/authority"


def _phase(request: Request) -> int | None:
    text = request.query_params.get("phase", "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput("The phase is a number: 1 for the first notification, 2, 3, … after.")
    return int(text)


def _document(
    request: Request, vault: Vault, who: StaffSigned, incident_id: str, kind: str
) -> Response:
    language = request.query_params.get("language", who.lang)
    report = notification.authority_report(
        vault, incident_id, phase=_phase(request), reader=who.staff
    )
    body = notification.document(report, format=kind, language=language)
    suffix = f"-{language}" if kind == "pdf" else ""
    name = f"authority-{incident_id[:12]}-phase-{report.phase}{suffix}.{kind}"
    return Response(
        body,
        media_type="application/pdf" if kind == "pdf" else "application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(AUTHORITY + ".pdf")
async def authority_pdf(
    request: Request, incident_id: str, who: Reader, vault: VaultDep
) -> Response:
    return await run_in_threadpool(_document, request, vault, who, incident_id, "pdf")


@router.get(AUTHORITY + ".json")
async def authority_json(
    request: Request, incident_id: str, who: Reader, vault: VaultDep
) -> Response:
    return await run_in_threadpool(_document, request, vault, who, incident_id, "json")


@router.post(AUTHORITY)
async def authority_notified(
    request: Request, incident_id: str, vault: VaultDep, who: Actor
) -> Response:
    values = await _form(request, "notified_at", "reference", "late_reason")

    def call() -> object:
        text = values["notified_at"].strip()
        return notification.notify_authority(
            vault,
            incident_id,
            actor=who.staff,
            at=_aware_at(text, who.lang) if text else None,
            reference=values["reference"],
            late_reason=values["late_reason"],
        )

    def field(exc: VoxkeepError) -> str:
        return "authority-late-reason" if "delay" in exc.message else "authority-notified-at"

    return await _act(request, vault, who, incident_id, "authority", call, field, values)


@router.post(AUTHORITY + "/follow-up")
async def authority_follow_up(
    request: Request, incident_id: str, vault: VaultDep, who: Actor
) -> Response:
    values = await _form(request, "what_is_new")

    def call() -> object:
        return notification.add_follow_up(
            vault, incident_id, actor=who.staff, what_is_new=values["what_is_new"]
        )

    return await _act(
        request,
        vault,
        who,
        incident_id,
        "follow_up",
        call,
        "follow-up-news",
        values,
        beside=(InvalidInput, Conflict),
    )
