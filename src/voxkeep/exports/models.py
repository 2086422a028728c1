"""An export (one answer archive) and every download of it.

The archive itself lives in the blob store, encrypted under its own random
key; the key is stored only sealed under the owner's data key, so erasing the
account or destroying the key at expiry makes the archive unreadable at once.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from voxkeep.db.base import Base, UTCDateTime, utcnow


class ExportKind(enum.StrEnum):
    ACCESS = "access"  # Art. 15: everything, with the cover sheet and the PDF
    PORTABILITY = "portability"  # Art. 20: the machine-readable subset


class ExportState(enum.StrEnum):
    BUILT = "built"  # archive written, not yet checked: never downloadable
    RELEASED = "released"  # the release gate passed: downloadable until expiry
    BLOCKED = "blocked"  # the release gate failed: never downloadable
    REVOKED = "revoked"  # the person said "this is not my data"
    EXPIRED = "expired"  # past its time or its downloads; key destroyed


def _in(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Export(Base):
    __tablename__ = "exports"
    __table_args__ = (
        CheckConstraint(_in("kind", ExportKind), name="kind"),
        CheckConstraint(_in("state", ExportState), name="state"),
        Index("ix_exports_account_id", "account_id"),
        Index("ix_exports_request_id", "request_id"),
        Index("ix_exports_expires_at", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("data_requests.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    blob: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The archive key sealed under the owner's data key; None once destroyed.
    key_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(BigInteger)  # plaintext archive bytes
    manifest_sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    files: Mapped[int] = mapped_column(Integer)
    recordings: Mapped[int] = mapped_column(Integer)
    withheld: Mapped[int] = mapped_column(Integer)
    max_downloads: Mapped[int] = mapped_column(Integer)
    bytes_served: Mapped[int] = mapped_column(BigInteger, default=0)
    gate_failure: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    key_destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExportDownload(Base):
    """One download response; address and user agent only sealed under the owner's key."""

    __tablename__ = "export_downloads"
    __table_args__ = (Index("ix_export_downloads_export_id", "export_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    export_id: Mapped[str] = mapped_column(ForeignKey("exports.id", ondelete="CASCADE"))
    session_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    range_start: Mapped[int] = mapped_column(BigInteger)
    range_end: Mapped[int] = mapped_column(BigInteger)  # inclusive
    # When its last byte left or it was cut off; None while it is being sent.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address_ct: Mapped[bytes] = mapped_column(LargeBinary)
    user_agent_ct: Mapped[bytes] = mapped_column(LargeBinary)
