"""Audit events: who did what to which personal data, appended in the same transaction.

An event names its actor and objects by pseudonym or opaque id, never by
e-mail address, name or transcript, so erasing a person never requires
rewriting the log. ``data`` holds the exact canonical bytes that become the
event's Merkle leaf.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import BigInteger, Index, LargeBinary, String, Text, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from voxkeep.db.base import Base, UTCDateTime, utcnow


class AuditAction(enum.StrEnum):
    ACCOUNT_REGISTERED = "account:registered"
    ACCOUNT_UPDATED = "account:updated"
    ACCOUNT_ERASED = "account:erased"
    ACCOUNT_EMAIL_CHANGED = "account:email:changed"
    ACCOUNT_EMAIL_CHANGE_NOTIFIED = "account:email:change:notified"
    DEVICE_REGISTERED = "device:registered"
    DEVICE_UPDATED = "device:updated"
    DEVICE_REMOVED = "device:removed"
    MEMBER_REGISTERED = "member:registered"
    RECORDING_INGESTED = "recording:ingested"
    RECORDINGS_IMPORTED = "recording:imported"
    RECORDING_LISTED = "recording:listed"
    RECORDING_READ = "recording:read"
    RECORDING_AUDIO_READ = "recording:audio:read"
    RECORDING_TRANSCRIPT_READ = "recording:transcript:read"
    RECORDING_DELETED = "recording:deleted"
    RECORDING_DISCARDED = "recording:discarded"
    # Containment (incidents/containment.py): recordings the operator attributed to the
    # wrong account move to the right one; an event for each account, naming the incident.
    RECORDINGS_REASSIGNED_OUT = "recording:reassigned:out"
    RECORDINGS_REASSIGNED_IN = "recording:reassigned:in"
    DEVICE_REASSIGNED = "device:reassigned"
    RETENTION_SWEPT = "retention:swept"
    TOKEN_CREATED = "token:created"  # noqa: S105 (an event tag, not a secret)
    TOKEN_REVOKED = "token:revoked"  # noqa: S105
    KEY_CREATED = "key:created"
    KEY_ROTATED = "key:rotated"
    BLOBS_COLLECTED = "blob:orphans:removed"
    BLOBS_MOVED = "blob:moved"  # a batch of blobs copied to the bucket, its rows now name them
    BLOBS_LOCAL_REMOVED = "blob:local:removed"  # the moved vault's data directory emptied
    AUDIT_CHECKPOINT = "audit:checkpoint"
    AUDIT_VERIFIED = "audit:verified"  # `audit verify` found the log intact
    AUDIT_VERIFY_FAILED = "audit:verify:failed"  # `audit verify` found damage
    ACCOUNT_PURGED = "account:purged"
    RETENTION_REAPPLIED = "retention:reapplied"
    RETENTION_CHOSEN = "retention:chosen"  # by the person, in the portal or their API
    EXPORT_BUILT = "export:built"
    EXPORT_RELEASED = "export:released"
    EXPORT_BLOCKED = "export:blocked"
    EXPORT_DOWNLOADED = "export:downloaded"
    EXPORT_REVOKED = "export:revoked"
    EXPORT_EXPIRED = "export:expired"
    INCIDENT_OPENED = "incident:opened"
    INCIDENT_JOINED = "incident:joined"  # a repeated event of the same cause
    # The register (Art. 33(5)): one action per state an incident enters, and the steps.
    INCIDENT_ASSESSED = "incident:assessed"
    INCIDENT_AUTHORITY_NOTIFIED = "incident:authority_notified"
    INCIDENT_PEOPLE_NOTIFIED = "incident:people_notified"
    INCIDENT_CLOSED = "incident:closed"
    INCIDENT_AWARE = "incident:aware"  # the DPO set the awareness time
    INCIDENT_AFFECTED_DERIVED = "incident:affected:derived"
    INCIDENT_AFFECTED_ADDED = "incident:affected:added"
    INCIDENT_READ = "incident:read"  # staff opened it, with its sealed words and addresses
    INCIDENT_DOCUMENT = "incident:document"  # staff made the authority's document (Art. 33(3))
    INCIDENT_DOCUMENT_SENT = "incident:document:sent"  # its SHA-256, as sent to the authority
    INCIDENT_FOLLOW_UP = "incident:follow_up"  # a phased follow-up to the authority (Art. 33(4))
    # The notice to each affected person (Art. 34): queued with its mail job, mailed
    # once the mail server took it, read when the person first opened it in the portal.
    INCIDENT_NOTICE_QUEUED = "incident:notice:queued"
    INCIDENT_NOTICE_MAILED = "incident:notice:mailed"
    INCIDENT_NOTICE_READ = "incident:notice:read"
    # The DPO recorded why some affected people are not told (Art. 34(3)).
    INCIDENT_NOT_TOLD = "incident:not_told"
    # Requests: one action per state a request enters, plus the steps between.
    REQUEST_RECEIVED = "request:received"
    REQUEST_VERIFYING = "request:verifying"
    REQUEST_PAUSED = "request:paused"
    REQUEST_VERIFIED = "request:verified"
    REQUEST_BUILDING = "request:building"
    REQUEST_CHECKING = "request:checking"
    REQUEST_READY = "request:ready"
    REQUEST_DELIVERED = "request:delivered"
    REQUEST_CLOSED = "request:closed"
    REQUEST_REFUSED = "request:refused"
    REQUEST_CANCELLED = "request:cancelled"
    REQUEST_BLOCKED = "request:blocked"
    REQUEST_EXTENDED = "request:extended"
    REQUEST_CODE_SENT = "request:code:sent"
    REQUEST_CODE_REJECTED = "request:code:rejected"
    REQUEST_ADDRESS_CONFIRMED = "request:address:confirmed"
    REQUEST_NOTIFIED = "request:notified"
    REQUEST_READ = "request:read"
    # People and staff: credentials and sessions (never an address or a name in the data).
    PERSON_INVITED = "person:invited"
    PERSON_PASSWORD_SET = "person:password:set"  # noqa: S105 (an event tag, not a secret)
    PERSON_RESET_SENT = "person:reset:sent"  # a password-reset code was mailed
    PERSON_RESET_FAILED = "person:reset:failed"  # a wrong or spent code was entered
    PERSON_SIGNED_IN = "person:signed_in"
    PERSON_SIGNIN_FAILED = "person:signin:failed"
    PERSON_REAUTHENTICATED = "person:reauthenticated"
    PERSON_REAUTH_FAILED = "person:reauth:failed"
    PERSON_SIGNED_OUT = "person:signed_out"
    PERSON_SESSIONS_REVOKED = "person:sessions:revoked"
    PERSON_PASSWORD_LOCKED = "person:password:locked"  # noqa: S105 (a reset is required)
    PERSON_PASSWORD_LOCKED_NOTIFIED = "person:password:locked:notified"  # noqa: S105
    STAFF_ADDED = "staff:added"
    STAFF_ROLES_CHANGED = "staff:roles:changed"
    STAFF_DISABLED = "staff:disabled"
    STAFF_ENABLED = "staff:enabled"
    STAFF_PASSWORD_TOKEN = "staff:password:token"  # noqa: S105
    STAFF_PASSWORD_SET = "staff:password:set"  # noqa: S105
    STAFF_SIGNED_IN = "staff:signed_in"
    STAFF_SIGNIN_FAILED = "staff:signin:failed"
    STAFF_REAUTHENTICATED = "staff:reauthenticated"
    STAFF_REAUTH_FAILED = "staff:reauth:failed"
    STAFF_SIGNED_OUT = "staff:signed_out"
    STAFF_TOTP_ENROLLED = "staff:totp:enrolled"
    STAFF_TOTP_RESET = "staff:totp:reset"
    PERSON_TWO_STEP_ON = "person:two_step:on"
    PERSON_TWO_STEP_OFF = "person:two_step:off"
    PERSON_TWO_STEP_FAILED = "person:two_step:failed"  # a wrong code to turn it on or off


SYSTEM = "system"


class AuditEvent(Base):
    """One leaf of the audit log; seq is its 0-based leaf index, assigned in commit order."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_action", "action"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    data: Mapped[bytes] = mapped_column(LargeBinary)


def canonical(payload: Mapping[str, object]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def record(
    session: Session,
    action: AuditAction,
    *,
    actor: str,
    objects: Mapping[str, str | Sequence[str]] | None = None,
    counts: Mapping[str, int] | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction, so it commits or rolls back with it."""
    at = utcnow()
    payload = {
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action.value,
        "objects": dict(objects or {}),
        "counts": dict(counts or {}),
    }
    event = AuditEvent(
        seq=_next_seq(session), at=at, actor=actor, action=action.value, data=canonical(payload)
    )
    session.add(event)
    return event


def lock_log(session: Session) -> None:
    """Hold the log's append lock until the transaction ends.

    Writers are serialized (SQLite: every read-write transaction begins with
    BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock), so leaf
    indexes follow commit order without gaps and a checkpoint sees a settled tail.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK})


def _next_seq(session: Session) -> int:
    """The next leaf index, under the append lock (see lock_log).

    The first event of a transaction (or of a savepoint) takes the lock and
    reads where the log ends; the transaction's later events count on from
    there, so a transaction of many events costs one query, not one each.
    """
    where = (session.get_transaction(), session.get_nested_transaction())
    cached = session.info.get(_NEXT_SEQ)
    if cached is not None and cached[0] == where:
        seq: int = cached[1]
    else:
        lock_log(session)
        pending = [o for o in session.new if isinstance(o, AuditEvent)]
        if pending:
            seq = max(o.seq for o in pending) + 1
        else:
            last = session.scalar(select(func.max(AuditEvent.seq)))
            seq = 0 if last is None else last + 1
    session.info[_NEXT_SEQ] = (where, seq + 1)
    return seq


_NEXT_SEQ = "voxkeep.audit.next_seq"
AUDIT_LOCK = 0x766F786B  # "voxk": the advisory-lock key that serializes audit appends


class AuditCheckpoint(Base):
    """A signed checkpoint (C2SP signed note) of the log at a tree size.

    ``frontier`` holds the tree's peaks at that size (32 bytes each, leftmost
    first), so the next checkpoint hashes only the events appended since. It
    needs no signature of its own: peaks that fold to the signed root are
    authentic, and both writer and verifier check that they do.
    """

    __tablename__ = "audit_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    frontier: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
