"""Every legal and every illegal transition, for every kind of request.

The expected moves are written out here from the issue, independently of
voxkeep.requests.states, and every one of the 3 × 12 × 12 combinations is
tried against the real transition function in a real transaction.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from request_helpers import Person, make_subject
from sqlalchemy import func, select, update

from voxkeep.audit.events import AuditEvent
from voxkeep.errors import Conflict
from voxkeep.requests import service
from voxkeep.requests.models import DataRequest, RequestEvent, RequestKind, RequestState
from voxkeep.requests.states import lock_request, transition
from voxkeep.vault import Vault

R = RequestState
COMMON = {
    (R.RECEIVED, R.VERIFYING),
    (R.RECEIVED, R.VERIFIED),  # portal: the re-authentication verifies
    (R.RECEIVED, R.REFUSED),
    (R.RECEIVED, R.CANCELLED),
    (R.VERIFYING, R.PAUSED),  # a code went out: waiting for the person
    (R.VERIFYING, R.VERIFIED),
    (R.VERIFYING, R.REFUSED),
    (R.VERIFYING, R.CANCELLED),
    (R.PAUSED, R.VERIFYING),  # a new code, or the mail failed
    (R.PAUSED, R.VERIFIED),
    (R.PAUSED, R.REFUSED),
    (R.PAUSED, R.CANCELLED),
    (R.VERIFIED, R.BUILDING),  # approved
    (R.VERIFIED, R.REFUSED),
    (R.VERIFIED, R.CANCELLED),
    (R.BUILDING, R.BLOCKED),
    (R.BUILDING, R.CANCELLED),  # e.g. the account was erased meanwhile
    (R.CHECKING, R.READY),
    (R.CHECKING, R.BLOCKED),
    (R.CHECKING, R.CANCELLED),
    (R.READY, R.DELIVERED),
    (R.READY, R.CLOSED),
    (R.READY, R.BLOCKED),  # "this is not my data" before a download
    (R.DELIVERED, R.CLOSED),
    (R.DELIVERED, R.BLOCKED),  # "this is not my data" after one
    (R.BLOCKED, R.BUILDING),  # re-approved after the incident
    (R.BLOCKED, R.CLOSED),
    (R.BLOCKED, R.CANCELLED),
}
LEGAL = {
    RequestKind.ACCESS: COMMON | {(R.BUILDING, R.CHECKING)},  # an archive passes the gate
    RequestKind.PORTABILITY: COMMON | {(R.BUILDING, R.CHECKING)},
    RequestKind.ERASURE: COMMON | {(R.BUILDING, R.READY)},  # a receipt, no archive
}


def _counts(vault: Vault, request_id: str) -> tuple[int, int]:
    with vault.reading() as session:
        events = session.scalar(select(func.count()).where(RequestEvent.request_id == request_id))
        audit = session.scalar(select(func.count()).select_from(AuditEvent))
        return int(events or 0), int(audit or 0)


@pytest.mark.parametrize("kind", list(RequestKind))
def test_every_pair_of_states(vault: Vault, kind: RequestKind) -> None:
    who = make_subject(vault, f"who-{kind.value}")
    request_id = service.file_request(vault, person=Person(who.account_id), kind=kind)
    seen_legal: set[tuple[RequestState, RequestState]] = set()
    for current in RequestState:
        with vault.transaction() as session:
            session.execute(
                update(DataRequest)
                .where(DataRequest.id == request_id)
                .values(state=current.value, paused_since=None)
            )
        for to in RequestState:
            before = _counts(vault, request_id)
            session = vault.sessions()
            try:
                session.begin()
                request = lock_request(session, request_id)
                try:
                    event = transition(vault, session, request, to, actor="system")
                except Conflict as exc:
                    assert (current, to) not in LEGAL[kind], f"{current} → {to} refused"
                    assert exc.status == 409
                    assert current.value in exc.message and to.value in exc.message
                    assert exc.hint and "can become" in exc.hint
                else:
                    assert (current, to) in LEGAL[kind], f"{current} → {to} allowed"
                    seen_legal.add((current, to))
                    assert (event.from_state, event.to_state) == (current.value, to.value)
                    session.flush()
                    audit = session.scalars(
                        select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
                    ).one()
                    assert audit.action == f"request:{to.value}"
                    assert request_id.encode() in audit.data
            finally:
                session.rollback()
                session.close()
            assert _counts(vault, request_id) == before  # rolled back: nothing left
    assert seen_legal == LEGAL[kind]


def _move(vault: Vault, request_id: str, to: RequestState) -> None:
    with vault.transaction() as session:
        transition(vault, session, lock_request(session, request_id), to, actor="system")


def test_an_illegal_move_changes_nothing(vault: Vault) -> None:
    who = make_subject(vault, "ivy")
    request_id = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ACCESS)
    before = _counts(vault, request_id)
    with pytest.raises(Conflict, match="building cannot become delivered"):
        _move(vault, request_id, R.DELIVERED)
    assert _counts(vault, request_id) == before
    with vault.reading() as session:
        row = session.get(DataRequest, request_id)
        assert row is not None and row.state == "building"


def test_final_states_have_no_way_out(vault: Vault) -> None:
    who = make_subject(vault, "jo")
    request_id = service.file_request(
        vault, person=Person(who.account_id), kind=RequestKind.ERASURE
    )
    for final in (R.CLOSED, R.REFUSED, R.CANCELLED):
        with vault.transaction() as session:
            session.execute(
                update(DataRequest).where(DataRequest.id == request_id).values(state=final.value)
            )
        with pytest.raises(Conflict, match="none \\(it is final\\)"):
            _move(vault, request_id, R.RECEIVED)


def test_entering_and_leaving_a_pause_keeps_the_count(vault: Vault) -> None:
    who = make_subject(vault, "kai")
    request_id = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ACCESS)
    with vault.transaction() as session:
        session.execute(
            update(DataRequest).where(DataRequest.id == request_id).values(state="verifying")
        )
    start = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        due = request.due_at
        transition(vault, session, request, R.PAUSED, actor="system", now=start)
        assert request.paused_since == start
    with vault.transaction() as session:
        request = lock_request(session, request_id)
        transition(
            vault, session, request, R.VERIFYING, actor="system", now=start + timedelta(hours=5)
        )
        assert request.paused_since is None
        assert request.paused_seconds == 5 * 3600  # exactly, for the record
        assert request.paused_days == 0  # 12:00 to 17:00: the deadline moves by whole days
        assert request.due_at == due


def test_the_documented_table_is_the_state_machine() -> None:
    from pathlib import Path

    from voxkeep.requests.states import next_states

    docs = Path(__file__).resolve().parents[2] / "docs" / "requests.md"
    text = docs.read_text()
    table = text[text.index("| from | may become |") :].split("\n\n", 1)[0]
    rows = re.findall(r"^\| ([a-z, ]+) \| ([^|]+) \|$", table, re.M)
    documented: dict[str, set[str]] = {}
    for sources, targets in rows[1:]:  # after the header
        plain = re.sub(r"\s*\([^)]*\)", "", targets)  # drop "(erasure only)" and the like
        moves = set() if "final" in targets else set(plain.split(", "))
        for source in sources.split(", "):
            documented[source] = {m.strip() for m in moves}
    assert set(documented) == {s.value for s in RequestState}
    for state in RequestState:
        union = set().union(*(next_states(kind, state) for kind in RequestKind))
        assert documented[state.value] == {s.value for s in union}, state
