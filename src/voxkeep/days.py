"""Days and times as people and clients send them: a day typed into a form's date
field, the whole UTC days a range of such days covers, and the span every time a
client sends must lie in. Services and pages share these; nothing here knows HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from voxkeep.errors import InvalidInput

# The times a client may send. The lower bound keeps every time representable
# by both databases and by POSIX time; the upper leaves a day of headroom below
# datetime.max, so converting to any time zone (±14 h) cannot overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
TIME_RULE = (
    "an ISO 8601 date and time with a time zone, from 1970-01-01T00:00:00Z "
    "to 9999-12-30T23:59:59Z (UTC)"
)


def in_time_range(value: datetime) -> datetime:
    """The time in UTC, if it has a zone and lies in [EARLIEST, LATEST]; else ValueError."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"must be {TIME_RULE}")
    try:
        utc = value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        raise ValueError(f"must be {TIME_RULE}") from None
    if not EARLIEST <= utc <= LATEST:
        raise ValueError(f"must be {TIME_RULE}")
    return utc


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD day as a date field sends it; None when empty, InvalidInput when the
    text is not a day."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("Enter the date as year-month-day, for example 2026-03-31.") from None


def day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """(since, until) covering whole UTC days from ``first`` to ``last``, both included:
    since at the start of ``first``, until (exclusive) at the start of the day after ``last``."""
    since = datetime.combine(first, time(), UTC) if first else None
    until = datetime.combine(last + timedelta(days=1), time(), UTC) if last else None
    return since, until
