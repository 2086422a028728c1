"""The jobs table: background work that commits with the state change that needs it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from voxkeep.db.base import Base, UTCDateTime, utcnow


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"  # claimed; the claim lapses at locked_until unless renewed
    DONE = "done"
    FAILED = "failed"  # gave up after the last attempt; needs a person


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(f"state IN ({', '.join(repr(s.value) for s in JobState)})", name="state"),
        Index("ix_jobs_state_run_after", "state", "run_after"),
        Index("ix_jobs_ref", "ref"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # Opaque ids only (e.g. a request id), never personal data: the table is plaintext.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The object the job works on, for look-up ("which jobs does this request have?").
    ref: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED.value)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The operation and the error's class or errno, never its message (no personal data).
    last_error: Mapped[str | None] = mapped_column(String(500))
    # While the job waits out a transient fault (jobs.faults): which, and since when.
    fault: Mapped[str | None] = mapped_column(String(16))
    fault_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PeriodicRun(Base):
    """One kind of periodic work (the retention sweep) and who runs it now (jobs/periodic.py).

    A node runs the work only after claiming this row: due (``next_run_at`` passed) and
    not leased, so one node of a fleet runs each period, and another takes over once
    a dead node's lease lapses.
    """

    __tablename__ = "periodic_runs"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    runs: Mapped[int] = mapped_column(Integer, default=0)  # finished runs, for the record
    last_run_by: Mapped[str | None] = mapped_column(String(64))
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
