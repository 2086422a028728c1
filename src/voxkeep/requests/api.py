"""/api/v1/requests: people file and follow their own requests; staff work through them.

Thin shells over requests.service, verification and views. A person reaches
only their own requests (another person's is a plain 404). No route takes
recordings, and none but the staff entry of a new request names an account
(invariant 2).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from voxkeep.people.api import person_session, staff_session
from voxkeep.people.service import PersonSession
from voxkeep.people.staff import StaffSession
from voxkeep.requests import service, stats, verification, views
from voxkeep.requests.models import Channel, RequestKind, RequestState
from voxkeep.requests.schemas import (
    AddressConfirmedOut,
    CodeCheckIn,
    CodeSentOut,
    DetailOut,
    DueOut,
    ExtendIn,
    PersonRequestOut,
    PortalRequestIn,
    ReasonIn,
    StaffRequestIn,
    StaffSummaryOut,
    StatsMonthOut,
    SummaryOut,
)
from voxkeep.vault import Vault
from voxkeep.web.deps import RequestId
from voxkeep.web.schemas import ErrorOut

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422, 503)
}
router = APIRouter(prefix="/api/v1/requests", responses=ERRORS)
PERSON: list[str | Enum] = ["requests (person)"]
STAFF: list[str | Enum] = ["requests (staff)"]


def _vault(request: Request) -> Vault:
    vault: Vault = request.app.state.vault
    return vault


VaultDep = Annotated[Vault, Depends(_vault)]
Person = Annotated[PersonSession, Depends(person_session)]
Staff = Annotated[StaffSession, Depends(staff_session)]


# The person's own requests ---------------------------------------------------------


@router.post("/mine", response_model=PersonRequestOut, status_code=201, tags=PERSON)
def file_request(body: PortalRequestIn, vault: VaultDep, person: Person) -> PersonRequestOut:
    """File a request about your own account. Needs a re-authentication in the last
    10 minutes (`VOXKEEP_REQUEST_REAUTH_S`); that is its identity check, so work on
    it starts at once."""
    request_id = service.file_request(vault, person=person, kind=body.kind)
    return PersonRequestOut.of_view(views.show_own(vault, person=person, request_id=request_id))


@router.get("/mine", response_model=list[SummaryOut], tags=PERSON)
def list_mine(vault: VaultDep, person: Person) -> list[SummaryOut]:
    """Your requests, newest first."""
    return [SummaryOut.of(s) for s in views.list_own(vault, person=person)]


@router.get("/mine/{request_id}", response_model=PersonRequestOut, tags=PERSON)
def show_mine(request_id: RequestId, vault: VaultDep, person: Person) -> PersonRequestOut:
    """One of your requests with its steps, deadline, and any extension or refusal reasons."""
    return PersonRequestOut.of_view(views.show_own(vault, person=person, request_id=request_id))


@router.post("/mine/{request_id}/cancel", response_model=PersonRequestOut, tags=PERSON)
def cancel_mine(request_id: RequestId, vault: VaultDep, person: Person) -> PersonRequestOut:
    """Withdraw one of your requests (possible until work on the answer starts)."""
    service.cancel_own(vault, person=person, request_id=request_id)
    return PersonRequestOut.of_view(views.show_own(vault, person=person, request_id=request_id))


# Staff ----------------------------------------------------------------------------------


@router.post(
    "", response_model=SummaryOut, status_code=201, responses={410: {"model": ErrorOut}}, tags=STAFF
)
def enter_request(body: StaffRequestIn, vault: VaultDep, staff: Staff) -> SummaryOut:
    """Enter a request that came by e-mail, post or phone (roles agent, dpo)."""
    request_id = service.enter_request(
        vault,
        staff=staff,
        account=body.account,
        kind=body.kind,
        channel=Channel(body.channel),
        received_at=body.received_at,
        note=body.note,
    )
    return SummaryOut.of(views.summary_of(vault, staff=staff, request_id=request_id))


@router.get("", response_model=list[StaffSummaryOut], tags=STAFF)
def list_requests(
    vault: VaultDep,
    staff: Staff,
    state: Annotated[list[RequestState] | None, Query(description="Only these states.")] = None,
    all: Annotated[bool, Query(description="Also answered and finished requests.")] = False,
    kind: Annotated[list[RequestKind] | None, Query(description="Only these kinds.")] = None,
    channel: Annotated[list[Channel] | None, Query(description="Only these channels.")] = None,
) -> list[StaffSummaryOut]:
    """Requests by due date, soonest first; by default those whose answer is still owed.
    Each carries its days left and whether it is overdue or at risk (due within 7 days)."""
    rows = views.list_requests(
        vault, staff=staff, states=state, everything=all, kinds=kind, channels=channel
    )
    return [StaffSummaryOut.of(s) for s in rows]


@router.get("/stats", response_model=list[StatsMonthOut], tags=STAFF)
def request_stats(
    vault: VaultDep,
    _staff: Staff,
    months: Annotated[int, Query(ge=1, le=36, description="How many months, up to this one.")] = 12,
) -> list[StatsMonthOut]:
    """Per calendar month (UTC), oldest first: requests received by kind, answers given,
    how many by their due date, and the median days from receipt to answer."""
    return [StatsMonthOut.of(m) for m in stats.request_months(vault, months=months)]


@router.get("/{request_id}", response_model=DetailOut, tags=STAFF)
def show_request(request_id: RequestId, vault: VaultDep, staff: Staff) -> DetailOut:
    """A request with its timeline, verification evidence and jobs (reading it is audited)."""
    return DetailOut.of_detail(views.show_request(vault, staff=staff, request_id=request_id))


@router.post("/{request_id}/verification/send", response_model=CodeSentOut, tags=STAFF)
def send_code(request_id: RequestId, vault: VaultDep, staff: Staff) -> CodeSentOut:
    """Mail a one-time code to the account's own verified address; the clock pauses
    until the person gives it back."""
    expires = verification.send_code(vault, staff=staff, request_id=request_id)
    return CodeSentOut(expires_at=expires)


@router.post(
    "/{request_id}/verification/confirm-address", response_model=AddressConfirmedOut, tags=STAFF
)
def confirm_address(request_id: str, vault: VaultDep, staff: Staff) -> AddressConfirmedOut:
    """Confirm, for this request, the account's e-mail address as the operator changed it
    after the request was received (roles agent, dpo); until then no code is sent."""
    changed = verification.confirm_address(vault, staff=staff, request_id=request_id)
    return AddressConfirmedOut(changed_at=changed)


@router.post("/{request_id}/verification/check", status_code=204, tags=STAFF)
def check_code(request_id: RequestId, body: CodeCheckIn, vault: VaultDep, staff: Staff) -> Response:
    """Enter the code the person gave back, with how it came: the request is verified."""
    verification.check_code(
        vault, staff=staff, request_id=request_id, code=body.code, evidence=body.evidence
    )
    return Response(status_code=204)


@router.post("/{request_id}/approve", status_code=204, tags=STAFF)
def approve(request_id: RequestId, vault: VaultDep, staff: Staff) -> Response:
    """Four eyes: an approver who neither entered nor verified the request starts the work."""
    service.approve(vault, staff=staff, request_id=request_id)
    return Response(status_code=204)


@router.post("/{request_id}/extend", response_model=DueOut, tags=STAFF)
def extend(request_id: RequestId, body: ExtendIn, vault: VaultDep, staff: Staff) -> DueOut:
    """Extend the deadline by 1–2 months within the first month; the person is told why."""
    due = service.extend(
        vault, staff=staff, request_id=request_id, months=body.months, reason=body.reason
    )
    return DueOut(due_at=due)


@router.post("/{request_id}/refuse", status_code=204, tags=STAFF)
def refuse(request_id: RequestId, body: ReasonIn, vault: VaultDep, staff: Staff) -> Response:
    """Refuse a manifestly unfounded or excessive request; the person gets the reasons
    and their right to complain (Art. 12(4), 12(5))."""
    service.refuse(vault, staff=staff, request_id=request_id, reason=body.reason)
    return Response(status_code=204)


@router.post("/{request_id}/cancel", status_code=204, tags=STAFF)
def cancel(request_id: RequestId, body: ReasonIn, vault: VaultDep, staff: Staff) -> Response:
    """Cancel on the person's behalf (they withdrew it)."""
    service.cancel(vault, staff=staff, request_id=request_id, reason=body.reason)
    return Response(status_code=204)
