"""PageRoute sends a person whose password check is stale to /reauth and back; the
console's pages (staff re-authenticate their own way) show the refusal instead."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from voxkeep.errors import ReauthRequired
from voxkeep.web.pageroute import PageRoute


def app() -> FastAPI:
    router = APIRouter(route_class=PageRoute)

    @router.get("/somewhere")
    @router.get("/console/somewhere")
    def stale() -> None:
        raise ReauthRequired("This needs you to confirm your password first.")

    made = FastAPI()
    made.include_router(router)
    return made


def test_a_page_whose_service_wants_a_fresh_password_goes_to_reauth_and_back() -> None:
    client = TestClient(app(), follow_redirects=False)
    sent = client.get("/somewhere?page=2")
    assert sent.status_code == 303
    assert sent.headers["location"] == "/reauth?next=%2Fsomewhere%3Fpage%3D2"


def test_a_console_page_is_not_sent_to_the_persons_reauth_page() -> None:
    client = TestClient(app(), follow_redirects=False)
    refused = client.get("/console/somewhere")
    assert refused.status_code == 403
    assert "confirm your password" in refused.text
