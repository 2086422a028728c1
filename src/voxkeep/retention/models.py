"""What retention and erasure keep: a content-free counter and signed erasure receipts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voxkeep.db.base import Base, UTCDateTime, utcnow


class DiscardedUploads(Base):
    """Uploads accepted and dropped at once for "don't save" accounts: a count per day only."""

    __tablename__ = "discarded_uploads"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD (UTC)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ErasureReceipt(Base):
    """The signed receipt of an account erasure; holds counts and pseudonyms, no personal data."""

    __tablename__ = "erasure_receipts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    receipt: Mapped[str] = mapped_column(Text)  # canonical JSON
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
