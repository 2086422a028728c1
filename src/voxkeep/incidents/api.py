"""/api/v1/incidents: the incidents with their Art. 33 clocks, for the DPO and admins.

Thin shells over incidents.service; the console's pages call the same functions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from voxkeep.audit.api import EventOut
from voxkeep.incidents import service
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
