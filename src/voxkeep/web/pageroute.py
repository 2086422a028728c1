"""What every page route shares: CSRF on every state-changing request, errors shown as
pages, and the visitor (signed in or not, and in which language).

Page routers use ``PageRoute`` as their route class, so none can forget the
CSRF check: a POST without the right token is refused with a page saying
what happened before its handler runs. Page handlers raise ``SignInNeeded``
(through the ``SignedIn`` dependency) to send an anonymous visitor to the
sign-in page, and VoxkeepErrors to show an error page with the error's status.

When a service raises ReauthRequired (the action needs a password re-entry
more recent than the session has), the visitor is sent to the
re-authentication page with the current path as ``next``, and comes back to
it afterwards (people's pages only, not the console's). A form posts to the
path of the page that shows it, so coming back to a POST's path shows the
form again, to be sent once more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import Response

from voxkeep.accounts.service import language_of
from voxkeep.errors import InvalidInput, ReauthRequired, Unauthorized, VoxkeepError
from voxkeep.people.api import PERSON_COOKIE, person_session
from voxkeep.people.service import PersonSession
from voxkeep.web import csrf
from voxkeep.web.deps import vault_of
from voxkeep.web.render import current_path, language, redirect, render

log = logging.getLogger("voxkeep.pages")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIGN_IN_PAGE = "/"
REAUTH_PAGE = "/reauth"  # the person's; the console's pages keep their own way
CONSOLE = "/console/"


def reauth_page(back: str) -> str:
    """The re-authentication page, returning to back (a path on this site) afterwards."""
    return f"{REAUTH_PAGE}?{urlencode({'next': back})}"


class SignInNeeded(Exception):
    """The page needs a signed-in person; the visitor is sent to sign in."""


@dataclass(frozen=True)
class Visitor:
    lang: str
    person: PersonSession | None

    @property
    def signed_in(self) -> bool:
        return self.person is not None


def _person(request: Request) -> PersonSession | None:
    if not request.cookies.get(PERSON_COOKIE):
        return None
    try:
        return person_session(request)
    except Unauthorized:
        return None


def visitor(request: Request) -> Visitor:
    """Whoever is looking: a signed-in person (with their account's language) or not."""
    person = _person(request)
    account_language = (
        language_of(vault_of(request), person.account_id) if person is not None else None
    )
    return Visitor(lang=language(request, account_language), person=person)


@dataclass(frozen=True)
class Signed:
    """A signed-in person looking at a page."""

    lang: str
    person: PersonSession


def signed_in(request: Request) -> Signed:
    found = visitor(request)
    if found.person is None:
        raise SignInNeeded()
    return Signed(lang=found.lang, person=found.person)


VisitorDep = Annotated[Visitor, Depends(visitor)]
SignedIn = Annotated[Signed, Depends(signed_in)]


def error_page(request: Request, exc: VoxkeepError) -> Response:
    lang = language(request)
    if isinstance(exc, csrf.CsrfRefused):
        return render(request, "csrf.html", lang=lang, status=exc.status)
    if exc.status >= 500:
        log.error("page failed: %s", exc.code)
    return render(
        request,
        "error.html",
        lang=lang,
        status=exc.status,
        headers=exc.headers,
        message=exc.message,
        hint=exc.hint,
    )


class PageRoute(APIRoute):
    """A route that renders a page: CSRF-checked, errors as pages, never in the API docs."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                if request.method not in SAFE_METHODS:
                    await csrf.check(request)
                return await handler(request)
            except SignInNeeded:
                return redirect(SIGN_IN_PAGE)
            except ReauthRequired as exc:
                if request.url.path.startswith(CONSOLE):  # staff re-authenticate there
                    return error_page(request, exc)
                return redirect(reauth_page(current_path(request)))
            except VoxkeepError as exc:
                return error_page(request, exc)
            except RequestValidationError:
                problem = InvalidInput("The page was asked for with values it does not understand.")
                return error_page(request, problem)

        return page_handler
