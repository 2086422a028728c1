"""Ingestion benchmark: recordings per second over HTTP and through `voxkeep import`.

Generates ``--count`` distinct recordings (16 kHz mono 16-bit PCM WAV of 1.9 s,
about 60 KB each, with realistic transcripts) spread over accounts that each
have devices and household members. Then, for each of ``--runs`` runs:

* **HTTP**: a fresh SQLite vault (default settings, so fsync on) gets the
  accounts, devices, members and an ingest token; ``voxkeep serve`` starts as a
  subprocess on 127.0.0.1 at a port picked at run time, with ``--workers``
  processes (default: one per CPU core); once ``/healthz`` answers,
  ``--connections`` keep-alive connections upload every recording as
  multipart/form-data. Timed: from the first request written to the last
  response read; every response must be 201. The client sends prebuilt
  requests from one asyncio loop, so it takes little of the CPU the server needs.
* **Import**: the same recordings, written once (untimed) as WAV + JSON
  sidecars + accounts.json, are imported with ``voxkeep import DIR`` into a
  fresh vault, in a subprocess. Timed: the import phase, by a stopwatch around
  ``run_import`` inside the command (registering the accounts, then every
  file); the whole command, Python start-up included, is reported beside it.

After each run the vault's database must hold exactly ``--count`` recordings.
Every run's vault is kept until the benchmark ends: deleting a run's 10,000
blob files before the next run made that run's file creations measurably
slower (the disk discards freed blocks in the background), so later runs
measured the previous run's clean-up rather than voxkeep.
CPU time per recording (server process tree, import command) is reported too:
unlike rates it hardly moves when other work shares the machine. The benchmark
cleans up its temporary directories and stops its servers itself. The last line
printed is one JSON object with the medians.

    .venv/bin/python bench/ingest.py                 # 3 runs of 10,000
    .venv/bin/python bench/ingest.py --runs 1 --count 2000 --workers 1
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import resource
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from voxkeep.config import Settings
from voxkeep.recordings.importer import register_accounts
from voxkeep.tokens.service import Scope, create_token
from voxkeep.vault import init_vault

SAMPLE_RATE = 16_000
FRAMES = 30_400  # 1.9 s
PER_ACCOUNT = 100  # recordings per account
VOXKEEP = Path(sys.executable).with_name("voxkeep")

# --------------------------------------------------------------------------- data


UTTERANCES = {
    "en": [
        "What's the weather like in {city} tomorrow?",
        "Set a timer for {n} minutes.",
        "Play some {genre} in the {room}.",
        "Turn off the lights in the {room}.",
        "Remind me to call {name} at {hour} o'clock.",
        "Add {item} to my shopping list.",
        "How long does it take to drive to {city}?",
        "Wake me up at {hour} tomorrow morning.",
        "What's on my calendar for {day}?",
        "Turn the heating up to {temp} degrees.",
        "Call {name} on speaker.",
        "How many grams are in a cup of {item}?",
    ],
    "de": [
        "Wie wird das Wetter morgen in {city}?",
        "Stell einen Timer auf {n} Minuten.",
        "Spiel {genre} im {room}.",
        "Mach das Licht im {room} aus.",
        "Erinnere mich daran, {name} um {hour} Uhr anzurufen.",
        "Setz {item} auf meine Einkaufsliste.",
        "Wie lange fahre ich bis {city}?",
        "Weck mich morgen um {hour} Uhr.",
        "Was steht am {day} in meinem Kalender?",
        "Stell die Heizung auf {temp} Grad.",
        "Ruf {name} über den Lautsprecher an.",
        "Wie viel Gramm {item} sind eine Tasse?",
    ],
    "fr": [
        "Quel temps fera-t-il demain à {city} ?",
        "Mets un minuteur de {n} minutes.",
        "Joue du {genre} dans le {room}.",
        "Éteins la lumière du {room}.",
        "Rappelle-moi d'appeler {name} à {hour} heures.",
        "Ajoute {item} à ma liste de courses.",
        "Combien de temps pour aller à {city} en voiture ?",
        "Réveille-moi demain à {hour} heures.",
        "Qu'est-ce que j'ai dans mon agenda {day} ?",
        "Mets le chauffage à {temp} degrés.",
        "Appelle {name} sur le haut-parleur.",
        "Combien de grammes de {item} dans une tasse ?",
    ],
}
SLOTS: dict[str, list[str]] = {
    "city": ["Berlin", "Hamburg", "Lyon", "Leeds", "Zürich", "Köln", "Marseille", "Bristol"],
    "genre": ["jazz", "Klassik", "rock", "hip-hop", "lo-fi", "chanson", "Schlager"],
    "room": ["kitchen", "Wohnzimmer", "salon", "bedroom", "Bad", "bureau"],
    "name": ["Anna", "Lukas", "Marie", "Jonas", "Chloé", "Tom", "Leonie", "Hugo"],
    "item": ["oat milk", "Mehl", "beurre", "rice", "Zucker", "farine", "coffee"],
    "day": ["Monday", "Dienstag", "mercredi", "Friday", "Samstag", "dimanche"],
}


@dataclass(frozen=True)
class Account:
    id: str
    language: str
    retention: str
    devices: tuple[str, ...]
    members: tuple[str, ...]


@dataclass
class Dataset:
    """Prebuilt multipart bodies for HTTP and a folder of WAV + JSON sidecars for import."""

    count: int
    boundary: str
    bodies: list[bytes] = field(default_factory=list)
    audio_bytes: int = 0
    import_dir: Path = Path()
    accounts_file: Path = Path()


def _accounts(count: int, rng: random.Random) -> list[Account]:
    kinds_names = list(UTTERANCES)
    out = []
    for a in range(max(1, math.ceil(count / PER_ACCOUNT))):
        out.append(
            Account(
                id=f"acct-{a:05d}",
                language=kinds_names[a % len(kinds_names)],
                retention=rng.choice(["3_months", "18_months", "until_deleted"]),
                devices=tuple(f"dev-{a:05d}-{d}" for d in range(1 + a % 3)),
                members=tuple(f"mem-{a:05d}-{m}" for m in range(a % 3)),
            )
        )
    return out


def _accounts_json(accounts: list[Account], registered: datetime) -> list[dict[str, Any]]:
    kinds = ["speaker", "tv", "phone", "car", "other"]
    return [
        {
            "id": acct.id,
            "email": f"{acct.id}@example.org",
            "language": acct.language,
            "retention": acct.retention,
            "devices": [
                {
                    "id": dev,
                    "kind": kinds[i % len(kinds)],
                    "name": ["Küche", "Living room", "Téléphone", "Auto"][i % 4],
                    "registered_at": registered.isoformat(),
                }
                for i, dev in enumerate(acct.devices)
            ],
            "members": [
                {"id": mem, "name": ["Alex", "Sam", "Kim"][i % 3]}
                for i, mem in enumerate(acct.members)
            ],
        }
        for acct in accounts
    ]


def _voices(count: int) -> list[int]:
    """A few speech-like signals (voiced harmonics under a syllable envelope), as big ints."""
    voices = []
    for v in range(count):
        pitch = 95.0 + 11.0 * v
        samples = bytearray()
        for i in range(FRAMES):
            t = i / SAMPLE_RATE
            envelope = max(0.0, math.sin(math.pi * 4.2 * t + v)) ** 2
            tone = sum(math.sin(2 * math.pi * pitch * h * t) / h for h in (1, 2, 3, 5))
            samples += struct.pack("<h", int(6000 * envelope * tone))
        voices.append(int.from_bytes(samples, "little"))
    return voices


def _wav_header(data_bytes: int) -> bytes:
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def _transcript(language: str, rng: random.Random) -> str:
    template = rng.choice(UTTERANCES[language])
    values = {key: rng.choice(options) for key, options in SLOTS.items()}
    values.update(n=str(rng.randint(1, 90)), hour=str(rng.randint(5, 22)))
    values["temp"] = str(rng.randint(17, 24))
    return template.format(**values)


def build_dataset(count: int, root: Path) -> Dataset:
    """Generate every recording once: a multipart body each, and the import folder."""
    rng = random.Random(20240917)
    boundary = f"voxkeep-bench-{rng.getrandbits(96):024x}"
    data = Dataset(count=count, boundary=boundary)
    now = datetime.now(UTC)
    accounts = _accounts(count, rng)
    data.import_dir = root / "import"
    data.import_dir.mkdir()
    data.accounts_file = data.import_dir / "accounts.json"
    data.accounts_file.write_text(
        json.dumps(_accounts_json(accounts, now - timedelta(days=120)), ensure_ascii=False),
        encoding="utf-8",
    )
    voices = _voices(8)
    data_bytes = FRAMES * 2
    # Background noise in the low 3 bits of every sample makes each file's bytes distinct.
    noise_mask = int.from_bytes(b"\x07\x00" * FRAMES, "little")
    header = _wav_header(data_bytes)
    for i in range(count):
        acct = accounts[i % len(accounts)]
        noise = int.from_bytes(rng.randbytes(data_bytes), "little") & noise_mask
        wav = header + (voices[i % len(voices)] ^ noise).to_bytes(data_bytes, "little")
        if boundary.encode() in wav:
            raise RuntimeError("the multipart boundary occurs in the audio; pick another seed")
        meta: dict[str, Any] = {
            "id": f"rec-{i:06d}-{rng.getrandbits(32):08x}",
            "account": acct.id,
            "device": acct.devices[i % len(acct.devices)],
            "captured_at": (now - timedelta(seconds=rng.uniform(60, 30 * 86400))).isoformat(),
            "language": acct.language,
            "transcript": _transcript(acct.language, rng),
        }
        if acct.members and rng.random() < 0.5:
            meta["speaker"] = rng.choice(acct.members)
        meta_json = json.dumps(meta, ensure_ascii=False).encode()
        folder = data.import_dir / acct.id
        folder.mkdir(exist_ok=True)
        (folder / f"{meta['id']}.wav").write_bytes(wav)
        (folder / f"{meta['id']}.json").write_bytes(meta_json)
        data.bodies.append(_multipart(boundary, meta_json, wav))
        data.audio_bytes += len(wav)
    return data


def _multipart(boundary: str, meta: bytes, wav: bytes) -> bytes:
    b = boundary.encode()
    return b"".join(
        (
            b"--" + b + b"\r\n",
            b'Content-Disposition: form-data; name="metadata"\r\n',
            b"Content-Type: application/json\r\n\r\n",
            meta,
            b"\r\n--" + b + b"\r\n",
            b'Content-Disposition: form-data; name="audio"; filename="clip.wav"\r\n',
            b"Content-Type: audio/wav\r\n\r\n",
            wav,
            b"\r\n--" + b + b"--\r\n",
        )
    )


# --------------------------------------------------------------------------- vaults


def clean_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for voxkeep subprocesses: no inherited VOXKEEP_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOXKEEP_")}
    env["VOXKEEP_DATA_DIR"] = str(data_dir)
    env.update(extra or {})
    return env


def new_vault(data_dir: Path, accounts_file: Path | None, **overrides: Any) -> str | None:
    """Create a vault with default settings (but overrides); register accounts and make a
    token if asked."""
    vault, _ = init_vault(Settings(data_dir=data_dir, **overrides))
    try:
        if accounts_file is None:
            return None
        register_accounts(vault, accounts_file)
        with vault.transaction() as session:
            _, token = create_token(session, name="bench", scopes=[Scope.INGEST], actor="system")
        return token
    finally:
        vault.close()


def stored_recordings(data_dir: Path) -> int:
    uri = f"file:{data_dir / 'voxkeep.db'}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        (n,) = conn.execute("SELECT count(*) FROM recordings").fetchone()
    return int(n)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def stop(proc: subprocess.Popen[bytes], *, grace: float = 15.0) -> None:
    """Stop a process this benchmark started (and the workers in its process group)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(grace)
    # Workers of a multi-process server share its process group; none may outlive it.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


@contextlib.contextmanager
def server(
    data_dir: Path,
    log: Path,
    workers: int,
    *,
    extra: dict[str, str] | None = None,
    options: Sequence[str] = (),
) -> Iterator[tuple[int, int]]:
    """Run `voxkeep serve [options]` on a free loopback port until the block ends, with the
    extra settings (VOXKEEP_*) in its environment; yields (port, pid)."""
    env = clean_env(data_dir, {**(extra or {}), "VOXKEEP_WORKERS": str(workers)})
    for _attempt in range(5):
        port = free_port()
        with log.open("ab") as log_file:
            proc = subprocess.Popen(
                [str(VOXKEEP), "serve", "--host", "127.0.0.1", "--port", str(port), *options],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
                start_new_session=True,
            )
        try:
            if wait_healthy(proc, port, timeout=60.0):
                yield port, proc.pid
                return
        finally:
            stop(proc)
    raise RuntimeError(f"`voxkeep serve` did not come up; see {log}:\n{log.read_text()[-2000:]}")


def wait_healthy(proc: subprocess.Popen[bytes], port: int, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False  # e.g. the port was taken in between: try another
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=2) as s,
        ):
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            if s.recv(64).startswith(b"HTTP/1.1 200"):
                return True
        time.sleep(0.05)
    raise RuntimeError("`voxkeep serve` did not answer /healthz within 60 s")


# --------------------------------------------------------------------------- HTTP client


class BadResponse(Exception):
    pass


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"transfer-encoding":
            raise BadResponse("chunked responses are not expected")
    body = await reader.readexactly(length) if length else b""
    return status, body


async def upload_all(
    ports: Sequence[int], token: str, bodies: list[bytes], boundary: str, connections: int
) -> tuple[float, Counter[int], list[bytes]]:
    """Upload every body over keep-alive connections, spread evenly over the servers at
    ports; returns (seconds, statuses, errors)."""
    targets = [ports[n % len(ports)] for n in range(connections)]
    streams = [await asyncio.open_connection("127.0.0.1", port) for port in targets]
    pending = iter(range(len(bodies)))  # shared by the workers: one event loop, no races
    statuses: Counter[int] = Counter()
    errors: list[bytes] = []

    async def worker(port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        prefix = (
            f"POST /api/v1/recordings HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        ).encode()
        for index in pending:
            body = bodies[index]
            writer.writelines((prefix, b"Content-Length: %d\r\n\r\n" % len(body), body))
            await writer.drain()
            status, text = await _read_response(reader)
            statuses[status] += 1
            if status != 201 and len(errors) < 5:
                errors.append(text)

    started = time.perf_counter()
    await asyncio.gather(*(worker(p, r, w) for p, (r, w) in zip(targets, streams, strict=True)))
    elapsed = time.perf_counter() - started
    for _, writer in streams:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return elapsed, statuses, errors


def run_client(coro: Any) -> Any:
    try:
        import uvloop  # installed with uvicorn[standard]; a cheaper client leaves the server CPU
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


# --------------------------------------------------------------------------- runs


@dataclass
class RunResult:
    seconds: float
    per_s: float
    extra: dict[str, float] = field(default_factory=dict)


def http_run(data: Dataset, work: Path, args: argparse.Namespace) -> RunResult:
    data_dir = work / "vault"
    token = new_vault(data_dir, data.accounts_file)
    assert token is not None
    os.sync()  # setup writes must not be flushed on the clock
    with server(data_dir, work / "serve.log", args.workers) as (port, pid):
        coro = upload_all([port], token, data.bodies, data.boundary, args.connections)
        timeout = max(300.0, data.count / 20)
        cpu_before = tree_cpu_seconds(pid)
        seconds, statuses, errors = run_client(asyncio.wait_for(coro, timeout))
        server_cpu = tree_cpu_seconds(pid) - cpu_before
    if statuses != Counter({201: data.count}):
        shown = b"\n".join(errors).decode(errors="replace")
        raise RuntimeError(f"unexpected responses {dict(statuses)}:\n{shown}")
    stored = stored_recordings(data_dir)
    if stored != data.count:
        raise RuntimeError(f"the vault holds {stored} recordings, expected {data.count}")
    return RunResult(seconds, data.count / seconds, {"cpu_ms": server_cpu / data.count * 1000})


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children so far (Linux /proc)."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pending.extend(int(child) for child in children)
    return total


# `voxkeep import DIR` exactly as the console script runs it, with a stopwatch
# around the import itself (run_import: registering accounts, then every file),
# so the import phase is timed apart from Python start-up and opening the vault.
IMPORT_WITH_STOPWATCH = """
import sys, time
from voxkeep.recordings import importer
folder, stopwatch = sys.argv[1:3]
run_import = importer.run_import
def timed(*args, **kwargs):
    started = time.perf_counter()
    report = run_import(*args, **kwargs)
    with open(stopwatch, "w") as out:
        out.write(repr(time.perf_counter() - started))
    return report
importer.run_import = timed
from voxkeep.cli import main
sys.argv = ["voxkeep", "import", folder]
main()
"""


def _timed_import(data_dir: Path, folder: Path, stopwatch: Path) -> tuple[float, float, str]:
    """(whole command seconds, import phase seconds, its output)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_WITH_STOPWATCH, str(folder), str(stopwatch)],
        env=clean_env(data_dir, {"COLUMNS": "200"}),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=3600,
        check=False,
    )
    seconds = time.perf_counter() - started
    output = done.stdout.decode(errors="replace")
    if done.returncode != 0:
        problem = (output + done.stderr.decode(errors="replace"))[-2000:]
        raise RuntimeError(f"voxkeep import failed ({done.returncode}):\n{problem}")
    return seconds, float(stopwatch.read_text()), output


def import_run(data: Dataset, work: Path) -> RunResult:
    data_dir = work / "vault"
    new_vault(data_dir, None)
    os.sync()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, phase, output = _timed_import(data_dir, data.import_dir, work / "stopwatch")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if f"{data.count} imported" not in output:
        raise RuntimeError(f"unexpected import report:\n{output[-2000:]}")
    stored = stored_recordings(data_dir)
    if stored != data.count:
        raise RuntimeError(f"the vault holds {stored} recordings, expected {data.count}")
    return RunResult(
        phase, data.count / phase, {"command_s": seconds, "cpu_ms": cpu / data.count * 1000}
    )


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def defaults_only() -> None:
    """Measure the default settings, on SQLite: drop inherited VOXKEEP_* variables, and
    exit through cleanup (servers stopped, temporary folders removed) on SIGTERM."""
    signal.signal(signal.SIGTERM, _raise_exit)
    dropped = sorted(k for k in os.environ if k.startswith("VOXKEEP_"))
    for key in dropped:
        del os.environ[key]
    if dropped:
        print(f"ignoring {', '.join(dropped)} (the benchmark uses default settings)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per mode (median reported)")
    parser.add_argument("--count", type=int, default=10_000, help="recordings per run")
    parser.add_argument("--connections", type=int, default=64, help="HTTP keep-alive connections")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes of `voxkeep serve` (VOXKEEP_WORKERS; default: one per CPU core)",
    )
    parser.add_argument("--only", choices=["http", "import"], help="run one mode only")
    args = parser.parse_args()
    if min(args.runs, args.count, args.connections, args.workers) < 1:
        parser.error("--runs, --count, --connections and --workers must be positive")
    defaults_only()

    load_at_start = os.getloadavg()[0]
    http: list[RunResult] = []
    imports: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="voxkeep-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        data = build_dataset(args.count, root)
        os.sync()
        print(
            f"generated {data.count} recordings, {data.audio_bytes / data.count / 1000:.1f} KB "
            f"of WAV each, in {time.perf_counter() - started:.1f} s"
        )
        for run in range(1, args.runs + 1):
            if args.only in (None, "http"):
                # Runs' vaults stay until the end (see the module's docstring).
                result = http_run(data, Path(tempfile.mkdtemp(prefix="http-", dir=root)), args)
                http.append(result)
                print(
                    f"run {run} HTTP:   {data.count} uploads in {result.seconds:6.2f} s = "
                    f"{result.per_s:7.0f} recordings/s ({args.workers} workers, "
                    f"{args.connections} connections; "
                    f"server CPU {result.extra['cpu_ms']:.2f} ms per recording)"
                )
            if args.only in (None, "import"):
                result = import_run(data, Path(tempfile.mkdtemp(prefix="import-", dir=root)))
                imports.append(result)
                command = result.extra["command_s"]
                print(
                    f"run {run} import: {data.count} files in {result.seconds:6.2f} s = "
                    f"{result.per_s:7.0f} recordings/s (import phase; the whole command "
                    f"took {command:.2f} s = {data.count / command:.0f}/s)"
                )

    summary: dict[str, Any] = {
        "bench": "ingest",
        "count": args.count,
        "runs": args.runs,
        "cpu_count": os.cpu_count(),
        "connections": args.connections,
        "workers": args.workers,
        "database": "sqlite",
        "fsync": True,
        # Other work on the machine skews timings; CPU per recording much less so.
        "load_avg_1m": {"start": round(load_at_start, 2), "end": round(os.getloadavg()[0], 2)},
    }
    if http:
        summary["http_recordings_per_s"] = round(statistics.median(r.per_s for r in http), 1)
        summary["http_timed"] = "first request written to last response read, all 201"
        summary["http_seconds"] = [round(r.seconds, 3) for r in http]
        summary["http_server_cpu_ms_per_recording"] = round(
            statistics.median(r.extra["cpu_ms"] for r in http), 3
        )
        print(
            f"HTTP median:   {summary['http_recordings_per_s']:.0f} recordings/s "
            f"(server CPU {summary['http_server_cpu_ms_per_recording']:.2f} ms per recording)"
        )
    if imports:
        commands = [r.extra["command_s"] for r in imports]
        summary["import_recordings_per_s"] = round(statistics.median(r.per_s for r in imports), 1)
        summary["import_timed"] = "import phase of `voxkeep import` (run_import, in the command)"
        summary["import_seconds"] = [round(r.seconds, 3) for r in imports]
        summary["import_command_recordings_per_s"] = round(
            statistics.median(args.count / c for c in commands), 1
        )
        summary["import_command_seconds"] = [round(c, 3) for c in commands]
        summary["import_command_cpu_ms_per_recording"] = round(
            statistics.median(r.extra["cpu_ms"] for r in imports), 3
        )
        print(
            f"import median: {summary['import_recordings_per_s']:.0f} recordings/s "
            f"(whole command: {summary['import_command_recordings_per_s']:.0f}/s; CPU "
            f"{summary['import_command_cpu_ms_per_recording']:.2f} ms per recording)"
        )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
