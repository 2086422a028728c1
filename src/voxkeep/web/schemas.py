"""Bodies and value types every part of the HTTP API shares."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from voxkeep.days import TIME_RULE, in_time_range
from voxkeep.ids import ID_PATTERN, ID_RULE

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
