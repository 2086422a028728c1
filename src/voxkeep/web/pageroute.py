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

The console's pages (under ``/console``) take the signed-in staff member
through ``staff_page(*roles)``: anyone without a staff session is sent to the
console's sign-in page, a staff member without one of the roles gets a 403
page. Staff sessions are separate from people's (their own cookie), so one
browser may hold both and neither reaches the other's pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import HTMLResponse, Response

from voxkeep.accounts.service import language_of
from voxkeep.db.faults import DATABASE_FAULTS, database_fault, repeating
from voxkeep.errors import (
    DatabaseUnavailable,
    InvalidInput,
    ReauthRequired,
    StorageFailed,
    Unauthorized,
    VoxkeepError,
)
from voxkeep.incidents.notices import unread_count
from voxkeep.people.api import person_session, staff_session
from voxkeep.people.models import StaffRole
from voxkeep.people.service import PersonSession, StaffSession, require_role
from voxkeep.web import csrf
from voxkeep.web.deps import PERSON_COOKIE, STAFF_COOKIE, vault_of
from voxkeep.web.i18n import translate
from voxkeep.web.render import current_path, language, redirect, render

log = logging.getLogger("voxkeep.pages")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIGN_IN_PAGE = "/"
REAUTH_PAGE = "/reauth"  # the person's; the console's pages keep their own way
CONSOLE = "/console/"


def reauth_page(back: str) -> str:
    """The re-authentication page, returning to back (a path on this site) afterwards."""
    return f"{REAUTH_PAGE}?{urlencode({'next': back})}"


STAFF_SIGN_IN_PAGE = "/console/sign-in"


class SignInNeeded(Exception):
    """The page needs a signed-in person (or staff member); the visitor is sent to sign in."""

    def __init__(self, location: str = SIGN_IN_PAGE) -> None:
        super().__init__(location)
        self.location = location


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
    account_language = None
    if person is not None:
        vault = vault_of(request)
        account_language = language_of(vault, person.account_id)
        # Every portal page shows a banner while an incident notice is unread (render).
        request.state.unread_notices = unread_count(vault, person.account_id)
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


# The console -----------------------------------------------------------------


@dataclass(frozen=True)
class StaffVisitor:
    """Whoever looks at a console page: a signed-in staff member or not."""

    lang: str
    staff: StaffSession | None


@dataclass(frozen=True)
class StaffSigned:
    """A signed-in staff member looking at a console page (roles as of this request)."""

    lang: str
    staff: StaffSession

    def has(self, *roles: StaffRole) -> bool:
        return bool(self.staff.roles.intersection(roles))


def staff_visitor(request: Request) -> StaffVisitor:
    member = None
    if request.cookies.get(STAFF_COOKIE):
        try:
            member = staff_session(request)
        except Unauthorized:
            member = None
    return StaffVisitor(lang=language(request), staff=member)


def staff_page(*roles: StaffRole) -> Callable[[Request], StaffSigned]:
    """A dependency for a console page: the signed-in staff member (else the visitor goes
    to the console's sign-in page), holding one of ``roles`` when any are named (else 403)."""

    def dependency(request: Request) -> StaffSigned:
        found = staff_visitor(request)
        if found.staff is None:
            raise SignInNeeded(STAFF_SIGN_IN_PAGE)
        if roles:
            require_role(found.staff, *roles)
        return StaffSigned(lang=found.lang, staff=found.staff)

    return dependency


StaffVisitorDep = Annotated[StaffVisitor, Depends(staff_visitor)]
StaffPage = Annotated[StaffSigned, Depends(staff_page())]


def render_console(
    request: Request,
    template: str,
    who: StaffSigned | StaffVisitor,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a console page: console/base.html needs the staff member and their roles."""
    staff = who.staff
    roles = sorted(staff.roles, key=list(StaffRole).index) if staff is not None else []
    context.setdefault("active", "")
    return render(
        request,
        template,
        lang=who.lang,
        status=status,
        headers=headers,
        staff=staff,
        staff_roles=[r.value for r in roles],
        **context,
    )


def fault_words(exc: VoxkeepError, lang: str) -> dict[str, str] | None:
    """A fault of the vault's own parts in the visitor's language: its message (English,
    for API clients) names nothing a visitor could do. None for any other error."""
    if isinstance(exc, StorageFailed):
        message = translate(lang, "fault.storage")
        return {"message": message, "hint": translate(lang, "fault.storage_hint")}
    if isinstance(exc, DatabaseUnavailable):
        message = translate(lang, "fault.database")
        return {"message": message, "hint": translate(lang, "fault.database_hint")}
    return None


def error_page(request: Request, exc: VoxkeepError) -> Response:
    if exc.status >= 500 and not repeating():  # a read tried again logs that instead
        log.error("page failed: %s", exc.log_line)
    template = "csrf.html" if isinstance(exc, csrf.CsrfRefused) else "error.html"
    values: dict[str, Any] = {"message": exc.message, "hint": exc.hint}
    values = fault_words(exc, language(request)) or values
    if csrf.on_console(request):
        # Without a database, nobody can be looked up: the page shows no one signed in.
        if isinstance(exc, DatabaseUnavailable):
            who = StaffVisitor(lang=language(request), staff=None)
        else:
            who = staff_visitor(request)
        return render_console(
            request,
            template,
            who,
            status=exc.status,
            headers=exc.headers,
            layout="console/base.html",
            home="/console",
            **values,
        )
    return render(
        request,
        template,
        lang=language(request),
        status=exc.status,
        headers=exc.headers,
        layout="base.html",
        home="/",
        **values,
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
            except SignInNeeded as exc:
                return redirect(exc.location)
            except ReauthRequired as exc:
                if request.url.path.startswith(CONSOLE):  # staff re-authenticate there
                    return error_page(request, exc)
                return redirect(reauth_page(current_path(request)))
            except VoxkeepError as exc:
                return error_page(request, exc)
            except DATABASE_FAULTS as exc:
                return error_page(request, database_fault(exc, during="a page"))
            except RequestValidationError:
                problem = InvalidInput("The page was asked for with values it does not understand.")
                return error_page(request, problem)

        return page_handler
