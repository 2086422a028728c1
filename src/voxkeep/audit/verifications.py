"""Each run of ``audit verify`` leaves its result in the log itself, for the console to show.

A pass appends ``audit:verified`` with what it checked; a failure appends
``audit:verify:failed`` naming the first bad event or checkpoint when it can,
and opens (or joins) the AUDIT_VERIFY_FAILED incident of that first bad
position; then the error goes on to the caller. The result is an event like any other,
so it is covered by the next checkpoint: nobody can quietly drop a failed run
or backdate a good one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.audit.errors import LogTampered
from voxkeep.audit.events import SYSTEM, AuditAction, AuditEvent, record
from voxkeep.audit.log import view_of
from voxkeep.audit.verify import ProgressCallback, VerifyReport, verify_log
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import cause_of, open_incident
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
            _open_incident(vault, session, exc, actor=actor)
        raise
    with vault.transaction() as session:
        record(
            session,
            AuditAction.AUDIT_VERIFIED,
            actor=actor,
            counts={"events": report.events, "checkpoints": report.checkpoints},
        )
    return report


def _open_incident(vault: Vault, session: Session, exc: LogTampered, *, actor: str) -> None:
    """One AUDIT_VERIFY_FAILED incident per first bad position, joined by every later run
    that finds the same damage."""
    position: int | None
    if exc.seq is not None:
        check, position = "event", exc.seq
    elif exc.suspects is not None:
        check, position = "events", exc.suspects.start
    else:
        check, position = "checkpoint", exc.checkpoint
    details: dict[str, object] = {"check": check, "message": exc.message}
    details |= {k: v for k, v in where_of(exc).items() if v is not None}
    open_incident(
        vault,
        session,
        kind=IncidentKind.AUDIT_VERIFY_FAILED,
        cause=cause_of(IncidentKind.AUDIT_VERIFY_FAILED, check, str(position)),
        request_id=None,
        details=details,
        actor=actor,
    )


def where_of(exc: LogTampered) -> dict[str, int | list[int] | None]:
    """Where the damage is: the first bad event, the failed checkpoint, the suspect range."""
    suspects = exc.suspects
    return {
        "seq": exc.seq,
        "checkpoint": exc.checkpoint,
        "suspects": [suspects.start, suspects.stop - 1] if suspects is not None else None,
    }


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
