"""Routes of /api/v1/audit: the signed checkpoint, the verifier key and Merkle proofs.

Thin shells over ``voxkeep.audit.log``. Every route needs a token with the
``audit`` scope. Hashes are lowercase hex, as RFC 6962 tooling prints them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from voxkeep.audit import log as audit
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
