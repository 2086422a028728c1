"""No request stays building or checking because its job failed: after the last attempt the
request is blocked, the console's request page and `voxkeep requests list` say why, and an
incident opens only when the cause was an integrity failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from trigger_helpers import Staff, incidents_of, sql, state_of, two_households

from console.console_helpers import add_member, browser, sign_in
from exports.factory import portal_request
from helpers import settings_env
from staff_totp import sign_in as staff_sign_in
from voxkeep.cli import cli
from voxkeep.errors import IntegrityFailure, StorageFailed
from voxkeep.jobs import queue
from voxkeep.jobs.models import Job, JobState
from voxkeep.jobs.worker import run_once
from voxkeep.requests.views import show_request
from voxkeep.vault import Vault

PASSWORD = "correct horse battery staple"


def _run_until_given_up(vault: Vault, request_id: str, *, fault: bool = False) -> Job:
    """Run the request's job through every attempt, skipping the backoff between them.

    A transient ``fault`` is retried until a margin before the request's deadline: the
    request is moved back in time (received 40 days ago, the fault two days old)."""
    for _ in range(vault.settings.job_max_attempts + 1):
        run_once(vault)
        past = datetime.now(UTC) - timedelta(minutes=1)
        sql(vault, "UPDATE jobs SET run_after = :t WHERE state = 'queued'", t=past)
        if fault:
            long_ago = datetime.now(UTC) - timedelta(days=2)
            sql(vault, "UPDATE jobs SET fault_since = :t WHERE fault IS NOT NULL", t=long_ago)
            received = datetime.now(UTC) - timedelta(days=40)
            sql(
                vault,
                "UPDATE data_requests SET received_at = :t WHERE id = :r",
                t=received,
                r=request_id,
            )
    with vault.reading() as session:
        (job,) = queue.jobs_for(session, request_id)
        session.expunge(job)
    assert job.state == JobState.FAILED.value
    if not fault:
        assert job.attempts == vault.settings.job_max_attempts
    return job


def _failing_build(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def build(vault: Vault, request_id: str) -> Any:
        raise error

    monkeypatch.setattr("voxkeep.requests.tasks.build_for_request", build)


def test_a_job_that_spends_its_last_attempt_blocks_its_request_and_says_why(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    me, _ = two_households(vault, recordings=1)
    request_id = portal_request(vault, me)
    _failing_build(monkeypatch, StorageFailed("The blob store could not be written."))
    _run_until_given_up(vault, request_id, fault=True)

    assert state_of(vault, request_id) == "blocked"
    assert incidents_of(vault) == []  # a full disk is no breach
    shown = show_request(vault, staff=Staff("reader", roles=("agent",)), request_id=request_id)
    last = shown.timeline[-1]
    assert (last.from_state, last.to_state) == ("building", "blocked")
    assert last.note is not None and "storage_failed" in last.note
    add_member(vault, "reader", "agent")
    with browser(vault) as client:
        sign_in(client, vault, "reader")
        page = client.get(f"/console/requests/{request_id}")
    assert page.status_code == 200
    assert 'id="blocked-reason"' in page.text
    assert "storage_failed" in page.text and "/console/incidents/" not in page.text

    token = staff_sign_in(vault, "reader", PASSWORD).token
    env = {**settings_env(vault.settings), "VOXKEEP_STAFF_TOKEN": token}
    listed = CliRunner().invoke(cli, ["requests", "list"], env=env, catch_exceptions=False)
    assert listed.exit_code == 0, listed.output
    assert request_id in listed.output
    assert "blocked: job export.build gave up after a storage fault since" in listed.output
    assert "storage_failed" in listed.output


def test_an_integrity_failure_on_the_last_attempt_also_opens_an_incident(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    me, _ = two_households(vault, recordings=1)
    request_id = portal_request(vault, me)
    _failing_build(monkeypatch, IntegrityFailure("A recording did not decrypt."))
    _run_until_given_up(vault, request_id)

    assert state_of(vault, request_id) == "blocked"
    (incident,) = incidents_of(vault)
    assert (incident.kind, incident.request_id) == ("build_failed", request_id)
    assert incident.details["check"] == "job_failed"
    assert incident.details["recordings"] == 1

    add_member(vault, "reader", "agent")
    with browser(vault) as client:
        sign_in(client, vault, "reader")
        page = client.get(f"/console/requests/{request_id}")
    assert f'href="/console/incidents/{incident.id}"' in page.text
    # The page words the cause (the API below keeps the codes).
    assert "Answer failed while built, check job_failed" in page.text
    token = staff_sign_in(vault, "reader", PASSWORD).token
    with browser(vault) as client:
        shown = client.get(
            f"/api/v1/requests/{request_id}", headers={"Authorization": f"Bearer {token}"}
        )
    assert shown.status_code == 200, shown.text
    assert shown.json()["blocked"] == {
        "reason": "build_failed: job_failed",
        "incident": incident.id,
    }

    add_member(vault, "officer", "dpo")  # the link leads to the incident's page
    with browser(vault) as client:
        sign_in(client, vault, "officer")
        linked = client.get(f"/console/incidents/{incident.id}")
        listed = client.get("/console/incidents")
    assert linked.status_code == listed.status_code == 200
    assert "Answer failed while built" in linked.text and incident.id in listed.text


def test_a_worker_that_died_on_every_attempt_leaves_the_request_blocked(
    vault: Vault,
) -> None:
    me, _ = two_households(vault, recordings=1)
    request_id = portal_request(vault, me)
    # Every attempt was claimed and its worker died: the lease lapsed with attempts used up.
    lapsed = datetime.now(UTC) - timedelta(minutes=1)
    sql(
        vault,
        "UPDATE jobs SET state = 'running', attempts = :n, locked_by = 'gone', "
        "locked_until = :t WHERE ref = :r",
        n=vault.settings.job_max_attempts,
        t=lapsed,
        r=request_id,
    )
    assert queue.claim(vault, worker_id="w") is None
    assert state_of(vault, request_id) == "blocked"
    assert incidents_of(vault) == []
