"""Four eyes: whoever entered or verified a request cannot also approve it."""

from __future__ import annotations

import pytest
from request_helpers import Team, code_from, make_subject
from sqlalchemy import select, update

from smtp_sink import SmtpSink
from voxkeep.errors import Conflict, Forbidden
from voxkeep.jobs.models import Job
from voxkeep.people.staff import StaffSession
from voxkeep.requests import service, verification, views
from voxkeep.requests.models import Channel, DataRequest, RequestKind
from voxkeep.vault import Vault


def _verified(
    vault: Vault, mail: SmtpSink, name: str, *, enterer: StaffSession, verifier: StaffSession
) -> str:
    make_subject(vault, name)
    request_id = service.enter_request(
        vault, staff=enterer, account=name, kind=RequestKind.ACCESS, channel=Channel.PHONE
    )
    verification.send_code(vault, staff=verifier, request_id=request_id)
    code = code_from(mail, f"{name}@example.org")
    verification.check_code(
        vault, staff=verifier, request_id=request_id, code=code, evidence="called back"
    )
    return request_id


def _state(vault: Vault, request_id: str) -> str:
    with vault.reading() as session:
        row = session.get(DataRequest, request_id)
        assert row is not None
        return row.state


def test_the_staff_member_who_entered_it_cannot_approve(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    request_id = _verified(vault, mail, "hal", enterer=team.carol, verifier=team.alice)
    with pytest.raises(Forbidden, match="you entered this request"):
        service.approve(vault, staff=team.carol, request_id=request_id)
    assert _state(vault, request_id) == "verified"


def test_the_staff_member_who_verified_it_cannot_approve(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    request_id = _verified(vault, mail, "ida", enterer=team.alice, verifier=team.carol)
    with pytest.raises(Forbidden, match="you verified this request"):
        service.approve(vault, staff=team.carol, request_id=request_id)
    assert _state(vault, request_id) == "verified"


@pytest.mark.parametrize("who", ["alice", "anton", "dora", "erik"])
def test_approving_needs_the_approver_role(
    vault: Vault, team: Team, mail: SmtpSink, who: str
) -> None:
    request_id = _verified(vault, mail, f"jan-{who}", enterer=team.carol, verifier=team.carol)
    with pytest.raises(Forbidden, match="role approver"):
        service.approve(vault, staff=getattr(team, who), request_id=request_id)


def test_a_second_approver_starts_the_work_with_one_job(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    request_id = _verified(vault, mail, "kim", enterer=team.carol, verifier=team.alice)
    service.approve(vault, staff=team.bob, request_id=request_id)
    detail = views.show_request(vault, staff=team.dora, request_id=request_id)
    assert detail.summary.state == "building"
    assert detail.approved_by == f"staff:{team.bob.staff_id}"
    assert [(j.kind, j.state) for j in detail.jobs] == [("export.build", "queued")]
    with pytest.raises(Conflict, match="Only a verified"):  # approving twice does nothing
        service.approve(vault, staff=team.berta, request_id=request_id)
    with vault.reading() as session:
        assert len(session.scalars(select(Job)).all()) == 1


def test_nothing_unverified_can_be_approved(vault: Vault, team: Team) -> None:
    make_subject(vault, "lou")
    request_id = service.enter_request(
        vault, staff=team.alice, account="lou", kind=RequestKind.ERASURE, channel=Channel.POST
    )
    with pytest.raises(Conflict, match="Verify it first"):
        service.approve(vault, staff=team.bob, request_id=request_id)


def test_a_blocked_request_needs_four_eyes_again(vault: Vault, team: Team, mail: SmtpSink) -> None:
    request_id = _verified(vault, mail, "max", enterer=team.alice, verifier=team.carol)
    service.approve(vault, staff=team.bob, request_id=request_id)
    with vault.transaction() as session:  # as the release gate leaves it
        session.execute(
            update(DataRequest).where(DataRequest.id == request_id).values(state="blocked")
        )
    with pytest.raises(Forbidden):
        service.approve(vault, staff=team.carol, request_id=request_id)
    service.approve(vault, staff=team.berta, request_id=request_id)
    assert _state(vault, request_id) == "building"
