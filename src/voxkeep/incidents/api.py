"""/api/v1/incidents: the breach register (Art. 33(5)), for the DPO and admins.

Thin shells over incidents.service (bodies in incidents.schemas); the console's
pages and the `voxkeep incidents` commands call the same functions. Admins read;
the DPO acts (the service checks the role).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from voxkeep.incidents import service
from voxkeep.incidents.schemas import (
    AffectedIn,
    AssessmentIn,
    AwarenessIn,
    ClosureIn,
    DerivedOut,
    IncidentDetailOut,
    IncidentOut,
)
from voxkeep.people.api import staff_with
from voxkeep.people.staff import StaffSession
from voxkeep.web.deps import VaultDep, errors

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"], responses=errors(401, 403, 404))
Reader = Annotated[StaffSession, Depends(staff_with(*service.READERS))]
Actor = Annotated[StaffSession, Depends(staff_with(*service.ACTORS))]
ACTS = errors(409, 422)


@router.get("", response_model=list[IncidentOut])
def list_incidents(vault: VaultDep, staff: Reader) -> list[IncidentOut]:
    """The newest incidents first, each with its state and its 72-hour clock."""
    return [IncidentOut.of(s) for s in service.incident_summaries(vault, staff=staff)]


@router.get("/{incident_id}", response_model=IncidentDetailOut)
def show_incident(incident_id: str, vault: VaultDep, staff: Reader) -> IncidentDetailOut:
    """One incident: evidence, assessment, affected people and timeline (reading is logged)."""
    return _shown(vault, staff, incident_id)


def _shown(vault: VaultDep, staff: StaffSession, incident_id: str) -> IncidentDetailOut:
    return IncidentDetailOut.of_detail(service.show_incident(vault, incident_id, reader=staff))


@router.post("/{incident_id}/awareness", response_model=IncidentDetailOut, responses=ACTS)
def set_awareness(
    incident_id: str, body: AwarenessIn, vault: VaultDep, staff: Actor
) -> IncidentDetailOut:
    """Set when voxkeep became aware (DPO): the 72-hour clock runs from it."""
    service.set_awareness(
        vault, staff=staff, incident_id=incident_id, aware_at=body.aware_at, reason=body.reason
    )
    return _shown(vault, staff, incident_id)


@router.post("/{incident_id}/assessment", response_model=IncidentDetailOut, responses=ACTS)
def assess(
    incident_id: str, body: AssessmentIn, vault: VaultDep, staff: Actor
) -> IncidentDetailOut:
    """Record (or replace) the risk assessment (DPO)."""
    service.assess(vault, staff=staff, incident_id=incident_id, **body.model_dump())
    return _shown(vault, staff, incident_id)


@router.post("/{incident_id}/affected/derivation", response_model=DerivedOut, responses=ACTS)
def derive_affected(incident_id: str, vault: VaultDep, staff: Actor) -> DerivedOut:
    """Work out the affected people again from the incident's answer (DPO; idempotent)."""
    return DerivedOut(people=service.derive_affected(vault, staff=staff, incident_id=incident_id))


@router.post(
    "/{incident_id}/affected",
    response_model=IncidentDetailOut,
    status_code=201,
    responses={**ACTS, **errors(410)},
)
def add_affected(
    incident_id: str, body: AffectedIn, vault: VaultDep, staff: Actor
) -> IncidentDetailOut:
    """List one more affected person by their account id, with a reason (DPO)."""
    service.add_affected(
        vault, staff=staff, incident_id=incident_id, account=body.account, reason=body.reason
    )
    return _shown(vault, staff, incident_id)


@router.post("/{incident_id}/closure", response_model=IncidentDetailOut, responses=ACTS)
def close(incident_id: str, body: ClosureIn, vault: VaultDep, staff: Actor) -> IncidentDetailOut:
    """Close the incident, once its risk allows (DPO)."""
    service.close(vault, staff=staff, incident_id=incident_id, reason=body.reason)
    return _shown(vault, staff, incident_id)
