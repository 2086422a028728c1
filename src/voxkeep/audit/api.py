"""Routes of /api/v1/audit: the signed checkpoint, the verifier key, Merkle proofs, and
the staff's search of the events.

Thin shells over ``voxkeep.audit.log``, ``search`` and ``verifications``. The
checkpoint, key and proofs need a token with the ``audit`` scope; the event
search and the newest verify result need a signed-in DPO or admin (the
console's audit page calls the same services). Hashes are lowercase hex, as
RFC 6962 tooling prints them.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from voxkeep.audit import log as audit
from voxkeep.audit import search
from voxkeep.audit.events import AuditAction
from voxkeep.audit.verifications import Verification, latest_verification
from voxkeep.people.api import staff_with
from voxkeep.people.staff import StaffSession
from voxkeep.web.deps import AuditToken, VaultDep, errors

router = APIRouter(
    prefix="/api/v1/audit", tags=["audit"], responses=errors(401, 403, 404, 422, 500)
)

# Leaf indexes and tree sizes are unsigned 64-bit in RFC 9162; the database holds BIGINT.
_MAX_INDEX = 2**63 - 1


class VerifierKeyOut(BaseModel):
    origin: str = Field(description="The log's origin: the first line of its checkpoints.")
    key_name: str = Field(description="The signed-note key name (the origin).")
    verifier_key: str = Field(
        description="Signed-note verifier key `name+keyid+base64(0x01 || Ed25519 key)`."
    )


class InclusionProofOut(BaseModel):
    leaf_index: int = Field(description="The event's seq: its 0-based leaf index.")
    tree_size: int
    leaf_data: str = Field(description="The event's canonical JSON: the leaf's data.")
    leaf_hash: str = Field(description="SHA-256(0x00 || leaf_data), hex.")
    proof: list[str] = Field(description="PATH(leaf_index, tree) of RFC 9162, leaf side first.")
    root: str = Field(description="The root of the tree of tree_size, hex.")


class ConsistencyProofOut(BaseModel):
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str] = Field(description="PROOF(old_size, tree) of RFC 9162 §2.1.4.1, hex.")


@router.get(
    "/checkpoint",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}, "description": "A C2SP signed note."}},
)
def get_checkpoint(vault: VaultDep, _token: AuditToken) -> PlainTextResponse:
    """The newest signed checkpoint (C2SP tlog-checkpoint in a signed note)."""
    return PlainTextResponse(
        audit.latest_checkpoint_note(vault), headers={"Cache-Control": "no-store"}
    )


@router.get("/key", response_model=VerifierKeyOut)
def get_key(vault: VaultDep, _token: AuditToken) -> VerifierKeyOut:
    """The key that verifies this vault's checkpoints. Publish it outside the vault too."""
    identity = audit.log_identity(vault)
    return VerifierKeyOut(
        origin=identity.origin, key_name=identity.key_name, verifier_key=identity.verifier_key
    )


@router.get("/proofs/inclusion", response_model=InclusionProofOut)
def get_inclusion_proof(
    vault: VaultDep,
    _token: AuditToken,
    seq: Annotated[int, Query(ge=0, le=_MAX_INDEX, description="The event's seq.")],
    size: Annotated[
        int | None,
        Query(ge=1, le=_MAX_INDEX, description="Tree size; default: the newest checkpoint's."),
    ] = None,
) -> InclusionProofOut:
    """Prove that event `seq` is in the tree of `size` events (RFC 9162 §2.1.3)."""
    proof = audit.inclusion_proof(vault, seq, size)
    return InclusionProofOut(
        leaf_index=proof.leaf_index,
        tree_size=proof.tree_size,
        leaf_data=proof.leaf_data.decode("utf-8", "backslashreplace"),
        leaf_hash=proof.leaf_hash.hex(),
        proof=[node.hex() for node in proof.proof],
        root=proof.root.hex(),
    )


@router.get("/proofs/consistency", response_model=ConsistencyProofOut)
def get_consistency_proof(
    vault: VaultDep,
    _token: AuditToken,
    old: Annotated[int, Query(ge=0, le=_MAX_INDEX, description="The earlier tree size.")],
    new: Annotated[
        int | None,
        Query(
            ge=0,
            le=_MAX_INDEX,
            description="The later tree size; default: the newest checkpoint's.",
        ),
    ] = None,
) -> ConsistencyProofOut:
    """Prove that the tree of `new` events only appended to the tree of `old` (RFC 9162 §2.1.4)."""
    proof = audit.consistency_proof(vault, old, new)
    return ConsistencyProofOut(
        old_size=proof.old_size,
        new_size=proof.new_size,
        old_root=proof.old_root.hex(),
        new_root=proof.new_root.hex(),
        proof=[node.hex() for node in proof.proof],
    )


# The staff's search -----------------------------------------------------------------

Reader = Annotated[StaffSession, Depends(staff_with(*search.READERS))]
STAFF_TAGS: list[str | Enum] = ["audit (staff)"]


class EventOut(BaseModel):
    seq: int = Field(description="The event's leaf index in the audit log.")
    at: datetime
    actor: str
    action: str
    data: str = Field(description="The event's canonical JSON, exactly as the log commits to it.")

    @classmethod
    def of(cls, view: audit.EventView) -> EventOut:
        return cls(seq=view.seq, at=view.at, actor=view.actor, action=view.action, data=view.data)


class EventPageOut(BaseModel):
    events: list[EventOut] = Field(description="Newest first.")
    older: int | None = Field(description="Pass as `before` for the next page; null on the last.")

    @classmethod
    def of(cls, page: search.EventPage) -> EventPageOut:
        return cls(events=[EventOut.of(e) for e in page.events], older=page.older)


class EventSearchIn(BaseModel):
    """A search by an id the operator chose, kept out of the URL (it may be personal data)."""

    model_config = ConfigDict(extra="forbid")
    object_kind: search.ObjectRef = Field(
        description="logged: an id or pseudonym as the log writes it; account, device, member, "
        "recording: the operator's id, turned into the log's pseudonyms."
    )
    object: str = Field(min_length=1, max_length=256)
    action: AuditAction | None = None
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    before: int | None = Field(default=None, ge=0, le=_MAX_INDEX)
    limit: int = Field(default=search.PAGE_SIZE, ge=1, le=search.MAX_PAGE)


class VerificationOut(BaseModel):
    seq: int = Field(description="The leaf index of the event that recorded the run.")
    at: datetime
    intact: bool
    events: int | None = Field(description="Events checked (an intact run).")
    checkpoints: int | None
    first_bad_event: int | None = Field(description="A failed run: the first bad event's seq.")
    bad_checkpoint: int | None = Field(description="A failed run: the failed checkpoint's size.")

    @classmethod
    def of(cls, run: Verification) -> VerificationOut:
        return cls(**vars(run))


@router.get("/events", response_model=EventPageOut, tags=STAFF_TAGS)
def find_events(
    vault: VaultDep,
    _staff: Reader,
    action: AuditAction | None = None,
    object: Annotated[
        str | None,
        Query(max_length=256, description="An id or pseudonym as the log writes it."),
    ] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    before: Annotated[int | None, Query(ge=0, le=_MAX_INDEX)] = None,
    limit: Annotated[int, Query(ge=1, le=search.MAX_PAGE)] = search.PAGE_SIZE,
) -> EventPageOut:
    """Events newest first, by action, object and time (DPO or admin)."""
    names = search.names_for_object(vault, search.ObjectRef.LOGGED, object) if object else None
    query = search.EventQuery(action=action, names=names, since=since, until=until)
    return EventPageOut.of(search.search_events(vault, query, before=before, limit=limit))


@router.post("/events/search", response_model=EventPageOut, tags=STAFF_TAGS)
def search_events(body: EventSearchIn, vault: VaultDep, _staff: Reader) -> EventPageOut:
    """Events about an object named by the operator's id (DPO or admin), newest first."""
    names = search.names_for_object(vault, body.object_kind, body.object)
    query = search.EventQuery(action=body.action, names=names, since=body.since, until=body.until)
    return EventPageOut.of(search.search_events(vault, query, before=body.before, limit=body.limit))


@router.get("/verification", response_model=VerificationOut | None, tags=STAFF_TAGS)
def get_verification(vault: VaultDep, _staff: Reader) -> VerificationOut | None:
    """The newest recorded `voxkeep audit verify` result; null when it never ran."""
    run = latest_verification(vault)
    return None if run is None else VerificationOut.of(run)
