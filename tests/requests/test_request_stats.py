"""Requests per month: received by kind, answered, on time, median days to answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from fastapi.testclient import TestClient

from console.oversight_helpers import bearer, staff_token
from voxkeep.requests.models import DataRequest, RequestEvent, RequestKind
from voxkeep.requests.stats import request_months
from voxkeep.vault import Vault

_ids = count()


def _day(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 9, tzinfo=UTC)


def _request(
    vault: Vault,
    kind: RequestKind,
    received: datetime,
    *,
    answered: datetime | None = None,
    to: str = "ready",
    due_days: int = 30,
) -> None:
    request_id = f"r{next(_ids):031d}"
    with vault.transaction() as session:
        session.add(
            DataRequest(
                id=request_id,
                account_id="a" * 32,
                kind=kind.value,
                channel="portal",
                state=to if answered else "verified",
                received_at=received,
                due_at=received + timedelta(days=due_days),
            )
        )
        session.flush()
        steps = [(received, None, "received")]
        if answered is not None:
            # A later second answer (delivered, then ready again) must not count twice.
            steps += [(answered, "building", to), (answered + timedelta(days=3), "ready", to)]
        for seq, (at, before, after) in enumerate(steps, start=1):
            session.add(
                RequestEvent(
                    request_id=request_id,
                    seq=seq,
                    at=at,
                    from_state=before,
                    to_state=after,
                    actor="system",
                )
            )


def test_months_count_requests_answers_on_time_and_median_days(vault: Vault) -> None:
    access, erasure, portability = RequestKind.ACCESS, RequestKind.ERASURE, RequestKind.PORTABILITY
    _request(vault, access, _day(1, 20), answered=_day(2, 3))  # 14 days, on time
    _request(vault, access, _day(2, 1), answered=_day(2, 11))  # 10 days, on time
    _request(vault, erasure, _day(2, 2), answered=_day(2, 4), to="refused")  # 2 days, on time
    _request(vault, portability, _day(2, 5))  # not answered yet
    _request(vault, access, _day(2, 10), answered=_day(3, 22), due_days=30)  # 40 days, late
    _request(vault, erasure, _day(3, 1), answered=_day(3, 31), due_days=31)  # 30 days, on time
    _request(vault, access, _day(12, 1), answered=_day(12, 2))  # outside the span

    months = request_months(vault, months=3, now=datetime(2026, 3, 31, 23, tzinfo=UTC))

    shown = [
        (
            str(m.month),
            {k.value: n for k, n in m.received.items()},
            m.answered,
            m.on_time,
            m.on_time_percent,
            m.median_days,
        )
        for m in months
    ]
    assert shown == [
        ("2026-01", {"access": 1, "portability": 0, "erasure": 0}, 0, 0, None, None),
        ("2026-02", {"access": 2, "portability": 1, "erasure": 1}, 3, 3, 100, 10.0),
        ("2026-03", {"access": 0, "portability": 0, "erasure": 1}, 2, 1, 50, 35.0),
    ]
    assert months[1].received_total == 4


def test_every_staff_member_reads_the_monthly_numbers(vault: Vault, client: TestClient) -> None:
    _request(vault, RequestKind.ACCESS, datetime.now(UTC), answered=datetime.now(UTC))
    agent = bearer(staff_token(vault, "agent", "agent"))
    months = client.get("/api/v1/requests/stats", params={"months": 2}, headers=agent)
    assert months.status_code == 200, months.text
    assert len(months.json()) == 2
    assert sum(m["received"]["access"] for m in months.json()) == 1
    client.headers.pop("Authorization")
    assert client.get("/api/v1/requests/stats").status_code == 401
