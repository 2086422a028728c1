"""Account, device, household member and per-account data key.

Identifying values (the operator's external id, e-mail, names) are stored
only encrypted under the account's data key, with a keyed hash beside them for
look-up (invariant 5). Destroying the data key makes all of them unreadable.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from voxkeep.db.base import Base, UTCDateTime, utcnow


class Language(enum.StrEnum):
    EN = "en"
    DE = "de"
    FR = "fr"


class Retention(enum.StrEnum):
    DONT_SAVE = "dont_save"
    MONTHS_3 = "3_months"
    MONTHS_18 = "18_months"
    UNTIL_DELETED = "until_deleted"


class DeviceKind(enum.StrEnum):
    SPEAKER = "speaker"
    TV = "tv"
    PHONE = "phone"
    CAR = "car"
    OTHER = "other"


def _in(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(_in("language", Language), name="language"),
        CheckConstraint(_in("retention", Retention), name="retention"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    external_id_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    external_id_ct: Mapped[bytes] = mapped_column(LargeBinary)
    email_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    email_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str] = mapped_column(String(2))
    retention: Mapped[str] = mapped_column(String(16))
    # Set when erasure destroyed the data key; the purge of the rest may still run.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DataKey(Base):
    """An account's data key, only ever stored wrapped by the master key."""

    __tablename__ = "data_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    master_key_id: Mapped[str] = mapped_column(String(32))
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (
        CheckConstraint(_in("kind", DeviceKind), name="kind"),
        Index("ix_devices_account_id", "account_id"),
    )

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    name_ct: Mapped[bytes] = mapped_column(LargeBinary)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HouseholdMember(Base):
    """A named voice profile inside an account's household."""

    __tablename__ = "household_members"
    __table_args__ = (Index("ix_household_members_account_id", "account_id"),)

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name_ct: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
