"""The portal's own pages for people: sign in and sign out at ``/``, the language
control, the page an invitation link opens to choose a password, and resetting
a forgotten password with a mailed code (``/reset``, people/reset.py).

Handlers gather from people.service and render; the rules (rate limits,
sessions, passwords) are the service's. Sign-in issues a brand-new session
(and ends the one the browser held before, if any), so a session id fixed
before sign-in is worth nothing after it.

The set-password page: the token travels in the URL fragment (``#vi_...``),
which browsers never send to a server, so it appears in no access log and no
Referer header; the page's script reads it, removes it from the address bar
and posts it with the new password. It is the one page that needs JavaScript.

The re-authentication page (``/reauth?next=<path>``): the person re-enters
their password before an action that needs fresh proof (downloading an
answer, filing a request); other pages send them here when a service raises
ReauthRequired, and ``next`` (only ever a path on this site) brings them
back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from voxkeep.errors import InvalidInput, ReauthRequired, TooManyRequests, Unauthorized
from voxkeep.people import reset, totp, two_step
from voxkeep.people.api import (
    PERSON_KNOWN_COOKIE,
    TWO_STEP_NAME,
    client_address,
    set_sign_in_cookies,
)
from voxkeep.people.service import reauthenticate, sign_in, sign_out
from voxkeep.vault import Vault
from voxkeep.web import i18n
from voxkeep.web.deps import PERSON_COOKIE, VaultDep, vault_of
from voxkeep.web.pageroute import (
    REAUTH_PAGE,
    PageRoute,
    Signed,
    SignedIn,
    SignInNeeded,
    VisitorDep,
)
from voxkeep.web.render import LANG_COOKIE, FieldError, local_path, redirect, render

HOME = "/history"  # where a signed-in person lands
router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _form_page(
    request: Request,
    lang: str,
    template: str,
    *,
    errors: Sequence[FieldError] = (),
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page with a form: its errors in the summary and beside each field."""
    return render(
        request,
        template,
        lang=lang,
        status=status,
        headers=headers,
        errors=list(errors),
        field_errors={e.field: e.message for e in errors},
        **context,
    )


def _sign_in_page(
    request: Request,
    lang: str,
    *,
    errors: Sequence[FieldError] = (),
    email: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return _form_page(
        request,
        lang,
        "portal/sign_in.html",
        errors=errors,
        status=status,
        headers=headers,
        email=email,
        signed_out="signed-out" in request.query_params,
        password_reset="password-reset" in request.query_params,
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
        minutes = exc.retry_after_minutes
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
@router.post("/console/language")
async def choose_language(request: Request) -> Response:
    """Remember the visitor's language (a year) and go back to the page they were on.

    The console's control posts to its own path: its forms' CSRF tokens are bound to
    the staff session (web/csrf.py), which only paths under /console check."""
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


# Password reset -------------------------------------------------------------------


def _reset_page(
    request: Request,
    lang: str,
    template: str,
    *,
    errors: Sequence[FieldError] = (),
    email: str = "",
    sent: bool = False,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    minutes = max(1, round(vault_of(request).settings.password_reset_ttl_s / 60))
    return _form_page(
        request,
        lang,
        template,
        errors=errors,
        status=status,
        headers=headers,
        email=email,
        sent=sent,
        minutes=minutes,
    )


@router.get("/reset")
def reset_form(request: Request, who: VisitorDep) -> Response:
    return _reset_page(request, who.lang, "portal/reset.html")


@router.post("/reset")
async def reset_submit(request: Request, vault: VaultDep, who: VisitorDep) -> Response:
    """Ask for a code. The next page is the same whether or not the address has an account."""
    form = await request.form()
    email = str(form.get("email") or "").strip()
    problem = None
    if not email:
        problem = FieldError("email", i18n.translate(who.lang, "signin.email_missing"))
    else:
        try:
            await run_in_threadpool(reset.request_reset, vault, email=email)
        except InvalidInput:
            problem = FieldError("email", i18n.translate(who.lang, "reset.email_invalid"))
    if problem is not None:
        return _reset_page(
            request, who.lang, "portal/reset.html", errors=[problem], email=email, status=422
        )
    return _reset_page(request, who.lang, "portal/reset_code.html", email=email, sent=True)


@router.get("/reset/code")
def reset_code_form(request: Request, who: VisitorDep) -> Response:
    return _reset_page(request, who.lang, "portal/reset_code.html")


def _reset_form_errors(lang: str, fields: dict[str, str]) -> list[FieldError]:
    """What is missing from the form (the service checks the rest)."""
    errors = []
    if not fields["email"]:
        errors.append(FieldError("email", i18n.translate(lang, "signin.email_missing")))
    if not fields["code"]:
        errors.append(FieldError("code", i18n.translate(lang, "reset.code_missing")))
    if not fields["password"]:
        errors.append(FieldError("password", i18n.translate(lang, "signin.password_missing")))
    elif fields["password"] != fields["again"]:
        errors.append(FieldError("again", i18n.translate(lang, "password.differ")))
    return errors


@router.post("/reset/code")
async def reset_code_submit(request: Request, vault: VaultDep, who: VisitorDep) -> Response:
    form = await request.form()
    fields = {name: str(form.get(name) or "") for name in ("email", "code", "password", "again")}
    fields["email"] = fields["email"].strip()
    errors = _reset_form_errors(who.lang, fields)
    status, headers = 422, None
    if not errors:
        try:
            await run_in_threadpool(
                reset.confirm_reset,
                vault,
                email=fields["email"],
                code=fields["code"],
                password=fields["password"],
                client=client_address(request),
                known_client=request.cookies.get(PERSON_KNOWN_COOKIE),
            )
        except TooManyRequests as exc:
            minutes = exc.retry_after_minutes
            errors = [
                FieldError("code", i18n.translate(who.lang, "reset.throttled", minutes=minutes))
            ]
            status, headers = 429, exc.headers
        except Unauthorized:
            errors = [FieldError("code", i18n.translate(who.lang, "reset.wrong"))]
            status = 401
        except reset.NewPasswordInvalid:
            errors = [FieldError("password", i18n.translate(who.lang, "reset.password_invalid"))]
        except InvalidInput:
            errors = [FieldError("email", i18n.translate(who.lang, "reset.email_invalid"))]
    if errors:
        return _reset_page(
            request,
            who.lang,
            "portal/reset_code.html",
            errors=errors,
            email=fields["email"],
            status=status,
            headers=headers,
        )
    # Every session of the account has ended, this browser's too.
    response = redirect("/?password-reset")
    response.delete_cookie(PERSON_COOKIE, path="/", httponly=True, samesite="strict")
    return response


# Re-authentication ----------------------------------------------------------------


def _reauth_page(
    request: Request,
    who: SignedIn,
    *,
    back: str,
    errors: Sequence[FieldError] = (),
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return _form_page(
        request,
        who.lang,
        "portal/reauth.html",
        errors=errors,
        status=status,
        headers=headers,
        signed_in=True,
        active="",
        back=back,
    )


@router.get(REAUTH_PAGE)
def reauth_form(request: Request, who: SignedIn) -> Response:
    back = local_path(request.query_params.get("next"), HOME)
    return _reauth_page(request, who, back=back)


@router.post(REAUTH_PAGE)
async def reauth_submit(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    form = await request.form()
    back = local_path(form.get("next"), HOME)
    password = str(form.get("password") or "")
    # A second factor (TOTP) joins here: its field in reauth.html, its value passed on
    # to reauthenticate, its errors beside that field.
    headers: dict[str, str] = {}
    if not password:
        message, status = i18n.translate(who.lang, "signin.password_missing"), 422
    else:
        try:
            await run_in_threadpool(
                reauthenticate,
                vault,
                person=who.person,
                password=password,
                client=client_address(request),
                known_client=request.cookies.get(PERSON_KNOWN_COOKIE),
            )
            return redirect(back)
        except TooManyRequests as exc:
            minutes = exc.retry_after_minutes
            message = i18n.translate(who.lang, "reauth.throttled", minutes=minutes)
            status, headers = exc.status, exc.headers
        except ReauthRequired as exc:
            message, status = i18n.translate(who.lang, "reauth.wrong"), exc.status
        except Unauthorized:
            raise SignInNeeded() from None  # the session ended meanwhile
    errors = [FieldError("password", message)]
    return _reauth_page(request, who, back=back, errors=errors, status=status, headers=headers)


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
    status, headers = 422, None
    if code:
        try:
            client = client_address(request)
            await run_in_threadpool(change, vault, person=who.person, code=code, client=client)
            return redirect(f"{TWO_STEP}?done={done}")
        except TooManyRequests as exc:
            minutes = exc.retry_after_minutes
            message = i18n.translate(who.lang, "two_step.throttled", minutes=minutes)
            status, headers = exc.status, exc.headers
        except InvalidInput:
            message = i18n.translate(who.lang, "signin.code_wrong")
    problem = FieldError("code", message)
    page = await run_in_threadpool(
        lambda: _two_step_page(request, vault, who, errors=[problem], status=status)
    )
    page.headers.update(headers or {})
    return page


@router.post(f"{TWO_STEP}/confirm")
async def two_step_confirm(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    return await _with_code(request, vault, who, two_step.confirm, "on")


@router.post(f"{TWO_STEP}/off")
async def two_step_off(request: Request, vault: VaultDep, who: SignedIn) -> Response:
    return await _with_code(request, vault, who, two_step.turn_off, "off")
