"""Bodies of /api/v1/incidents: the register's rows, one incident, the DPO's actions and
containment (incidents/containment.py).

Ids, pseudonyms and counts; what staff type comes back only to staff. An account is
named by the operator's id, as everywhere in the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from voxkeep.audit.api import EventOut
from voxkeep.incidents import notices, service
from voxkeep.incidents.models import AffectedSource, IncidentState, Risk
from voxkeep.incidents.notice_texts import What
from voxkeep.incidents.telling import NotTelling
from voxkeep.web.schemas import ApiTime, ObjectId, Strict

# What staff type: kept sealed; the limit is the service's.
Text = Field(min_length=1, max_length=service.TEXT_MAX)
OptionalText = Field(default=None, max_length=service.TEXT_MAX)


class IncidentOut(BaseModel):
    id: str
    kind: str = Field(description="What opened it: release_gate_failed, not_my_data, ...")
    state: IncidentState
    risk: Risk | None = Field(description="The DPO's assessment, once made.")
    request_id: str | None
    aware_at: datetime = Field(description="When voxkeep became aware: the clock starts here.")
    notify_by: datetime = Field(description="aware_at + 72 hours (Art. 33(1)).")
    hours_left: int = Field(description="Whole hours left; negative once overdue.")
    overdue: bool = Field(description="The authority was not (or not in time) notified.")
    authority_notified_at: datetime | None
    notification_needed: bool = Field(
        description="False once closed without notifying the authority (unlikely risk)."
    )
    opened_at: datetime = Field(description="When the incident was opened.")
    occurrences: int = Field(description="How often its cause happened (repeats join it).")
    details: dict[str, Any] = Field(description="Ids, pseudonyms and counts; never content.")

    @classmethod
    def of(cls, summary: service.IncidentSummary) -> IncidentOut:
        clock = summary.clock
        return cls(
            id=summary.id,
            kind=summary.kind.value,
            state=summary.state,
            risk=summary.risk,
            request_id=summary.request_id,
            aware_at=clock.aware_at,
            notify_by=clock.notify_by,
            hours_left=clock.hours_left,
            overdue=clock.overdue,
            authority_notified_at=clock.notified_at,
            notification_needed=clock.needed,
            opened_at=summary.opened_at,
            occurrences=summary.occurrences,
            details=summary.details,
        )


class AssessmentOut(BaseModel):
    risk: Risk
    assessed_at: datetime
    reason: str | None
    nature: str | None
    consequences: str | None
    measures_taken: str | None
    measures_proposed: str | None


class AffectedOut(BaseModel):
    account: str = Field(description="The person's account pseudonym.")
    erased: bool = Field(description="The account was erased: only the pseudonym remains.")
    source: AffectedSource
    recordings: int
    first_at: datetime | None = Field(description="The first recording's capture time.")
    last_at: datetime | None
    devices: list[str] = Field(description="Device pseudonyms.")
    reason: str | None = Field(description="Why the DPO added them.")


class TimelineOut(BaseModel):
    seq: int
    at: datetime
    actor: str = Field(description="staff:<id>, system, or an account pseudonym.")
    action: str
    state: IncidentState = Field(description="The incident's state after this step.")
    note: str | None = Field(
        description="What staff typed with the step (kept encrypted), as typed; null when "
        "nothing was typed or the reader may not read it."
    )
    params: dict[str, str | int] | None = Field(
        default=None,
        description="What voxkeep says of a step it writes itself, as codes and figures, "
        'e.g. {"told": 2, "pending": 1} for notices_sent, {"measure": "revoke-answers", '
        '"answers": 1} for contained (docs/breaches.md lists them); the console words them in '
        "its language. Null for other steps and for steps recorded before voxkeep kept them.",
    )
    sha256: str | None = Field(
        default=None, description="SHA-256 of the JSON document sent to the authority here."
    )


class IncidentDetailOut(IncidentOut):
    cause: str | None = Field(description="The release-gate check that failed, if one did.")
    export_id: str | None
    account: str | None = Field(description="The affected account's pseudonym.")
    recordings: int | None
    downloads: int | None
    bytes_served: int | None
    next_states: list[IncidentState] = Field(description="Where it may move from here.")
    assessment: AssessmentOut | None
    affected: list[AffectedOut]
    timeline: list[TimelineOut]
    events: list[EventOut] = Field(description="Audit events naming it, its request or answer.")

    @classmethod
    def of_detail(cls, detail: service.IncidentDetail) -> IncidentDetailOut:
        a = detail.assessment
        return cls(
            **IncidentOut.of(detail.summary).model_dump(),
            cause=detail.cause,
            export_id=detail.export_id,
            account=detail.account,
            recordings=detail.recordings,
            downloads=detail.downloads,
            bytes_served=detail.bytes_served,
            next_states=detail.next_states,
            assessment=AssessmentOut.model_validate(a, from_attributes=True) if a else None,
            affected=[AffectedOut.model_validate(p, from_attributes=True) for p in detail.affected],
            timeline=[TimelineOut.model_validate(e, from_attributes=True) for e in detail.timeline],
            events=[EventOut.of(e) for e in detail.events],
        )


class AwarenessIn(Strict):
    aware_at: ApiTime = Field(description="When reasonable certainty was reached; not future.")
    reason: str = Text


class AssessmentIn(Strict):
    risk: Risk
    reason: str = Text
    nature: str | None = OptionalText
    consequences: str | None = OptionalText
    measures_taken: str | None = OptionalText
    measures_proposed: str | None = OptionalText


class AffectedIn(Strict):
    account: ObjectId = Field(description="The operator's id of the account; not kept.")
    reason: str = Text


class ClosureIn(Strict):
    reason: str = Text


class DerivedOut(BaseModel):
    people: int = Field(description="How many people the incident's answer concerns.")


# Containment ----------------------------------------------------------------------


class RevokedOut(BaseModel):
    exports: list[str] = Field(description="The answers revoked now (empty when none was left).")


class SuspendStaffIn(Strict):
    staff: str = Field(min_length=1, max_length=64, description="The staff member's name or id.")


class SuspendedOut(BaseModel):
    staff_id: str
    name: str


class ForceResetIn(Strict):
    account: ObjectId = Field(description="The operator's id of the person's account.")


class ResetForcedOut(BaseModel):
    account: str = Field(description="The account's pseudonym.")
    sessions_ended: int


class ReassignIn(Strict):
    device: str = Field(
        min_length=1,
        max_length=128,
        description="The device: its id, or the pseudonym (dev:…) the incident page shows.",
    )
    since: ApiTime = Field(description="Recordings captured at or after this time move.")
    to_account: ObjectId = Field(description="The operator's id of the account they belong to.")
    same_as: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="The new owner's own device id for the same device, if the operator "
        "registered it for him: the moved device takes his name for it. Without it, the "
        "moved device is named by its kind (never by the first owner's label).",
    )


class ReassignedOut(BaseModel):
    moved: int = Field(description="How many recordings moved in this call.")
    new_device: str = Field(description="The new owner's device row the recordings now name.")
    from_account: str = Field(description="Pseudonym of the account they were under.")
    to_account: str = Field(description="Pseudonym of the account they are under now.")


# The notification to the authority (incidents/notification.py) ------------------


class AuthorityNotifiedIn(Strict):
    at: ApiTime | None = Field(
        default=None, description="When it was sent (default now); never in the future."
    )
    reference: str | None = Field(
        default=None, max_length=200, description="The authority's reference for it (sealed)."
    )
    late_reason: str | None = Field(
        default=None,
        max_length=service.TEXT_MAX,
        description="Required past the 72 hours (Art. 33(1)); sealed.",
    )


class FollowUpIn(Strict):
    what_is_new: str = Text


class SentOut(BaseModel):
    phase: int = Field(description="1: the first notification; 2, 3, …: follow-ups.")
    at: datetime
    sha256: str = Field(description="SHA-256 of the phase's JSON document, as sent.")


# The person's own notices (Art. 34): GET /api/v1/me/notices ----------------------------


class NoticeSectionOut(BaseModel):
    heading: str
    lines: list[str]


class MyNoticeOut(BaseModel):
    id: str
    incident: str = Field(description="The incident's reference, as the notice gives it.")
    queued_at: datetime = Field(description="When the notice was written and its mail queued.")
    mailed_at: datetime | None = Field(description="When the mail server took it; null: not yet.")
    read_at: datetime | None = Field(description="When you first opened it in the portal.")
    subject: str
    body: str = Field(description="The whole notice as plain text, as it was mailed.")
    sections: list[NoticeSectionOut]

    @classmethod
    def of(cls, notice: notices.OwnNotice) -> MyNoticeOut:
        text = notice.text
        return cls(
            id=notice.id,
            incident=notice.incident_id,
            queued_at=notice.queued_at,
            mailed_at=notice.mailed_at,
            read_at=notice.read_at,
            subject=text.subject,
            body=text.mail_body(),
            sections=[
                NoticeSectionOut(heading=s.heading, lines=list(s.lines)) for s in text.sections
            ],
        )


# Telling the people affected (incidents.notify) ----------------------------------------


class PeopleNoticesIn(Strict):
    what: What | None = Field(
        default=None,
        description="What happened, in plain words: sent_to_other, received_others, "
        "stopped_by_check, stored_under_other or accessed_by_other (default: the usual text "
        "for the incident's kind).",
    )
    note: str | None = Field(
        default=None,
        max_length=notices.NOTE_MAX,
        description="A note in the DPO's own words for every notice (kept encrypted).",
    )
    only: list[str] | None = Field(
        default=None,
        max_length=notices.MAX_PEOPLE,
        description="Tell only these affected people (their account pseudonyms).",
    )


class NotifiedOut(BaseModel):
    queued: list[str] = Field(description="Pseudonyms of the people told now.")
    already: list[str] = Field(description="Pseudonyms of the people told before: not again.")
    erased: list[str] = Field(description="Pseudonyms of erased people: nobody to tell.")
    pending: list[str] = Field(
        description="Pseudonyms of the affected people still to be told (or recorded as not "
        "told, Art. 34(3)): until none is left, the incident is not people_notified."
    )


class NotToldIn(Strict):
    accounts: list[str] = Field(
        min_length=1,
        max_length=notices.MAX_PEOPLE,
        description="The people not told: pseudonyms of affected people still to be told.",
    )
    basis: NotTelling = Field(
        description="Art. 34(3): unintelligible (a), risk_gone (b) or public (c)."
    )
    reason: str = Field(
        min_length=1,
        max_length=service.TEXT_MAX,
        description="The DPO's reason, in their words (kept encrypted on the timeline).",
    )


class NotToldOut(BaseModel):
    recorded: list[str] = Field(description="Pseudonyms recorded as not told.")
    pending: list[str] = Field(description="Pseudonyms still to be told.")


class NoticeRecordOut(BaseModel):
    """Who was told when: never what the notice says."""

    id: str
    account: str = Field(description="The person's account pseudonym.")
    language: str = Field(description="The language the notice was written in.")
    queued_at: datetime = Field(description="When the notice was written and its mail queued.")
    mailed_at: datetime | None = Field(description="When the mail server took it.")
    read_at: datetime | None = Field(description="When the person first opened it.")

    @classmethod
    def of(cls, record: notices.NoticeRecord) -> NoticeRecordOut:
        return cls(
            id=record.id,
            account=record.account,
            language=record.language,
            queued_at=record.queued_at,
            mailed_at=record.mailed_at,
            read_at=record.read_at,
        )
