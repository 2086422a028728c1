"""CSRF protection for the pages' forms: SameSite=Strict cookies plus a token in each form.

The token is a hash of a secret the browser holds in an HttpOnly cookie: the
person's session cookie once signed in (on the console, under ``/console``,
the staff session cookie), so the token changes with every session; else a
random pre-session cookie set by the first page. A page
from another site can neither read the cookie nor, with SameSite=Strict,
make the browser send it; without both the cookie and the matching token a
state-changing request is refused before its handler runs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from voxkeep.errors import Forbidden
from voxkeep.web.deps import PERSON_COOKIE, STAFF_COOKIE

CSRF_COOKIE = "voxkeep_csrf"
FIELD = "csrf_token"
_DOMAIN = b"voxkeep csrf v1\x00"


class CsrfRefused(Forbidden):
    code = "csrf_refused"

    def __init__(self) -> None:
        super().__init__(
            "The form was not sent from a voxkeep page, or it is too old; nothing was changed.",
            hint="Go back, reload the page and send the form again.",
        )


def _derive(secret: str) -> str:
    return hashlib.sha256(_DOMAIN + secret.encode()).hexdigest()


CONSOLE = "/console"


def on_console(request: Request) -> bool:
    return request.url.path == CONSOLE or request.url.path.startswith(CONSOLE + "/")


def _bound_secret(request: Request) -> str:
    """The console's forms are bound to the staff session, the portal's to the person's."""
    session_cookie = STAFF_COOKIE if on_console(request) else PERSON_COOKIE
    return request.cookies.get(session_cookie) or request.cookies.get(CSRF_COOKIE) or ""


def token_for(request: Request) -> str:
    """The token to put in this page's forms; makes a pre-session secret if none exists."""
    secret = _bound_secret(request)
    if not secret:
        secret = getattr(request.state, "csrf_new", "") or secrets.token_urlsafe(32)
        request.state.csrf_new = secret
    return _derive(secret)


def set_cookie_if_new(request: Request, response: Response) -> None:
    """Send the pre-session secret token_for made (if it made one) to the browser."""
    secret = getattr(request.state, "csrf_new", "")
    if secret:
        response.set_cookie(
            CSRF_COOKIE,
            secret,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )


async def check(request: Request) -> None:
    """Raise CsrfRefused unless the form carries the token of the browser's own secret."""
    secret = _bound_secret(request)
    form = await request.form()
    presented = form.get(FIELD)
    if not secret or not isinstance(presented, str):
        raise CsrfRefused()
    if not hmac.compare_digest(presented.encode(), _derive(secret).encode()):
        raise CsrfRefused()
