"""A person's own voice history: their recordings, newest first, filtered and searched,
and each recording's audio by byte range so a player can seek.

Everything here is keyed by the internal account id of the signed-in person's
session, never by an id from the URL: a person reaches only their own rows.
Reads are audited with the account's pseudonym as the actor, each in a short
write transaction of its own after the read-only one that gathered the page
(see _audit_read), before anything is returned.

Transcript search decrypts the account's transcripts one by one (they are
sealed under the account's data key, so the database cannot search them): a
search costs one AES-GCM open per recording scanned, about 2 µs each, and
stops as soon as a page is full. Fine for a household's thousands; an index
of keyed word hashes would be the next step for far larger histories.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account, Device, HouseholdMember
from voxkeep.accounts.service import account_actor_pseudonym, open_name
from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.pseudonyms import names_for
from voxkeep.byteranges import ByteRange, first_checked, parse_range, read_span
from voxkeep.crypto import aead
from voxkeep.days import in_time_range
from voxkeep.errors import InvalidInput, NotFound
from voxkeep.ids import check_id
from voxkeep.recordings.models import Recording
from voxkeep.recordings.service import (
    RecordingInfo,
    audio_ad,
    info_of,
    open_transcript,
    owned_row,
)
from voxkeep.vault import Vault

MAX_WORDS = 200  # characters of a search; longer is refused, not cut


def cursor_of(when: datetime, rid: str) -> str:
    """A page cursor: where the page ended (captured_at and id), opaque to clients."""
    return base64.urlsafe_b64encode(f"{when.isoformat()}|{rid}".encode()).decode()


def parse_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """The page position a cursor names; its time passes the same check as any sent time."""
    if not cursor:
        return None
    try:
        when, _, rid = base64.urlsafe_b64decode(cursor).decode().partition("|")
        return in_time_range(datetime.fromisoformat(when)), rid
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("The cursor is not valid.", hint="Pass `next` from a page.") from None


@dataclass(frozen=True)
class HistoryFilter:
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    device: str | None = None
    member: str | None = None
    words: str | None = None  # every word must occur in the transcript (any case)


@dataclass(frozen=True)
class HistoryItem:
    info: RecordingInfo
    device_name: str
    speaker_name: str | None
    transcript: str | None


@dataclass(frozen=True)
class HistoryPage:
    items: list[HistoryItem]
    next: tuple[datetime, str] | None  # pass as `before` for the next (older) page
    household: Household  # the account's devices and members (for the filters)

    @property
    def cursor(self) -> str | None:
        """next as an opaque cursor (for a URL), or None on the last page."""
        return cursor_of(*self.next) if self.next is not None else None


@dataclass(frozen=True)
class Named:
    id: str
    name: str


@dataclass(frozen=True)
class Household:
    """An account's devices and household members, with their names, for filters."""

    devices: list[Named]
    members: list[Named]


def _check(filters: HistoryFilter, limit: int) -> list[str]:
    if not 1 <= limit <= 100:
        raise InvalidInput("limit must be between 1 and 100.")
    if filters.device is not None:
        check_id(filters.device, what="device")
    if filters.member is not None:
        check_id(filters.member, what="member")
    for when in (filters.since, filters.until):
        if when is not None and when.tzinfo is None:
            raise InvalidInput("A date has no time zone.", hint="Send ISO 8601 with an offset.")
    words = filters.words or ""
    if len(words) > MAX_WORDS:
        raise InvalidInput(f"The search is longer than {MAX_WORDS} characters.")
    return [w.casefold() for w in words.split()]


def _account(vault: Vault, session: Session, account_id: str) -> tuple[Account, bytes]:
    account = session.get(Account, account_id)
    if account is None or account.erased_at is not None:
        raise NotFound("This account no longer exists.")
    return account, vault.keyring.data_key(session, account_id)


def _household(session: Session, key: bytes, account_id: str) -> Household:
    devices = session.scalars(
        select(Device).where(Device.account_id == account_id).order_by(Device.id)
    )
    members = session.scalars(
        select(HouseholdMember)
        .where(HouseholdMember.account_id == account_id)
        .order_by(HouseholdMember.id)
    )
    return Household(
        devices=[
            Named(d.id, open_name(key, account_id, "device_name", d.id, d.name_ct)) for d in devices
        ],
        members=[
            Named(m.id, open_name(key, account_id, "member_name", m.id, m.name_ct)) for m in members
        ],
    )


def household(vault: Vault, *, account_id: str) -> Household:
    """The account's devices and household members by name (for the history's filters)."""
    with vault.reading() as session:
        _, key = _account(vault, session, account_id)
        return _household(session, key, account_id)


def _query(
    account_id: str, filters: HistoryFilter, before: tuple[datetime, str] | None
) -> Select[Recording]:
    query = select(Recording).where(Recording.account_id == account_id)
    if filters.since is not None:
        query = query.where(Recording.captured_at >= filters.since)
    if filters.until is not None:
        query = query.where(Recording.captured_at < filters.until)
    if filters.device is not None:
        query = query.where(Recording.device_id == filters.device)
    if filters.member is not None:
        query = query.where(Recording.member_id == filters.member)
    if before is not None:
        query = query.where(tuple_(Recording.captured_at, Recording.id) < before)
    return query.order_by(Recording.captured_at.desc(), Recording.id.desc())


def _matching(
    key: bytes, rows: Iterator[Recording], words: list[str], wanted: int
) -> list[tuple[Recording, str | None]]:
    """Up to wanted rows whose transcript holds every word, each with its transcript."""
    found: list[tuple[Recording, str | None]] = []
    for row in rows:
        text = open_transcript(key, row)
        folded = (text or "").casefold()
        if all(word in folded for word in words):
            found.append((row, text))
            if len(found) == wanted:
                break
    return found


def history(
    vault: Vault,
    *,
    account_id: str,
    filters: HistoryFilter,
    limit: int = 20,
    before: tuple[datetime, str] | None = None,
) -> HistoryPage:
    """One page of the account's recordings, newest first (keyset pagination on
    captured_at and id), with device and speaker names and transcripts."""
    words = _check(filters, limit)
    with vault.reading() as session:
        _, key = _account(vault, session, account_id)
        query = _query(account_id, filters, before)
        # Without a search the database finds the page; with one, rows stream in
        # until enough transcripts match.
        query = query.execution_options(yield_per=200) if words else query.limit(limit + 1)
        rows = session.scalars(query)
        found = _matching(key, iter(rows), words, limit + 1)
        rows.close()
        names = _household(session, key, account_id)
        pseudonym = account_actor_pseudonym(vault, session, account_id)
    page = found[:limit]
    _audit_read(
        vault,
        AuditAction.RECORDING_LISTED,
        actor=pseudonym,
        objects={"account": pseudonym},
        counts={"recordings": len(page)},
    )
    device_names = {d.id: d.name for d in names.devices}
    member_names = {m.id: m.name for m in names.members}
    items = [
        HistoryItem(
            info=info_of(row),
            device_name=device_names.get(row.device_id, row.device_id),
            speaker_name=member_names.get(row.member_id) if row.member_id else None,
            transcript=text,
        )
        for row, text in page
    ]
    last = page[-1][0] if len(found) > limit else None
    return HistoryPage(
        items=items, next=(last.captured_at, last.id) if last else None, household=names
    )


def _audit_read(
    vault: Vault,
    action: AuditAction,
    *,
    actor: str,
    objects: dict[str, str],
    counts: dict[str, int],
) -> None:
    """Record a read in a transaction of its own, after the reads and before anything
    is returned.

    Every page view and every piece of audio played appends to the log, so these
    small writes come many at a time. The reads ran in a read-only transaction: the
    write transaction holds the log's append lock (and on SQLite the database's one
    write lock, which a waiting writer retries with sleeps of up to 100 ms) for the
    append alone, not for the queries and decryption. (Taking turns on the writer
    lock file, as batch ingestion does, was measured too: its polling cost a third
    of the capacity when 50 people browse without pause; bench/web.py.)
    """
    with vault.transaction() as session:
        record(session, action, actor=actor, objects=objects, counts=counts)


@dataclass(frozen=True)
class AudioPart:
    size: int  # the whole recording's bytes
    range: ByteRange
    partial: bool  # a Range was asked for: answer 206
    chunks: Generator[bytes]  # close() releases the blob at once


def open_own_audio(
    vault: Vault, *, account_id: str, recording_id: str, range_header: str | None
) -> AudioPart:
    """Audit the read, then stream the asked span of the account's own recording,
    decrypting only the segments it touches. NotFound for anyone else's recording."""
    with vault.reading() as session:
        row = owned_row(session, account_id, recording_id)
        key = vault.keyring.data_key(session, account_id)
        wanted = parse_range(range_header, row.audio_bytes)
        span = wanted or ByteRange(0, row.audio_bytes - 1)
        names = names_for(vault, session, account_id, data_key=key)
        blob, size = row.audio_blob, row.audio_bytes
    _audit_read(
        vault,
        AuditAction.RECORDING_AUDIO_READ,
        actor=names.account,
        objects={"account": names.account, "recording": names.recording(recording_id)},
        counts={"bytes": span.length, "range_start": span.start},
    )
    reader = aead.SegmentedReader(
        key,
        vault.blobs.open(blob),
        size=vault.blobs.size(blob),
        ad=audio_ad(account_id, recording_id),
        kind="audio",
    )
    # The first segment is authenticated before any header goes out, so a damaged
    # blob is a clean error rather than a cut-off 200 or 206.
    chunks = first_checked(read_span(reader, span))
    return AudioPart(size=size, range=span, partial=wanted is not None, chunks=chunks)
