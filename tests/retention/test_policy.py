"""Retention periods: calendar-month arithmetic, the operator cap, and the SQL twin of both."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select, update

from retention.seeding import register
from voxkeep.accounts.models import Retention
from voxkeep.recordings.models import Recording
from voxkeep.retention import policy
from voxkeep.retention.policy import add_months, effective, expiry, expiry_sql
from voxkeep.vault import Vault

R = Retention


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (utc(2024, 1, 31, 8), 1, utc(2024, 2, 29, 8)),  # leap year: last day of February
        (utc(2023, 1, 31, 8), 1, utc(2023, 2, 28, 8)),
        (utc(2025, 8, 31, 23, 59, 59), 3, utc(2025, 11, 30, 23, 59, 59)),
        (utc(2025, 11, 30, 12), 3, utc(2026, 2, 28, 12)),
        (utc(2023, 11, 29, 12), 3, utc(2024, 2, 29, 12)),
        (utc(2025, 3, 3), 1, utc(2025, 4, 3)),  # LAW.md: 3 March → 3 April
        (utc(2024, 12, 15, 6, 30), 18, utc(2026, 6, 15, 6, 30)),
        (utc(2024, 8, 31), 18, utc(2026, 2, 28)),
        (utc(2025, 10, 31, 1, 2, 3, 456789), 3, utc(2026, 1, 31, 1, 2, 3, 456789)),
        (utc(2025, 5, 10), 0, utc(2025, 5, 10)),
    ],
)
def test_calendar_months_clamp_to_the_last_day(
    start: datetime, months: int, expected: datetime
) -> None:
    assert add_months(start, months) == expected


def test_months_are_counted_in_utc() -> None:
    # 1 January 00:30 in Berlin is 31 December 23:30 UTC.
    berlin = timezone(timedelta(hours=1))
    assert add_months(datetime(2024, 1, 1, 0, 30, tzinfo=berlin), 2) == utc(2024, 2, 29, 23, 30)


@given(
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=0, max_value=40),
)
def test_month_arithmetic_properties(start: datetime, months: int) -> None:
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    assert end.day == start.day or (end.day < start.day and (end + timedelta(days=1)).day == 1)
    assert end.time() == start.time()
    assert end >= start
    assert add_months(start + timedelta(days=1), months) >= end  # monotone


@pytest.mark.parametrize(
    ("choice", "maximum", "expected"),
    [
        (R.UNTIL_DELETED, R.UNTIL_DELETED, R.UNTIL_DELETED),
        (R.UNTIL_DELETED, R.MONTHS_18, R.MONTHS_18),
        (R.MONTHS_18, R.MONTHS_3, R.MONTHS_3),
        (R.MONTHS_3, R.MONTHS_18, R.MONTHS_3),
        (R.MONTHS_3, R.DONT_SAVE, R.DONT_SAVE),
        (R.DONT_SAVE, R.UNTIL_DELETED, R.DONT_SAVE),
    ],
)
def test_the_operator_maximum_caps_every_choice(
    choice: Retention, maximum: Retention, expected: Retention
) -> None:
    assert effective(choice, maximum) is expected


def test_expiry_per_choice() -> None:
    start = utc(2025, 8, 31, 10)
    assert expiry(start, R.DONT_SAVE) == start
    assert expiry(start, R.MONTHS_3) == utc(2025, 11, 30, 10)
    assert expiry(start, R.MONTHS_18) == utc(2027, 2, 28, 10)
    assert expiry(start, R.UNTIL_DELETED) is None


def _awkward_times(count: int) -> list[datetime]:
    """Month ends, leap days, midnight and microseconds, plus random times."""
    rng = random.Random(4711)
    times = [
        utc(year, month, day, hour, 59, 59, 999999)
        for year in (2023, 2024)
        for month in (1, 2, 3, 5, 8, 10, 11, 12)
        for day in (1, 28, 29, 30, 31)
        for hour in (0, 23)
        if not (month == 2 and day > (29 if year == 2024 else 28))
        and not (month in (11,) and day == 31)
    ]
    start = utc(2020, 1, 1)
    while len(times) < count:
        times.append(start + timedelta(seconds=rng.randrange(10 * 365 * 86400), microseconds=7))
    return times


def test_the_sql_expiry_equals_the_python_expiry(vault: Vault) -> None:
    """The one-UPDATE recomputation (SQLite string functions / PostgreSQL intervals)."""
    account_id = register(vault, "acct-sql")
    times = _awkward_times(400)
    rows = [
        {
            "id": f"r{n}",
            "account_id": account_id,
            "device_id": "acct-sql-dev",
            "captured_at": when,
            "duration_ms": 1,
            "sample_rate": 8000,
            "channels": 1,
            "bits_per_sample": 16,
            "language": "en",
            "audio_blob": f"{n:032x}",
            "audio_bytes": 1,
        }
        for n, when in enumerate(times)
    ]
    with vault.transaction() as session:
        session.execute(insert(Recording), rows)
    for choice in (R.MONTHS_3, R.MONTHS_18, R.DONT_SAVE, R.UNTIL_DELETED):
        with vault.transaction() as session:
            dialect = session.get_bind().dialect.name
            session.execute(
                update(Recording).values(
                    expires_at=expiry_sql(dialect, Recording.captured_at, choice)
                )
            )
        with vault.reading() as session:
            stored = dict(session.execute(select(Recording.id, Recording.expires_at)).all())
        mismatches = [
            (n, when, stored[f"r{n}"], expiry(when, choice))
            for n, when in enumerate(times)
            if stored[f"r{n}"] != expiry(when, choice)
        ]
        assert mismatches == [], choice


def test_a_choice_change_reexpires_in_one_statement(vault: Vault) -> None:
    account_id = register(vault, "acct-one")
    with vault.transaction() as session:
        assert policy.reexpire_account(vault, session, account_id, R.MONTHS_18) == 0
