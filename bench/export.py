"""Benchmark: from an approved access request to a released, gate-checked answer.

The real case of the story behind voxkeep: 1,700 recordings of about 60 KB
(about 100 MB) with transcripts. The same run times `zip -0 -r` over the same
plaintext WAV files as the yardstick (target: ratio at most 2.0). Then a
2 GB answer (about 34,000 recordings) is built and checked in a fresh
process whose peak memory is recorded (target: at most 200 MB).

    .venv/bin/python bench/export.py [--small N] [--large N] [--keep DIR]

The last line is one JSON object: ct_case_seconds, zip0_seconds, ratio,
peak_rss_mb_2gb (and the figures behind them).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete

from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import DeviceKind, Language, Retention
from voxkeep.config import Settings
from voxkeep.jobs.models import Job
from voxkeep.recordings.bulk import store_batch
from voxkeep.recordings.service import NewRecording, OwnerLookup, check_audio, resolve_owner
from voxkeep.vault import Vault, init_vault, open_vault

ACTOR = "system:bench"
WAV_BYTES = 60_000
PHRASES = (
    "Wie wird das Wetter morgen in München?",
    "Spiel die Nachrichten von heute früh.",
    "Stell einen Wecker für halb sieben, bitte.",
    "Wie viele Grad sind es draußen auf der Terrasse?",
    "Füge Äpfel, Käse und Brötchen zur Einkaufsliste hinzu.",
    "Ruf Oma Gisela an.",
    "Mach das Licht im Schlafzimmer aus.",
    "Erinnere mich an den Zahnarzttermin am Donnerstag.",
)


def _wav(rng: random.Random) -> bytes:
    frames = (WAV_BYTES - 44) // 2 + rng.randrange(-2000, 2000)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(rng.randbytes(frames * 2))
    return buffer.getvalue()


def populate(vault: Vault, count: int, *, wav_dir: Path | None, seed: int = 2018) -> str:
    """One household with four devices and three voices; returns the external account id."""
    rng = random.Random(seed)
    name = "haushalt-bench"
    with vault.transaction() as session:
        account, _ = accounts.upsert_account(
            vault,
            session,
            external_id=name,
            changes=accounts.AccountChanges(
                email="bench@example.de", language=Language.DE, retention=Retention.UNTIL_DELETED
            ),
            actor=ACTOR,
        )
        devices = ["kueche", "wohnzimmer", "schlafzimmer", "auto"]
        for device in devices:
            accounts.upsert_device(
                vault,
                session,
                account=account,
                device_id=f"bench-{device}",
                kind=DeviceKind.SPEAKER,
                name=device.capitalize(),
                registered_at=datetime.now(UTC) - timedelta(days=800),
                actor=ACTOR,
            )
        for member in ("anna", "jonas", "karl"):
            accounts.upsert_member(
                vault, session, account=account, member_id=f"bench-{member}", name=member.title(),
                actor=ACTOR,
            )  # fmt: skip
    start = datetime.now(UTC) - timedelta(days=700)
    pool = [_wav(rng) for _ in range(64)]
    batch: list[tuple[NewRecording, bytes]] = []
    for n in range(count):
        audio = bytearray(pool[n % len(pool)])
        audio[100:108] = n.to_bytes(8, "big")  # every recording distinct
        meta = NewRecording(
            id=f"bench-{n:06d}",
            account=name,
            device=f"bench-{rng.choice(devices)}",
            captured_at=start + timedelta(seconds=n * 1777 + rng.randrange(600)),
            language=Language.DE,
            transcript=rng.choice(PHRASES),
            speaker=f"bench-{rng.choice(('anna', 'jonas', 'karl'))}"
            if rng.random() < 0.5
            else None,
        )
        batch.append((meta, bytes(audio)))
        if wav_dir is not None:
            (wav_dir / f"{meta.id}.wav").write_bytes(audio)
        if len(batch) == 1000 or n == count - 1:
            with vault.reading() as session:
                lookup = OwnerLookup(vault, session)
                ready = [(resolve_owner(lookup, m, a, check_audio(vault, a)), a) for m, a in batch]
            store_batch(vault, ready, actor=ACTOR)
            batch.clear()
    return name


def approved_request(vault: Vault, external_id: str) -> str:
    """An access request filed in the portal after a re-authentication: verified, building."""
    from voxkeep.requests.models import RequestKind
    from voxkeep.requests.service import file_request

    with vault.reading() as session:
        account_id = accounts.find_account(vault, session, external_id).id

    class Person:
        def __init__(self) -> None:
            self.account_id = account_id
            self.reauth_at = datetime.now(UTC)

    return file_request(vault, person=Person(), kind=RequestKind.ACCESS)


def answer(vault: Vault, request_id: str) -> float:
    """Time the export job: build, gate, release. Returns seconds."""
    from voxkeep.jobs.worker import run_once
    from voxkeep.requests.models import DataRequest

    os.sync()  # start clean: no dirty pages left by the previous step to write back
    started = time.perf_counter()
    run_once(vault, max_jobs=1)
    seconds = time.perf_counter() - started
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        assert request is not None and request.state == "ready", request and request.state
    return seconds


def zip0(wav_dir: Path, out: Path) -> float:
    os.sync()
    started = time.perf_counter()
    subprocess.run(["zip", "-0", "-r", "-q", str(out), "."], cwd=wav_dir, check=True)
    return time.perf_counter() - started


def large_child(data_dir: str, request_id: str) -> None:
    """In a fresh process: answer the request; print peak RSS (MB) as JSON."""
    vault = open_vault(Settings(data_dir=Path(data_dir)))
    seconds = answer(vault, request_id)
    print(json.dumps({"seconds": seconds, "peak_rss_mb": _peak_rss_kb() / 1024}))


def _peak_rss_kb() -> int:
    """This process's peak resident memory. Linux's VmHWM belongs to the process image
    since exec; ru_maxrss would also count the parent's memory at fork time."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=1700)
    parser.add_argument("--large", type=int, default=34_000)
    parser.add_argument("--runs", type=int, default=5, help="repetitions of the small case")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        large_child(*args.child)
        return
    if shutil.which("zip") is None:
        sys.exit("bench/export.py needs `zip` (apt-get install zip).")
    root = Path(tempfile.mkdtemp(prefix="voxkeep-bench-"))
    try:
        result = run(root, args.small, args.large, args.runs)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(result))


def run(root: Path, small: int, large: int, runs: int) -> dict[str, object]:
    vault, _ = init_vault(Settings(data_dir=root / "small"))
    wav_dir = root / "wavs"
    wav_dir.mkdir()
    external = populate(vault, small, wav_dir=wav_dir)
    wav_mb = sum(p.stat().st_size for p in wav_dir.iterdir()) / 1e6
    print(f"small case: {small} recordings, {wav_mb:.1f} MB of WAV", file=sys.stderr)
    ct_times, zip_times = [], []
    for n in range(runs):
        request_id = approved_request(vault, external)
        ct_times.append(answer(vault, request_id))
        close_answer(vault, request_id)
        zip_times.append(zip0(wav_dir, root / f"plain-{n}.zip"))
        print(
            f"  run {n}: voxkeep {ct_times[-1]:.3f} s, zip -0 {zip_times[-1]:.3f} s",
            file=sys.stderr,
        )
    vault.close()
    ct, z = statistics.median(ct_times), statistics.median(zip_times)
    result: dict[str, object] = {
        "recordings": small,
        "wav_mb": round(wav_mb, 1),
        "ct_case_seconds": round(ct, 3),
        "zip0_seconds": round(z, 3),
        "ratio": round(ct / z, 2),
    }
    if large <= 0:
        return result
    big = root / "large"
    vault, _ = init_vault(Settings(data_dir=big))
    external = populate(vault, large, wav_dir=None)
    request_id = approved_request(vault, external)
    vault.close()
    print(f"large case: {large} recordings", file=sys.stderr)
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(big), request_id],
        check=True,
        capture_output=True,
        text=True,
    )
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    result["large_recordings"] = large
    result["large_seconds"] = round(measured["seconds"], 2)
    result["peak_rss_mb_2gb"] = round(measured["peak_rss_mb"], 1)
    return result


def close_answer(vault: Vault, request_id: str) -> None:
    """Let the next run file a new access request (one open request per kind)."""
    from voxkeep.exports.delivery import expire_export
    from voxkeep.requests.models import DataRequest

    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        export_id = request.export_id if request else None
    if export_id:
        expire_export(vault, export_id, now=datetime.now(UTC) + timedelta(days=30))
    # The ready mail and expiry jobs of this run are not part of the next run's timing.
    with vault.transaction() as session:
        session.execute(delete(Job).where(Job.ref == request_id))


if __name__ == "__main__":
    os.environ.setdefault("VOXKEEP_LOG_LEVEL", "warning")
    main()
