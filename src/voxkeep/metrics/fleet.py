"""The fleet's truth, read from the database when Prometheus scrapes.

Jobs, requests, deadlines, release-gate verdicts and answer build times live
in rows every node shares, so each value is computed at scrape time with a few
aggregate queries over indexed columns or small tables: any node (and any
process of it) answers the same, and a node that restarts loses nothing.

Jobs, requests and deadlines are gauges (how many now). Verdicts and build
times come from the requests' timelines, which are never deleted (an erasure
keeps the request as the record that it was answered): they only grow, so they
are a counter and a histogram that ``rate()`` and ``histogram_quantile()`` read.

Labels are fixed words (kinds, states, day ranges, verdicts); no id and no
personal data.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, time, timedelta

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from voxkeep.db.base import utcnow
from voxkeep.jobs.models import Job, JobState
from voxkeep.jobs.registry import known_kinds
from voxkeep.requests.models import DataRequest, RequestEvent, RequestKind, RequestState
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
            seconds, verdicts = _answers(session)
        yield _verdicts(verdicts)
        yield _build_times(seconds)


def _jobs(session: Session, now: datetime) -> Iterator[Metric]:
    kinds = known_kinds()
    counts = {(kind, state): 0 for kind in kinds for state in JOB_STATES}
    for kind, state, n in session.execute(
        select(Job.kind, Job.state, func.count())
        .where(Job.state != JobState.DONE.value)
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


def _answers(session: Session) -> tuple[list[float], dict[str, int]]:
    """From the timelines: each built answer's seconds from entering ``building`` to
    entering ``checking``, and how many gate verdicts moved a request out of checking."""
    done = aliased(RequestEvent)
    start = aliased(RequestEvent)
    started = (
        select(func.max(start.at))
        .where(
            start.request_id == done.request_id,
            start.seq < done.seq,
            start.to_state == S.BUILDING.value,
            or_(start.from_state.is_(None), start.from_state != S.BUILDING.value),
        )
        .correlate(done)
        .scalar_subquery()
    )
    seconds = [
        (built - began).total_seconds()
        for built, began in session.execute(
            select(done.at, started).where(
                done.from_state == S.BUILDING.value, done.to_state == S.CHECKING.value
            )
        )
        if began is not None
    ]
    verdicts = dict.fromkeys(VERDICTS.values(), 0)
    for to_state, n in session.execute(
        select(RequestEvent.to_state, func.count())
        .where(RequestEvent.from_state == S.CHECKING.value, RequestEvent.to_state.in_(VERDICTS))
        .group_by(RequestEvent.to_state)
    ):
        verdicts[VERDICTS[to_state]] = n
    return seconds, verdicts


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


def _build_times(seconds: Sequence[float]) -> Metric:
    buckets = [(str(bound), sum(1 for s in seconds if s <= bound)) for bound in BUILD_BUCKETS_S]
    buckets.append(("+Inf", len(seconds)))
    return HistogramMetricFamily(
        "voxkeep_answer_build_seconds",
        "Seconds from a request entering building (approved) to its archive being built and "
        "handed to the release gate: waiting for a worker and building.",
        buckets=buckets,
        sum_value=sum(seconds),
    )
