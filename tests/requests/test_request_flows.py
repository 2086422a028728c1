"""The request lifecycle end to end, through the services: portal and staff-entered."""

from __future__ import annotations

import pytest
from request_helpers import Person, Subject, Team, code_from, make_subject
from sqlalchemy import select

from smtp_sink import SmtpSink
from voxkeep.audit.events import AuditEvent
from voxkeep.jobs.models import Job
from voxkeep.requests import service, verification, views
from voxkeep.requests.models import Channel, DataRequest, RequestEvent, RequestKind
from voxkeep.vault import Vault


def states(vault: Vault, request_id: str) -> list[tuple[str | None, str]]:
    with vault.reading() as session:
        return [
            (e.from_state, e.to_state)
            for e in session.scalars(
                select(RequestEvent)
                .where(RequestEvent.request_id == request_id)
                .order_by(RequestEvent.seq)
            )
        ]


def test_portal_request_is_verified_and_queued_in_one_transaction(vault: Vault) -> None:
    who = make_subject(vault, "pia")
    request_id = service.file_request(vault, person=Person(who.account_id), kind=RequestKind.ACCESS)
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        assert request is not None
        assert (request.state, request.channel, request.verification_method) == (
            "building",
            "portal",
            "reauth",
        )
        jobs = list(session.scalars(select(Job).where(Job.ref == request_id)))
    assert [(j.kind, j.payload) for j in jobs] == [("export.build", {"request_id": request_id})]
    assert states(vault, request_id) == [
        (None, "received"),
        ("received", "verified"),
        ("verified", "building"),
    ]


def test_staff_entered_request_walks_the_whole_path(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    who: Subject = make_subject(vault, "paul")
    request_id = service.enter_request(
        vault, staff=team.alice, account="paul", kind=RequestKind.ERASURE, channel=Channel.POST
    )
    verification.send_code(vault, staff=team.alice, request_id=request_id)
    assert who.email is not None
    code = code_from(mail, who.email)
    verification.check_code(
        vault, staff=team.anton, request_id=request_id, code=code, evidence="read out on a call"
    )
    service.approve(vault, staff=team.bob, request_id=request_id)
    detail = views.show_request(vault, staff=team.dora, request_id=request_id)
    assert detail.summary.state == "building"
    assert detail.entered_by == f"staff:{team.alice.staff_id}"
    assert detail.verified_by == f"staff:{team.anton.staff_id}"
    assert detail.approved_by == f"staff:{team.bob.staff_id}"
    assert detail.evidence == "read out on a call"
    assert [j.kind for j in detail.jobs] == ["erasure.run"]
    assert states(vault, request_id) == [
        (None, "received"),
        ("received", "verifying"),
        ("verifying", "paused"),
        ("paused", "verified"),
        ("verified", "building"),
    ]


def test_every_move_is_in_the_audit_log(vault: Vault, team: Team, mail: SmtpSink) -> None:
    make_subject(vault, "quinn")
    request_id = service.enter_request(
        vault, staff=team.alice, account="quinn", kind=RequestKind.ACCESS, channel=Channel.EMAIL
    )
    verification.send_code(vault, staff=team.alice, request_id=request_id)
    service.cancel(vault, staff=team.alice, request_id=request_id, reason="withdrawn by phone")
    with vault.reading() as session:
        actions = [
            a
            for a in session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq))
            if a.startswith("request:")
        ]
    assert actions == [
        "request:received",
        "request:verifying",
        "request:paused",
        "request:code:sent",
        "request:cancelled",
    ]


@pytest.mark.parametrize("kind", list(RequestKind))
def test_a_second_open_request_of_the_same_kind_is_refused(vault: Vault, kind: RequestKind) -> None:
    who = make_subject(vault, "rita")
    service.file_request(vault, person=Person(who.account_id), kind=kind)
    from voxkeep.errors import Conflict

    with pytest.raises(Conflict, match="already an open"):
        service.file_request(vault, person=Person(who.account_id), kind=kind)
