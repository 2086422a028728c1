"""Bodies every part of the HTTP API shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    ok: bool = False
    error: str
    hint: str | None = None
    code: str
    status: int
