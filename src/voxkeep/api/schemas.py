"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from voxkeep.accounts.models import DeviceKind, Language, Retention
from voxkeep.recordings.service import NewRecording


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountIn(Strict):
    email: str | None = Field(default=None, description="The person's verified e-mail address.")
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
    name: str = Field(min_length=1, max_length=100, description="Shown to the person.")
    registered_at: AwareDatetime | None = None


class DeviceOut(BaseModel):
    id: str
    kind: DeviceKind
    registered_at: datetime
    removed_at: datetime | None


class MemberIn(Strict):
    name: str = Field(min_length=1, max_length=100, description="The voice profile's name.")


class MemberOut(BaseModel):
    id: str


class RecordingMetadata(Strict):
    """The `metadata` part of an upload."""

    id: str = Field(description="Client-chosen, unique; re-sending the same upload is safe.")
    account: str = Field(description="The owner's account id.")
    device: str = Field(description="A device registered to that account.")
    captured_at: AwareDatetime
    language: Language
    transcript: str | None = None
    speaker: str | None = Field(default=None, description="A household member id, when known.")

    def recording(self) -> NewRecording:
        """The recording this metadata describes, for the ingestion service."""
        return NewRecording(
            id=self.id,
            account=self.account,
            device=self.device,
            captured_at=self.captured_at,
            language=self.language,
            transcript=self.transcript,
            speaker=self.speaker,
        )


class RecordingOut(BaseModel):
    id: str
    account: str
    device: str
    speaker: str | None
    captured_at: datetime
    duration_ms: int
    sample_rate: int
    channels: int
    bits_per_sample: int
    language: str
    audio_bytes: int
    has_transcript: bool


class UploadResult(BaseModel):
    ok: bool = True
    id: str
    created: bool
    discarded: bool = Field(
        default=False,
        description="True when the account's retention is \"don't save\": the upload was "
        "valid and was dropped at once; neither audio nor transcript was kept.",
    )


class RecordingPage(BaseModel):
    items: list[RecordingOut]
    next: str | None = Field(description="Pass as `after` for the next page; null at the end.")


class TranscriptOut(BaseModel):
    id: str
    transcript: str | None


class ErrorOut(BaseModel):
    ok: bool = False
    error: str
    hint: str | None = None
    code: str
    status: int
