"""The console's audit search: by action, object and time, newest first, paged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retention.seeding import register, seed
from voxkeep.audit import events
from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.search import (
    EventQuery,
    ObjectRef,
    names_for_object,
    parse_action,
    search_events,
)
from voxkeep.errors import InvalidInput, NotFound
from voxkeep.vault import Vault


@pytest.fixture
def dated(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> Vault:
    """Events 1..6 on days 1..6 of March 2026 (the template's key event is seq 0)."""
    plan = [
        (AuditAction.REQUEST_RECEIVED, {"request": "r1"}),
        (AuditAction.REQUEST_RECEIVED, {"request": "r2"}),
        (AuditAction.REQUEST_VERIFIED, {"request": "r1"}),
        (AuditAction.EXPORT_BUILT, {"request": "r1", "export": "e1"}),
        (AuditAction.REQUEST_VERIFIED, {"request": "r2"}),
        (AuditAction.INCIDENT_OPENED, {"incident": "i1", "request": "r1"}),
    ]
    for day, (action, objects) in enumerate(plan, start=1):
        monkeypatch.setattr(events, "utcnow", lambda d=day: datetime(2026, 3, d, tzinfo=UTC))
        with vault.transaction() as session:
            record(session, action, actor="system", objects=objects)
    return vault


def _seqs(vault: Vault, query: EventQuery, **paging: int) -> list[int]:
    return [e.seq for e in search_events(vault, query, **paging).events]


def test_every_event_newest_first(dated: Vault) -> None:
    assert _seqs(dated, EventQuery()) == [6, 5, 4, 3, 2, 1, 0]


def test_by_action_object_and_time(dated: Vault) -> None:
    verified = EventQuery(action=AuditAction.REQUEST_VERIFIED)
    assert _seqs(dated, verified) == [5, 3]
    assert _seqs(dated, EventQuery(names=frozenset({"r1"}))) == [6, 4, 3, 1]
    window = EventQuery(
        since=datetime(2026, 3, 2, tzinfo=UTC), until=datetime(2026, 3, 5, tzinfo=UTC)
    )
    assert _seqs(dated, window) == [4, 3, 2]
    both = EventQuery(action=AuditAction.REQUEST_VERIFIED, names=frozenset({"r1", "e1"}))
    assert _seqs(dated, both) == [3]
    assert _seqs(dated, EventQuery(names=frozenset({"r"}))) == []  # exact ids, not substrings


def test_pages_follow_on_without_gaps(dated: Vault) -> None:
    first = search_events(dated, EventQuery(names=frozenset({"r1"})), limit=3)
    assert [e.seq for e in first.events] == [6, 4, 3]
    assert first.older == 3
    second = search_events(dated, EventQuery(names=frozenset({"r1"})), before=first.older, limit=3)
    assert [e.seq for e in second.events] == [1]
    assert second.older is None


def test_each_event_shows_its_canonical_data(dated: Vault) -> None:
    newest = search_events(dated, EventQuery(), limit=1).events[0]
    assert newest.data == (
        '{"action":"incident:opened","actor":"system","at":"2026-03-06T00:00:00.000000+00:00",'
        '"counts":{},"objects":{"incident":"i1","request":"r1"}}'
    )


def test_operator_ids_become_the_pseudonyms_the_log_uses(vault: Vault) -> None:
    register(vault, "haushalt-mueller", devices=["kueche"], members=["lena"])
    [recording] = seed(
        vault, "haushalt-mueller", [datetime(2026, 3, 1, tzinfo=UTC)], prefix="r", device="kueche"
    )
    device = names_for_object(vault, ObjectRef.DEVICE, "kueche")
    member = names_for_object(vault, ObjectRef.MEMBER, "lena")
    stored = names_for_object(vault, ObjectRef.RECORDING, recording)
    account = names_for_object(vault, ObjectRef.ACCOUNT, "haushalt-mueller")
    assert {n.split(":")[0] for n in device | member | stored} == {"dev", "mem", "rec"}
    assert device | member | stored < account  # the account also names its own pseudonym
    assert not any("kueche" in n or "lena" in n for n in account)

    found = search_events(vault, EventQuery(names=device))
    assert [e.action for e in found.events] == ["device:registered"]
    imported = search_events(vault, EventQuery(names=stored)).events
    assert [e.action for e in imported] == ["recording:imported"]
    assert names_for_object(vault, ObjectRef.LOGGED, " rec:abc ") == frozenset({"rec:abc"})


def test_unknown_objects_and_bad_input_are_refused_plainly(vault: Vault) -> None:
    with pytest.raises(NotFound, match="No stored device has this id"):
        names_for_object(vault, ObjectRef.DEVICE, "nowhere")
    with pytest.raises(InvalidInput):
        names_for_object(vault, ObjectRef.LOGGED, "  ")
    with pytest.raises(InvalidInput, match="not an audit action"):
        parse_action("recording:eaten")
    assert parse_action("") is None
    late, early = datetime(2026, 3, 5, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="start of the time range"):
        search_events(vault, EventQuery(since=late, until=early))
    with pytest.raises(InvalidInput):
        search_events(vault, EventQuery(), limit=0)
