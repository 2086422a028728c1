"""Incidents: each with its 72-hour clock (Art. 33) and the evidence on its page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from voxkeep.audit import events
from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.log import recent_events
from voxkeep.errors import InvalidInput, NotFound
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import (
    cause_of,
    incident_summaries,
    open_incident,
    show_incident,
)
from voxkeep.vault import Vault

OPENED = datetime(2026, 3, 2, 8, tzinfo=UTC)


@pytest.fixture
def opened(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A gate failure opened at OPENED and a "not my data" report opened a day later."""
    ids = []
    for when, kind, details in [
        (OPENED, IncidentKind.RELEASE_GATE_FAILED, {"export": "e1", "check": "owner"}),
        (
            OPENED + timedelta(days=1),
            IncidentKind.NOT_MY_DATA,
            {
                "export": "e2",
                "account": "account:0123456789abcdef01234567",
                "recordings": 12,
                "bytes_served": 4096,
                "downloads": [{"id": "d1"}, {"id": "d2"}],
            },
        ),
    ]:
        monkeypatch.setattr("voxkeep.incidents.service.utcnow", lambda w=when: w)
        monkeypatch.setattr(events, "utcnow", lambda w=when: w)
        with vault.transaction() as session:
            request = f"r{len(ids)}"
            record(
                session, AuditAction.REQUEST_RECEIVED, actor="system", objects={"request": request}
            )
            incident = open_incident(
                vault, session, kind=kind, request_id=request, details=details, actor="system"
            )
            ids.append(incident.id)
    with vault.transaction() as session:
        record(session, AuditAction.EXPORT_REVOKED, actor="system", objects={"export": "e2"})
        record(session, AuditAction.EXPORT_BUILT, actor="system", objects={"export": "e9"})
    return ids[0], ids[1]


def test_the_list_shows_each_clock_newest_first_and_marks_overdue(
    vault: Vault, opened: tuple[str, str]
) -> None:
    gate, not_mine = opened
    now = OPENED + timedelta(hours=80)  # 8 hours past the first deadline, 16 before the second
    listed = incident_summaries(vault, now=now)
    assert [i.id for i in listed] == [not_mine, gate]
    newest, oldest = listed
    assert newest.kind is IncidentKind.NOT_MY_DATA and newest.request_id == "r1"
    assert newest.clock.notify_by == OPENED + timedelta(hours=96)
    assert (newest.clock.hours_left, newest.clock.overdue) == (16, False)
    assert oldest.clock.aware_at == OPENED
    assert (oldest.clock.hours_left, oldest.clock.overdue) == (-8, True)
    assert (oldest.clock.hours_over, newest.clock.hours_over) == (8, 0)
    late = incident_summaries(vault, now=now + timedelta(minutes=1))[1].clock
    assert (late.hours_left, late.hours_over) == (-9, 8)  # 8 h 1 min past: 8 whole hours


def test_the_page_shows_the_evidence_and_the_events_that_concern_it(
    vault: Vault, opened: tuple[str, str]
) -> None:
    _, not_mine = opened
    detail = show_incident(vault, not_mine, now=OPENED + timedelta(days=1, hours=1))
    assert detail.summary.clock.hours_left == 71
    assert (detail.export_id, detail.account) == ("e2", "account:0123456789abcdef01234567")
    assert (detail.recordings, detail.downloads, detail.bytes_served, detail.cause) == (
        12,
        2,
        4096,
        None,
    )
    assert [e.action for e in detail.events] == [
        "export:revoked",
        "incident:opened",
        "request:received",
    ]
    gate = show_incident(vault, opened[0])
    assert gate.cause == "owner" and gate.downloads is None


def test_unknown_incidents_and_bad_limits_are_refused(vault: Vault) -> None:
    with pytest.raises(NotFound):
        show_incident(vault, "0" * 32)
    with pytest.raises(InvalidInput):
        incident_summaries(vault, limit=0)


def test_a_repeated_cause_joins_its_incident_instead_of_opening_another(vault: Vault) -> None:
    cause = cause_of(IncidentKind.FOREIGN_DOWNLOAD, "export-1", "session-1")
    opened = []
    for _ in range(3):
        with vault.transaction() as session:
            incident = open_incident(
                vault,
                session,
                kind=IncidentKind.FOREIGN_DOWNLOAD,
                cause=cause,
                request_id=None,
                details={"export": "export-1"},
                actor="system",
            )
            opened.append((incident.id, incident.occurrences))
    with vault.transaction() as session:
        other = open_incident(
            vault,
            session,
            kind=IncidentKind.FOREIGN_DOWNLOAD,
            cause=cause_of(IncidentKind.FOREIGN_DOWNLOAD, "export-1", "session-2"),
            request_id=None,
            details={"export": "export-1"},
            actor="system",
        ).id
    assert [n for _, n in opened] == [1, 2, 3]
    assert len({i for i, _ in opened}) == 1
    assert other != opened[0][0]
    assert len(incident_summaries(vault)) == 2
    actions = [e.action for e in recent_events(vault, 50)]
    assert actions.count(AuditAction.INCIDENT_OPENED.value) == 2
    assert actions.count(AuditAction.INCIDENT_JOINED.value) == 2
