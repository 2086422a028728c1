"""Request and response bodies of the people and staff API.

Passwords and tokens arrive as ``SecretStr``: they never appear in a repr, a
log line or a validation error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from voxkeep.accounts.service import EMAIL_MAX
from voxkeep.people.models import StaffRole
from voxkeep.people.passwords import MAX_LENGTH, MIN_LENGTH
from voxkeep.people.staff import NAME_PATTERN, NAME_RULE
from voxkeep.web.schemas import Strict, described

# A password being set; one given to sign in is only capped (a longer one cannot match).
NewPassword = Field(
    min_length=MIN_LENGTH,
    max_length=MAX_LENGTH,
    description=f"{MIN_LENGTH}–{MAX_LENGTH} characters.",
)
# Login names are lower-cased before the check, so capitals are accepted.
STAFF_NAME = described(NAME_PATTERN.replace("a-z", "A-Za-z"), NAME_RULE)


class InviteOut(BaseModel):
    invite_id: str
    expires_at: datetime


class PasswordSetIn(Strict):
    token: SecretStr = Field(description="The token from the invitation link (after `#`).")
    password: SecretStr = NewPassword


class CodeIn(Strict):
    code: str = Field(max_length=16, description="The 6-digit code from the authenticator app.")


class TwoStepOut(BaseModel):
    on: bool = Field(description="Whether signing in asks for a code from an app.")


class SignInIn(Strict):
    email: str = Field(max_length=EMAIL_MAX)
    password: SecretStr = Field(max_length=MAX_LENGTH)
    totp: str | None = Field(
        default=None,
        max_length=16,
        description="The code from the authenticator app, for a person who turned two-step "
        "sign-in on (without it: 401 `totp_required`).",
    )


class ResetIn(Strict):
    email: str = Field(max_length=EMAIL_MAX)


class ResetOut(BaseModel):
    ok: bool = True
    message: str = Field(
        description="The same whether or not an account has this address: if one has, a "
        "code was mailed to it."
    )


class ResetConfirmIn(Strict):
    email: str = Field(max_length=EMAIL_MAX)
    code: SecretStr = Field(description="The code from the mail (dashes and spaces ignored).")
    password: SecretStr = Field(
        max_length=MAX_LENGTH, description="The new password, 12–256 characters."
    )


class ReauthIn(Strict):
    password: SecretStr = Field(max_length=MAX_LENGTH)


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
    name: str = Field(pattern=STAFF_NAME, max_length=64)
    password: SecretStr = Field(max_length=MAX_LENGTH)
    totp: str | None = Field(
        default=None,
        max_length=16,
        description="The 6-digit code from the staff member's authenticator app (required: "
        "without it, 401 `totp_required`, or `totp_enrolment_required` before enrolment).",
    )


class StaffEnrolIn(Strict):
    name: str = Field(pattern=STAFF_NAME, max_length=64)
    password: SecretStr = Field(max_length=MAX_LENGTH)


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
    name: str = Field(
        pattern=STAFF_NAME, max_length=64, description="A work login handle, e.g. `a.schmidt`."
    )
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
