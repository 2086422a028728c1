"""bench/web.py runs end to end with tiny parameters and ends with one JSON line.

The benchmark makes its own SQLite vault and starts `voxkeep serve` itself (as
`make bench` does), whichever database the suite runs on; with three people,
ten recordings each and two seconds of browsing it stays well under 20 s.
"""

from __future__ import annotations

from helpers import run_bench

TINY = ["--people", "3", "--recordings", "10", "--clients", "3", "--seconds", "2"]


def test_bench_web_measures_pages_and_audio_and_prints_json_last() -> None:
    summary = run_bench(
        "web.py", *TINY, "--runs", "1", "--workers", "1", "--think", "0.05", timeout=120
    )
    assert (summary["bench"], summary["people"], summary["clients"]) == ("web", 3, 3)
    measured = summary["workers"]["1"]
    assert measured["page"]["requests"] > 0 and measured["audio"]["requests"] > 0
    assert measured["requests"] == sum(
        measured[kind]["requests"] for kind in ("page", "older", "filter", "audio", "seek")
    )
    for figure in ("p50_ms", "p95_ms", "p99_ms", "requests_per_s", "server_cpu_ms_per_request"):
        assert measured[figure] > 0, figure
    assert summary["cpu_count"] >= 1 and "load_avg_1m" in summary
