"""The console's sign-in for staff: name and password, then the code from an
authenticator app (enrolling one on the first sign-in), and sign-out.

Staff sessions are not people's: their own cookie (``voxkeep_staff_session``),
their own known-client cookie and rate-limit counters. Between the password and
the code the browser holds only a short-lived challenge cookie (path
``/console``); the session starts after the code, always as a new one (the
browser's earlier staff session ends), so a session id fixed before sign-in is
worth nothing after it. The rules (TOTP, replay, limits, timeouts) are
people.staff's and people.totp's; these handlers gather and render.

Staff management for admins (``/console/staff``): the list, an invitation by
mail, and one page per member to change roles, send a new password link, reset
the code app, disable or enable. The rules are people.staff's and
people.staff_admin's (an admin cannot drop their own admin role nor disable
themselves); a page for non-admins answers 403, and so does every form posted
by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from voxkeep.accounts.service import normalize_email
from voxkeep.errors import Conflict, InvalidInput, TooManyRequests, Unauthorized
from voxkeep.people import staff, staff_admin, totp
from voxkeep.people.api import STAFF_KNOWN_COOKIE, client_address
from voxkeep.people.api import set_sign_in_cookies as _set_sign_in_cookies
from voxkeep.people.models import StaffRole
from voxkeep.vault import Vault
from voxkeep.web import i18n
from voxkeep.web.deps import STAFF_COOKIE, VaultDep
from voxkeep.web.pageroute import (
    STAFF_SIGN_IN_PAGE,
    PageRoute,
    StaffPage,
    StaffSigned,
    StaffVisitor,
    StaffVisitorDep,
    render_console,
    staff_page,
)
from voxkeep.web.render import FieldError, redirect

HOME = "/console/requests"  # where a signed-in staff member lands
CODE_PAGE = "/console/sign-in/code"
CHALLENGE_COOKIE = "voxkeep_staff_challenge"
router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _sign_in_page(
    request: Request,
    who: StaffVisitor,
    *,
    errors: Sequence[FieldError] = (),
    name: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return render_console(
        request,
        "console/sign_in.html",
        who,
        status=status,
        headers=headers,
        errors=list(errors),
        field_errors={e.field: e.message for e in errors},
        name=name,
        notice=next((k for k in ("signed-out", "expired") if k in request.query_params), None),
    )


@router.get("/console")
def console_home(who: StaffPage) -> Response:
    return redirect(HOME)


@router.get("/console/sign-in")
def sign_in_form(request: Request, who: StaffVisitorDep) -> Response:
    if who.staff is not None:
        return redirect(HOME)
    return _sign_in_page(request, who)


@router.post("/console/sign-in")
async def sign_in_submit(request: Request, vault: VaultDep, who: StaffVisitorDep) -> Response:
    form = await request.form()
    name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")

    def t(key: str, **values: object) -> str:
        return i18n.translate(who.lang, key, **values)

    errors = []
    if not name:
        errors.append(FieldError("name", t("console.signin_name_missing")))
    if not password:
        errors.append(FieldError("password", t("signin.password_missing")))
    if errors:
        return _sign_in_page(request, who, errors=errors, name=name, status=422)
    try:
        challenge = await run_in_threadpool(
            staff.begin_staff_sign_in,
            vault,
            name=name,
            password=password,
            client=client_address(request),
            known_client=request.cookies.get(STAFF_KNOWN_COOKIE),
        )
    except TooManyRequests as exc:
        problem = FieldError("name", t("signin.throttled", minutes=exc.retry_after_minutes))
        return _sign_in_page(
            request, who, errors=[problem], name=name, status=429, headers=exc.headers
        )
    except Unauthorized:
        problem = FieldError("name", t("console.signin_wrong"))
        return _sign_in_page(request, who, errors=[problem], name=name, status=401)
    response = redirect(CODE_PAGE)
    response.set_cookie(
        CHALLENGE_COOKIE,
        challenge.token,
        max_age=staff.CHALLENGE_TTL_S,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def _code_page(
    request: Request,
    who: StaffVisitor,
    enrolment: totp.Enrolment | None,
    *,
    error: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    errors = [FieldError("code", error)] if error else []
    return render_console(
        request,
        "console/sign_in_code.html",
        who,
        status=status,
        headers=headers,
        errors=errors,
        field_errors={e.field: e.message for e in errors},
        enrolment=enrolment,
        qr=enrolment.qr_svg() if enrolment is not None else None,
    )


def _expired() -> Response:
    response = redirect(f"{STAFF_SIGN_IN_PAGE}?expired")
    response.delete_cookie(CHALLENGE_COOKIE, path="/console", httponly=True, samesite="strict")
    return response


@router.get("/console/sign-in/code")
async def code_form(request: Request, vault: VaultDep, who: StaffVisitorDep) -> Response:
    challenge = request.cookies.get(CHALLENGE_COOKIE, "")
    try:
        enrolment = await run_in_threadpool(staff.challenge_enrolment, vault, challenge=challenge)
    except staff.ChallengeOver:
        return _expired()
    return _code_page(request, who, enrolment)


@router.post("/console/sign-in/code")
async def code_submit(request: Request, vault: VaultDep, who: StaffVisitorDep) -> Response:
    form = await request.form()
    code = str(form.get("code") or "").strip()
    challenge = request.cookies.get(CHALLENGE_COOKIE, "")

    def t(key: str, **values: object) -> str:
        return i18n.translate(who.lang, key, **values)

    def again(message: str, status: int) -> HTMLResponse:
        try:
            enrolment = staff.challenge_enrolment(vault, challenge=challenge)
        except staff.ChallengeOver:
            enrolment = None
        return _code_page(request, who, enrolment, error=message, status=status)

    try:
        if not code:
            return await run_in_threadpool(again, t("console.code_missing"), 422)
        signed = await run_in_threadpool(
            staff.finish_staff_sign_in,
            vault,
            challenge=challenge,
            code=code,
            client=client_address(request),
            known_client=request.cookies.get(STAFF_KNOWN_COOKIE),
        )
    except staff.ChallengeOver:
        return _expired()
    except TooManyRequests as exc:
        return await run_in_threadpool(
            again, t("signin.throttled", minutes=exc.retry_after_minutes), 429
        )
    except Unauthorized:
        return await run_in_threadpool(again, t("console.code_wrong"), 401)
    if who.staff is not None:  # the browser's earlier staff session ends
        await run_in_threadpool(staff.staff_sign_out, vault, staff=who.staff)
    response = redirect(HOME)
    cookies = (STAFF_COOKIE, STAFF_KNOWN_COOKIE)
    _set_sign_in_cookies(request, response, cookies, signed, vault.settings.staff_session_ttl_s)
    response.delete_cookie(CHALLENGE_COOKIE, path="/console", httponly=True, samesite="strict")
    return response


@router.post("/console/sign-out")
async def sign_out_submit(vault: VaultDep, who: StaffPage) -> Response:
    await run_in_threadpool(staff.staff_sign_out, vault, staff=who.staff)
    response = redirect(f"{STAFF_SIGN_IN_PAGE}?signed-out")
    response.delete_cookie(STAFF_COOKIE, path="/", httponly=True, samesite="strict")
    return response


# Staff management (admins) ----------------------------------------------------------

Admin = Annotated[StaffSigned, Depends(staff_page(StaffRole.ADMIN))]
ROLES = [r.value for r in StaffRole]


def _roles_of(form: FormData) -> list[str]:
    return [str(v) for v in form.getlist("roles")]


@router.get("/console/staff")
def staff_list_page(request: Request, who: Admin, vault: VaultDep) -> Response:
    members = staff.list_staff(vault)
    return render_console(request, "console/staff.html", who, active="staff", members=members)


def _add_page(
    request: Request,
    who: StaffSigned,
    *,
    form: dict[str, Any],
    errors: Sequence[FieldError] = (),
    status: int = 200,
) -> Response:
    return render_console(
        request,
        "console/staff_add.html",
        who,
        active="staff",
        status=status,
        roles=ROLES,
        form=form,
        errors=list(errors),
        field_errors={e.field: e.message for e in errors},
    )


@router.get("/console/staff/new")
def staff_add_form(request: Request, who: Admin) -> Response:
    return _add_page(request, who, form={"name": "", "email": "", "roles": []})


@router.post("/console/staff/new")
async def staff_add_submit(request: Request, who: Admin, vault: VaultDep) -> Response:
    posted = await request.form()
    form: dict[str, Any] = {
        "name": str(posted.get("name") or "").strip(),
        "email": str(posted.get("email") or "").strip(),
        "roles": [r for r in _roles_of(posted) if r in ROLES],
    }

    def t(key: str) -> str:
        return i18n.translate(who.lang, key)

    errors = []
    try:
        staff.check_staff_name(form["name"])
    except InvalidInput:
        errors.append(FieldError("name", t("staff.bad_name")))
    try:
        normalize_email(form["email"])
    except InvalidInput:
        errors.append(FieldError("email", t("staff.bad_email")))
    if not form["roles"]:
        errors.append(FieldError("roles", t("staff.no_roles")))
    if errors:
        return _add_page(request, who, form=form, errors=errors, status=422)
    try:
        invited = await run_in_threadpool(
            staff_admin.invite_staff,
            vault,
            name=form["name"],
            roles=form["roles"],
            email=form["email"],
            language=who.lang,
            actor=who.staff.actor,
        )
    except Conflict:
        problem = FieldError("name", t("staff.name_taken"))
        return _add_page(request, who, form=form, errors=[problem], status=409)
    return render_console(
        request,
        "console/staff_invited.html",
        who,
        active="staff",
        member=invited.staff,
        expires=invited.link_expires_at,
    )


DONE = frozenset({"roles", "password", "totp", "disable", "enable"})


def _member_page(
    request: Request,
    who: StaffSigned,
    vault: Vault,
    staff_id: str,
    *,
    errors: Sequence[FieldError] = (),
    status: int = 200,
) -> Response:
    member = staff.get_staff(vault, staff_id)
    done = request.query_params.get("done", "")
    return render_console(
        request,
        "console/staff_member.html",
        who,
        active="staff",
        status=status,
        member=member,
        member_roles=[r.value for r in member.roles],
        roles=ROLES,
        myself=member.id == who.staff.staff_id,
        done=done if done in DONE else "",
        errors=list(errors),
        field_errors={e.field: e.message for e in errors},
    )


@router.get("/console/staff/{staff_id}")
def staff_member_page(request: Request, staff_id: str, who: Admin, vault: VaultDep) -> Response:
    return _member_page(request, who, vault, staff_id)


def _done(staff_id: str, what: str) -> Response:
    return redirect(f"/console/staff/{staff_id}?done={what}")


@router.post("/console/staff/{staff_id}/roles")
async def staff_roles_submit(
    request: Request, staff_id: str, who: Admin, vault: VaultDep
) -> Response:
    roles = [r for r in _roles_of(await request.form()) if r in ROLES]
    problem = None
    if not roles:
        problem = FieldError("roles", i18n.translate(who.lang, "staff.no_roles"))
    else:
        try:
            await run_in_threadpool(
                staff.set_roles,
                vault,
                ref=staff_id,
                roles=roles,
                actor=who.staff.actor,
                acting=who.staff.staff_id,
            )
        except Conflict:
            problem = FieldError("roles", i18n.translate(who.lang, "staff.own_admin"))
    if problem is not None:
        return await run_in_threadpool(
            _member_page, request, who, vault, staff_id, errors=[problem], status=409
        )
    return _done(staff_id, "roles")


@router.post("/console/staff/{staff_id}/password")
async def staff_password_submit(
    request: Request, staff_id: str, who: Admin, vault: VaultDep
) -> Response:
    email = str((await request.form()).get("email") or "").strip()
    try:
        normalize_email(email)
    except InvalidInput:
        problem = FieldError("email", i18n.translate(who.lang, "staff.bad_email"))
        return await run_in_threadpool(
            _member_page, request, who, vault, staff_id, errors=[problem], status=422
        )
    await run_in_threadpool(
        staff_admin.send_password_link,
        vault,
        ref=staff_id,
        email=email,
        language=who.lang,
        actor=who.staff.actor,
    )
    return _done(staff_id, "password")


@router.post("/console/staff/{staff_id}/totp")
def staff_totp_submit(staff_id: str, who: Admin, vault: VaultDep) -> Response:
    staff.reset_totp(vault, ref=staff_id, actor=who.staff.actor)
    return _done(staff_id, "totp")


@router.post("/console/staff/{staff_id}/disable")
def staff_disable_submit(staff_id: str, who: Admin, vault: VaultDep) -> Response:
    staff.disable_staff(vault, ref=staff_id, actor=who.staff.actor, acting=who.staff.staff_id)
    return _done(staff_id, "disable")


@router.post("/console/staff/{staff_id}/enable")
def staff_enable_submit(staff_id: str, who: Admin, vault: VaultDep) -> Response:
    staff.enable_staff(vault, ref=staff_id, actor=who.staff.actor)
    return _done(staff_id, "enable")
