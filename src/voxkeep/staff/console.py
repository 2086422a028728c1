"""The console's staff management for admins (``/console/staff``): the list, an
invitation by mail, and one page per member to change roles, send a new password
link, reset the code app, disable or enable.

The rules are people.staff's and people.staff_admin's (an admin cannot drop
their own admin role nor disable themselves); a page for non-admins answers
403, and so does every form posted by one. The staff domain's own pages would
sit in people/console.py beside the sign-in; they live here so the two could
be built side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from voxkeep.accounts.service import normalize_email
from voxkeep.errors import Conflict, InvalidInput
from voxkeep.people import staff, staff_admin
from voxkeep.people.models import StaffRole
from voxkeep.vault import Vault
from voxkeep.web import i18n
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, StaffSigned, render_console, staff_page
from voxkeep.web.render import FieldError, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)

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
