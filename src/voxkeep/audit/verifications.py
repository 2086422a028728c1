"""Each run of ``audit verify`` leaves its result in the log itself, for the console to show.

A pass appends ``audit:verified`` with what it checked; a failure appends
``audit:verify:failed`` naming the first bad event or checkpoint when it can,
then the error goes on to the caller. The result is an event like any other,
so it is covered by the next checkpoint: nobody can quietly drop a failed run
or backdate a good one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from voxkeep.audit.errors import LogTampered
from voxkeep.audit.events import SYSTEM, AuditAction, AuditEvent, record
from voxkeep.audit.log import view_of
from voxkeep.audit.verify import ProgressCallback, VerifyReport, verify_log
from voxkeep.vault import Vault

RESULTS = (AuditAction.AUDIT_VERIFIED, AuditAction.AUDIT_VERIFY_FAILED)


@dataclass(frozen=True)
class Verification:
    """The newest recorded run of ``audit verify``."""

    seq: int  # its event's leaf index
    at: datetime
    intact: bool
    events: int | None  # how many events it checked (intact runs)
    checkpoints: int | None
    first_bad_event: int | None  # failed runs, when one event can be blamed
    bad_checkpoint: int | None  # failed runs, the tree size of the checkpoint that failed


def verify_and_record(
    vault: Vault, *, actor: str = SYSTEM, on_progress: ProgressCallback | None = None
) -> VerifyReport:
    """``verify_log``, then append its result; a LogTampered is recorded and raised again."""
    try:
        report = verify_log(vault, on_progress=on_progress)
    except LogTampered as exc:
        where = {"seq": exc.seq, "checkpoint": exc.checkpoint}
        with vault.transaction() as session:
            record(
                session,
                AuditAction.AUDIT_VERIFY_FAILED,
                actor=actor,
                counts={name: n for name, n in where.items() if n is not None},
            )
        raise
    with vault.transaction() as session:
        record(
            session,
            AuditAction.AUDIT_VERIFIED,
            actor=actor,
            counts={"events": report.events, "checkpoints": report.checkpoints},
        )
    return report


def latest_verification(vault: Vault) -> Verification | None:
    """The newest recorded ``audit verify`` result, or None if it never ran."""
    with vault.reading() as session:
        row = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_([action.value for action in RESULTS]))
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        view = view_of(row)
    counts = view.counts
    return Verification(
        seq=view.seq,
        at=view.at,
        intact=view.action == AuditAction.AUDIT_VERIFIED,
        events=counts.get("events"),
        checkpoints=counts.get("checkpoints"),
        first_bad_event=counts.get("seq"),
        bad_checkpoint=counts.get("checkpoint"),
    )
