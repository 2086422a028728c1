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
(EDPB Guidelines 01/2022 on the right of access). A period of days is counted
in whole days, the day of the event not included (Reg. 1182/71 Art. 3(1)), so
a pause stops the clock for the calendar days from the (UTC) day it began to
the day it ended: a code sent on Monday and given back on Thursday moves the
due date by three days, one given back the same day moves nothing. The due
date therefore always stays at the end of a day.
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


def pause_days(start: datetime, end: datetime) -> int:
    """The whole days a pause from ``start`` to ``end`` stops the clock: the UTC calendar
    days from the day it began to the day it ended (0 when both fall on one day)."""
    return max((end.astimezone(UTC).date() - start.astimezone(UTC).date()).days, 0)


def due_at(
    received_at: datetime,
    *,
    extension_months: int = 0,
    paused_days: int = 0,
) -> datetime:
    """When the answer is due: the end of the day one month (+ extension) after receipt,
    that many whole days later for the days spent paused."""
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError("an extension is 0, 1 or 2 months")
    if paused_days < 0:
        raise ValueError("a pause cannot be negative")
    months = ANSWER_MONTHS + extension_months
    last_day = add_months(received_at.astimezone(UTC), months).date() + timedelta(days=paused_days)
    return datetime.combine(last_day, time.max, tzinfo=UTC)


def end_of_day(when: datetime) -> datetime:
    """The last instant of ``when``'s UTC day."""
    return datetime.combine(when.astimezone(UTC).date(), time.max, tzinfo=UTC)


def extension_deadline(received_at: datetime, *, paused_days: int = 0) -> datetime:
    """The last moment an extension may be announced: within the first month (Art. 12(3))."""
    return due_at(received_at, paused_days=paused_days)
