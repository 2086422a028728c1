"""Web benchmark: signed-in people browsing their voice history and playing audio.

A fresh SQLite vault (default settings) gets ``--people`` accounts in English,
German and French, each with three devices, two household members and
``--recordings`` recordings of real synthesized speech (the demo's clips,
45–131 KB of WAV each) over the past year, stored as ingestion stores them.
Every person gets a password through the people service. Then, for each
worker count in ``--workers`` (default: `voxkeep serve`'s default of one
process, and the documented one per CPU core) and each of ``--runs`` runs:

* ``voxkeep serve`` starts as a subprocess on 127.0.0.1 at a port picked at
  run time; the people sign in once over HTTP (``POST /api/v1/people/sessions``)
  and keep their session cookie, as a browser does.
* ``--clients`` people at once (each on its own keep-alive connection, with a
  cookie jar) browse for ``--seconds``: open the voice history (its first
  page; sometimes the next, older page or a filter by device or by month,
  from the links and options of the page just shown), then play a recording
  of that page with ``Range: bytes=0-65535`` as a browser's player starts,
  ("audio"), and now and then seek in it (``Range: bytes=N-``, "seek"). Between steps a person
  pauses for a random time, uniform between 0 and twice ``--think`` seconds
  (reading the page, listening); each also begins with such a pause, so they
  do not all arrive in the same millisecond. Each client opened one page before
  the clock started, so the first figures are not a cold start.
* Timed per request: from the request written to the last byte of the answer
  read. Every answer must be what a browser expects (pages 200, audio 206
  with the asked range); anything else stops the benchmark.

Printed per run: requests per second, p50/p95/p99 latency overall and per
kind (page, older, filter, audio, seek), the server's CPU time per request (its process
tree, from /proc: unlike latencies it hardly moves when other work shares the
machine), and the load average. The summary takes the median of the runs for
each figure. The client is one asyncio loop writing raw HTTP/1.1, so it takes
little of the CPU the server needs; the machine's cores and load are in the
summary. The last line printed is one JSON object.

    .venv/bin/python bench/web.py                    # 50 people, 30 s, 3 runs each
    .venv/bin/python bench/web.py --workers 2 --runs 1 --think 0
    .venv/bin/python bench/web.py --vault /tmp/web-vault   # keep the vault for the next run
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ingest import defaults_only, run_client, server, tree_cpu_seconds
from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import DeviceKind, Language, Retention
from voxkeep.config import Settings
from voxkeep.demo.clips import load_clips
from voxkeep.people.service import set_password_without_invitation
from voxkeep.recordings.bulk import store_batch
from voxkeep.recordings.service import NewRecording, OwnerLookup, check_audio, resolve_owner
from voxkeep.vault import Vault, init_vault

ACTOR = "system:bench"
PASSWORD = "bench-web-password-1"  # noqa: S105 - a throwaway vault's
TARGET_P95_MS = 100.0
FIRST_RANGE = 65_535  # a player's first request: the first 64 KiB
KINDS = ("page", "older", "filter", "audio", "seek")  # page: the newest page
AUDIO_SRC = re.compile(rb'<audio[^>]* src="(/api/v1/me/recordings/[^"]+/audio)"')
OLDER = re.compile(rb'<a href="(/history\?[^"]*)" rel="next">')
DEVICE = re.compile(rb'<option value="(bench-[^"]+-dev-\d)"')
CONTENT_RANGE = re.compile(rb"bytes (\d+)-(\d+)/(\d+)")

# --------------------------------------------------------------------------- vault


@dataclass(frozen=True)
class Person:
    external_id: str
    email: str
    language: Language


def people_of(count: int) -> list[Person]:
    languages = (Language.EN, Language.DE, Language.FR)
    return [
        Person(f"bench-{n:04d}", f"person-{n:04d}@example.org", languages[n % 3])
        for n in range(count)
    ]


def _register(vault: Vault, people: list[Person], since: datetime) -> None:
    kinds = (DeviceKind.SPEAKER, DeviceKind.TV, DeviceKind.PHONE)
    with vault.transaction() as session:
        for person in people:
            account, _ = accounts.upsert_account(
                vault,
                session,
                external_id=person.external_id,
                changes=accounts.AccountChanges(
                    email=person.email, language=person.language, retention=Retention.UNTIL_DELETED
                ),
                actor=ACTOR,
            )
            for d, kind in enumerate(kinds):
                accounts.upsert_device(
                    vault,
                    session,
                    account=account,
                    device_id=f"{person.external_id}-dev-{d}",
                    kind=kind,
                    name=("Kitchen", "Living room", "Phone")[d],
                    registered_at=since,
                    actor=ACTOR,
                )
            for m, name in enumerate(("Alex", "Sam")):
                accounts.upsert_member(
                    vault,
                    session,
                    account=account,
                    member_id=f"{person.external_id}-mem-{m}",
                    name=name,
                    actor=ACTOR,
                )


def populate(vault: Vault, people: list[Person], per_person: int, *, seed: int = 2026) -> int:
    """Accounts with devices, members and a year of real clips; returns audio bytes stored."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    _register(vault, people, now - timedelta(days=400))
    clips = load_clips()
    by_language = {lang: [c for c in clips if c.language == lang.value] for lang in Language}
    planned: list[tuple[NewRecording, bytes]] = []
    for person in people:
        for n in range(per_person):
            clip = rng.choice(by_language[person.language])
            member = rng.randrange(3)
            meta = NewRecording(
                id=f"{person.external_id}-rec-{n:05d}",
                account=person.external_id,
                device=f"{person.external_id}-dev-{rng.randrange(3)}",
                captured_at=now - timedelta(seconds=rng.uniform(300, 365 * 86400)),
                language=person.language,
                transcript=clip.text,
                speaker=f"{person.external_id}-mem-{member}" if member < 2 else None,
            )
            planned.append((meta, clip.wav))
    stored = 0
    for start in range(0, len(planned), 1000):
        chunk = planned[start : start + 1000]
        with vault.reading() as session:
            lookup = OwnerLookup(vault, session)
            ready = [(resolve_owner(lookup, m, a, check_audio(vault, a)), a) for m, a in chunk]
        store_batch(vault, ready, actor=ACTOR)
        stored += sum(len(a) for _, a in chunk)
    for person in people:
        set_password_without_invitation(
            vault, external_id=person.external_id, password=PASSWORD, actor=ACTOR
        )
    return stored


def build_vault(data_dir: Path, people: list[Person], per_person: int) -> None:
    """A fresh vault in data_dir; one that an earlier run kept there is used as it is."""
    shape = {"people": len(people), "recordings": per_person}
    marker = data_dir / "bench-web.json"
    if marker.is_file():
        if json.loads(marker.read_text()) != shape:
            sys.exit(f"{data_dir} holds a vault of {marker.read_text()}; pass those options.")
        print(f"vault: reusing {data_dir}")
        return
    if data_dir.exists():
        sys.exit(f"{data_dir} exists and is not a vault of bench/web.py.")
    started = time.perf_counter()
    vault, _ = init_vault(Settings(data_dir=data_dir))
    try:
        audio = populate(vault, people, per_person)
    finally:
        vault.close()
    marker.write_text(json.dumps(shape))
    os.sync()  # setup writes must not be flushed on the clock
    print(
        f"vault: {len(people)} people, {len(people) * per_person} recordings "
        f"({audio / 1e6:.0f} MB of WAV), built in {time.perf_counter() - started:.1f} s"
    )


# --------------------------------------------------------------------------- HTTP client


class BadResponse(Exception):
    pass


@dataclass
class Browser:
    """One person's keep-alive connection and cookie jar."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    host: str
    cookies: dict[str, str] = field(default_factory=dict)

    async def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> tuple[int, dict[bytes, bytes], bytes]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].split(b"\r\n")
        found: dict[bytes, bytes] = {}
        for line in header_lines:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip()
            if name == b"set-cookie":
                cookie, _, _ = value.decode().partition(";")
                key, _, val = cookie.partition("=")
                self.cookies[key] = val.strip('"')
            elif name == b"transfer-encoding":
                raise BadResponse(f"{path}: chunked answers are not expected")
            found[name] = value
        length = int(found.get(b"content-length", b"0"))
        return int(status_line.split(b" ", 2)[1]), found, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


async def open_browser(port: int) -> Browser:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    return Browser(reader, writer, f"127.0.0.1:{port}")


async def sign_in(port: int, person: Person) -> dict[str, str]:
    browser = await open_browser(port)
    try:
        body = json.dumps({"email": person.email, "password": PASSWORD}).encode()
        status, _, text = await browser.request(
            "POST",
            "/api/v1/people/sessions",
            headers={"Content-Type": "application/json"},
            body=body,
        )
        if status != 201:
            raise BadResponse(f"sign-in answered {status}: {text[:300]!r}")
        return dict(browser.cookies)
    finally:
        browser.close()


async def sign_in_all(port: int, people: list[Person]) -> list[dict[str, str]]:
    limit = asyncio.Semaphore(4)  # password hashing is the cost; do not queue 50 at once

    async def one(person: Person) -> dict[str, str]:
        async with limit:
            return await sign_in(port, person)

    return list(await asyncio.gather(*(one(p) for p in people)))


@dataclass
class Page:
    audio: list[str]
    older: str | None
    devices: list[str]


def parse_page(text: bytes) -> Page:
    older = OLDER.search(text)
    return Page(
        audio=[m.decode() for m in AUDIO_SRC.findall(text)],
        older=html.unescape(older.group(1).decode()) if older else None,
        devices=sorted({m.decode() for m in DEVICE.findall(text)}),
    )


def next_page(rng: random.Random, shown: Page | None) -> tuple[str, str]:
    """What a person opens next (kind, path): mostly the newest page, sometimes older
    ones or a filter by device or month."""
    roll = rng.random()
    if shown is not None and roll < 0.25 and shown.older:
        return "older", shown.older
    if shown is not None and roll < 0.40 and shown.devices:
        return "filter", f"/history?device={rng.choice(shown.devices)}"
    if roll < 0.50:
        month = datetime.now(UTC).date().replace(day=1) - timedelta(days=30 * rng.randrange(12))
        return "filter", f"/history?from={month.replace(day=1)}&to={month.replace(day=28)}"
    return "page", "/history"


@dataclass
class Samples:
    ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


async def browse(
    port: int,
    cookies: dict[str, str],
    samples: Samples,
    *,
    until: float,
    think: float,
    rng: random.Random,
) -> None:
    browser = await open_browser(port)
    browser.cookies.update(cookies)

    async def timed(kind: str, path: str, expect: int, **headers: str) -> tuple[Any, bytes]:
        started = time.perf_counter()
        status, found, body = await browser.request("GET", path, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if status != expect:
            raise BadResponse(f"GET {kind} answered {status}, expected {expect}: {body[:300]!r}")
        samples.ms[kind].append(elapsed)
        return found, body

    async def pause() -> None:
        if think > 0:
            await asyncio.sleep(rng.uniform(0, 2 * think))

    try:
        # Start as if mid-pause: people arrive at different moments, not all in the
        # same millisecond (a burst of every client at once would be most of the p95).
        await pause()
        shown: Page | None = None
        while time.perf_counter() < until:
            _, body = await timed(*next_page(rng, shown), 200)
            shown = parse_page(body)
            await pause()
            if not shown.audio or time.perf_counter() >= until:
                continue
            playing = rng.choice(shown.audio)
            found, _ = await timed("audio", playing, 206, Range=f"bytes=0-{FIRST_RANGE}")
            await pause()
            if rng.random() < 0.3 and time.perf_counter() < until:
                match = CONTENT_RANGE.fullmatch(found.get(b"content-range", b""))
                if match is None:
                    raise BadResponse("audio answered 206 without a Content-Range")
                size = int(match.group(3))
                await timed("seek", playing, 206, Range=f"bytes={size // 2}-")
                await pause()
    finally:
        browser.close()


async def warm_up(port: int, cookies: dict[str, str]) -> None:
    browser = await open_browser(port)
    try:
        browser.cookies.update(cookies)
        status, _, _ = await browser.request("GET", "/history")
        if status != 200:
            raise BadResponse(f"the first page answered {status}")
    finally:
        browser.close()


async def load(
    port: int, jars: list[dict[str, str]], clients: int, seconds: float, think: float
) -> tuple[Samples, float]:
    """clients people browse for seconds; returns the samples and the seconds measured."""
    chosen = [jars[n % len(jars)] for n in range(clients)]
    await asyncio.gather(*(warm_up(port, jar) for jar in chosen))
    samples = Samples()
    started = time.perf_counter()
    await asyncio.gather(
        *(
            browse(port, jar, samples, until=started + seconds, think=think, rng=random.Random(n))
            for n, jar in enumerate(chosen)
        )
    )
    return samples, time.perf_counter() - started


# --------------------------------------------------------------------------- figures


def percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        only = values[0] if values else float("nan")
        return {"p50_ms": only, "p95_ms": only, "p99_ms": only}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50_ms": cuts[49], "p95_ms": cuts[94], "p99_ms": cuts[98]}


def run_figures(samples: Samples, seconds: float, cpu_s: float) -> dict[str, Any]:
    every = [ms for kind in KINDS for ms in samples.ms[kind]]
    figures: dict[str, Any] = {
        "requests": len(every),
        "requests_per_s": len(every) / seconds,
        **percentiles(every),
        "server_cpu_ms_per_request": cpu_s / max(1, len(every)) * 1000,
        "load_avg_1m": os.getloadavg()[0],
    }
    for kind in KINDS:
        figures[kind] = {"requests": len(samples.ms[kind]), **percentiles(samples.ms[kind])}
    return figures


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over the runs (nested per kind)."""
    out: dict[str, Any] = {}
    for key, value in runs[0].items():
        if isinstance(value, dict):
            out[key] = median_of([r[key] for r in runs])
        else:
            out[key] = round(statistics.median(r[key] for r in runs), 2)
    return out


def describe(figures: dict[str, Any]) -> str:
    kinds = ", ".join(f"{k} {figures[k]['p95_ms']:.0f}" for k in KINDS if figures[k]["requests"])
    return (
        f"{figures['requests_per_s']:6.1f} requests/s; p50 {figures['p50_ms']:.1f} ms, "
        f"p95 {figures['p95_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms (p95 by kind: {kinds}); "
        f"server CPU {figures['server_cpu_ms_per_request']:.2f} ms/request; "
        f"load {figures['load_avg_1m']:.1f}"
    )


# --------------------------------------------------------------------------- main


def measure(
    data_dir: Path, log: Path, people: list[Person], args: argparse.Namespace, workers: int
) -> list[dict[str, Any]]:
    runs = []
    jars: list[dict[str, str]] | None = None
    for run in range(1, args.runs + 1):
        with server(data_dir, log, workers) as (port, pid):
            print(f"run {run}: `voxkeep serve` (pid {pid}) on port {port}", flush=True)
            if jars is None:  # sessions are rows in the vault: they outlive a server
                started = time.perf_counter()
                jars = run_client(sign_in_all(port, people))
                took = time.perf_counter() - started
                print(f"{len(people)} people signed in over HTTP in {took:.1f} s", flush=True)
            assert jars is not None
            cpu_before = tree_cpu_seconds(pid)
            samples, seconds = run_client(load(port, jars, args.clients, args.seconds, args.think))
            cpu = tree_cpu_seconds(pid) - cpu_before
        figures = run_figures(samples, seconds, cpu)
        runs.append(figures)
        print(
            f"run {run}, {workers} worker(s): {figures['requests']} requests, {describe(figures)}"
        )
    return runs


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50, help="accounts with a password")
    parser.add_argument("--recordings", type=int, default=300, help="recordings per person")
    parser.add_argument("--clients", type=int, default=50, help="people browsing at once")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each run")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause between a person's steps (s)"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per worker count (median)")
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=sorted({Settings.model_fields["workers"].default, os.cpu_count() or 1}),
        help="processes of `voxkeep serve` to measure (default: its default, 1, and one per "
        "CPU core)",
    )
    parser.add_argument(
        "--vault",
        type=Path,
        help="build the vault in this folder and keep it; reuse it if an earlier run kept "
        "it there (for profiling, and to compare code changes on the same data)",
    )
    args = parser.parse_args()
    if min(args.people, args.recordings, args.clients, args.runs, *args.workers) < 1:
        parser.error("--people, --recordings, --clients, --runs and --workers must be positive")
    if args.seconds <= 0 or args.think < 0:
        parser.error("--seconds must be positive and --think not negative")
    return args


def main() -> None:
    args = options()
    defaults_only()
    load_at_start = os.getloadavg()[0]
    people = people_of(args.people)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="voxkeep-bench-web-") as tmp:
        data_dir = args.vault or Path(tmp) / "vault"
        build_vault(data_dir, people, args.recordings)
        print(f"{os.cpu_count()} CPU cores, load {load_at_start:.1f}")
        for workers in args.workers:
            runs = measure(data_dir, Path(tmp) / "serve.log", people, args, workers)
            results[str(workers)] = median_of(runs) | {"runs": len(runs)}
            print(f"median, {workers} worker(s): {describe(results[str(workers)])}")
    worst = max(r["p95_ms"] for r in results.values())
    summary: dict[str, Any] = {
        "bench": "web",
        "people": args.people,
        "recordings_per_person": args.recordings,
        "clients": args.clients,
        "seconds": args.seconds,
        "think_s": args.think,
        "runs": args.runs,
        "cpu_count": os.cpu_count(),
        "database": "sqlite",
        # Other work on the machine skews latencies; CPU per request much less so.
        "load_avg_1m": {"start": round(load_at_start, 2), "end": round(os.getloadavg()[0], 2)},
        "workers": results,
        "p95_ms": worst,
        "target_p95_ms": TARGET_P95_MS,
        "target_met": worst < TARGET_P95_MS,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
