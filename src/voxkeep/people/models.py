"""Credentials and sessions of people (data subjects) and of staff.

A person's password hash is sealed under the account's data key, so erasing
the account (destroying the key) also ends every way to sign in as it. Every
token (invitation, password link, session) is stored as SHA-256 of a 256-bit
secret, never the secret itself.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from voxkeep.db.base import Base, UTCDateTime, utcnow


class StaffRole(enum.StrEnum):
    """Roles are not ranked: a check names every role it accepts."""

    AGENT = "agent"  # enters and verifies requests
    APPROVER = "approver"  # approves a release someone else entered or verified (four eyes)
    DPO = "dpo"  # the data-protection officer: oversight, breaches, reports
    ADMIN = "admin"  # manages staff accounts


# People -------------------------------------------------------------------


class PersonCredential(Base):
    __tablename__ = "person_credentials"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    password_ct: Mapped[bytes] = mapped_column(LargeBinary)  # argon2id PHC string, sealed
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optional two-step sign-in (people/two_step.py), sealed under the account's data key.
    totp_secret_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_pending_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)


class PersonInvite(Base):
    """A single-use link to set (or reset) a person's password."""

    __tablename__ = "person_invites"
    __table_args__ = (Index("ix_person_invites_account_id", "account_id"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PersonSessionRow(Base):
    __tablename__ = "person_sessions"
    __table_args__ = (
        Index("ix_person_sessions_account_id", "account_id"),
        Index("ix_person_sessions_expires_at", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reauth_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # for the idle timeout


class SigninFailure(Base):
    """One failed sign-in or re-authentication, under a keyed hash of what it was counted
    against (an account, a staff member, an unknown e-mail or name, a client address, a
    known-client cookie), or one attempt of a slowed address (see people/throttle.py)."""

    __tablename__ = "signin_failures"
    __table_args__ = (
        Index("ix_signin_failures_key_hash_at", "key_hash", "at"),
        Index("ix_signin_failures_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


# Staff --------------------------------------------------------------------


class StaffMember(Base):
    """An employee. The name is a work login handle (e.g. ``a.schmidt``), kept in clear so
    staff lists and four-eyes checks need no key; the audit log names staff by id."""

    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    password_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The TOTP second factor (people/totp.py), sealed under the ``totp`` instance key:
    # the enrolled secret, a secret being enrolled (confirmed by its first code), and
    # the last time step a code was accepted for (no code is accepted twice).
    totp_secret_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_pending_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)


class StaffRoleGrant(Base):
    __tablename__ = "staff_roles"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r.value) for r in StaffRole)})", name="role"),
    )

    staff_id: Mapped[str] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class StaffInvite(Base):
    """A single-use token to set (or reset) a staff member's password."""

    __tablename__ = "staff_invites"
    __table_args__ = (Index("ix_staff_invites_staff_id", "staff_id"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffSessionRow(Base):
    __tablename__ = "staff_sessions"
    __table_args__ = (
        Index("ix_staff_sessions_staff_id", "staff_id"),
        Index("ix_staff_sessions_expires_at", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reauth_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # for the idle timeout


class SigninChallenge(Base):
    """The step between a staff member's correct password and their TOTP code on the
    console's sign-in pages: a short-lived token (only its hash stored), used once."""

    __tablename__ = "signin_challenges"
    __table_args__ = (Index("ix_signin_challenges_staff_id", "staff_id"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PersonResetCode(Base):
    """A short code mailed to reset a forgotten password: single-use, short-lived.

    Checked against a keyed hash (the code is short, so a plain hash of it could
    be reversed by trying them all); a wrong entry counts against the code, which
    is void after a few. Until it is used or void, the code is also sealed under
    the account's data key (``code_ct``), for the job that mails it
    (people/tasks.py): the asker's answer never waits for the mail.
    """

    __tablename__ = "person_reset_codes"
    __table_args__ = (Index("ix_person_reset_codes_account_id", "account_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    code_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    wrong: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
