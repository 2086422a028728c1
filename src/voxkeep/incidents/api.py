"""/api/v1/incidents: the breach register (Art. 33(5)), for the DPO and admins.

Thin shells over incidents.service (bodies in incidents.schemas); the console's
pages and the `voxkeep incidents` commands call the same functions. Admins read;
the DPO acts (the service checks the role).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from voxkeep.incidents import containment, service
from voxkeep.incidents.schemas import (
    AffectedIn,
    AssessmentIn,
    AwarenessIn,
    ClosureIn,
    DerivedOut,
    ForceResetIn,
    IncidentDetailOut,
    IncidentOut,
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
