"""Request and response bodies of /api/v1/incidents: containment (incidents/containment.py).

Ids, pseudonyms and counts only; an account is named by the operator's id,
as everywhere in the API.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from voxkeep.web.schemas import ApiTime, ObjectId, Strict


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


class ReassignedOut(BaseModel):
    moved: int = Field(description="How many recordings moved in this call.")
    new_device: str = Field(description="The new owner's device row the recordings now name.")
    from_account: str = Field(description="Pseudonym of the account they were under.")
    to_account: str = Field(description="Pseudonym of the account they are under now.")
