"""Real populations for export tests: accounts, devices, members, recordings, requests.

Everything goes through the services (no rows written by hand), so the
archives the tests check are built from data exactly as the vault stores it.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import DeviceKind, Language
from voxkeep.recordings.bulk import store_batch
from voxkeep.recordings.service import NewRecording, OwnerLookup, check_audio, resolve_owner
from voxkeep.requests.models import RequestKind
from voxkeep.requests.service import file_request
from voxkeep.vault import Vault

ACTOR = "system:test"
BASE = datetime(2024, 3, 5, 7, 0, tzinfo=UTC)


def wav(seed: int, frames: int = 800) -> bytes:
    body = bytes((i * 31 + seed * 7) % 256 for i in range(frames * 2))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(body)
    return out.getvalue()


@dataclass
class Person:
    """A signed-in person as Room B's services see one (people.service.PersonSession)."""

    account_id: str
    reauth_at: datetime | None = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Household:
    external_id: str
    account_id: str
    language: str
    devices: list[str]
    members: list[str]
    recordings: dict[str, bytes] = field(default_factory=dict)  # id → WAV bytes


def household(
    vault: Vault,
    name: str,
    *,
    language: Language = Language.DE,
    devices: tuple[tuple[str, str], ...] = (("kueche", "Küche"),),
    members: tuple[tuple[str, str], ...] = (),
) -> Household:
    with vault.transaction() as session:
        account, _ = accounts.upsert_account(
            vault,
            session,
            external_id=name,
            changes=accounts.AccountChanges(email=f"{name}@example.org", language=language),
            actor=ACTOR,
        )
        for device_id, device_name in devices:
            accounts.upsert_device(
                vault,
                session,
                account=account,
                device_id=f"{name}-{device_id}",
                kind=DeviceKind.SPEAKER,
                name=device_name,
                registered_at=BASE - timedelta(days=400),
                actor=ACTOR,
            )
        for member_id, member_name in members:
            accounts.upsert_member(
                vault,
                session,
                account=account,
                member_id=f"{name}-{member_id}",
                name=member_name,
                actor=ACTOR,
            )
        return Household(
            external_id=name,
            account_id=account.id,
            language=language.value,
            devices=[f"{name}-{d}" for d, _ in devices],
            members=[f"{name}-{m}" for m, _ in members],
        )


def record(
    vault: Vault,
    house: Household,
    rec_id: str,
    *,
    device: str | None = None,
    at: datetime | None = None,
    transcript: str | None = "Wie wird das Wetter morgen?",
    speaker: str | None = None,
    seed: int | None = None,
    frames: int = 800,
) -> bytes:
    audio = wav(seed if seed is not None else len(house.recordings) + hash(rec_id) % 1000, frames)
    meta = NewRecording(
        id=rec_id,
        account=house.external_id,
        device=device or house.devices[0],
        captured_at=at or BASE + timedelta(minutes=len(house.recordings)),
        language=Language(house.language),
        transcript=transcript,
        speaker=speaker,
    )
    # The bulk path (the importer's), one recording at a time.
    with vault.reading() as session:
        prepared = resolve_owner(
            OwnerLookup(vault, session), meta, audio, check_audio(vault, audio)
        )
    store_batch(vault, [(prepared, audio)], actor=ACTOR)
    house.recordings[rec_id] = audio
    return audio


def portal_request(vault: Vault, house: Household, kind: RequestKind = RequestKind.ACCESS) -> str:
    """A request the person files in the portal: verified by re-auth, building at once."""
    return file_request(vault, person=Person(house.account_id), kind=kind)
