"""A recording: encrypted audio in the blob store, encrypted transcript in its row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from voxkeep.db.base import Base, UTCDateTime, utcnow


class Recording(Base):
    __tablename__ = "recordings"
    __table_args__ = (
        Index("ix_recordings_account_id_captured_at", "account_id", "captured_at"),
        Index("ix_recordings_device_id", "device_id"),
        Index("ix_recordings_expires_at", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    member_id: Mapped[str | None] = mapped_column(
        ForeignKey("household_members.id", ondelete="SET NULL")
    )
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    bits_per_sample: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(2))
    audio_blob: Mapped[str] = mapped_column(String(64), unique=True)
    audio_bytes: Mapped[int] = mapped_column(Integer)
    # SHA-256 of the plaintext audio, sealed under the owner's data key (bound to
    # owner and id): answers "same bytes again?" for idempotent uploads, goes
    # into an answer's manifest and is checked by the release gate without
    # hashing the audio again; shredded with the key. None only for rows
    # stored before migration 0002 (recordings.service.stored_sha256).
    audio_sha256: Mapped[bytes | None] = mapped_column(LargeBinary)
    transcript_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    # When retention ends (captured_at + the account's effective retention); None
    # for "until I delete". The sweeper reads only rows past this, via its index.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
