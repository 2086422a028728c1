"""Recordings stored and swept by retention per month, counted from the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from console.oversight_helpers import bearer, staff_token
from helpers import setup_account, sql_statements, upload
from retention.seeding import days_ago, register, seed
from voxkeep.accounts.models import Retention
from voxkeep.audit import events
from voxkeep.errors import InvalidInput
from voxkeep.retention.stats import retention_months
from voxkeep.retention.sweeper import sweep
from voxkeep.vault import Vault


def _at(monkeypatch: pytest.MonkeyPatch, *ymd: int) -> None:
    """Audit events written from now on carry this time (the log's own clock)."""
    monkeypatch.setattr(events, "utcnow", lambda: datetime(*ymd, 12, tzinfo=UTC))


def test_stored_and_swept_recordings_are_counted_in_their_months(
    vault: Vault, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(vault, "old", retention=Retention.MONTHS_3)
    _at(monkeypatch, 2026, 3, 10)
    seed(vault, "old", days_ago(200, 201, 202), prefix="old")  # imported, long expired
    setup_account(client, "new", ("new-dev",))
    _at(monkeypatch, 2026, 4, 2)
    for n in range(2):
        assert upload(client, rec_id=f"new-{n}", account="new", device="new-dev").status_code == 201
    _at(monkeypatch, 2026, 5, 20)
    assert sweep(vault).counts.recordings == 3

    months = retention_months(vault, months=4, now=datetime(2026, 5, 31, tzinfo=UTC))

    assert [(str(m.month), m.stored, m.swept) for m in months] == [
        ("2026-02", 0, 0),
        ("2026-03", 3, 0),
        ("2026-04", 2, 0),
        ("2026-05", 0, 3),
    ]


def test_the_months_are_counted_in_one_query(
    vault: Vault, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_account(client, "new", ("new-dev",))
    for n, day in enumerate(((2026, 1, 31), (2026, 2, 1), (2026, 2, 28), (2026, 4, 1))):
        _at(monkeypatch, *day)
        assert upload(client, rec_id=f"new-{n}", account="new", device="new-dev").status_code == 201
    with sql_statements(vault.engine) as seen:
        months = retention_months(vault, months=4, now=datetime(2026, 4, 30, tzinfo=UTC))
    assert [(str(m.month), m.stored) for m in months] == [
        ("2026-01", 1),
        ("2026-02", 2),
        ("2026-03", 0),
        ("2026-04", 1),
    ]
    assert len([s for s in seen if "count(" in s.lower()]) == 1, seen
    one = retention_months(vault, months=1, now=datetime(2026, 4, 30, tzinfo=UTC))
    assert [(str(m.month), m.stored) for m in one] == [("2026-04", 1)]


def test_a_month_count_out_of_range_is_refused(vault: Vault) -> None:
    with pytest.raises(InvalidInput):
        retention_months(vault, months=0)


def test_every_staff_member_reads_the_monthly_counts(vault: Vault, client: TestClient) -> None:
    setup_account(client, "new", ("new-dev",))
    assert upload(client, rec_id="new-0", account="new", device="new-dev").status_code == 201
    approver = bearer(staff_token(vault, "approver", "approver"))
    months = client.get("/api/v1/retention/stats", params={"months": 1}, headers=approver)
    assert months.status_code == 200, months.text
    [month] = months.json()
    assert (month["stored"], month["swept"]) == (1, 0)
    assert client.get("/api/v1/retention/stats", params={"months": 99}).status_code == 401
