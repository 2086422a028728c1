"""A minimal incident record: what, when, which request. No personal data in details."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from voxkeep.db.base import Base, UTCDateTime, utcnow


class IncidentKind(enum.StrEnum):
    """What opened an incident. Each automatic trigger has its own kind."""

    RELEASE_GATE_FAILED = "release_gate_failed"  # an archive failed its independent check
    NOT_MY_DATA = "not_my_data"  # a person reported an answer holding someone else's data
    BUILD_FAILED = "build_failed"  # a recording failed to decrypt or to match its hash
    KEY_FAILED = "key_failed"  # an answer's sealed key did not open
    DELIVERY_FAILED = "delivery_failed"  # an answer's bytes failed a check while being sent
    AUDIT_VERIFY_FAILED = "audit_verify_failed"  # the audit log failed its verification
    FOREIGN_DOWNLOAD = "foreign_download"  # someone asked for another account's answer
    FOUR_EYES_REFUSED = "four_eyes_refused"  # a staff action refused by four eyes
    REPORTED = "reported"  # staff recorded a breach found outside voxkeep


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k.value) for k in IncidentKind)})", name="kind"),
        Index("ix_incidents_request_id", "request_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Awareness (Art. 33(1)): the 72-hour clock for notifying the authority starts here.
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(32))
    # Ids, pseudonyms, counts and check names only: never names, addresses or content.
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    # One incident per cause: repeated events of one cause (the same answer failing
    # again, the same session asking again) join it instead of opening another.
    # Opaque: a kind and server-made ids, never personal data.
    cause: Mapped[str | None] = mapped_column(String(200), unique=True)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
