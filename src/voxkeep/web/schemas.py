"""Bodies and value types every part of the HTTP API shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from voxkeep.ids import ID_PATTERN, ID_RULE

# The times a client may send. The lower bound keeps every time representable
# by both databases and by POSIX time; the upper leaves a day of headroom below
# datetime.max, so converting to any time zone (±14 h) cannot overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
TIME_RULE = (
    "an ISO 8601 date and time with a time zone, from 1970-01-01T00:00:00Z "
    "to 9999-12-30T23:59:59Z (UTC)"
)


def in_time_range(value: datetime) -> datetime:
    """The time in UTC, if it has a zone and lies in [EARLIEST, LATEST]; else ValueError."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"must be {TIME_RULE}")
    try:
        utc = value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        raise ValueError(f"must be {TIME_RULE}") from None
    if not EARLIEST <= utc <= LATEST:
        raise ValueError(f"must be {TIME_RULE}")
    return utc


ApiTime = Annotated[
    AwareDatetime,
    AfterValidator(in_time_range),
    Field(description=f"{TIME_RULE[0].upper()}{TIME_RULE[1:]}."),
]
"""Every time a client sends: aware, in the accepted range, returned in UTC."""

ObjectId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]  # the length is in it
"""An id the operator chooses (account, device, member, recording): the one rule of ids.py."""

# Each pattern a schema publishes, with its rule in words for error messages.
PATTERN_RULES: dict[str, str] = {ID_PATTERN: ID_RULE}


def described(pattern: str, rule: str) -> str:
    """pattern, registered with what it asks in words ("must be <rule>")."""
    PATTERN_RULES[pattern] = rule
    return pattern


NOT_BLANK = described(r"\S", "more than spaces")  # JSON Schema patterns search, not match


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    ok: bool = False
    error: str = Field(description="What was wrong, in plain words.")
    hint: str | None = Field(default=None, description="What to do about it.")
    code: str = Field(description="A stable machine code, e.g. `invalid_input`.")
    status: int = Field(description="The HTTP status, repeated.")
