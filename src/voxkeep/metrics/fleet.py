"""The fleet's truth, read from the database when Prometheus scrapes.

Jobs, requests, deadlines, release-gate verdicts and answer build times live
in rows every node shares, so each value is computed at scrape time with a few
aggregate queries over indexed columns or small tables: any node (and any
process of it) answers the same, and a node that restarts loses nothing.

Jobs, requests and deadlines are gauges (how many now). Verdicts come from
the requests' timelines, which are never deleted (an erasure keeps the request
as the record that it was answered), build times from the finished answer
jobs, which the queue keeps: both only grow, so they are a counter and a
histogram that ``rate()`` and ``histogram_quantile()`` read.

Labels are fixed words (kinds, states, day ranges, verdicts); no id and no
personal data.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from voxkeep.db.base import utcnow
from voxkeep.jobs.models import Job, JobState
from voxkeep.jobs.registry import known_kinds
from voxkeep.requests.models import DataRequest, RequestEvent, RequestKind, RequestState
from voxkeep.requests.service import EXPORT_BUILD
from voxkeep.requests.states import OPEN, effective_due_at
from voxkeep.vault import Vault

S = RequestState
JOB_STATES = ("queued", "scheduled", "running", "failed")
# Whole UTC days from today to the due date, as the console's queue counts them
# (requests.views.summarize): "0" is due today; at risk is 0-7.
DEADLINE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0", 0),
    ("1-3", 3),
    ("4-7", 7),
    ("8-14", 14),
    ("15+", None),
)
# An answer takes from seconds (a few recordings) to minutes (thousands).
BUILD_BUCKETS_S = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
VERDICTS = {S.READY.value: "passed", S.BLOCKED.value: "blocked"}


class FleetCollector(Collector):
    """The database's metrics for one vault, computed at each scrape."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def collect(self) -> Iterator[Metric]:
        now = utcnow()
        with self.vault.reading() as session:
            yield from _jobs(session, now)
            yield _requests(session)
            yield _deadlines(session, now)
            yield _verdicts(_verdicts_so_far(session))
            yield _build_times(session)


def _jobs(session: Session, now: datetime) -> Iterator[Metric]:
    kinds = known_kinds()
    counts = {(kind, state): 0 for kind in kinds for state in JOB_STATES}
    for kind, state, n in session.execute(
        select(Job.kind, Job.state, func.count())
        .where(
            Job.state.in_([JobState.QUEUED.value, JobState.RUNNING.value, JobState.FAILED.value])
        )
        .group_by(Job.kind, Job.state)
    ):
        counts[(kind, state)] = n
    oldest = dict.fromkeys(kinds, 0.0)
    for kind in {kind for kind, _ in counts}:
        counts[(kind, "scheduled")] = counts.get((kind, "queued"), 0)
        counts[(kind, "queued")] = 0
        oldest.setdefault(kind, 0.0)
    # "queued" is what waits for a worker now; "scheduled" waits for its time (a
    # retry backing off, an answer's expiry). Both are state "queued" in the table.
    for kind, n, first in session.execute(
        select(Job.kind, func.count(), func.min(Job.run_after))
        .where(Job.state == JobState.QUEUED.value, Job.run_after <= now)
        .group_by(Job.kind)
    ):
        counts[(kind, "queued")] = n
        counts[(kind, "scheduled")] -= n
        oldest[kind] = max((now - first).total_seconds(), 0.0)
    jobs = GaugeMetricFamily(
        "voxkeep_jobs",
        "Background jobs by kind and state: queued (due, waiting for a worker), scheduled "
        "(waiting for their time), running, failed (gave up; needs a person).",
        labels=["kind", "state"],
    )
    for (kind, state), n in sorted(counts.items()):
        jobs.add_metric([kind, state], n)
    yield jobs
    age = GaugeMetricFamily(
        "voxkeep_jobs_oldest_queued_seconds",
        "How long the longest-waiting due job of each kind has waited for a worker (0: none).",
        labels=["kind"],
    )
    for kind, seconds in sorted(oldest.items()):
        age.add_metric([kind], seconds)
    yield age


def _requests(session: Session) -> Metric:
    counts = {(kind.value, state.value): 0 for kind in RequestKind for state in RequestState}
    for kind, state, n in session.execute(
        select(DataRequest.kind, DataRequest.state, func.count()).group_by(
            DataRequest.kind, DataRequest.state
        )
    ):
        counts[(kind, state)] = n
    family = GaugeMetricFamily(
        "voxkeep_requests",
        "Data-subject requests by kind (access, portability, erasure) and state.",
        labels=["kind", "state"],
    )
    for (kind, state), n in sorted(counts.items()):
        family.add_metric([kind, state], n)
    return family


def _day_start(now: datetime, days: int) -> datetime:
    """Midnight (UTC) starting the day ``days`` after today."""
    return datetime.combine(now.date() + timedelta(days=days), time(0), tzinfo=now.tzinfo)


def _deadlines(session: Session, now: datetime) -> Metric:
    """Open requests by whole days left to their due date (overdue once it passed).

    A paused request's clock stands still, so its due date moves a day at each
    midnight: those few are read whole and dated as the console dates them; the
    others are counted by the database against their stored due date.
    """
    open_states = [s.value for s in OPEN]
    paused = DataRequest.paused_since.is_not(None)
    due = DataRequest.due_at
    bounds = [("overdue", due < now)]
    previous = now
    for name, days in DEADLINE_BUCKETS:
        if days is None:
            bounds.append((name, due >= previous))
            continue
        end = _day_start(now, days + 1)
        bounds.append((name, and_(due >= previous, due < end)))
        previous = end
    row = session.execute(
        select(*(func.coalesce(func.sum(case((cond, 1), else_=0)), 0) for _, cond in bounds)).where(
            DataRequest.state.in_(open_states), ~paused
        )
    ).one()
    counts = {name: int(n) for (name, _), n in zip(bounds, row, strict=True)}
    for request in session.scalars(
        select(DataRequest).where(DataRequest.state.in_(open_states), paused)
    ):
        counts[_bucket(effective_due_at(request, now), now)] += 1
    family = GaugeMetricFamily(
        "voxkeep_requests_open_by_days_left",
        "Requests still owed an answer, by whole UTC days left to their legal due date "
        "(Art. 12(3), extensions and pauses included): overdue, 0 (due today), 1-3, 4-7, "
        "8-14, 15+.",
        labels=["days_left"],
    )
    for name, n in counts.items():
        family.add_metric([name], n)
    return family


def _bucket(due: datetime, now: datetime) -> str:
    if due < now:
        return "overdue"
    days_left = (due.date() - now.date()).days
    for name, days in DEADLINE_BUCKETS:
        if days is None or days_left <= days:
            return name
    raise AssertionError("the last bucket is open")  # pragma: no cover


def _verdicts_so_far(session: Session) -> dict[str, int]:
    """How many gate verdicts moved a request out of checking, from the timelines."""
    verdicts = dict.fromkeys(VERDICTS.values(), 0)
    for to_state, n in session.execute(
        select(RequestEvent.to_state, func.count())
        .where(RequestEvent.from_state == S.CHECKING.value, RequestEvent.to_state.in_(VERDICTS))
        .group_by(RequestEvent.to_state)
    ):
        verdicts[VERDICTS[to_state]] = n
    return verdicts


def _seconds_between(session: Session, start: Any, end: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86_400.0


def _build_times(session: Session) -> Metric:
    """Every answer job's life, from the approval that enqueued it (the same transaction
    that moved the request to building) to its end, counted per bucket by the database:
    a handful of rows however many answers there were."""
    seconds = _seconds_between(session, Job.created_at, Job.finished_at)
    # Bounds as literals, so the grouped expression has no parameters to tell apart.
    first_bucket = case(
        *(
            (seconds <= literal_column(repr(b)), literal_column(str(i)))
            for i, b in enumerate(BUILD_BUCKETS_S)
        ),
        else_=literal_column(str(len(BUILD_BUCKETS_S))),
    ).label("bucket")
    per_bucket = [0] * (len(BUILD_BUCKETS_S) + 1)
    total = 0.0
    for index, n, spent in session.execute(
        select(first_bucket, func.count(), func.sum(seconds))
        .where(
            Job.kind == EXPORT_BUILD,
            Job.state == JobState.DONE.value,
            Job.finished_at.is_not(None),
        )
        .group_by(first_bucket)
    ):
        per_bucket[int(index)] = n
        total += float(spent or 0.0)
    cumulative = list(itertools.accumulate(per_bucket))
    buckets = [(str(b), n) for b, n in zip(BUILD_BUCKETS_S, cumulative, strict=False)]
    return HistogramMetricFamily(
        "voxkeep_answer_build_seconds",
        "Seconds from a request's approval (entering building) until its answer job ended "
        "with the archive built and checked by the release gate: waiting for a worker, "
        "building, checking.",
        buckets=[*buckets, ("+Inf", cumulative[-1])],
        sum_value=total,
    )


def _verdicts(verdicts: dict[str, int]) -> Metric:
    family = CounterMetricFamily(
        "voxkeep_release_gate_verdicts",
        "Release-gate verdicts on answer archives (invariant 3): passed (released) or "
        "blocked (an incident was opened).",
        labels=["verdict"],
    )
    for verdict, n in sorted(verdicts.items()):
        family.add_metric([verdict], n)
    return family
