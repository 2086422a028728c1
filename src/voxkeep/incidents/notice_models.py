"""The notice each affected person gets about an incident (Art. 34): who was told, when.

A plain row holds ids, the account's audit pseudonym and times, so the register
(Art. 33(5)) shows who was told when even after the person was erased. What the
notice says is a row of its own, sealed under the person's own data key and
tied to their account: erasure shreds it at once (the key) and the purge
removes its ciphertext (the account row's deletion cascades to it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voxkeep.db.base import Base, UTCDateTime, utcnow


class IncidentNotice(Base):
    __tablename__ = "incident_notices"
    __table_args__ = (
        # One notice per person and incident: sending again finds it and mails nothing.
        UniqueConstraint("incident_id", "account_pseudonym"),
        Index("ix_incident_notices_account_id_read_at", "account_id", "read_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"))
    # The server-made account id (no foreign key: the row outlives the account, as the
    # register must) and its audit pseudonym, which is what the register shows.
    account_id: Mapped[str] = mapped_column(String(32))
    account_pseudonym: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))  # the language it was mailed in
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the mail server took it
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first opened in the portal


class IncidentNoticeText(Base):
    """What one notice says: its facts (JSON), sealed with the person's data key."""

    __tablename__ = "incident_notice_texts"
    __table_args__ = (Index("ix_incident_notice_texts_account_id", "account_id"),)

    notice_id: Mapped[str] = mapped_column(
        ForeignKey("incident_notices.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    content_ct: Mapped[bytes] = mapped_column(LargeBinary)
