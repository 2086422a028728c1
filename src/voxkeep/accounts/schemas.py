"""Request and response bodies of the accounts API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from voxkeep.accounts.models import DeviceKind, Language, Retention
from voxkeep.accounts.service import EMAIL_MAX, EMAIL_PATTERN
from voxkeep.web.schemas import NOT_BLANK, ApiTime, Strict, described


class AccountIn(Strict):
    email: str | None = Field(
        default=None,
        pattern=described(EMAIL_PATTERN, "an e-mail address like name@example.org"),
        max_length=EMAIL_MAX,
        description="The person's verified e-mail address.",
    )
    language: Language | None = Field(default=None, description="en, de or fr.")
    retention: Retention | None = Field(
        default=None,
        description="How long recordings are kept, capped by the operator maximum "
        "(new accounts default to the operator's retention_default, 3_months unless changed).",
    )


class AccountOut(BaseModel):
    id: str
    language: Language
    retention: Retention
    has_email: bool
    created_at: datetime


class DeviceIn(Strict):
    kind: DeviceKind
    name: str = Field(
        min_length=1, max_length=100, pattern=NOT_BLANK, description="Shown to the person."
    )
    registered_at: ApiTime | None = None


class DeviceOut(BaseModel):
    id: str
    kind: DeviceKind
    registered_at: datetime
    removed_at: datetime | None


class MemberIn(Strict):
    name: str = Field(
        min_length=1, max_length=100, pattern=NOT_BLANK, description="The voice profile's name."
    )


class MemberOut(BaseModel):
    id: str
