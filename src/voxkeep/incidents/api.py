"""/api/v1/incidents: the incidents with their Art. 33 clocks, for the DPO and admins.

Thin shells over incidents.service; the console's pages call the same functions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from voxkeep.audit.api import EventOut
from voxkeep.incidents import containment, service
from voxkeep.incidents.schemas import (
    ForceResetIn,
    ReassignedOut,
    ReassignIn,
    ResetForcedOut,
    RevokedOut,
    SuspendedOut,
    SuspendStaffIn,
)
from voxkeep.people.api import staff_with
from voxkeep.people.staff import StaffSession
from voxkeep.web.deps import VaultDep, errors

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"], responses=errors(401, 403, 404))
Reader = Annotated[StaffSession, Depends(staff_with(*service.READERS))]


class IncidentOut(BaseModel):
    id: str
    kind: str = Field(description="release_gate_failed or not_my_data.")
    request_id: str | None
    aware_at: datetime = Field(description="When voxkeep became aware: the clock starts here.")
    notify_by: datetime = Field(description="aware_at + 72 hours (Art. 33(1)).")
    hours_left: int = Field(description="Whole hours left; negative once overdue.")
    overdue: bool
    opened_at: datetime = Field(description="When the incident was opened.")
    details: dict[str, Any] = Field(description="Ids, pseudonyms and counts; never content.")

    @classmethod
    def of(cls, summary: service.IncidentSummary) -> IncidentOut:
        clock = summary.clock
        return cls(
            id=summary.id,
            kind=summary.kind.value,
            request_id=summary.request_id,
            aware_at=clock.aware_at,
            notify_by=clock.notify_by,
            hours_left=clock.hours_left,
            overdue=clock.overdue,
            opened_at=summary.opened_at,
            details=summary.details,
        )


class IncidentDetailOut(IncidentOut):
    cause: str | None = Field(description="The release-gate check that failed, if one did.")
    export_id: str | None
    account: str | None = Field(description="The affected account's pseudonym.")
    recordings: int | None
    downloads: int | None
    bytes_served: int | None
    events: list[EventOut] = Field(description="Audit events naming it, its request or answer.")


@router.get("", response_model=list[IncidentOut])
def list_incidents(vault: VaultDep, _staff: Reader) -> list[IncidentOut]:
    """The newest incidents first, each with the time left on its 72-hour clock."""
    return [IncidentOut.of(s) for s in service.incident_summaries(vault)]


@router.get("/{incident_id}", response_model=IncidentDetailOut)
def show_incident(incident_id: str, vault: VaultDep, _staff: Reader) -> IncidentDetailOut:
    """One incident with its evidence: ids, pseudonyms and counts, never content."""
    detail = service.show_incident(vault, incident_id)
    return IncidentDetailOut(
        **IncidentOut.of(detail.summary).model_dump(),
        cause=detail.cause,
        export_id=detail.export_id,
        account=detail.account,
        recordings=detail.recordings,
        downloads=detail.downloads,
        bytes_served=detail.bytes_served,
        events=[EventOut.of(e) for e in detail.events],
    )


# Containment (incidents/containment.py): the DPO, after a password re-entry
# (POST /api/v1/staff/sessions/current/reauth) within the last 10 minutes.
Container = Annotated[StaffSession, Depends(staff_with(*containment.CONTAINERS))]
CONTAIN = "/{incident_id}/containment"


@router.post(f"{CONTAIN}/revoke-answers", response_model=RevokedOut)
def revoke_answers(incident_id: str, vault: VaultDep, staff: Container) -> RevokedOut:
    """Revoke every answer of the incident's request that can still be downloaded."""
    done = containment.revoke_answers(vault, incident_id=incident_id, by=staff)
    return RevokedOut(exports=done.exports)


@router.post(f"{CONTAIN}/suspend-staff", response_model=SuspendedOut)
def suspend_staff(
    incident_id: str, body: SuspendStaffIn, vault: VaultDep, staff: Container
) -> SuspendedOut:
    """Disable a staff account; every session of it ends at once."""
    done = containment.suspend_staff(vault, incident_id=incident_id, staff=body.staff, by=staff)
    return SuspendedOut(staff_id=done.staff_id, name=done.name)


@router.post(f"{CONTAIN}/force-password-reset", response_model=ResetForcedOut)
def force_password_reset(
    incident_id: str, body: ForceResetIn, vault: VaultDep, staff: Container
) -> ResetForcedOut:
    """End a person's sessions; their password works again only after a mailed-code reset."""
    done = containment.force_password_reset(
        vault, incident_id=incident_id, account=body.account, by=staff
    )
    return ResetForcedOut(account=done.account, sessions_ended=done.sessions_ended)


@router.post(f"{CONTAIN}/reassign-recordings", response_model=ReassignedOut)
def reassign_recordings(
    incident_id: str, body: ReassignIn, vault: VaultDep, staff: Container
) -> ReassignedOut:
    """Move a device's recordings since a time to the right account, re-encrypted for it."""
    done = containment.reassign_recordings(
        vault,
        incident_id=incident_id,
        device=body.device,
        since=body.since,
        to_account=body.to_account,
        by=staff,
    )
    return ReassignedOut(
        moved=done.moved,
        new_device=done.new_device,
        from_account=done.from_account,
        to_account=done.to_account,
    )
