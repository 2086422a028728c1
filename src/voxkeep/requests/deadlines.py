"""The legal deadline of a request, GDPR Art. 12(3).

A request is answered "within one month of receipt"; the period may be
extended "by two further months". Months are calendar months, read as
Regulation (EEC, Euratom) No 1182/71 Art. 3(2)(c) reads a period expressed in
months: it ends with the last hour of the day in the last month that has the
same date as the day of receipt (3 March → end of 3 April), and when that
month has no such day, with the last hour of its last day (31 January → end of
28 or 29 February). Days are UTC days. The extension counts from receipt too
(31 January + 3 months → end of 30 April), so a short February does not eat
into it. Weekends and public holidays (Art. 3(4)) are not counted in voxkeep's
favour: the deadline shown is never later than the legal one.

While the person has not answered a verification step the clock is paused
(EDPB Guidelines 01/2022 on the right of access): the due date moves by
exactly the time spent paused.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, time, timedelta

ANSWER_MONTHS = 1
MAX_EXTENSION_MONTHS = 2


def add_months(when: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months later, clamped to the month's end."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = when.month - 1 + months
    year, month = when.year + index // 12, index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def due_at(
    received_at: datetime,
    *,
    extension_months: int = 0,
    paused: timedelta = timedelta(0),
) -> datetime:
    """When the answer is due: the end of the day one month (+ extension) after receipt,
    shifted by the time spent paused."""
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError("an extension is 0, 1 or 2 months")
    if paused < timedelta(0):
        raise ValueError("a pause cannot be negative")
    months = ANSWER_MONTHS + extension_months
    return end_of_day(add_months(received_at.astimezone(UTC), months)) + paused


def end_of_day(when: datetime) -> datetime:
    """The last instant of ``when``'s UTC day."""
    return datetime.combine(when.astimezone(UTC).date(), time.max, tzinfo=UTC)


def extension_deadline(received_at: datetime, *, paused: timedelta = timedelta(0)) -> datetime:
    """The last moment an extension may be announced: within the first month (Art. 12(3))."""
    return due_at(received_at, paused=paused)
