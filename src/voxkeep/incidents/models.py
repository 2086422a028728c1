"""The breach register (Art. 33(5)): incidents, their timelines and the people they affect.

Plain columns hold ids, pseudonyms, counts, states and times. Everything staff
type (reasons, the nature of the breach, its consequences, the measures) may
hold personal data and is kept only sealed (``*_ct``) under the vault's notes
key (crypto.keyring.NOTES), bound to the incident and the field.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
)
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


class IncidentState(enum.StrEnum):
    """Where an incident stands; incidents.states holds the moves between them."""

    OPEN = "open"
    ASSESSED = "assessed"
    AUTHORITY_NOTIFIED = "authority_notified"  # Art. 33
    PEOPLE_NOTIFIED = "people_notified"  # Art. 34
    CLOSED = "closed"


class Risk(enum.StrEnum):
    """The DPO's assessment of the risk to people's rights and freedoms (Art. 33(1), 34(1))."""

    UNLIKELY = "unlikely"  # unlikely to result in a risk: documented only (Art. 33(5))
    RISK = "risk"  # the authority is notified (Art. 33)
    HIGH = "high"  # the people are told too (Art. 34)


class AffectedSource(enum.StrEnum):
    """How an affected person came into the register."""

    MANIFEST = "manifest"  # their recordings were in the incident's answer; it never left
    DOWNLOADS = "downloads"  # their recordings were in an answer that was downloaded
    ADDED = "added"  # the DPO added them, with a reason


def _in(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(_in("kind", IncidentKind), name="kind"),
        CheckConstraint(_in("state", IncidentState), name="state"),
        CheckConstraint(f"risk IS NULL OR {_in('risk', Risk)}", name="risk"),
        Index("ix_incidents_request_id", "request_id"),
        Index("ix_incidents_state", "state"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
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
    state: Mapped[str] = mapped_column(String(24), default=IncidentState.OPEN.value)
    # Awareness (Art. 33(1)): the 72-hour clock starts here. None: the opening time.
    aware_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    risk: Mapped[str | None] = mapped_column(String(16))
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The assessment's words, sealed: they feed the authority's document and the notices.
    risk_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    nature_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    consequences_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    measures_taken_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    measures_proposed_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    authority_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authority_notified_by: Mapped[str | None] = mapped_column(String(64))
    # The reference the supervisory authority gave the notification, sealed.
    authority_reference_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    people_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    people_notified_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IncidentEvent(Base):
    """One step of an incident's timeline: who did what when; seq counts from 1 per incident."""

    __tablename__ = "incident_events"
    __table_args__ = (PrimaryKeyConstraint("incident_id", "seq", name="pk_incident_events"),)

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "staff:<id>", "system" or an account's pseudonym: never a name.
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))  # an incidents.states.Step
    state: Mapped[str] = mapped_column(String(24))  # the incident's state after the step
    note_ct: Mapped[bytes | None] = mapped_column(LargeBinary)  # what staff typed, sealed
    # What voxkeep says of a step it writes itself, as codes and figures (counts,
    # pseudonyms, ids, times: never what staff typed), e.g. {"told": 2, "pending": 1}:
    # the pages word it in their language (incidents.states.StepParams).
    params: Mapped[dict[str, str | int] | None] = mapped_column(JSON)
    # The SHA-256 (hex) of the document sent to the authority at this step, if any.
    sha256: Mapped[str | None] = mapped_column(String(64))


class IncidentAffected(Base):
    """A person whose data the incident concerns, with how many records and which period.

    ``account_id`` goes when the account is purged (ON DELETE SET NULL): the
    pseudonym and the counts stay, as the register needs them (Art. 33(5)),
    and nothing links them to the person any more (invariant 6).
    """

    __tablename__ = "incident_affected"
    __table_args__ = (
        CheckConstraint(_in("source", AffectedSource), name="source"),
        UniqueConstraint("incident_id", "account"),
        Index("ix_incident_affected_account_id", "account_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    account_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    account: Mapped[str] = mapped_column(String(64))  # the account's pseudonym
    source: Mapped[str] = mapped_column(String(16))
    recordings: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first recording's capture
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    devices: Mapped[list[str]] = mapped_column(JSON)  # device pseudonyms
    reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)  # why the DPO added them
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(64))
