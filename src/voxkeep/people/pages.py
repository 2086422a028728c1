"""The portal's own pages for people: sign in and sign out at ``/``, the language
control, and the page an invitation link opens to choose a password.

Handlers gather from people.service and render; the rules (rate limits,
sessions, passwords) are the service's. Sign-in issues a brand-new session
(and ends the one the browser held before, if any), so a session id fixed
before sign-in is worth nothing after it.

The set-password page: the token travels in the URL fragment (``#vi_...``),
which browsers never send to a server, so it appears in no access log and no
Referer header; the page's script reads it, removes it from the address bar
and posts it with the new password. It is the one page that needs JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from voxkeep.errors import InvalidInput, TooManyRequests, Unauthorized
from voxkeep.people import totp, two_step
from voxkeep.people.api import (
    PERSON_COOKIE,
    PERSON_KNOWN_COOKIE,
    TWO_STEP_NAME,
    client_address,
    set_sign_in_cookies,
)
from voxkeep.people.service import sign_in, sign_out
from voxkeep.vault import Vault
from voxkeep.web import i18n
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, Signed, SignedIn, VisitorDep
from voxkeep.web.render import LANG_COOKIE, FieldError, local_path, redirect, render

HOME = "/history"  # where a signed-in person lands
router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _sign_in_page(
    request: Request,
    lang: str,
    *,
    errors: Sequence[FieldError] = (),
    email: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "portal/sign_in.html",
        lang=lang,
        status=status,
        headers=headers,
        errors=list(errors),
        field_errors={e.field: e.message for e in errors},
        email=email,
        signed_out="signed-out" in request.query_params,
    )


@router.get("/")
def sign_in_form(request: Request, who: VisitorDep) -> Response:
    if who.signed_in:
        return redirect(HOME)
    return _sign_in_page(request, who.lang)


@router.post("/")
async def sign_in_submit(request: Request, vault: VaultDep, who: VisitorDep) -> Response:
    form = await request.form()
    email, password = str(form.get("email") or "").strip(), str(form.get("password") or "")
    code = str(form.get("code") or "").strip()

    def t(key: str, **values: object) -> str:
        return i18n.translate(who.lang, key, **values)

    errors = []
    if not email:
        errors.append(FieldError("email", t("signin.email_missing")))
    if not password:
        errors.append(FieldError("password", t("signin.password_missing")))
    if errors:
        return _sign_in_page(request, who.lang, errors=errors, email=email, status=422)
    try:
        signed = await run_in_threadpool(
            sign_in,
            vault,
            email=email,
            password=password,
            client=client_address(request),
            known_client=request.cookies.get(PERSON_KNOWN_COOKIE),
            totp_code=code or None,
        )
    except TooManyRequests as exc:
        minutes = max(1, -(-exc.retry_after_s // 60))
        problem = FieldError("email", t("signin.throttled", minutes=minutes))
        return _sign_in_page(
            request, who.lang, errors=[problem], email=email, status=429, headers=exc.headers
        )
    except (totp.TotpRequired, totp.TotpWrong) as exc:
        needed = isinstance(exc, totp.TotpRequired)
        problem = FieldError("code", t("signin.code_needed") if needed else t("signin.code_wrong"))
        return _sign_in_page(request, who.lang, errors=[problem], email=email, status=401)
    except Unauthorized:
        problem = FieldError("email", t("signin.wrong"))
        return _sign_in_page(request, who.lang, errors=[problem], email=email, status=401)
    if who.person is not None:  # the browser's earlier session ends: one session per sign-in
        await run_in_threadpool(sign_out, vault, person=who.person)
    response = redirect(HOME)
    cookies = (PERSON_COOKIE, PERSON_KNOWN_COOKIE)
    set_sign_in_cookies(request, response, cookies, signed, vault.settings.session_ttl_s)
    return response


@router.post("/sign-out")
async def sign_out_submit(vault: VaultDep, who: SignedIn) -> Response:
    await run_in_threadpool(sign_out, vault, person=who.person)
    response = redirect("/?signed-out")
    response.delete_cookie(PERSON_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.post("/language")
async def choose_language(request: Request) -> Response:
    """Remember the visitor's language (a year) and go back to the page they were on."""
    form = await request.form()
    response = redirect(local_path(form.get("next")))
    response.set_cookie(
        LANG_COOKIE,
        i18n.language_or_default(str(form.get("lang") or "")),
        max_age=365 * 24 * 3600,
        path="/",
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/portal/set-password")
@router.get("/console/set-password")
def set_password_form(request: Request, who: VisitorDep) -> HTMLResponse:
    """The page an invitation (or a staff password token) link opens."""
    return render(request, "portal/set_password.html", lang=who.lang)


# Two-step sign-in (people/two_step.py) --------------------------------------------

TWO_STEP = "/account/two-step"


def _two_step_page(
    request: Request,
    vault: Vault,
    who: Signed,
    *,
    errors: Sequence[FieldError] = (),
    status: int = 200,
) -> HTMLResponse:
    on = two_step.is_on(vault, person=who.person)
    enrolment = None if on else two_step.pending(vault, person=who.person, name=TWO_STEP_NAME)
    return render(
        request,
        "portal/two_step.html",
        lang=who.lang,
        signed_in=True,
        status=status,
        active="two_step",
        on=on,
        enrolment=enrolment,
        qr=enrolment.qr_svg() if enrolment is not None else None,
        errors=list(errors),
        field_errors={e.field: e.message for e in errors},
        done=request.query_params.get("done", ""),
    )


@router.get(TWO_STEP)
async def two_step_form(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    return await run_in_threadpool(_two_step_page, request, vault, who)


@router.post(f"{TWO_STEP}/start")
async def two_step_start(vault: VaultDep, who: SignedIn) -> Response:
    await run_in_threadpool(two_step.start, vault, person=who.person, name=TWO_STEP_NAME)
    return redirect(TWO_STEP)


async def _with_code(
    request: Request, vault: Vault, who: Signed, change: Callable[..., None], done: str
) -> Response:
    form = await request.form()
    code = str(form.get("code") or "").strip()
    message = i18n.translate(who.lang, "two_step.code_missing")
    if code:
        try:
            await run_in_threadpool(change, vault, person=who.person, code=code)
            return redirect(f"{TWO_STEP}?done={done}")
        except InvalidInput:
            message = i18n.translate(who.lang, "signin.code_wrong")
    problem = FieldError("code", message)
    return await run_in_threadpool(
        lambda: _two_step_page(request, vault, who, errors=[problem], status=422)
    )


@router.post(f"{TWO_STEP}/confirm")
async def two_step_confirm(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    return await _with_code(request, vault, who, two_step.confirm, "on")


@router.post(f"{TWO_STEP}/off")
async def two_step_off(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    return await _with_code(request, vault, who, two_step.turn_off, "off")
