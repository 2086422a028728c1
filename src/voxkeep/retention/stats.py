"""Recordings stored and deleted by retention per month, read from the audit log.

The log is the one record that keeps these numbers after the recordings are
gone: every stored recording appended ``recording:ingested`` (one each) or
``recording:imported`` (``counts.recordings`` per account and batch), and
every retention sweep batch ``retention:swept`` (``counts.recordings``).
Deletions that people or erasures asked for are not retention's and are not
counted here. Months are calendar months in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from voxkeep.audit.events import AuditAction, AuditEvent
from voxkeep.audit.log import view_of
from voxkeep.db.base import utcnow
from voxkeep.months import Month, last_months
from voxkeep.vault import Vault


@dataclass(frozen=True)
class RetentionMonth:
    month: Month
    stored: int
    swept: int


def retention_months(
    vault: Vault, *, months: int = 12, now: datetime | None = None
) -> list[RetentionMonth]:
    """The last ``months`` calendar months up to the one holding ``now``, oldest first."""
    span = last_months(now or utcnow(), months)
    stored = dict.fromkeys(span, 0)
    swept = dict.fromkeys(span, 0)
    with vault.reading() as session:
        # One query, grouped by month (a subquery names the month, so the database groups
        # by that column rather than by a second copy of the expression and its parameters).
        month_of = case(
            *((AuditEvent.at < month.next().start, str(month)) for month in span),
            else_=str(span[-1]),
        )
        ingested = (
            select(month_of.label("month"))
            .where(
                AuditEvent.action == AuditAction.RECORDING_INGESTED.value,
                AuditEvent.at >= span[0].start,
                AuditEvent.at < span[-1].next().start,
            )
            .subquery()
        )
        counted = session.execute(select(ingested.c.month, func.count()).group_by(ingested.c.month))
        by_month = {str(month): month for month in span}
        for label, count in counted:
            stored[by_month[label]] = int(count)
        batches = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action.in_(
                    [AuditAction.RECORDINGS_IMPORTED.value, AuditAction.RETENTION_SWEPT.value]
                ),
                AuditEvent.at >= span[0].start,
                AuditEvent.at < span[-1].next().start,
            )
        )
        for row in batches:
            view = view_of(row)
            count = view.counts.get("recordings", 0)
            target = stored if view.action == AuditAction.RECORDINGS_IMPORTED else swept
            target[Month.of(view.at)] += count
    return [RetentionMonth(m, stored[m], swept[m]) for m in span]
