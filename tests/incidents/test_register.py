"""The breach register (Art. 33(5)): states, awareness, assessment, timeline, sealed words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from register_helpers import reported, staff, table_bytes

from exports.factory import household
from voxkeep.audit.log import recent_events
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, Forbidden, InvalidInput
from voxkeep.incidents import notify, service
from voxkeep.incidents.models import Incident, IncidentState, Risk
from voxkeep.incidents.states import NEXT, allowed, next_states
from voxkeep.incidents.telling import NotTelling
from voxkeep.vault import Vault

S = IncidentState
SECRET = "Frau Beispiel-Geheim hörte ihre Nachbarn"


@pytest.mark.parametrize(
    ("risk", "last_before_close"),
    [
        (Risk.UNLIKELY, S.ASSESSED),
        (Risk.RISK, S.AUTHORITY_NOTIFIED),
        (Risk.HIGH, S.PEOPLE_NOTIFIED),
    ],
)
def test_each_risk_closes_only_once_it_went_as_far_as_it_must(
    risk: Risk, last_before_close: IncidentState
) -> None:
    closable = {state for state in S if allowed(risk, state, S.CLOSED)}
    order = list(S)
    assert closable == {s for s in NEXT if S.CLOSED in NEXT[s]} & {
        s for s in order if order.index(s) >= order.index(last_before_close)
    }
    assert last_before_close in closable
    assert not allowed(None, S.ASSESSED, S.CLOSED)  # nothing closes unassessed
    assert next_states(risk, S.CLOSED) == []
    assert not allowed(risk, S.OPEN, S.AUTHORITY_NOTIFIED)  # assessed first


def test_a_high_risk_incident_goes_the_whole_way_with_its_timeline_and_audit(
    vault: Vault,
) -> None:
    team = staff(vault)
    household(vault, "anna")
    incident_id = reported(vault)
    anna = service.add_affected(
        vault, staff=team.dpo, incident_id=incident_id, account="anna", reason="Her speaker"
    )
    state = service.assess(
        vault,
        staff=team.dpo,
        incident_id=incident_id,
        risk=Risk.HIGH,
        reason=SECRET,
        nature="Recordings sent to the wrong person",
        consequences="Intimate home life exposed",
        measures_taken="Download revoked",
        measures_proposed="Second check before release",
    )
    assert state is S.ASSESSED
    with pytest.raises(Conflict) as refused:
        service.close(vault, staff=team.dpo, incident_id=incident_id, reason="done")
    assert "Art. 34" in (refused.value.hint or "")
    with vault.transaction() as session:
        service.mark_authority_notified(vault, session, incident_id, actor=team.dpo.actor)
    with pytest.raises(Conflict, match="still to be told"):
        service.close(vault, staff=team.dpo, incident_id=incident_id, reason="done")
    # The one way to "people notified": nobody is left to tell (incidents.telling.settle).
    notify.record_not_told(
        vault,
        incident_id,
        actor=team.dpo,
        accounts=[anna],
        basis=NotTelling.UNINTELLIGIBLE,
        reason="Sealed audio",
    )
    service.close(vault, staff=team.dpo, incident_id=incident_id, reason="All told")

    shown = service.show_incident(vault, incident_id, reader=team.dpo)
    assert shown.summary.state is S.CLOSED and shown.next_states == []
    assert [e.action for e in shown.timeline] == [
        "opened",
        "affected_added",
        "assessed",
        "authority_notified",
        "not_told",
        "people_notified",
        "closed",
    ]
    assert {e.actor for e in shown.timeline[1:]} == {team.dpo.actor}
    # The DPO's words as typed; the risk as a code the pages word in their language.
    assert shown.timeline[2].note == SECRET and shown.timeline[2].params == {"risk": "high"}
    assert shown.timeline[-2].params == {"told": 0, "not_told": 1, "erased": 0}
    assert shown.timeline[-1].note == "All told"
    assert shown.assessment is not None and shown.assessment.reason == SECRET
    assert shown.assessment.measures_proposed == "Second check before release"
    assert shown.summary.clock.notified_at is not None and not shown.summary.clock.overdue
    with vault.reading() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.people_notified_by == team.dpo.actor
        assert incident.people_notified_at is not None
    actions = [e.action for e in recent_events(vault, 50)]
    for action in (
        "incident:assessed",
        "incident:authority_notified",
        "incident:not_told",
        "incident:people_notified",
        "incident:closed",
        "incident:read",
    ):
        assert actions.count(action) == 1, action
    # Nothing staff typed is in a table as plaintext.
    cells = table_bytes(vault, "incidents", "incident_events", "audit_events")
    for typed in (SECRET, "Intimate home life", "All told", "Download revoked", "Sealed audio"):
        assert typed.encode() not in cells


def test_without_a_reader_nothing_sealed_is_opened(vault: Vault) -> None:
    team = staff(vault)
    incident_id = reported(vault)
    service.assess(vault, staff=team.dpo, incident_id=incident_id, risk=Risk.RISK, reason=SECRET)
    shown = service.show_incident(vault, incident_id)
    assert shown.assessment is not None and shown.assessment.reason is None
    assert all(e.note is None for e in shown.timeline)


def test_an_unlikely_risk_closes_after_assessment_and_needs_no_notification(
    vault: Vault,
) -> None:
    team = staff(vault)
    incident_id = reported(vault)
    service.assess(
        vault, staff=team.dpo, incident_id=incident_id, risk=Risk.UNLIKELY, reason="Encrypted"
    )
    with pytest.raises(InvalidInput):
        service.close(vault, staff=team.dpo, incident_id=incident_id, reason="  ")
    service.close(vault, staff=team.dpo, incident_id=incident_id, reason="No one could read it")
    [summary] = service.incident_summaries(vault, now=utcnow() + timedelta(days=5))
    assert summary.state is S.CLOSED
    assert not summary.clock.needed and not summary.clock.overdue
    with pytest.raises(Conflict):
        service.assess(vault, staff=team.dpo, incident_id=incident_id, risk=Risk.HIGH, reason="x")


def test_a_reassessment_is_a_step_and_raising_the_risk_raises_the_bar(vault: Vault) -> None:
    team = staff(vault)
    incident_id = reported(vault)
    service.assess(vault, staff=team.dpo, incident_id=incident_id, risk=Risk.UNLIKELY, reason="a")
    again = service.assess(
        vault, staff=team.dpo, incident_id=incident_id, risk=Risk.RISK, reason="b"
    )
    assert again is S.ASSESSED
    with pytest.raises(Conflict):
        service.close(vault, staff=team.dpo, incident_id=incident_id, reason="c")
    shown = service.show_incident(vault, incident_id, reader=team.dpo)
    assert [e.action for e in shown.timeline] == ["opened", "assessed", "assessed"]
    assert shown.summary.risk is Risk.RISK and S.AUTHORITY_NOTIFIED in shown.next_states


def test_awareness_moves_the_clock_and_is_never_in_the_future(vault: Vault) -> None:
    team = staff(vault)
    incident_id = reported(vault)
    now = utcnow()
    with pytest.raises(InvalidInput):
        service.set_awareness(
            vault,
            staff=team.dpo,
            incident_id=incident_id,
            aware_at=now + timedelta(hours=1),
            reason="later",
            now=now,
        )
    with pytest.raises(InvalidInput):
        service.set_awareness(
            vault, staff=team.dpo, incident_id=incident_id, aware_at=now, reason=" "
        )
    earlier = now - timedelta(hours=80)
    service.set_awareness(
        vault, staff=team.dpo, incident_id=incident_id, aware_at=earlier, reason=SECRET, now=now
    )
    [summary] = service.incident_summaries(vault, now=now)
    assert summary.clock.aware_at == earlier
    assert summary.clock.notify_by == earlier + timedelta(hours=72)
    assert summary.clock.overdue and summary.clock.hours_over == 8
    service.assess(vault, staff=team.dpo, incident_id=incident_id, risk=Risk.RISK, reason="r")
    # Late: Art. 33(1) wants the reasons for the delay.
    with vault.transaction() as session, pytest.raises(InvalidInput):
        service.mark_authority_notified(vault, session, incident_id, actor=team.dpo.actor)
    with vault.transaction() as session:
        service.mark_authority_notified(
            vault, session, incident_id, actor=team.dpo.actor, late_reason="Found on Monday"
        )
    shown = service.show_incident(vault, incident_id, reader=team.dpo)
    assert shown.summary.clock.overdue  # it stays late: the notification came after 72 h
    assert [e.action for e in shown.timeline][:2] == ["opened", "aware"]
    assert shown.timeline[1].note == SECRET
    assert shown.timeline[-1].note == "Found on Monday"
    assert SECRET.encode() not in table_bytes(vault, "incident_events", "incidents")


def test_only_the_dpo_acts_and_admins_read(vault: Vault) -> None:
    team = staff(vault)
    incident_id = reported(vault)
    with pytest.raises(Forbidden):
        service.assess(vault, staff=team.admin, incident_id=incident_id, risk=Risk.HIGH, reason="x")
    with pytest.raises(Forbidden):
        service.close(vault, staff=team.admin, incident_id=incident_id, reason="x")
    shown = service.show_incident(vault, incident_id, reader=team.admin)
    assert shown.summary.state is S.OPEN
    with vault.reading() as session:
        row = session.get(Incident, incident_id)
        assert row is not None and row.risk is None


def test_the_dashboard_lists_the_nearest_deadlines_still_owed(vault: Vault) -> None:
    team = staff(vault)
    first, second, done = reported(vault), reported(vault), reported(vault)
    service.set_awareness(
        vault,
        staff=team.dpo,
        incident_id=second,
        aware_at=utcnow() - timedelta(hours=10),
        reason="seen earlier",
    )
    service.assess(vault, staff=team.dpo, incident_id=done, risk=Risk.UNLIKELY, reason="x")
    service.close(vault, staff=team.dpo, incident_id=done, reason="y")
    assert [s.id for s in service.nearest_deadlines(vault)] == [second, first]
