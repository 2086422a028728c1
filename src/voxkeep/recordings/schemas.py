"""Request and response bodies of the recordings API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from voxkeep.accounts.models import Language
from voxkeep.recordings.service import NewRecording
from voxkeep.web.schemas import ApiTime, ObjectId, Strict


class RecordingMetadata(Strict):
    """The `metadata` part of an upload."""

    id: ObjectId = Field(description="Client-chosen, unique; re-sending the same upload is safe.")
    account: ObjectId = Field(description="The owner's account id.")
    device: ObjectId = Field(description="A device registered to that account.")
    captured_at: ApiTime
    language: Language
    transcript: str | None = None
    speaker: ObjectId | None = Field(default=None, description="A household member id, when known.")

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


class MyRecordingOut(BaseModel):
    """One of the signed-in person's own recordings, with names and transcript."""

    id: str
    device: str
    device_name: str
    speaker: str | None
    speaker_name: str | None
    captured_at: datetime
    duration_ms: int
    audio_bytes: int
    language: str
    transcript: str | None
    audio: str = Field(description="Path of the audio (WAV); send `Range` to seek.")


class MyRecordingPage(BaseModel):
    items: list[MyRecordingOut]
    next: str | None = Field(
        description="Pass as `before` for the next (older) page; null at the end."
    )
