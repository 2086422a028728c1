"""A data-subject request and its timeline.

Free text that staff write (verification evidence, reasons for an extension or
a refusal, event notes) may name people, so it is stored only sealed under the
requester's data key (invariant 5): it is shredded with the account, while the
states, times and actors of the timeline stay as the record of what was done.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from voxkeep.db.base import Base, UTCDateTime, utcnow


class RequestKind(enum.StrEnum):
    ACCESS = "access"  # Art. 15
    PORTABILITY = "portability"  # Art. 20
    ERASURE = "erasure"  # Art. 17


class Channel(enum.StrEnum):
    PORTAL = "portal"  # the signed-in person
    EMAIL = "email"  # staff-entered from an e-mail
    POST = "post"  # staff-entered from a letter
    PHONE = "phone"  # staff-entered from a call


STAFF_CHANNELS = (Channel.EMAIL, Channel.POST, Channel.PHONE)


class RequestState(enum.StrEnum):
    RECEIVED = "received"
    VERIFYING = "verifying"
    PAUSED = "paused"  # waiting for the person's answer to a verification step
    VERIFIED = "verified"
    BUILDING = "building"
    CHECKING = "checking"
    READY = "ready"
    DELIVERED = "delivered"
    CLOSED = "closed"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    BLOCKED = "blocked"  # the release gate failed


class RequestStep(enum.StrEnum):
    """A timeline step that is not a move, tagged so the person's view can show it."""

    ADDRESS_CHANGED = "address:changed"  # the operator changed the account's e-mail address
    ADDRESS_CONFIRMED = "address:confirmed"  # staff confirmed the change for this request


class Said(enum.StrEnum):
    """What voxkeep says of a timeline step it writes itself: ``params["said"]``, with its
    figures beside it (counts, ids, times, check names), worded by the pages in their
    language (docs/requests.md, "The timeline's words"). Never text: what staff typed
    is the step's sealed note."""

    REAUTHENTICATED = "reauthenticated"  # verified: the person re-entered their password
    CODE_BY_MAIL = "code_by_mail"  # verifying: a code goes to the account's address
    CODE_SENT_AGAIN = "code_sent_again"  # verifying again: a new code replaces the old
    CODE_AWAITED = "code_awaited"  # paused until the person gives back the code (until)
    CODE_MAIL_FAILED = "code_mail_failed"  # the code mail was not taken: clock running again
    CODE_EXPIRED = "code_expired"  # a code was given back too late
    CODE_WRONG = "code_wrong"  # a wrong code (attempt, attempts)
    CODE_VOID = "code_void"  # a wrong code, the last attempt: the code is void
    CODE_CONFIRMED = "code_confirmed"  # verified by the code (the note: how it came)
    ADDRESS_CHANGED = "address_changed"  # the operator changed the account's address
    ADDRESS_CONFIRMED = "address_confirmed"  # staff confirmed the change for this request
    EXTENDED = "extended"  # the deadline extended (months; the note: the reason)
    NOTICE_MAILED = "notice_mailed"  # a notice to the person mailed (notice)
    WITHDRAWN = "withdrawn"  # the person withdrew the request in the portal
    ACCOUNT_ERASED = "account_erased"  # the account was erased (receipt or request)
    ERASED = "erased"  # the erasure done, with its receipt (receipt)
    RECEIPT_MAILED = "receipt_mailed"  # the signed receipt and its salt mailed
    RECEIPT_NOT_MAILED = "receipt_not_mailed"  # no verified address, or the mail failed
    EXPIRED = "expired"  # the answer expired
    NOT_MINE = "not_mine"  # the person said the answer holds someone else's data
    CONTAINED = "contained"  # an incident's containment revoked the answer
    CHECK_FAILED = "check_failed"  # a check failed (failure, check; the note: its message)


class VerificationMethod(enum.StrEnum):
    REAUTH = "reauth"  # portal: a fresh password check of the signed-in person
    EMAIL_CODE = "email_code"  # staff-entered: a code mailed to the account's verified address


def _in(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class DataRequest(Base):
    __tablename__ = "data_requests"
    __table_args__ = (
        CheckConstraint(_in("kind", RequestKind), name="kind"),
        CheckConstraint(_in("channel", Channel), name="channel"),
        CheckConstraint(_in("state", RequestState), name="state"),
        CheckConstraint("extension_months BETWEEN 0 AND 2", name="extension_months"),
        Index("ix_data_requests_state_due_at", "state", "due_at"),
        Index("ix_data_requests_account_id", "account_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The subject: the only input the export builder and the erasure take (invariant 2).
    # Deliberately no foreign key: an erasure deletes the account row, and the
    # request (states, times, pseudonymous actors; its notes shredded with the
    # key) stays as the record that the request was answered (Art. 5(2)).
    account_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Derived by deadlines.due_at from the columns below; stored to sort and index.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Time spent paused: exactly (for the record), and in the whole days that move the
    # deadline (deadlines.pause_days).
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_months: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    extension_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Actors ("staff:<id>", an account pseudonym, "system"); never names.
    entered_by: Mapped[str | None] = mapped_column(String(64))
    verified_by: Mapped[str | None] = mapped_column(String(64))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification_method: Mapped[str | None] = mapped_column(String(16))
    evidence_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refusal_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The one-time verification code: a keyed hash only, bound to this request.
    code_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A staff member confirmed the account's changed e-mail address for this request:
    # codes go to the address again (requests.address).
    address_confirmed_by: Mapped[str | None] = mapped_column(String(64))
    address_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Results: the export answering an access/portability request, the erasure receipt.
    export_id: Mapped[str | None] = mapped_column(String(64))
    receipt_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RequestEvent(Base):
    """One step of a request's timeline; seq counts from 1 per request."""

    __tablename__ = "request_events"
    __table_args__ = (PrimaryKeyConstraint("request_id", "seq", name="pk_request_events"),)

    request_id: Mapped[str] = mapped_column(ForeignKey("data_requests.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    note_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    step: Mapped[str | None] = mapped_column(String(32))  # a RequestStep, for steps the person sees
    # What voxkeep says of a step it wrote itself: {"said": a Said, figures by name}.
    params: Mapped[dict[str, str | int] | None] = mapped_column(JSON)


class AddressChange(Base):
    """The operator changed an account's verified e-mail address.

    Kept so that a verification code for a request received before the change
    goes to the new address only once staff confirmed it (requests.address).
    The old address is kept sealed under the account's data key only until the
    notice to it is mailed, then dropped.
    """

    __tablename__ = "address_changes"
    __table_args__ = (
        Index("ix_address_changes_account_id_changed_at", "account_id", "changed_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    old_email_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
