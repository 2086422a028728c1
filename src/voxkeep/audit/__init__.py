"""Tamper-evident audit log.

``merkle`` (RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their
verifiers), ``streaming`` (the same proofs in one pass over the leaves) and
``checkpoint`` (signed tree heads in the C2SP checkpoint / signed-note format)
are pure: no database, no I/O. ``events`` appends events; ``log`` is the
service layer (checkpoints, proofs, verification, the verifier key) that the
CLI (``audit.cli``) and the API (``voxkeep.audit.api``) call. See
docs/audit.md.
"""
