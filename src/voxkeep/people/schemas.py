"""Request and response bodies of the people and staff API.

Passwords and tokens arrive as ``SecretStr``: they never appear in a repr, a
log line or a validation error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from voxkeep.people.models import StaffRole


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InviteOut(BaseModel):
    invite_id: str
    expires_at: datetime


class PasswordSetIn(Strict):
    token: SecretStr = Field(description="The token from the invitation link (after `#`).")
    password: SecretStr = Field(description="12–256 characters.")


class CodeIn(Strict):
    code: str = Field(max_length=16, description="The 6-digit code from the authenticator app.")


class TwoStepOut(BaseModel):
    on: bool = Field(description="Whether signing in asks for a code from an app.")


class SignInIn(Strict):
    email: str = Field(max_length=254)
    password: SecretStr
    totp: str | None = Field(
        default=None,
        max_length=16,
        description="The code from the authenticator app, for a person who turned two-step "
        "sign-in on (without it: 401 `totp_required`).",
    )


class ReauthIn(Strict):
    password: SecretStr


class SessionOut(BaseModel):
    session_id: str
    created_at: datetime
    expires_at: datetime
    reauth_at: datetime | None


class SignedInOut(SessionOut):
    token: str = Field(
        description="Bearer token for API clients (`Authorization: Bearer vs_...`). "
        "Browsers use the `voxkeep_session` cookie set with it."
    )


class StaffSignInIn(Strict):
    name: str = Field(max_length=64)
    password: SecretStr
    totp: str | None = Field(
        default=None,
        max_length=16,
        description="The 6-digit code from the staff member's authenticator app (required: "
        "without it, 401 `totp_required`, or `totp_enrolment_required` before enrolment).",
    )


class StaffEnrolIn(Strict):
    name: str = Field(max_length=64)
    password: SecretStr


class TotpEnrolmentOut(BaseModel):
    secret: str = Field(description="The TOTP secret (base32), shown once: add it to an app.")
    uri: str = Field(description="The same as an `otpauth://totp/...` URI (what a QR code holds).")


class StaffSessionOut(BaseModel):
    session_id: str
    staff_id: str
    name: str
    roles: list[StaffRole]
    created_at: datetime
    expires_at: datetime
    reauth_at: datetime | None


class StaffSignedInOut(StaffSessionOut):
    token: str = Field(description="Bearer token: `Authorization: Bearer vst_...`.")


class StaffOut(BaseModel):
    id: str
    name: str
    roles: list[StaffRole]
    created_at: datetime
    disabled_at: datetime | None
    has_password: bool
    has_totp: bool = Field(description="An authenticator app is enrolled (the second factor).")


class StaffIn(Strict):
    name: str = Field(max_length=64, description="A work login handle, e.g. `a.schmidt`.")
    roles: list[StaffRole] = Field(min_length=1)


class RolesIn(Strict):
    roles: list[StaffRole] = Field(min_length=1)


class PasswordTokenOut(BaseModel):
    staff_id: str
    expires_at: datetime
    token: str = Field(description="Single-use; the staff member sets a password with it.")
    link: str = Field(description="The set-password page with the token in its fragment.")


class StaffAddedOut(BaseModel):
    staff: StaffOut
    password: PasswordTokenOut


class StaffInvitationIn(StaffIn):
    email: str = Field(max_length=254, description="Where the invitation goes; not kept.")
    language: Literal["en", "de", "fr"] = Field(default="en", description="The mail's language.")


class StaffInvitedOut(BaseModel):
    staff: StaffOut
    link_expires_at: datetime = Field(description="Until when the mailed link works (once).")


class PasswordLinkIn(Strict):
    email: str = Field(max_length=254, description="Where the link goes; not kept.")
    language: Literal["en", "de", "fr"] = Field(default="en", description="The mail's language.")


class PasswordLinkOut(BaseModel):
    expires_at: datetime = Field(description="Until when the mailed link works (once).")
