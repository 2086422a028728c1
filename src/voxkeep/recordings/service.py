"""Ingesting, listing and reading recordings.

Ingestion order (invariant 8): validate everything, encrypt, write the blob,
then commit the row that names it together with its audit event. Nothing is
stored when validation fails; a crash after the blob write leaves only an
orphan for `voxkeep gc`.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, BinaryIO
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, select, tuple_
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account, DataKey, Device, HouseholdMember, Language
from voxkeep.accounts.service import account_actor_pseudonym, find_account
from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.pseudonyms import names_for
from voxkeep.batching import BatchWorker
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from voxkeep.ids import check_id
from voxkeep.recordings.models import Recording
from voxkeep.recordings.wav import WavInfo, parse_wav
from voxkeep.storage.blobs import Pack
from voxkeep.vault import Vault


@dataclass(frozen=True)
class NewRecording:
    """What the operator sends with each upload (the JSON metadata)."""

    id: str
    account: str
    device: str
    captured_at: datetime
    language: Language
    transcript: str | None = None
    speaker: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A validated upload, resolved to its owner, ready to encrypt."""

    meta: NewRecording
    wav: WavInfo
    account_id: str
    device_id: str
    member_id: str | None
    key: bytes
    sha256: bytes  # of the plaintext audio


def audio_ad(account_id: str, recording_id: str) -> bytes:
    return aead.associated_data(kind="audio", owner=account_id, object_id=recording_id)


def transcript_ad(account_id: str, recording_id: str) -> bytes:
    return aead.associated_data(kind="transcript", owner=account_id, object_id=recording_id)


def audio_sha256_ad(account_id: str, recording_id: str) -> bytes:
    return aead.associated_data(kind="audio_sha256", owner=account_id, object_id=recording_id)


def stored_sha256(
    vault: Vault, key: bytes, account_id: str, recording_id: str, sealed: bytes | None, blob: str
) -> bytes:
    """SHA-256 of a stored recording's audio, as the vault knows it.

    Opened from the row's sealed copy (under the owner's data key, bound to
    owner and id, so a value moved to another row fails to open); a row stored
    before migration 0002 has none, and its hash is recomputed from the blob.
    """
    if sealed is not None:
        ad = audio_sha256_ad(account_id, recording_id)
        return aead.open_sealed(key, sealed, ad=ad, kind="audio hash")
    digest = hashlib.sha256()
    for chunk in decrypt_blob(vault, key, blob, account_id, recording_id):
        digest.update(chunk)
    return digest.digest()


def check_metadata(vault: Vault, meta: NewRecording) -> None:
    settings = vault.settings
    check_id(meta.id, what="recording")
    check_id(meta.account, what="account")
    check_id(meta.device, what="device")
    if meta.speaker is not None:
        check_id(meta.speaker, what="speaker")
    if meta.captured_at.tzinfo is None:
        raise InvalidInput(
            "captured_at has no time zone.", hint="Send ISO 8601 with an offset, e.g. ...Z."
        )
    if meta.captured_at > utcnow() + timedelta(seconds=settings.clock_skew_s):
        raise InvalidInput(
            "captured_at lies in the future.", hint="Send the time the recording was made."
        )
    if meta.transcript is not None:
        if len(meta.transcript) > settings.max_transcript_chars:
            raise InvalidInput(
                f"The transcript is longer than {settings.max_transcript_chars} characters."
            )
        if "\x00" in meta.transcript:
            raise InvalidInput("The transcript contains a NUL character.")


def check_audio(vault: Vault, audio: bytes | memoryview) -> WavInfo:
    limit = vault.settings.max_upload_bytes
    if len(audio) > limit:
        raise PayloadTooLarge(f"The audio is larger than the {limit}-byte limit.")
    return parse_wav(audio, max_duration_s=vault.settings.max_duration_s)


@dataclass
class OwnerLookup:
    """Resolves the ids in an upload to rows; the importer keeps one across batches as a cache.

    Only positive answers are cached, so a device registered mid-import is seen.
    """

    vault: Vault
    session: Session
    accounts: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    devices: dict[str, tuple[str, datetime | None]] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)

    def prefetch(self, metas: Sequence[NewRecording]) -> None:
        """Look up a batch's accounts, data keys, devices and speakers, one query per table.

        Only what is found and usable is cached (an account as find_account
        accepts it: present and not erased, with its data key); anything
        else is looked up one by one later, so its error is the usual one.
        """
        self._prefetch_accounts({m.account for m in metas} - self.accounts.keys())
        devices = {m.device for m in metas} - self.devices.keys()
        if devices:
            query = select(Device.id, Device.account_id, Device.removed_at)
            for device_id, owner, removed_at in self.session.execute(
                query.where(Device.id.in_(devices))
            ):
                self.devices[device_id] = owner, removed_at
        members = {m.speaker for m in metas if m.speaker is not None} - self.members.keys()
        if members:
            owners = select(HouseholdMember.id, HouseholdMember.account_id)
            for member_id, owner in self.session.execute(
                owners.where(HouseholdMember.id.in_(members))
            ):
                self.members[member_id] = owner

    def _prefetch_accounts(self, external_ids: set[str]) -> None:
        if not external_ids:
            return
        keyring, session = self.vault.keyring, self.session
        by_hash = {
            keyring.lookup_hash(session, kind="external_id", value=external): external
            for external in external_ids
        }
        accounts = session.execute(
            select(Account.id, Account.external_id_hash).where(
                Account.external_id_hash.in_(by_hash), Account.erased_at.is_(None)
            )
        )
        external_of = {account_id: by_hash[digest] for account_id, digest in accounts}
        keys = session.execute(
            select(DataKey.account_id, DataKey.id, DataKey.master_key_id, DataKey.wrapped).where(
                DataKey.account_id.in_(external_of)
            )
        )
        for account_id, key_id, master_key_id, wrapped in keys:
            key = keyring.unwrap_data_key(account_id, key_id, master_key_id, wrapped)
            self.accounts[external_of[account_id]] = account_id, key

    def account(self, external_id: str) -> tuple[str, bytes]:
        found = self.accounts.get(external_id)
        if found is None:
            account = find_account(self.vault, self.session, external_id)
            found = account.id, self.vault.keyring.data_key(self.session, account.id)
            self.accounts[external_id] = found
        return found

    def device(self, device_id: str) -> tuple[str, datetime | None] | None:
        found = self.devices.get(device_id)
        if found is None:
            row = self.session.get(Device, device_id)
            if row is None:
                return None
            found = self.devices[device_id] = row.account_id, row.removed_at
        return found

    def member(self, member_id: str) -> str | None:
        found = self.members.get(member_id)
        if found is None:
            row = self.session.get(HouseholdMember, member_id)
            if row is None:
                return None
            found = self.members[member_id] = row.account_id
        return found


def resolve_owner(lookup: OwnerLookup, meta: NewRecording, audio: bytes, wav: WavInfo) -> Prepared:
    """Find the account and check the device and speaker belong to it."""
    account_id, key = check_owner(lookup, meta)
    return prepare(meta, wav, audio, account_id=account_id, key=key)


def check_owner(lookup: OwnerLookup, meta: NewRecording) -> tuple[str, bytes]:
    """The owner's account id and data key, once the device and speaker are checked."""
    account_id, key = lookup.account(meta.account)
    device = lookup.device(meta.device)
    if device is None:
        raise InvalidInput(
            "The device is not registered.", hint="Register the device for this account first."
        )
    device_owner, removed_at = device
    if device_owner != account_id:
        raise InvalidInput(
            "The device belongs to a different account.",
            hint="A recording's device must be registered to the recording's account.",
        )
    if removed_at is not None and removed_at < meta.captured_at:
        raise InvalidInput("The device was removed before captured_at.")
    if meta.speaker is not None and lookup.member(meta.speaker) != account_id:
        raise InvalidInput("The speaker is not a household member of this account.")
    return account_id, key


def prepare(
    meta: NewRecording, wav: WavInfo, audio: bytes | memoryview, *, account_id: str, key: bytes
) -> Prepared:
    return Prepared(
        meta=meta,
        wav=wav,
        account_id=account_id,
        device_id=meta.device,
        member_id=meta.speaker,
        key=key,
        sha256=hashlib.sha256(audio).digest(),
    )


@dataclass(frozen=True)
class Stored:
    """What a repeated upload is compared with: the stored row's owner and audio hash."""

    account_id: str
    sha256_sealed: bytes | None
    blob: str


STORED_COLUMNS = (Recording.id, Recording.account_id, Recording.audio_sha256, Recording.audio_blob)


def stored_rows(session: Session, ids: Sequence[str]) -> dict[str, Stored]:
    """The recordings among ids that exist, by id."""
    if not ids:
        return {}
    query = select(*STORED_COLUMNS).where(Recording.id.in_(ids))
    return {rid: Stored(owner, sealed, blob) for rid, owner, sealed, blob in session.execute(query)}


def check_duplicate(vault: Vault, session: Session, prepared: Prepared) -> bool:
    """True when this exact recording is already stored; Conflict when the id is taken."""
    existing = stored_rows(session, [prepared.meta.id]).get(prepared.meta.id)
    if existing is None:
        return False
    return same_recording(vault, prepared, existing)


def same_recording(vault: Vault, prepared: Prepared, stored: Stored) -> bool:
    """True for a repeat of a stored upload; Conflict when the id holds other audio."""
    same = stored.account_id == prepared.account_id and hmac.compare_digest(
        stored_sha256(
            vault,
            prepared.key,
            prepared.account_id,
            prepared.meta.id,
            stored.sha256_sealed,
            stored.blob,
        ),
        prepared.sha256,
    )
    if not same:
        raise Conflict(
            "A recording with this id already exists with different content.",
            hint="Recording ids are chosen by the client and must be unique.",
        )
    return True


def audio_into(pack: Pack, prepared: Prepared, audio: bytes | memoryview) -> str:
    """Encrypt the audio straight into a new entry of pack; return the entry's reference."""
    ad = audio_ad(prepared.account_id, prepared.meta.id)

    def fill(out: memoryview) -> None:
        aead.encrypt_into(prepared.key, audio, ad=ad, out=out)

    return pack.add(aead.stream_size(len(audio)), fill)


RowValues = dict[str, Any]


def row_values(prepared: Prepared, *, blob: str, audio_bytes: int) -> RowValues:
    """The columns of a new recording's row, for a bulk INSERT (expiry is stamped then)."""
    meta = prepared.meta
    transcript_ct = None
    if meta.transcript is not None:
        transcript_ct = aead.seal(
            prepared.key,
            meta.transcript.encode(),
            ad=transcript_ad(prepared.account_id, meta.id),
        )
    return {
        "id": meta.id,
        "account_id": prepared.account_id,
        "device_id": prepared.device_id,
        "member_id": prepared.member_id,
        "captured_at": meta.captured_at,
        "duration_ms": round(prepared.wav.duration_s * 1000),
        "sample_rate": prepared.wav.sample_rate,
        "channels": prepared.wav.channels,
        "bits_per_sample": prepared.wav.bits_per_sample,
        "language": meta.language.value,
        "audio_blob": blob,
        "audio_bytes": audio_bytes,
        "audio_sha256": aead.seal(
            prepared.key, prepared.sha256, ad=audio_sha256_ad(prepared.account_id, meta.id)
        ),
        "transcript_ct": transcript_ct,
        "expires_at": None,
    }


class Ingested(enum.Enum):
    STORED = "stored"
    ALREADY_STORED = "already_stored"
    # Valid, but the account's retention is "don't save": nothing was kept.
    DISCARDED = "discarded"


def ingest(vault: Vault, meta: NewRecording, audio: bytes, *, actor: str) -> Ingested:
    """Store one recording (or, for "don't save" accounts, validate and drop it)."""
    return submit_ingest(vault, meta, audio, actor=actor).result()


def submit_ingest(
    vault: Vault, meta: NewRecording, audio: bytes, *, actor: str
) -> Future[Ingested]:
    """Validate an upload, then queue it to be stored; the future holds what ingest returns.

    Uploads that arrive together are stored together (group commit, see
    recordings/batch.py), each with the outcome and audit event it would get alone.
    """
    check_metadata(vault, meta)
    wav = check_audio(vault, audio)
    return _worker(vault).submit(Upload(vault, meta, audio, wav, actor))


@dataclass(frozen=True, eq=False)
class Upload:
    """A validated upload waiting to be stored."""

    vault: Vault
    meta: NewRecording
    audio: bytes
    wav: WavInfo
    actor: str


MAX_BATCH = 64
# One worker per database: only its own uploads are ever stored together.
_workers: WeakKeyDictionary[Engine, BatchWorker[Upload, Ingested]] = WeakKeyDictionary()
_workers_lock = threading.Lock()


def _worker(vault: Vault) -> BatchWorker[Upload, Ingested]:
    from voxkeep.recordings.batch import store_uploads  # it builds on this module

    with _workers_lock:
        worker = _workers.get(vault.engine)
        if worker is None:
            worker = BatchWorker(
                store_uploads,
                name="voxkeep-ingest",
                max_batch=MAX_BATCH,
                key=lambda upload: upload.meta.id,
            )
            _workers[vault.engine] = worker
        return worker


@dataclass(frozen=True)
class RecordingInfo:
    id: str
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


def info_of(row: Recording) -> RecordingInfo:
    return RecordingInfo(
        id=row.id,
        device=row.device_id,
        speaker=row.member_id,
        captured_at=row.captured_at,
        duration_ms=row.duration_ms,
        sample_rate=row.sample_rate,
        channels=row.channels,
        bits_per_sample=row.bits_per_sample,
        language=row.language,
        audio_bytes=row.audio_bytes,
        has_transcript=row.transcript_ct is not None,
    )


def list_recordings(
    vault: Vault,
    *,
    account: str,
    limit: int,
    after: tuple[datetime, str] | None,
    actor: str,
) -> tuple[list[RecordingInfo], bool]:
    """One page of an account's recordings, oldest first (keyset pagination), and
    whether more follow it."""
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000.")
    with vault.transaction() as session:
        owner = find_account(vault, session, account)
        query = select(Recording).where(Recording.account_id == owner.id)
        if after is not None:
            query = query.where(tuple_(Recording.captured_at, Recording.id) > after)
        found = session.scalars(
            query.order_by(Recording.captured_at, Recording.id).limit(limit + 1)
        ).all()
        rows = found[:limit]
        record(
            session,
            AuditAction.RECORDING_LISTED,
            actor=actor,
            objects={"account": account_actor_pseudonym(vault, session, owner.id)},
            counts={"recordings": len(rows)},
        )
        return [info_of(r) for r in rows], len(found) > limit


def _owned(vault: Vault, session: Session, account: str, recording_id: str) -> Recording:
    owner: Account = find_account(vault, session, account)
    return owned_row(session, owner.id, recording_id)


def owned_row(session: Session, account_id: str, recording_id: str) -> Recording:
    check_id(recording_id, what="recording")
    row = session.get(Recording, recording_id)
    if row is None or row.account_id != account_id:
        raise NotFound("This account has no recording with this id.")
    return row


def get_recording(vault: Vault, *, account: str, recording_id: str, actor: str) -> RecordingInfo:
    with vault.transaction() as session:
        row = _owned(vault, session, account, recording_id)
        names = names_for(vault, session, row.account_id)
        record(
            session,
            AuditAction.RECORDING_READ,
            actor=actor,
            objects={"account": names.account, "recording": names.recording(row.id)},
        )
        return info_of(row)


def read_transcript(vault: Vault, *, account: str, recording_id: str, actor: str) -> str | None:
    with vault.transaction() as session:
        row = _owned(vault, session, account, recording_id)
        names = names_for(vault, session, row.account_id)
        record(
            session,
            AuditAction.RECORDING_TRANSCRIPT_READ,
            actor=actor,
            objects={"account": names.account, "recording": names.recording(row.id)},
        )
        return decrypt_transcript(vault, session, row)


def decrypt_transcript(vault: Vault, session: Session, row: Recording) -> str | None:
    if row.transcript_ct is None:
        return None
    return open_transcript(vault.keyring.data_key(session, row.account_id), row)


def open_transcript(key: bytes, row: Recording) -> str | None:
    """The row's transcript, opened with its owner's data key (None when none was sent)."""
    if row.transcript_ct is None:
        return None
    plain = aead.open_sealed(
        key, row.transcript_ct, ad=transcript_ad(row.account_id, row.id), kind="transcript"
    )
    return plain.decode()


@dataclass(frozen=True)
class AudioStream:
    size: int
    chunks: Iterator[bytes]


def open_audio(vault: Vault, *, account: str, recording_id: str, actor: str) -> AudioStream:
    """Audit the read, then stream the audio, authenticating each segment as it goes."""
    with vault.transaction() as session:
        row = _owned(vault, session, account, recording_id)
        key = vault.keyring.data_key(session, row.account_id)
        names = names_for(vault, session, row.account_id, data_key=key)
        record(
            session,
            AuditAction.RECORDING_AUDIO_READ,
            actor=actor,
            objects={"account": names.account, "recording": names.recording(row.id)},
        )
        blob, owner, rid, size = row.audio_blob, row.account_id, row.id, row.audio_bytes
    return AudioStream(size=size, chunks=decrypt_blob(vault, key, blob, owner, rid))


def decrypt_blob(
    vault: Vault,
    key: bytes,
    blob: str,
    account_id: str,
    recording_id: str,
    *,
    opener: Callable[[str], BinaryIO] | None = None,
) -> Iterator[bytes]:
    """The plaintext of a recording's audio; opener (default: the store's) opens the blob."""
    with (opener or vault.blobs.open)(blob) as source:
        yield from aead.decrypt_stream(
            key, source, ad=audio_ad(account_id, recording_id), kind="audio"
        )
