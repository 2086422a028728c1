"""What retention and erasure keep: a content-free counter, the applied maximum, receipts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voxkeep.db.base import Base, UTCDateTime, utcnow


class DiscardedUploads(Base):
    """Uploads accepted and dropped at once for "don't save" accounts: a count per day only."""

    __tablename__ = "discarded_uploads"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD (UTC)
    count: Mapped[int] = mapped_column(Integer, default=0)


class RetentionState(Base):
    """One row: the operator maximum that the stored expiry times were computed under.

    When the configured ``retention_max`` differs, the next sweep recomputes
    every expiry first, so lowering (or raising) the maximum reaches recordings
    already stored.
    """

    __tablename__ = "retention_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    applied_max: Mapped[str] = mapped_column(String(16))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ErasureReceipt(Base):
    """An account erasure: pending while its purge runs, then signed.

    Holds counts, times and pseudonyms, never personal data in the clear.
    ``account_id`` names the account only while the purge runs (a resumed purge
    needs it) and is cleared when the receipt is signed. ``mail_ct`` is the
    receipt's mail to the person (address, salt), sealed for its job from the
    key's destruction until the mail was sent or finally failed
    (retention/receipt_mail.py).
    """

    __tablename__ = "erasure_receipts"
    __table_args__ = (Index("ix_erasure_receipts_purged_at", "purged_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str | None] = mapped_column(String(32))
    account_pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    # Canonical JSON: while pending, the facts known at key destruction; once
    # purged, the exact bytes the signature covers.
    receipt: Mapped[str] = mapped_column(Text)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    mail_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeletionReceiptRow(Base):
    """A deletion of recordings (not of the account), kept so the person can see it later.

    Counts, the kind, and what it was limited to (a device's operator id, a time
    range); never a recording's id, a name or a transcript. Goes with the account.
    """

    __tablename__ = "deletion_receipts"
    __table_args__ = (Index("ix_deletion_receipts_account_id_at", "account_id", "at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    by_person: Mapped[bool] = mapped_column(Boolean)  # False: the operator's token
    asked: Mapped[int] = mapped_column(Integer)  # recordings named (recording, selection) or 0
    deleted: Mapped[int] = mapped_column(Integer)
    transcripts: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[str | None] = mapped_column(String(128))
    start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
