"""Who reaches which page: every portal and console page route (found by walking the
app's routes), fetched as an anonymous visitor, as a signed-in person who is not the
owner of anything shown, and as each staff role, against a table of expected outcomes.

A page route added without a row makes this test fail: decide who may see it, and
write it down here. GETs are plain visits; POSTs carry a valid CSRF token and an
empty form (an action on a request names one that does not exist, so the outcome
shows the role check — 403 — or, past it, 404 — and changes nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import ExitStack

import pytest
from console_helpers import add_member, browser, sign_in
from fastapi.testclient import TestClient
from request_helpers import make_subject, make_team
from starlette.routing import BaseRoute

from people.people_helpers import PASSWORD, invite, register, set_password
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.requests import service
from voxkeep.requests.models import Channel, RequestKind
from voxkeep.vault import Vault
from voxkeep.web.pageroute import PageRoute

VIEWERS = ("anonymous", "person", "agent", "approver", "dpo", "admin")
STAFF = VIEWERS[2:]
MISSING = "rq_0000000000000000"  # a request that does not exist: POSTs change nothing

# Outcomes: "200" (shown), "303 <location>" (sent there), "403", "404", "422".
SIGN_IN = "303 /"
CONSOLE_SIGN_IN = "303 /console/sign-in"
EXPIRED = "303 /console/sign-in?expired"  # no sign-in waiting for a code


def _row(anonymous: str, person: str, **staff: str) -> dict[str, str]:
    default = staff.pop("staff", "")
    row = {"anonymous": anonymous, "person": person}
    row.update({role: staff.get(role, default) for role in STAFF})
    assert all(row.values()), row
    return row


def _mine(person: str) -> dict[str, str]:
    """A portal page of the signed-in person's own: everyone else is sent to sign in."""
    return _row(SIGN_IN, person, staff=SIGN_IN)


def _console(staff: str = "200", **roles: str) -> dict[str, str]:
    """A console route: anyone without a staff session is sent to the console's sign-in."""
    return _row(CONSOLE_SIGN_IN, CONSOLE_SIGN_IN, staff=staff, **roles)


def _action(*roles: str) -> dict[str, str]:
    """A POST on a request: staff with one of roles get past the role check (404 for the
    missing request), the others 403."""
    return _console("403", **dict.fromkeys(roles, "404"))


EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    # The portal ------------------------------------------------------------------
    ("GET", "/"): _row("200", "303 /history", staff="200"),
    ("POST", "/"): _row("422", "422", staff="422"),
    ("GET", "/history"): _row(SIGN_IN, "200", staff=SIGN_IN),
    # The filter form: without search words it sends the person to the filters' URL.
    ("POST", "/history"): _mine("303 /history"),
    ("POST", "/language"): _row("303 /", "303 /", staff="303 /"),
    ("POST", "/console/language"): _row("303 /", "303 /", staff="303 /"),
    ("GET", "/portal/set-password"): _row("200", "200", staff="200"),
    ("GET", "/console/set-password"): _row("200", "200", staff="200"),
    ("GET", "/account/two-step"): _row(SIGN_IN, "200", staff=SIGN_IN),
    ("POST", "/account/two-step/start"): _row(SIGN_IN, "303 /account/two-step", staff=SIGN_IN),
    ("POST", "/account/two-step/confirm"): _row(SIGN_IN, "422", staff=SIGN_IN),
    ("POST", "/account/two-step/off"): _row(SIGN_IN, "422", staff=SIGN_IN),
    ("GET", "/reset"): _row("200", "200", staff="200"),
    ("POST", "/reset"): _row("422", "422", staff="422"),
    ("GET", "/reset/code"): _row("200", "200", staff="200"),
    ("POST", "/reset/code"): _row("422", "422", staff="422"),
    ("GET", "/reauth"): _mine("200"),
    ("POST", "/reauth"): _mine("422"),
    ("GET", "/retention"): _mine("200"),
    ("POST", "/retention"): _mine("303 /reauth?next=%2Fretention%3Fchoice%3D"),
    ("GET", "/delete"): _mine("422"),
    ("POST", "/delete"): _mine("422"),
    ("POST", "/delete/confirm"): _mine("422"),
    ("GET", "/deletions"): _mine("200"),
    ("GET", "/deletions/{receipt_id}"): _mine("404"),
    ("GET", "/notices"): _mine("200"),  # the person's own incident notices (Art. 34)
    ("GET", "/requests"): _mine("200"),
    ("GET", "/requests/new/{kind}"): _mine("404"),
    ("POST", "/requests/new/{kind}"): _mine("404"),
    # Another person's request (the table's request is for someone else): 404.
    ("GET", "/requests/{request_id}"): _mine("404"),
    ("GET", "/requests/{request_id}/withdraw"): _mine("404"),
    ("POST", "/requests/{request_id}/withdraw"): _mine("404"),
    ("GET", "/answers/{export_id}"): _mine("404"),
    # The fresh password comes first; the answer's owner is checked after it.
    ("GET", "/answers/{export_id}/download"): _mine(
        "303 /reauth?next=%2Fanswers%2F%7Bexport_id%7D"
    ),
    ("GET", "/answers/{export_id}/not-mine"): _mine("404"),
    ("POST", "/answers/{export_id}/not-mine"): _mine("404"),
    ("GET", "/answers/{export_id}/reported"): _mine("404"),
    # The console -----------------------------------------------------------------
    ("GET", "/console"): _console("303 /console/requests"),
    ("GET", "/console/sign-in"): _row("200", "200", staff="303 /console/requests"),
    ("POST", "/console/sign-in"): _row("422", "422", staff="422"),
    ("GET", "/console/sign-in/code"): _row(EXPIRED, EXPIRED, staff=EXPIRED),
    ("POST", "/console/sign-in/code"): _row("422", "422", staff="422"),
    ("GET", "/console/requests"): _console(),
    ("GET", "/console/requests.csv"): _console(),
    ("GET", "/console/requests/new"): _console("403", agent="200", dpo="200"),
    ("POST", "/console/requests/new"): _console("403", agent="422", dpo="422"),
    ("GET", "/console/requests/{request_id}"): _console(),
    ("POST", "/console/requests/{request_id}/send-code"): _action("agent", "dpo"),
    ("POST", "/console/requests/{request_id}/confirm-address"): _action("agent", "dpo"),
    ("POST", "/console/requests/{request_id}/check-code"): _action("agent", "dpo"),
    ("POST", "/console/requests/{request_id}/approve"): _action("approver"),
    ("POST", "/console/requests/{request_id}/extend"): _action("agent", "approver", "dpo"),
    ("POST", "/console/requests/{request_id}/refuse"): _action("approver", "dpo"),
    ("POST", "/console/requests/{request_id}/cancel"): _action("agent", "approver", "dpo"),
    # Oversight: incidents and the audit log (dpo, admin), the dashboard (any staff role),
    # staff management (admin). "{incident_id}" and "{staff_id}" name nothing: 404 past
    # the role check.
    ("GET", "/console/incidents"): _console("403", dpo="200", admin="200"),
    ("GET", "/console/incidents/{incident_id}"): _console("403", dpo="404", admin="404"),
    # The register's actions: the DPO acts (404 for the missing incident), admins only read.
    ("POST", "/console/incidents/{incident_id}/aware"): _console("403", dpo="404"),
    ("POST", "/console/incidents/{incident_id}/assess"): _console("403", dpo="404"),
    ("POST", "/console/incidents/{incident_id}/derive"): _console("403", dpo="404"),
    ("POST", "/console/incidents/{incident_id}/affected"): _console("403", dpo="404"),
    ("POST", "/console/incidents/{incident_id}/close"): _console("403", dpo="404"),
    ("POST", "/console/incidents/{incident_id}/notices"): _console("403", dpo="404"),
    ("POST", "/console/incidents/{incident_id}/not-told"): _console("403", dpo="404"),
    # The notification to the authority: both read its document, the DPO records it.
    ("GET", "/console/incidents/{incident_id}/authority.pdf"): _console(
        "403", dpo="404", admin="404"
    ),
    ("GET", "/console/incidents/{incident_id}/authority.json"): _console(
        "403", dpo="404", admin="404"
    ),
    ("POST", "/console/incidents/{incident_id}/authority"): _console("403", dpo="404"),
    ("POST", "/console/incidents/{incident_id}/authority/follow-up"): _console("403", dpo="404"),
    # Containment: the DPO only ("{action}" names none: 404 past the role check).
    ("GET", "/console/incidents/{incident_id}/contain/{action}"): _console("403", dpo="404"),
    ("POST", "/console/incidents/{incident_id}/contain/{action}"): _console("403", dpo="404"),
    ("POST", "/console/incidents/{incident_id}/contain/{action}/reauth"): _console(
        "403", dpo="404"
    ),
    ("GET", "/console/audit"): _console("403", dpo="200", admin="200"),
    ("POST", "/console/audit"): _console("403", dpo="422", admin="422"),
    # The record of processing (Art. 30): dpo, admin.
    ("GET", "/console/records"): _console("403", dpo="200", admin="200"),
    ("GET", "/console/records.pdf"): _console("403", dpo="200", admin="200"),
    ("GET", "/console/dashboard"): _console(),
    ("GET", "/console/staff"): _console("403", admin="200"),
    ("GET", "/console/staff/new"): _console("403", admin="200"),
    ("POST", "/console/staff/new"): _console("403", admin="422"),
    ("GET", "/console/staff/{staff_id}"): _console("403", admin="404"),
    ("POST", "/console/staff/{staff_id}/roles"): _console("403", admin="404"),
    ("POST", "/console/staff/{staff_id}/password"): _console("403", admin="404"),
    ("POST", "/console/staff/{staff_id}/totp"): _console("403", admin="404"),
    ("POST", "/console/staff/{staff_id}/disable"): _console("403", admin="404"),
    ("POST", "/console/staff/{staff_id}/enable"): _console("403", admin="404"),
    # Signing out ends the viewer's session: these run last.
    ("POST", "/sign-out"): _row(SIGN_IN, "303 /?signed-out", staff=SIGN_IN),
    ("POST", "/console/sign-out"): _console("303 /console/sign-in?signed-out"),
}
LAST = (("POST", "/sign-out"), ("POST", "/console/sign-out"))


def _flat(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        # FastAPI keeps an included router whole (its paths carry its own prefix).
        included = getattr(route, "original_router", None)
        yield from _flat(included.routes) if included is not None else (route,)


def page_routes(vault: Vault) -> list[tuple[str, str]]:
    """Every (method, path) of a page route in the app, as the app defines it."""
    found = set()
    for route in _flat(create_app(vault).routes):
        if isinstance(route, PageRoute):
            found |= {(method, route.path) for method in route.methods if method != "HEAD"}
    return sorted(found)


def test_every_page_route_has_a_row(vault: Vault) -> None:
    routes = page_routes(vault)
    assert len(routes) > 20, "the walk found too little: the test would pass vacuously"
    assert sorted(set(routes) - set(EXPECTED)) == [], "a page route has no row: add one"
    assert sorted(set(EXPECTED) - set(routes)) == [], "a row names a route that is gone"


def _person(client: TestClient, operator: TestClient, mailbox: SmtpSink) -> None:
    register(operator, "acct-other", "other@example.org", language="en")
    set_password(operator, invite(operator, mailbox, "acct-other", "other@example.org"))
    page = client.get("/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {"csrf_token": token.group(1), "email": "other@example.org", "password": PASSWORD}
    assert client.post("/", data=form).status_code == 303


@pytest.fixture
def viewers(vault: Vault, client: TestClient, mailbox: SmtpSink) -> Iterator[dict[str, TestClient]]:
    with ExitStack() as stack:
        found = {name: stack.enter_context(browser(vault)) for name in VIEWERS}
        _person(found["person"], client, mailbox)
        for role in STAFF:
            add_member(vault, f"matrix-{role}", role)
            sign_in(found[role], vault, f"matrix-{role}")
        yield found


def _outcome(client: TestClient, method: str, path: str) -> str:
    if method == "GET":
        response = client.get(path)
    else:
        # A page every viewer sees, on the same side (console or portal) as the form.
        side = "/console" if path.startswith("/console") else "/portal"
        page = client.get(f"{side}/set-password")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, f"no CSRF token for {path}"
        response = client.post(path, data={"csrf_token": token.group(1)})
    if response.status_code in (301, 302, 303, 307):
        return f"303 {response.headers['location']}"
    return str(response.status_code)


def test_each_viewer_reaches_exactly_the_pages_the_table_says(
    vault: Vault, viewers: dict[str, TestClient]
) -> None:
    team = make_team(vault)
    make_subject(vault, "matrix-subject")
    kind, channel = RequestKind.ACCESS, Channel.POST
    request_id = service.enter_request(
        vault, staff=team.alice, account="matrix-subject", kind=kind, channel=channel
    )
    order = [key for key in page_routes(vault) if key not in LAST] + list(LAST)
    wrong = []
    for method, path in order:
        concrete = path.replace("{request_id}", request_id if method == "GET" else MISSING)
        for viewer in VIEWERS:
            got, expected = (
                _outcome(viewers[viewer], method, concrete),
                EXPECTED.get((method, path)),
            )
            if expected is None or got != expected[viewer]:
                wanted = expected[viewer] if expected else "(no row)"
                wrong.append(f"{method} {path} as {viewer}: {got}, expected {wanted}")
    assert wrong == []
