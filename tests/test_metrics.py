"""GET /metrics: real uploads, requests, jobs and gate verdicts, scraped over HTTP and parsed.

Every value is asserted after the vault did the real thing: uploads through the
API (stored, already stored, refused), requests filed and answered by the job
worker, one answer released and one blocked by the release gate, a job that
failed for good, a request received long ago and now overdue. The fleet's
values come from the database; the upload counters are this process's, so
those are asserted as differences between two scrapes.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import update

from helpers import assert_error, make_wav, setup_account, start_server, upload
from staff_totp import sign_in
from voxkeep.accounts.models import Device
from voxkeep.accounts.service import find_account
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.jobs.queue import enqueue
from voxkeep.jobs.worker import run_once
from voxkeep.people.staff import add_staff
from voxkeep.requests.models import Channel, RequestKind
from voxkeep.requests.service import NOTIFY, enter_request, file_request
from voxkeep.vault import Vault

METRICS_TOKEN = "metrics-token-for-the-tests-0123"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@dataclass
class Person:
    """A person signed in a moment ago (requests.service.PersonActor)."""

    account_id: str
    reauth_at: datetime | None = field(default_factory=lambda: datetime.now(UTC))


def scrape(client: TestClient | httpx2.Client, url: str = "/metrics") -> tuple[str, Samples]:
    response = client.get(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
    return response.text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metered(vault: Vault) -> Vault:
    return replace(vault, settings=_with_token(vault.settings))


def _with_token(settings: Settings) -> Settings:
    return settings.model_copy(update={"metrics_token": SecretStr(METRICS_TOKEN)})


@pytest.fixture
def client(metered: Vault, token: str) -> Iterator[TestClient]:
    with TestClient(create_app(metered), raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {token}"
        yield test_client


def _account_id(vault: Vault, external_id: str) -> str:
    with vault.reading() as session:
        return find_account(vault, session, external_id).id


def test_uploads_are_counted_by_outcome_and_refusal(client: TestClient) -> None:
    setup_account(client, "acct-1")
    _, before = scrape(client)
    audio = [make_wav(seconds=0.2 + n / 10) for n in range(3)]
    for n, clip in enumerate(audio):
        assert upload(client, rec_id=f"rec-{n}", audio=clip).status_code == 201
    assert upload(client, rec_id="rec-0", audio=audio[0]).status_code == 200  # again
    assert_error(upload(client, rec_id="rec-9", metadata=b"{not json"), 422, "invalid_input")
    assert_error(
        upload(client, rec_id="rec-8", account="nobody-here"), 404, "not_found"
    )  # an account the operator never created
    text, after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("voxkeep_ingest_recordings_total", outcome="stored") == 3
    assert grew("voxkeep_ingest_recordings_total", outcome="already_stored") == 1
    assert grew("voxkeep_ingest_audio_bytes_total") == sum(len(clip) for clip in audio)
    assert grew("voxkeep_ingest_rejections_total", reason="invalid_input") == 1
    assert grew("voxkeep_ingest_rejections_total", reason="not_found") == 1
    route = "/api/v1/recordings"
    assert grew("voxkeep_http_errors_total", status="422", route=route) == 1
    assert grew("voxkeep_http_errors_total", status="404", route=route) == 1
    for personal in ("acct-1", "nobody-here", "rec-0", "dev-1", "Küche"):
        assert personal not in text


def test_requests_jobs_verdicts_and_build_times_come_from_the_database(
    client: TestClient, metered: Vault
) -> None:
    vault = metered
    setup_account(client, "acct-1", devices=("dev-1",))
    setup_account(client, "acct-2", devices=("dev-2a", "dev-2b"))
    for rec, account, device in [
        ("r-1", "acct-1", "dev-1"),
        ("r-2", "acct-2", "dev-2a"),
        ("r-3", "acct-2", "dev-2b"),
    ]:
        assert upload(client, rec_id=rec, account=account, device=device).status_code == 201
    one, two = _account_id(vault, "acct-1"), _account_id(vault, "acct-2")
    _, fresh = scrape(client)
    assert value(fresh, "voxkeep_requests", kind="access", state="building") == 0
    assert value(fresh, "voxkeep_answer_build_seconds_count") == 0

    # Two access requests, filed in the portal: verified and building at once.
    file_request(vault, person=Person(one), kind=RequestKind.ACCESS)
    file_request(vault, person=Person(two), kind=RequestKind.ACCESS)
    # One that came by post 40 days ago, not yet verified: overdue.
    add_staff(
        vault,
        name="alice",
        roles=("agent",),
        actor="system:test",
        password="correct horse battery staple",
    )
    alice = sign_in(vault, "alice", "correct horse battery staple").session
    received = datetime.now(UTC) - timedelta(days=40)
    enter_request(
        vault,
        staff=alice,
        account="acct-1",
        kind=RequestKind.ERASURE,
        channel=Channel.POST,
        received_at=received,
    )
    # A notice job for a request that does not exist: refused (409), so failed at once.
    with vault.transaction() as session:
        enqueue(session, NOTIFY, {"request_id": "rq_gone", "notice": "extended"})
    _, queued = scrape(client)
    assert value(queued, "voxkeep_requests", kind="access", state="building") == 2
    assert value(queued, "voxkeep_requests", kind="erasure", state="received") == 1
    assert value(queued, "voxkeep_jobs", kind="export.build", state="queued") == 2
    assert value(queued, "voxkeep_jobs", kind=NOTIFY, state="queued") == 1
    assert value(queued, "voxkeep_jobs_oldest_queued_seconds", kind="export.build") >= 0
    assert value(queued, "voxkeep_requests_open_by_days_left", days_left="overdue") == 1
    assert value(queued, "voxkeep_requests_open_by_days_left", days_left="15+") == 2

    assert run_once(vault, max_jobs=1) == 1  # the oldest due job: acct-1's answer
    # Then a bug moves acct-2's second device to acct-1: the gate must refuse acct-2's answer.
    with vault.transaction() as session:
        session.execute(update(Device).where(Device.id == "dev-2b").values(account_id=one))
    assert run_once(vault) >= 3
    text, answered = scrape(client)
    assert value(answered, "voxkeep_requests", kind="access", state="ready") == 1
    assert value(answered, "voxkeep_requests", kind="access", state="blocked") == 1
    assert value(answered, "voxkeep_requests", kind="access", state="building") == 0
    assert value(answered, "voxkeep_release_gate_verdicts_total", verdict="passed") == 1
    assert value(answered, "voxkeep_release_gate_verdicts_total", verdict="blocked") == 1
    assert value(answered, "voxkeep_answer_build_seconds_count") == 2
    assert value(answered, "voxkeep_answer_build_seconds_bucket", le="+Inf") == 2
    assert value(answered, "voxkeep_answer_build_seconds_sum") >= 0
    assert value(answered, "voxkeep_jobs", kind="export.build", state="queued") == 0
    assert value(answered, "voxkeep_jobs", kind="export.build", state="running") == 0
    assert value(answered, "voxkeep_jobs", kind=NOTIFY, state="failed") == 1
    # The released answer's key is destroyed at its expiry, a week from now.
    assert value(answered, "voxkeep_jobs", kind="export.expire", state="scheduled") == 1
    assert value(answered, "voxkeep_jobs", kind="export.expire", state="queued") == 0
    assert value(answered, "voxkeep_jobs_oldest_queued_seconds", kind="export.build") == 0
    # Still owed: the blocked answer (due in a month) and the overdue erasure.
    assert value(answered, "voxkeep_requests_open_by_days_left", days_left="overdue") == 1
    assert value(answered, "voxkeep_requests_open_by_days_left", days_left="15+") == 1
    for personal in ("acct-1", "acct-2", "dev-2b", "Küche", one, two, "rq_"):
        assert personal not in text


def test_metrics_refuse_without_the_token(vault: Vault, client: TestClient, token: str) -> None:
    assert_error(client.get("/metrics"), 401, "unauthorized")  # the operator token: no
    del client.headers["Authorization"]
    assert_error(client.get("/metrics"), 401, "unauthorized")
    wrong = {"Authorization": f"Bearer {METRICS_TOKEN[:-1]}x"}
    assert_error(client.get("/metrics", headers=wrong), 401, "unauthorized")
    scrape(client)
    # A node without VOXKEEP_METRICS_TOKEN: off, whatever is sent.
    with TestClient(create_app(vault, jobs=False), raise_server_exceptions=False) as plain:
        right = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        body = assert_error(plain.get("/metrics", headers=right), 401, "unauthorized")
        assert "VOXKEEP_METRICS_TOKEN" in body["hint"]
        assert_error(plain.get("/metrics", headers={}), 401, "unauthorized")


def test_a_short_metrics_token_is_refused_naming_the_setting(settings: Settings) -> None:
    from voxkeep.config import load_settings
    from voxkeep.errors import ConfigError

    with pytest.raises(ConfigError, match="metrics_token"):
        load_settings(data_dir=settings.data_dir, metrics_token="short")
    assert load_settings(data_dir=settings.data_dir, metrics_token=" ").metrics_token is None


def test_every_worker_of_a_node_reports_the_counts_of_all(
    settings: Settings, client: TestClient, token: str
) -> None:
    """`serve --workers 2`: a scrape reaches either process, and each sums both."""
    setup_account(client, "acct-1")
    server, base = start_server(
        settings, "--workers", "2", "--no-jobs", VOXKEEP_METRICS_TOKEN=METRICS_TOKEN
    )
    try:
        seen = set()
        for n in range(6):  # a new connection each: both processes take some
            with httpx2.Client(base_url=base, timeout=30) as remote:
                remote.headers["Authorization"] = f"Bearer {token}"
                assert upload(remote, rec_id=f"multi-{n}").status_code == 201
        for _ in range(8):
            with httpx2.Client(base_url=base, timeout=30) as remote:
                _, samples = scrape(remote)
            seen.add(value(samples, "voxkeep_ingest_recordings_total", outcome="stored"))
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.communicate()
    assert seen == {6}
    assert server.returncode == 0, errors.decode(errors="replace")[-2000:]
