"""Rendering the pages: one Jinja environment, the security headers every page carries,
and the language a page is shown in.

Templates live in ``web/templates`` (one ``base.html``; each page extends it)
and are autoescaped. Every page response is ``no-store`` (pages carry
personal data, and a shared computer's back button must not show them after
sign-out) and carries a Content-Security-Policy that allows nothing inline
and nothing from another origin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from voxkeep.days import parse_day
from voxkeep.errors import InvalidInput, VoxkeepError
from voxkeep.web import csrf, i18n

LANG_COOKIE = "voxkeep_lang"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "media-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

ENV = Environment(
    loader=PackageLoader("voxkeep", "web/templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class FieldError:
    """One problem with a form, for the error summary and beside its field."""

    field: str  # the input's id, which the summary links to
    message: str


async def act(
    call: Callable[[], object],
    *,
    done: str,
    again: Callable[[FieldError], Response],
    field: str | Callable[[VoxkeepError], str],
    beside: tuple[type[VoxkeepError], ...] = (InvalidInput,),
) -> Response:
    """A console form's action: run the service ``call``; if it worked, go to ``done``;
    a refusal of the form's input (``beside``) shows the page ``again`` with the message
    beside its ``field`` (a field's id, or chosen by the error); any other refusal (403,
    404, 409) reaches the error page."""
    try:
        await run_in_threadpool(call)
    except beside as exc:
        problem = FieldError(field if isinstance(field, str) else field(exc), exc.message)
        return await run_in_threadpool(again, problem)
    return redirect(done)


def day_field(value: str, field: str, message: str, errors: list[FieldError]) -> date | None:
    """The day a page's date field holds (days.parse_day); when it holds something that
    is not a day, None, and ``message`` beside the field in ``errors``."""
    try:
        return parse_day(value)
    except InvalidInput:
        errors.append(FieldError(field, message))
        return None


def language(request: Request, account_language: str | None = None) -> str:
    """The page language: the visitor's choice (cookie), else the account's, else English."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in i18n.LANGUAGES:
        return chosen
    return i18n.language_or_default(account_language)


def current_path(request: Request) -> str:
    """Path and query of this request: where the language control returns to."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _demo_outbox(request: Request) -> bool:
    """Whether this app serves the demo's outbox page (create_app says), for the footer."""
    app = request.scope.get("app")
    return bool(getattr(getattr(app, "state", None), "demo_outbox", False))


def render(
    request: Request,
    template: str,
    *,
    lang: str,
    signed_in: bool = False,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a page template with what base.html needs, and the page headers."""
    # Unread incident notices of the signed-in person (pageroute.visitor counts them).
    context.setdefault("unread_notices", getattr(request.state, "unread_notices", 0))
    body = ENV.get_template(template).render(
        lang=lang,
        t=partial(i18n.translate, lang),
        languages=i18n.NAMES,
        csrf_field=csrf.FIELD,
        csrf_token=csrf.token_for(request),
        here=current_path(request),
        signed_in=signed_in,
        demo_outbox=_demo_outbox(request),
        **context,
    )
    response = HTMLResponse(body, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})
    csrf.set_cookie_if_new(request, response)
    return response


def redirect(location: str) -> Response:
    """303 See Other to a path on this site (after a form, or to sign in)."""
    return RedirectResponse(location, status_code=303, headers=PAGE_HEADERS)


def local_path(value: object, default: str = "/") -> str:
    """value if it is a path on this site, else default: a form's `next` never leaves it.

    Browsers read a backslash as a slash and drop tabs and line breaks from a
    URL, so "/\\evil.example" or "/<tab>/evil.example" would lead to another
    host: a path with either is refused, as is anything with a scheme or host.
    """
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
