"""What one process counts: uploads it ingested or rejected, HTTP errors it answered.

A `voxkeep serve --workers N` node is N processes behind one socket, and a
scrape reaches any one of them, so each counter is kept in prometheus-client's
multiprocess mode there: every process writes its counts to files in one
directory of the node (``PROMETHEUS_MULTIPROC_DIR``, which ``serve`` makes
when it starts workers, see ``multiprocess_dir``) and the process answering a
scrape sums them. A single process keeps them in memory. Either way the
values are the node's own: Prometheus sums the nodes (``sum by``).

Labels are fixed words (an outcome, an error code, a status, a route template),
never ids, names or paths: nothing here can say who uploaded what.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Registered in a registry of their own: /metrics adds them (or, in multiprocess
# mode, the sum over every process's files) to the fleet's values.
COUNTERS = CollectorRegistry(auto_describe=True)

INGESTED = Counter(
    "voxkeep_ingest_recordings",
    "Uploads through this node's API by outcome: stored, already_stored (the same id and "
    'audio again), discarded (a valid upload for a "don\'t save" account).',
    ["outcome"],
    registry=COUNTERS,
)
INGESTED_BYTES = Counter(
    "voxkeep_ingest_audio_bytes",
    "Audio bytes (as uploaded, before encryption) of recordings this node stored.",
    registry=COUNTERS,
)
REJECTED = Counter(
    "voxkeep_ingest_rejections",
    "Uploads this node refused, by the error code of the answer (invalid_input, "
    "payload_too_large, unauthorized, conflict, ...; internal for an unexpected failure).",
    ["reason"],
    registry=COUNTERS,
)
HTTP_ERRORS = Counter(
    "voxkeep_http_errors",
    "HTTP answers with a status of 400 or more, by status and route template.",
    ["status", "route"],
    registry=COUNTERS,
)


def ingested(outcome: str, audio_bytes: int) -> None:
    INGESTED.labels(outcome=outcome).inc()
    if outcome == "stored":
        INGESTED_BYTES.inc(audio_bytes)


def rejected(reason: str) -> None:
    REJECTED.labels(reason=reason).inc()


def http_error(status: int, route: str) -> None:
    HTTP_ERRORS.labels(status=str(status), route=route).inc()


def multiprocess() -> bool:
    """Whether this process counts in files shared with the node's other processes."""
    return bool(os.environ.get(MULTIPROC_ENV))


def add_counters(registry: CollectorRegistry) -> None:
    """Put this node's counters into a scrape's registry."""
    if multiprocess():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Counters())


class _Counters(Collector):
    """The in-memory counters of a single process, as one collector."""

    def collect(self) -> Iterator[Metric]:
        return iter(COUNTERS.collect())


@contextmanager
def multiprocess_dir() -> Iterator[None]:
    """For `serve --workers N`: a fresh, empty directory for the workers' counter files.

    Set before the workers start (they inherit it, and prometheus-client reads it
    when it is first imported in each), removed when serving ends. An operator's
    own ``PROMETHEUS_MULTIPROC_DIR`` is used as it is (it must be empty at start).
    The files hold counts only, no personal data.
    """
    if multiprocess():
        yield
        return
    folder = tempfile.mkdtemp(prefix="voxkeep-metrics-")
    os.environ[MULTIPROC_ENV] = folder
    try:
        yield
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)
