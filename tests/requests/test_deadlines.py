"""Art. 12(3) deadlines: calendar months, end-of-month clamping, pauses, extensions."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from request_helpers import Person, Team, auth, code_from, make_subject
from sqlalchemy import update

from helpers import settings_env
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.cli import cli
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, InvalidInput
from voxkeep.requests import service, verification, views
from voxkeep.requests.deadlines import (
    add_months,
    due_at,
    end_of_day,
    extension_deadline,
    pause_days,
)
from voxkeep.requests.models import Channel, DataRequest, RequestKind, RequestState
from voxkeep.requests.states import (
    effective_due_at,
    end_pause,
    lock_request,
    recompute_due,
    start_pause,
    transition,
)
from voxkeep.vault import Vault


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 30) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def end(y: int, m: int, d: int) -> datetime:
    """Reg. 1182/71 Art. 3(2)(c): a period in months ends with the last hour of its day."""
    return datetime.combine(date(y, m, d), time.max, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 3, 3), end(2026, 4, 3)),  # LAW.md's example
        (at(2025, 1, 31), end(2025, 2, 28)),  # a missing day rolls to the month's last
        (at(2024, 1, 31), end(2024, 2, 29)),  # leap year
        (at(2024, 1, 29), end(2024, 2, 29)),
        (at(2023, 1, 29), end(2023, 2, 28)),
        (at(2024, 2, 29), end(2024, 3, 29)),
        (at(2000, 1, 30), end(2000, 2, 29)),  # divisible by 400: leap
        (at(2100, 1, 30), end(2100, 2, 28)),  # divisible by 100 only: not leap
        (at(2026, 3, 31), end(2026, 4, 30)),
        (at(2026, 5, 31), end(2026, 6, 30)),
        (at(2026, 8, 31), end(2026, 9, 30)),
        (at(2026, 12, 31), end(2027, 1, 31)),  # across the year
        (at(2026, 12, 15, 0, 0), end(2027, 1, 15)),  # any time of the day: to its end
        (at(2026, 12, 15, 23, 59), end(2027, 1, 15)),
        # The UTC day counts: 00:30 in Berlin on 1 March is 28 February in UTC.
        (datetime(2026, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))), end(2026, 3, 28)),
    ],
)
def test_one_calendar_month(received: datetime, due: datetime) -> None:
    assert due_at(received) == due


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (at(2026, 3, 3), 1, end(2026, 5, 3)),
        (at(2026, 3, 3), 2, end(2026, 6, 3)),
        (at(2025, 1, 31), 2, end(2025, 4, 30)),  # three months from receipt, not 28 Feb + 2
        (at(2024, 11, 30), 2, end(2025, 2, 28)),
        (at(2023, 11, 30), 2, end(2024, 2, 29)),
    ],
)
def test_extension_counts_from_receipt(received: datetime, months: int, due: datetime) -> None:
    assert due_at(received, extension_months=months) == due


@pytest.mark.parametrize("months", [-1, 3, 12])
def test_extension_is_at_most_two_months(months: int) -> None:
    with pytest.raises(ValueError, match="0, 1 or 2"):
        due_at(at(2026, 1, 1), extension_months=months)


def test_a_pause_moves_the_due_date_by_whole_days() -> None:
    assert due_at(at(2025, 1, 31), paused_days=3) == end(2025, 3, 3)
    assert due_at(at(2026, 3, 3), extension_months=2, paused_days=3) == end(2026, 6, 6)
    assert extension_deadline(at(2026, 3, 3), paused_days=3) == end(2026, 4, 6)
    with pytest.raises(ValueError):
        due_at(at(2026, 3, 3), paused_days=-1)


@pytest.mark.parametrize(
    ("start", "stop", "days"),
    [
        (at(2027, 1, 6, 12, 0), at(2027, 1, 6, 12, 0) + timedelta(seconds=4), 0),  # issue 10.6
        (at(2027, 1, 6, 0, 0), at(2027, 1, 6, 23, 59), 0),  # the same day: nothing
        (at(2027, 1, 4, 10, 0), at(2027, 1, 7, 9, 0), 3),  # Monday to Thursday
        (at(2027, 1, 4, 23, 59), at(2027, 1, 5, 0, 1), 1),  # a day boundary was crossed
        (at(2026, 12, 31, 8, 0), at(2027, 1, 1, 8, 0), 1),  # across the year
        # UTC days count: 00:30 in Berlin on 5 January is still 4 January in UTC.
        (
            datetime(2027, 1, 5, 0, 30, tzinfo=timezone(timedelta(hours=1))),
            at(2027, 1, 4, 23, 50),
            0,
        ),
    ],
)
def test_a_pause_counts_the_calendar_days_from_its_start_to_its_end(
    start: datetime, stop: datetime, days: int
) -> None:
    assert pause_days(start, stop) == days


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2400, 12, 31)))
def test_a_month_is_28_to_31_days_and_ends_with_its_last_day(naive: datetime) -> None:
    received = naive.replace(tzinfo=UTC)
    due = due_at(received)
    assert timedelta(days=28) <= due - received < timedelta(days=32)
    assert due.time() == time.max
    assert due.day == received.day or due.day < received.day  # clamped only downwards
    assert add_months(received, 12).month == received.month


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(min_value=0, max_value=86400 * 40),
)
def test_later_receipt_or_longer_pause_never_makes_it_due_earlier(
    naive: datetime, seconds: int
) -> None:
    received = naive.replace(tzinfo=UTC)
    assert due_at(received + timedelta(seconds=seconds)) >= due_at(received)
    assert due_at(received, paused_days=seconds // 86400) >= due_at(received)


# In the vault ------------------------------------------------------------------------------


def _entered(vault: Vault, team: Team, name: str, received_at: datetime | None = None) -> str:
    make_subject(vault, name)
    return service.enter_request(
        vault,
        staff=team.alice,
        account=name,
        kind=RequestKind.ACCESS,
        channel=Channel.POST,
        received_at=received_at,
    )


def test_a_letter_is_due_one_month_after_it_arrived(vault: Vault, team: Team) -> None:
    arrived = at(2026, 1, 31, 8, 0)
    if arrived > utcnow():
        pytest.skip("the clock is before the test date")
    request_id = _entered(vault, team, "lena", arrived)
    summary = views.summary_of(vault, staff=team.dora, request_id=request_id)
    assert summary.received_at == arrived
    assert summary.due_at == end(2026, 2, 28)
    assert summary.overdue


def test_a_received_at_in_the_future_is_refused(vault: Vault, team: Team) -> None:
    with pytest.raises(InvalidInput, match="future"):
        _entered(vault, team, "mia", utcnow() + timedelta(days=2))


def test_a_request_entered_by_its_day_was_received_at_noon_utc(vault: Vault, team: Team) -> None:
    """The console sends only the day a letter came; the service makes it a time."""
    make_subject(vault, "ria")
    request_id = service.enter_request(
        vault,
        staff=team.alice,
        account="ria",
        kind=RequestKind.ACCESS,
        channel=Channel.POST,
        received_on=date(2026, 1, 31),
    )
    summary = views.summary_of(vault, staff=team.dora, request_id=request_id)
    assert summary.received_at == at(2026, 1, 31, 12, 0)
    assert summary.due_at == end(2026, 2, 28)
    with pytest.raises(InvalidInput, match="not both"):
        service.enter_request(
            vault,
            staff=team.alice,
            account="ria",
            kind=RequestKind.ACCESS,
            channel=Channel.POST,
            received_at=at(2026, 1, 31, 8, 0),
            received_on=date(2026, 1, 31),
        )


def _pause_started(vault: Vault, request_id: str, ago: timedelta) -> None:
    with vault.transaction() as session:
        session.execute(
            update(DataRequest)
            .where(DataRequest.id == request_id)
            .values(paused_since=utcnow() - ago)
        )


def test_the_clock_stops_while_the_code_is_out_and_the_pause_is_kept(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    request_id = _entered(vault, team, "nina")
    before = views.summary_of(vault, staff=team.dora, request_id=request_id).due_at
    verification.send_code(vault, staff=team.alice, request_id=request_id)
    _pause_started(vault, request_id, timedelta(days=3))  # the person took three days
    running = views.summary_of(vault, staff=team.dora, request_id=request_id)
    assert running.paused
    assert running.due_at - before >= timedelta(days=3)
    code = code_from(mail, "nina@example.org")
    verification.check_code(
        vault, staff=team.alice, request_id=request_id, code=code, evidence="by phone"
    )
    after = views.summary_of(vault, staff=team.dora, request_id=request_id)
    assert not after.paused
    shift = after.due_at - before
    # Three days back to the day: three whole days (four if midnight passed meanwhile).
    assert shift in (timedelta(days=3), timedelta(days=4))
    with vault.reading() as session:
        row = session.get(DataRequest, request_id)
        assert row is not None and row.paused_since is None
        assert row.due_at == after.due_at  # stored, so the list sorts by it


def test_extension_one_then_one_then_no_more(vault: Vault, team: Team) -> None:
    request_id = _entered(vault, team, "olga")
    base = views.summary_of(vault, staff=team.dora, request_id=request_id)
    first = service.extend(
        vault, staff=team.alice, request_id=request_id, months=1, reason="many recordings"
    )
    assert first == end_of_day(add_months(base.received_at, 2))
    second = service.extend(
        vault, staff=team.bob, request_id=request_id, months=1, reason="still sorting"
    )
    assert second == end_of_day(add_months(base.received_at, 3))
    with pytest.raises(InvalidInput, match="at most 2 months"):
        service.extend(vault, staff=team.dora, request_id=request_id, months=1, reason="more")
    detail = views.show_request(vault, staff=team.dora, request_id=request_id)
    assert detail.summary.extension_months == 2
    assert detail.extension_reason == "many recordings\nstill sorting"


def test_two_months_at_once_and_never_three(vault: Vault, team: Team) -> None:
    request_id = _entered(vault, team, "pete")
    with pytest.raises(InvalidInput):
        service.extend(vault, staff=team.alice, request_id=request_id, months=3, reason="x")
    service.extend(vault, staff=team.alice, request_id=request_id, months=2, reason="complex")
    with pytest.raises(InvalidInput, match="0 more"):
        service.extend(vault, staff=team.alice, request_id=request_id, months=1, reason="x")


def test_no_extension_after_the_first_month(vault: Vault, team: Team) -> None:
    request_id = _entered(vault, team, "rosa", utcnow() - timedelta(days=32))
    with pytest.raises(Conflict, match="first month is over"):
        service.extend(vault, staff=team.alice, request_id=request_id, months=1, reason="late")


def test_an_extension_needs_a_reason(vault: Vault, team: Team) -> None:
    request_id = _entered(vault, team, "sara")
    with pytest.raises(InvalidInput, match="reason"):
        service.extend(vault, staff=team.alice, request_id=request_id, months=1, reason="  ")


# Whole days only (issue 10, point 6) ----------------------------------------------------

_moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))
_spans = st.integers(min_value=0, max_value=86400 * 40)


def _new_request(received: datetime) -> DataRequest:
    request = DataRequest(received_at=received, extension_months=0, paused_seconds=0, paused_days=0)
    recompute_due(request)
    return request


def _utc_days(start: datetime, stop: datetime) -> int:
    return (stop.astimezone(UTC).date() - start.astimezone(UTC).date()).days


@given(
    _moments,
    st.lists(st.tuples(_spans, _spans), max_size=4),
    _spans,
    _spans,
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_pauses_move_the_due_date_by_whole_days_and_keep_its_end_of_day_time(
    naive: datetime,
    pauses: list[tuple[int, int]],
    running_after: int,
    now_after: int,
    offset_minutes: int,
) -> None:
    """Pauses of any length at any time (finished ones, then one still running, times in
    any offset) leave the due date at the end of a UTC day, moved by whole days: the
    calendar days each pause spanned."""
    zone = timezone(timedelta(minutes=offset_minutes))
    received = naive.replace(tzinfo=UTC).astimezone(zone)
    request = _new_request(received)
    base = request.due_at
    expected, clock = 0, received
    for gap, length in pauses:
        start = clock + timedelta(seconds=gap)
        clock = start + timedelta(seconds=length)
        start_pause(request, start)
        end_pause(request, clock)
        expected += _utc_days(start, clock)
        assert request.due_at == base + timedelta(days=expected)
    running = clock + timedelta(seconds=running_after)
    start_pause(request, running)
    now = running + timedelta(seconds=now_after)
    due = effective_due_at(request, now)
    assert due.utcoffset() == timedelta(0)
    assert due.time() == time.max  # the documented end of day: 23:59:59.999999 UTC
    assert due - base == timedelta(days=expected + _utc_days(running, now))


def test_a_four_second_pause_leaves_the_due_date_alone(vault: Vault) -> None:
    """Issue 10, point 6: 2027-01-06 23:59:59 must not become 2027-01-07 00:00:03."""
    who = make_subject(vault, "tara")
    request_id = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ACCESS)
    start = at(2026, 12, 6, 12, 0)
    with vault.transaction() as session:
        session.execute(
            update(DataRequest)
            .where(DataRequest.id == request_id)
            .values(state="verifying", received_at=at(2026, 12, 6, 8, 0))
        )
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        for length, due in (
            (timedelta(seconds=4), end(2027, 1, 6)),
            (timedelta(days=2, hours=23), end(2027, 1, 9)),
        ):
            transition(vault, session, request, RequestState.PAUSED, actor="system", now=start)
            transition(
                vault, session, request, RequestState.VERIFYING, actor="system", now=start + length
            )
            assert request.due_at == due


def test_the_api_and_the_command_show_a_running_pause_as_whole_days(
    vault: Vault, team: Team, mail: SmtpSink, settings: Settings
) -> None:
    request_id = _entered(vault, team, "ulla")
    verification.send_code(vault, staff=team.alice, request_id=request_id)
    _pause_started(vault, request_id, timedelta(hours=4, seconds=4))
    with TestClient(create_app(vault), raise_server_exceptions=False) as api:
        shown = api.get(f"/api/v1/requests/{request_id}", headers=auth(team.tokens["dora"]))
        listed = api.get("/api/v1/requests", headers=auth(team.tokens["dora"]))
    assert shown.status_code == 200, shown.text
    assert shown.json()["paused"]
    for due in (shown.json()["due_at"], listed.json()[0]["due_at"]):
        assert datetime.fromisoformat(due).timetz() == time.max.replace(tzinfo=UTC)
    result = CliRunner().invoke(
        cli,
        ["requests", "list"],
        env={**settings_env(settings), "VOXKEEP_STAFF_TOKEN": team.tokens["dora"]},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert re.search(rf"{request_id}  due \d{{4}}-\d\d-\d\d 23:59  paused", result.output)
