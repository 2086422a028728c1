"""Requests per month for the console's dashboard: how many came, how fast they were answered.

A request is answered when it first reached ``ready`` (the copy or the
erasure receipt is there for the person) or ``refused`` (a refusal with its
reasons is an answer too, Art. 12(4)). It was answered on time when that
happened by its due date, extensions included (Art. 12(3) allows them with a
reason). Requests count in the month they were received; answers in the month
they were given, so a month's on-time share and median speak of the work
done in it. Months are calendar months in UTC.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select

from voxkeep.db.base import utcnow
from voxkeep.months import Month, last_months
from voxkeep.requests.models import DataRequest, RequestEvent, RequestKind, RequestState
from voxkeep.vault import Vault

ANSWERED: Final = (RequestState.READY.value, RequestState.REFUSED.value)
SECONDS_PER_DAY: Final = 86_400


@dataclass(frozen=True)
class RequestMonth:
    month: Month
    received: dict[RequestKind, int]  # every kind present, 0 when none came
    answered: int
    on_time: int
    median_days: float | None  # from receipt to answer, one decimal; None when none answered

    @property
    def received_total(self) -> int:
        return sum(self.received.values())

    @property
    def on_time_percent(self) -> int | None:
        """Whole percent answered on time, rounded down; None when none answered."""
        return None if not self.answered else self.on_time * 100 // self.answered


def request_months(
    vault: Vault, *, months: int = 12, now: datetime | None = None
) -> list[RequestMonth]:
    """The last ``months`` calendar months up to the one holding ``now``, oldest first."""
    span = last_months(now or utcnow(), months)
    start, end = span[0].start, span[-1].next().start
    received = {m: dict.fromkeys(RequestKind, 0) for m in span}
    answers: dict[Month, list[tuple[float, bool]]] = {m: [] for m in span}
    with vault.reading() as session:
        for kind, at in session.execute(
            select(DataRequest.kind, DataRequest.received_at).where(
                DataRequest.received_at >= start, DataRequest.received_at < end
            )
        ):
            received[Month.of(at)][RequestKind(kind)] += 1
        first_answer = (
            select(RequestEvent.request_id, func.min(RequestEvent.at).label("at"))
            .where(RequestEvent.to_state.in_(ANSWERED))
            .group_by(RequestEvent.request_id)
            .subquery()
        )
        rows = session.execute(
            select(first_answer.c.at, DataRequest.received_at, DataRequest.due_at)
            .join(DataRequest, DataRequest.id == first_answer.c.request_id)
            .where(first_answer.c.at >= start, first_answer.c.at < end)
        )
        for answered_at, received_at, due_at in rows:
            days = (answered_at - received_at).total_seconds() / SECONDS_PER_DAY
            answers[Month.of(answered_at)].append((days, answered_at <= due_at))
    return [_month(m, received[m], answers[m]) for m in span]


def _month(
    month: Month, received: dict[RequestKind, int], answers: list[tuple[float, bool]]
) -> RequestMonth:
    return RequestMonth(
        month=month,
        received=received,
        answered=len(answers),
        on_time=sum(on_time for _, on_time in answers),
        median_days=round(statistics.median(d for d, _ in answers), 1) if answers else None,
    )
