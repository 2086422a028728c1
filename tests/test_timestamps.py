"""Every time a client sends is checked at the boundary: naive times, times before 1970
or past 9999-12-30 (after the offset is applied), in bodies, upload metadata and page
cursors, answer 422 naming the field and the accepted range, never 500."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import make_wav, setup_account, upload
from voxkeep.people import staff
from voxkeep.tokens.service import Scope, create_token
from voxkeep.vault import Vault

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
OFFSETS = [timedelta(hours=h) for h in (-14, -5, 0, 5.5, 14)]
EDGES = [
    datetime(1, 1, 1),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=-14))),
    datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(1970, 1, 1, 13, 59, tzinfo=timezone(timedelta(hours=14))),
    datetime(2026, 1, 1, 12, 0, 0, 123456),
    datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(9999, 12, 31, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-14))),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=14))),
]
times = st.one_of(
    st.sampled_from(EDGES),
    st.datetimes(
        min_value=datetime(1, 1, 1),
        max_value=datetime(9999, 12, 31, 23, 59, 59, 999999),
        timezones=st.one_of(st.none(), st.sampled_from([timezone(o) for o in OFFSETS])),
    ),
)


def accepted(when: datetime) -> bool:
    """The documented rule: a zone, and from 1970-01-01 to 9999-12-30 in UTC."""
    if when.tzinfo is None:
        return False
    try:
        return EARLIEST <= when.astimezone(UTC) <= LATEST
    except OverflowError:
        return False


@pytest.fixture
def calls(client: TestClient, vault: Vault) -> dict[str, Callable[[str], Any]]:
    """Each time-taking route, as a call that sends one time to it."""
    with vault.transaction() as session:
        _, token = create_token(session, name="all", scopes=list(Scope), actor="system")
    client.headers["Authorization"] = f"Bearer {token}"
    setup_account(client)
    assert client.put("/api/v1/accounts/acct-1", json={"email": "a@example.org"}).is_success
    staff.add_staff(vault, name="agent", roles=["agent"], actor="system", password=PASSWORD)
    signed = client.post("/api/v1/staff/sessions", json={"name": "agent", "password": PASSWORD})
    staff_auth = {"Authorization": f"Bearer {signed.json()['token']}"}
    audio = make_wav(0.1)

    def request_entry(when: str) -> Any:
        body = {"account": "acct-1", "kind": "access", "channel": "email", "received_at": when}
        return client.post("/api/v1/requests", json=body, headers=staff_auth)

    return {
        "registered_at": lambda when: client.put(
            "/api/v1/accounts/acct-1/devices/dev-2",
            json={"kind": "tv", "name": "Wohnzimmer", "registered_at": when},
        ),
        "captured_at": lambda when: upload(client, rec_id="rec-t", audio=audio, captured_at=when),
        "from": lambda when: client.post(
            "/api/v1/accounts/acct-1/deletions", json={"kind": "range", "from": when}
        ),
        "to": lambda when: client.post(
            "/api/v1/accounts/acct-1/deletions", json={"kind": "range", "to": when}
        ),
        "received_at": request_entry,
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(when=times)
def test_every_time_a_client_sends_is_checked_at_the_boundary(
    calls: dict[str, Callable[[str], Any]], when: datetime
) -> None:
    for field, call in calls.items():
        response = call(when.isoformat())
        assert response.status_code < 500, (field, when, response.text)
        if not accepted(when):
            body = response.json()
            assert response.status_code == 422, (field, when, response.text)
            assert f"`{field}`" in body["error"], body
            assert "1970-01-01T00:00:00Z to 9999-12-30T23:59:59Z" in body["error"], body
            assert body["code"] == "invalid_input" and body["ok"] is False


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(when=times)
def test_a_page_cursor_with_any_time_is_checked_like_a_sent_time(
    client: TestClient, when: datetime
) -> None:
    setup_account(client)
    cursor = base64.urlsafe_b64encode(f"{when.isoformat()}|rec-1".encode()).decode()
    response = client.get("/api/v1/accounts/acct-1/recordings", params={"after": cursor})
    if accepted(when):
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "The cursor is not valid."


def test_a_time_inside_upload_metadata_is_named_with_its_part(client: TestClient) -> None:
    setup_account(client)
    meta = {
        "id": "rec-1",
        "account": "acct-1",
        "device": "dev-1",
        "captured_at": "9999-12-31T23:00:00-14:00",
        "language": "de",
    }
    response = upload(client, metadata=json.dumps(meta).encode())
    assert response.status_code == 422
    assert response.json()["error"].startswith("The metadata's `captured_at` must be")
