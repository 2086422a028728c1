"""Request and response bodies of /api/v1/requests.

No body here carries recordings, and none but the staff entry of a new
request names an account: that one names the subject, which is then verified
through the account's own address (invariant 2).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from voxkeep.requests.models import RequestKind
from voxkeep.requests.service import StaffAction
from voxkeep.requests.stats import RequestMonth
from voxkeep.requests.views import PersonView, RequestDetail, RequestSummary
from voxkeep.web.schemas import ApiTime, ObjectId, Strict


class PortalRequestIn(Strict):
    kind: RequestKind = Field(description="access (Art. 15), portability (Art. 20), erasure (17).")


class StaffRequestIn(Strict):
    account: ObjectId = Field(
        description="The operator's id of the account the request is about: its subject. "
        "The verification code goes to this account's own verified address."
    )
    kind: RequestKind
    channel: Literal["email", "post", "phone"] = Field(description="How the request came in.")
    received_at: ApiTime | None = Field(
        default=None, description="When it arrived (the deadline runs from here). Default: now."
    )
    note: str | None = Field(
        default=None, max_length=2000, description="Internal note; stored encrypted."
    )


class CodeCheckIn(Strict):
    code: str = Field(max_length=20, description="The 8-digit code the person gave back.")
    evidence: str = Field(
        min_length=1,
        max_length=2000,
        description="How the person gave it (e.g. 'read out on a call from the known number').",
    )


class ExtendIn(Strict):
    months: int = Field(ge=1, le=2, description="1 or 2; at most 2 in all (Art. 12(3)).")
    reason: str = Field(
        min_length=1, max_length=2000, description="Sent to the person; no personal data."
    )


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class WaitingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str = Field(description="The job's kind, e.g. `export.build`, `request.notify`.")
    fault: str = Field(description="`storage`, `database` or `mail`.")
    since: datetime = Field(description="When the job's run of failures began.")
    notice: bool = Field(description="The job mails the person: their notice is late.")
    last_error: str | None = Field(description="The operation and the error's class or errno.")
    gave_up: bool = Field(description="It stopped retrying and waits for staff.")


class SummaryOut(BaseModel):
    id: str
    kind: str
    channel: str
    state: str
    received_at: datetime
    due_at: datetime = Field(description="As of now; a running pause keeps moving it.")
    paused: bool
    extension_months: int
    overdue: bool
    days_left: int = Field(
        description="Whole days (UTC) from today to the due date; negative once overdue."
    )
    at_risk: bool = Field(description="Still owed, not overdue, and due within 7 days.")

    @classmethod
    def of(cls, summary: RequestSummary) -> SummaryOut:
        return cls.model_validate(summary, from_attributes=True)


class StaffSummaryOut(SummaryOut):
    waiting: list[WaitingOut] = Field(
        description="The request's jobs held up by a transient fault (a full disk, the "
        "database or the mail server unavailable): retrying, or for a notice to the person "
        "that gave up, waiting for staff to retry it. A notice's entry means it is late."
    )

    @classmethod
    def of(cls, summary: RequestSummary) -> StaffSummaryOut:
        return cls.model_validate(summary, from_attributes=True)


class TimelineOut(BaseModel):
    seq: int
    at: datetime
    from_state: str | None
    to_state: str
    actor: str
    note: str | None = Field(
        description="What staff typed with the step (a reason, the evidence), as typed; on a "
        "step recorded before params existed, the English words voxkeep wrote then."
    )
    params: dict[str, str | int] | None = Field(
        default=None,
        description="For a step voxkeep wrote itself: its code `said` (`code_expired`, "
        "`withdrawn`, `expired`, …) and its figures (counts, ids, times, check names), "
        "never words; see docs/requests.md, section The timeline's words. Null otherwise.",
    )
    step: str | None = Field(
        description="For a step that is not a move: what happened, e.g. `address:changed` "
        "(the operator changed the account's e-mail address) or `address:confirmed` (staff "
        "confirmed the change for this request)."
    )


class JobOut(BaseModel):
    id: str
    kind: str
    state: str
    attempts: int
    last_error: str | None


class BlockedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    reason: str = Field(
        description="Why: the incident's kind and failed check (`release_gate_failed: "
        "counts`), or the last error of the request's job that failed for good."
    )
    incident: str | None = Field(
        description="The incident that records it (`GET /api/v1/incidents/{id}`), when the "
        "cause was an integrity failure."
    )


class DetailOut(StaffSummaryOut):
    account: str | None = Field(description="The operator's account id; null once erased.")
    entered_by: str | None
    verified_by: str | None
    verified_at: datetime | None
    verification_method: str | None
    evidence: str | None
    approved_by: str | None
    approved_at: datetime | None
    extension_reason: str | None
    extension_notified_at: datetime | None
    refusal_reason: str | None
    code_expires_at: datetime | None
    address_change_pending: bool = Field(
        description="The account's e-mail address changed after the request was received: "
        "no code is sent until a staff member confirms the change "
        "(`POST /api/v1/requests/{id}/verification/confirm-address`)."
    )
    address_confirmed_by: str | None
    address_confirmed_at: datetime | None
    export_id: str | None
    receipt_id: str | None
    timeline: list[TimelineOut]
    jobs: list[JobOut]
    actions: list[StaffAction] = Field(
        description="What the signed-in staff member may do to this request now (their "
        "roles, its state, four eyes); each action's route enforces the same rules."
    )
    blocked: BlockedOut | None = Field(
        description="For a blocked request: why, and the incident when there is one."
    )

    @classmethod
    def of_detail(cls, detail: RequestDetail) -> DetailOut:
        fields = {k: v for k, v in vars(detail).items() if k not in ("summary", "timeline", "jobs")}
        return cls(
            **vars(detail.summary),
            **fields,
            timeline=[TimelineOut.model_validate(t, from_attributes=True) for t in detail.timeline],
            jobs=[JobOut.model_validate(j, from_attributes=True) for j in detail.jobs],
        )


class StepOut(BaseModel):
    at: datetime
    state: str
    step: str | None = Field(
        description="Null for a change of state; otherwise what happened: `address:changed` "
        "(your account's e-mail address was changed), `address:confirmed` (our staff "
        "confirmed the new address for this request)."
    )


class PersonRequestOut(SummaryOut):
    extension_reason: str | None
    refusal_reason: str | None = Field(
        description="With a refusal you may complain to a supervisory authority (Art. 77) "
        "and seek a judicial remedy (Art. 79)."
    )
    export_id: str | None = Field(description="The answer to download, once ready.")
    timeline: list[StepOut]
    can_withdraw: bool = Field(
        description="Whether you may still withdraw it "
        "(`POST /api/v1/requests/mine/{id}/cancel`): until work on the answer starts."
    )

    @classmethod
    def of_view(cls, view: PersonView) -> PersonRequestOut:
        return cls(
            **vars(view.summary),
            extension_reason=view.extension_reason,
            refusal_reason=view.refusal_reason,
            export_id=view.export_id,
            timeline=[StepOut.model_validate(s, from_attributes=True) for s in view.timeline],
            can_withdraw=view.can_withdraw,
        )


class CodeSentOut(BaseModel):
    ok: bool = True
    expires_at: datetime


class AddressConfirmedOut(BaseModel):
    ok: bool = True
    changed_at: datetime = Field(description="When the confirmed change was made.")


class DueOut(BaseModel):
    ok: bool = True
    due_at: datetime


class StatsMonthOut(BaseModel):
    month: str = Field(description="YYYY-MM (UTC).")
    received: dict[str, int] = Field(description="Requests received in the month, by kind.")
    answered: int = Field(description="Requests first answered (ready or refused) in the month.")
    on_time: int = Field(description="Of those, answered by their due date.")
    median_days: float | None = Field(description="Median days from receipt to answer.")

    @classmethod
    def of(cls, month: RequestMonth) -> StatsMonthOut:
        return cls(
            month=str(month.month),
            received={kind.value: n for kind, n in month.received.items()},
            answered=month.answered,
            on_time=month.on_time,
            median_days=month.median_days,
        )
