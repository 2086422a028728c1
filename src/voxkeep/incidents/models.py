"""A minimal incident record: what, when, which request. No personal data in details."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from voxkeep.db.base import Base, UTCDateTime, utcnow


class IncidentKind(enum.StrEnum):
    RELEASE_GATE_FAILED = "release_gate_failed"  # an archive failed its independent check
    NOT_MY_DATA = "not_my_data"  # a person reported an answer holding someone else's data


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
