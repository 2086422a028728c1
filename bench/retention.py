"""Benchmark: the retention sweeper and account erasure at scale.

A vault of 1,000,000 recordings with small audio (about 3 KB each, really
encrypted, stored as ingestion stores them: a pack file per batch of 1,000)
and transcripts, half of them expired. One
account of 100,000 recordings has "until I delete" (none of it expires).

1. Sweep the first 50,000 expired recordings (timed), then the rest: expired
   recordings deleted per second (target: at least 10,000/s).
2. Erase the 100,000-recording account: seconds from the call until its data
   is unreadable (target: under 1 s) and until the purge is complete (target:
   under 60 s).
3. A second vault of 100,000 recordings with 50,000 expired: sweep them. The
   same 50,000 took about as long inside the 1,000,000-recording vault: the
   sweep's cost follows the expired count, not the size of the vault.

The vault is built directly (bulk INSERT of rows and packs made with the
product's own encryption and row functions, no HTTP, no audit events per
upload); the sweep and the erasure are the product's code, unchanged.

    .venv/bin/python bench/retention.py [--recordings N] [--big N] [--small N]
        [--database-url postgresql://...] [--keep DIR]

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
import uuid
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import DeviceKind, Language, Retention
from voxkeep.config import Settings
from voxkeep.errors import KeyDestroyed
from voxkeep.recordings.models import Recording
from voxkeep.recordings.service import (
    NewRecording,
    audio_into,
    open_audio,
    prepare,
    row_values,
)
from voxkeep.recordings.wav import WavInfo, parse_wav
from voxkeep.retention import erasure, policy, purge
from voxkeep.retention.sweeper import count_expired, sweep
from voxkeep.storage.blobs import Pack
from voxkeep.vault import Vault, init_vault

ACTOR = "system:bench"
PER_ACCOUNT = 1000
CHUNK = 10_000
PACK = 1000  # recordings per pack, as a batch of uploads or of an import
TRANSCRIPT = "Wie wird das Wetter morgen in München?"


def small_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(os.urandom(3000))
    return buffer.getvalue()


def register(vault: Vault, name: str, retention: Retention) -> tuple[str, bytes, str]:
    """Account and one device through the service; returns (account id, data key, device)."""
    with vault.transaction() as session:
        account, _ = accounts.upsert_account(
            vault,
            session,
            external_id=name,
            changes=accounts.AccountChanges(language=Language.DE, retention=retention),
            actor=ACTOR,
        )
        device = f"{name}-speaker"
        accounts.upsert_device(
            vault,
            session,
            account=account,
            device_id=device,
            kind=DeviceKind.SPEAKER,
            name="Küche",
            registered_at=datetime.now(UTC) - timedelta(days=800),
            actor=ACTOR,
        )
        return account.id, vault.keyring.data_key(session, account.id), device


def row(
    pack: Pack,
    wav: tuple[bytes, WavInfo],
    account: tuple[str, bytes, str],
    period: Retention,
    when: datetime,
) -> dict[str, Any]:
    """One encrypted row and its pack entry, as ingestion makes them."""
    account_id, key, device = account
    audio, info = wav
    meta = NewRecording(
        id=str(uuid.uuid4()),  # clients choose ids; UUIDs are the common choice
        account=account_id,
        device=device,
        captured_at=when,
        language=Language.DE,
        transcript=TRANSCRIPT,
    )
    prepared = prepare(meta, info, audio, account_id=account_id, key=key)
    values = row_values(prepared, blob=audio_into(pack, prepared, audio), audio_bytes=len(audio))
    values["expires_at"] = policy.expiry(when, period)
    return values


def plan(total: int, expired: int, big: int, accounts: int) -> list[tuple[datetime, int]]:
    """(captured_at, account index) oldest first; index -1 is the big account.

    Recordings arrive in time order across all accounts, as they do in a real
    vault, so expiry order follows arrival order. The oldest `expired` of the
    3-month accounts' recordings are 100–200 days old; the rest are 0–80 days
    old. The big account's span the whole 200 days (it never expires).
    """
    now = datetime.now(UTC)
    rest = total - big
    planned = []
    for i in range(rest):
        if i < expired:
            days = 100 + 100 * i / max(expired, 1)
        else:
            days = 80 * (i - expired) / max(rest - expired, 1)
        planned.append((now - timedelta(days=days, microseconds=i), i % accounts))
    for j in range(big):
        planned.append((now - timedelta(days=200 * j / big, microseconds=j), -1))
    planned.sort()
    return planned


def build(vault: Vault, *, total: int, expired: int, big: int, tag: str) -> str | None:
    """total recordings, `expired` of them past retention; one account of `big` never expires."""
    audio = small_wav()
    wav = (audio, parse_wav(audio))
    started = time.perf_counter()
    count = -(-(total - big) // PER_ACCOUNT)
    owners = {n: register(vault, f"{tag}-acct-{n:05d}", Retention.MONTHS_3) for n in range(count)}
    periods = {n: Retention.MONTHS_3 for n in owners}
    big_name = None
    if big:
        big_name = f"{tag}-big"
        owners[-1] = register(vault, big_name, Retention.UNTIL_DELETED)
        periods[-1] = Retention.UNTIL_DELETED
    planned = plan(total, expired, big, count)
    for start in range(0, len(planned), CHUNK):
        chunk = planned[start : start + CHUNK]
        rows = []
        for first in range(0, len(chunk), PACK):
            with vault.blobs.new_pack() as pack:
                rows.extend(
                    row(pack, wav, owners[n], periods[n], when)
                    for when, n in chunk[first : first + PACK]
                )
        with vault.transaction() as session:
            session.execute(insert(Recording), rows)
        done = start + len(rows)
        if done % 100_000 == 0:
            elapsed = time.perf_counter() - started
            print(f"  built {done:,} recordings ({elapsed:.0f} s)", file=sys.stderr)
    os.sync()
    purge.checkpoint_wal(vault, busy_timeout_ms=60_000)
    with vault.transaction() as session:
        session.execute(text("ANALYZE"))
    return big_name


@contextmanager
def fresh_vault(root: Path, name: str, database_url: str | None) -> Iterator[Vault]:
    data_dir = root / name
    url = None
    if database_url:
        import psycopg

        admin = database_url
        dbname = f"voxkeep_bench_{name}_{secrets.token_hex(4)}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')  # type: ignore[arg-type]
        url = admin.rsplit("/", 1)[0] + "/" + dbname
    settings = Settings(data_dir=data_dir, database_url=url, fsync=False)
    vault, _ = init_vault(settings)
    try:
        yield vault
    finally:
        vault.close()
        if database_url:
            import psycopg

            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')  # type: ignore[arg-type]


def total_recordings(vault: Vault) -> int:
    with vault.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Recording)) or 0)


def erase(vault: Vault, name: str) -> tuple[float, float, int]:
    """(seconds to unreadable, seconds to purge complete, recordings purged)."""
    with vault.reading() as session:
        internal = accounts.find_account(vault, session, name).id
        sample = session.scalar(select(Recording.id).where(Recording.account_id == internal))
    assert sample is not None
    started = time.perf_counter()
    done = erasure.destroy_key(vault, external_id=name, actor=ACTOR)
    try:
        open_audio(vault, account=name, recording_id=sample, actor=ACTOR)
        raise AssertionError("the audio was still readable")
    except KeyDestroyed:
        pass
    try:
        with vault.reading() as session:
            vault.keyring.data_key(session, internal)
        raise AssertionError("the data key survived the erasure")
    except KeyDestroyed:
        pass
    unreadable = time.perf_counter() - started
    assert erasure.purge_account(vault, done.receipt_id)
    purged = time.perf_counter() - started
    view = erasure.get_receipt(vault, done.receipt_id)
    assert view.purged
    return unreadable, purged, int(view.content["counts"]["recordings"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=100_000, help="the account to erase")
    parser.add_argument("--small", type=int, default=100_000, help="the second vault's size")
    parser.add_argument("--database-url", help="PostgreSQL admin URL (default: SQLite)")
    parser.add_argument("--keep", type=Path, help="build the vaults here and keep them")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="voxkeep-bench-retention-"))
    expired = args.recordings // 2
    compare = args.small // 2  # the expired count both vaults share
    results: dict[str, Any] = {
        "backend": "postgresql" if args.database_url else "sqlite",
        "recordings": args.recordings,
        "expired": expired,
    }
    try:
        with fresh_vault(root, "large", args.database_url) as vault:
            t = time.perf_counter()
            big_name = build(vault, total=args.recordings, expired=expired, big=args.big, tag="l")
            results["build_seconds"] = round(time.perf_counter() - t, 1)
            assert total_recordings(vault) == args.recordings
            assert count_expired(vault, datetime.now(UTC)) == expired
            print(f"Built {args.recordings:,} recordings, {expired:,} expired.", file=sys.stderr)

            first = sweep(vault, limit=compare)
            rest = sweep(vault)
            swept = first.counts.recordings + rest.counts.recordings
            seconds = first.seconds + rest.seconds
            assert swept == expired and total_recordings(vault) == args.recordings - expired
            results["sweep_seconds"] = round(seconds, 2)
            results["expired_deleted_per_second"] = round(swept / seconds)
            results["sweep_first_50k_in_large_seconds"] = round(first.seconds, 2)
            print(
                f"Swept {swept:,} expired recordings in {seconds:.1f} s: "
                f"{swept / seconds:,.0f}/s (the first {compare:,}: {first.seconds:.2f} s).",
                file=sys.stderr,
            )

            assert big_name is not None
            unreadable, purged, count = erase(vault, big_name)
            assert count == args.big
            results["erase_recordings"] = count
            results["erase_unreadable_seconds"] = round(unreadable, 3)
            results["erase_purged_seconds"] = round(purged, 2)
            print(
                f"Erased an account of {count:,} recordings: unreadable after "
                f"{unreadable * 1000:.0f} ms, purged after {purged:.1f} s.",
                file=sys.stderr,
            )
        if not args.keep:
            shutil.rmtree(root / "large", ignore_errors=True)

        with fresh_vault(root, "small", args.database_url) as vault:
            build(vault, total=args.small, expired=compare, big=0, tag="s")
            small = sweep(vault)
            assert small.counts.recordings == compare
            results["small_vault_recordings"] = args.small
            results["sweep_50k_in_small_seconds"] = round(small.seconds, 2)
            ratio = results["sweep_first_50k_in_large_seconds"] / max(small.seconds, 1e-9)
            results["large_to_small_sweep_ratio"] = round(ratio, 2)
            print(
                f"Swept the same {compare:,} expired in a vault of {args.small:,}: "
                f"{small.seconds:.2f} s (large/small = {ratio:.2f}).",
                file=sys.stderr,
            )
        results["targets_met"] = (
            results["expired_deleted_per_second"] >= 10_000
            and results["erase_unreadable_seconds"] < 1
            and results["erase_purged_seconds"] < 60
        )
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
