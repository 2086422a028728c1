"""/api/v1/incidents: the breach register (Art. 33(5)), for the DPO and admins.

Thin shells over incidents.service (bodies in incidents.schemas); the console's
pages and the `voxkeep incidents` commands call the same functions. Admins read;
the DPO acts (the service checks the role).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from voxkeep.incidents import containment, notification, service
from voxkeep.incidents.authority import AuthorityJson
from voxkeep.incidents.schemas import (
    AffectedIn,
    AssessmentIn,
    AuthorityNotifiedIn,
    AwarenessIn,
    ClosureIn,
    DerivedOut,
    FollowUpIn,
    ForceResetIn,
    IncidentDetailOut,
    IncidentOut,
    ReassignedOut,
    ReassignIn,
    ResetForcedOut,
    RevokedOut,
    SentOut,
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
        same_as=body.same_as,
    )
    return ReassignedOut(
        moved=done.moved,
        new_device=done.new_device,
        from_account=done.from_account,
        to_account=done.to_account,
    )


# The notification to the supervisory authority (incidents/notification.py):
# the document of the current phase (or ?phase=n) as JSON; the DPO records it sent.
NOTIFICATION = "/{incident_id}/authority-notification"
AS_DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document, schema voxkeep.authority-notification/1 (docs/records.md).",
        "content": {"application/json": {"schema": AuthorityJson.model_json_schema()}},
    }
}


@router.get(
    NOTIFICATION,
    response_class=Response,
    responses={**AS_DOCUMENT, **errors(422)},
)
def authority_document(
    incident_id: str, vault: VaultDep, staff: Reader, phase: int | None = None
) -> Response:
    """The notification to the authority (Art. 33(3)), filled from the register."""
    report = notification.authority_report(vault, incident_id, phase=phase, reader=staff)
    body = notification.document(report, format="json")
    return Response(content=body, media_type="application/json")


def _sent(sent: notification.Sent) -> SentOut:
    return SentOut(phase=sent.phase, at=sent.at, sha256=sent.sha256)


@router.post(NOTIFICATION, response_model=SentOut, status_code=201, responses=ACTS)
def notify_authority(
    incident_id: str, body: AuthorityNotifiedIn, vault: VaultDep, staff: Actor
) -> SentOut:
    """Record that the authority was notified (DPO); late only with the reasons."""
    return _sent(
        notification.notify_authority(vault, incident_id, actor=staff, **body.model_dump())
    )


@router.post(f"{NOTIFICATION}/follow-ups", response_model=SentOut, status_code=201, responses=ACTS)
def add_follow_up(incident_id: str, body: FollowUpIn, vault: VaultDep, staff: Actor) -> SentOut:
    """Record a follow-up (Art. 33(4)): the next phase, saying what is new (DPO)."""
    return _sent(
        notification.add_follow_up(vault, incident_id, actor=staff, what_is_new=body.what_is_new)
    )


# The person's own notices (Art. 34) ----------------------------------------------------
# A separate router: these are the signed-in person's, under /api/v1/me, not staff's.

from fastapi import Path  # noqa: E402 (this block stays apart from the staff routes)

from voxkeep.ids import ID_PATTERN  # noqa: E402
from voxkeep.incidents import notices  # noqa: E402
from voxkeep.incidents.schemas import MyNoticeOut  # noqa: E402
from voxkeep.people.api import PersonDep  # noqa: E402

NoticeId = Annotated[str, Path(pattern=ID_PATTERN, description="The notice's id.")]

me_router = APIRouter(prefix="/api/v1/me", tags=["me"], responses=errors(401, 404))


@me_router.get("/notices", response_model=list[MyNoticeOut])
def my_notices(person: PersonDep, vault: VaultDep, response: Response) -> list[MyNoticeOut]:
    """Your notices about incidents that concern your data (GDPR Art. 34), newest first, in
    your account's language. Reading them here does not mark them read; the portal does."""
    response.headers["Cache-Control"] = "no-store"
    found = notices.own_notices(vault, account_id=person.account_id)
    return [MyNoticeOut.of(n) for n in found]


@me_router.get("/notices/{notice_id}", response_model=MyNoticeOut)
def my_notice(
    notice_id: NoticeId, person: PersonDep, vault: VaultDep, response: Response
) -> MyNoticeOut:
    """One of your notices (404 for any other)."""
    response.headers["Cache-Control"] = "no-store"
    found = notices.own_notice(vault, account_id=person.account_id, notice_id=notice_id)
    return MyNoticeOut.of(found)


# Telling the people affected (Art. 34): incidents.notify -------------------------------

from voxkeep.incidents.notify import notify_affected, pending_of, record_not_told  # noqa: E402
from voxkeep.incidents.schemas import (  # noqa: E402
    NoticeRecordOut,
    NotifiedOut,
    NotToldIn,
    NotToldOut,
    PeopleNoticesIn,
)


@router.post("/{incident_id}/notices", response_model=NotifiedOut, responses=ACTS)
def tell_people(
    incident_id: str, body: PeopleNoticesIn, vault: VaultDep, staff: Actor
) -> NotifiedOut:
    """Tell each affected person (or ``only`` those), in their language, by mail and in their
    portal (DPO). Refused (409) unless the incident is assessed as high risk with its
    consequences and measures; 422 without a configured contact point. Nobody is told twice."""
    done = notify_affected(
        vault, incident_id, actor=staff, what=body.what, note=body.note, only=body.only
    )
    return NotifiedOut(
        queued=list(done.queued),
        already=list(done.already),
        erased=list(done.erased),
        pending=list(done.pending),
    )


@router.post("/{incident_id}/notices/not-told", response_model=NotToldOut, responses=ACTS)
def not_told(incident_id: str, body: NotToldIn, vault: VaultDep, staff: Actor) -> NotToldOut:
    """Record why affected people still to be told are not told (Art. 34(3)), with the DPO's
    reason (DPO; 409 unless the incident is assessed as high risk). Once nobody is left to
    tell, the incident becomes people_notified."""
    recorded = record_not_told(
        vault,
        incident_id,
        actor=staff,
        accounts=body.accounts,
        basis=body.basis,
        reason=body.reason,
    )
    return NotToldOut(recorded=list(recorded), pending=list(pending_of(vault, incident_id)))


@router.get("/{incident_id}/notices", response_model=list[NoticeRecordOut])
def people_told(incident_id: str, vault: VaultDep, staff: Reader) -> list[NoticeRecordOut]:
    """Who was told when: per notice the person's pseudonym, the language, and when it was
    queued, mailed and read (never what it says)."""
    return [NoticeRecordOut.of(r) for r in notices.incident_notices(vault, incident_id)]
