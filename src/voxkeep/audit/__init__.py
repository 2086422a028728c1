"""Tamper-evident audit log.

``merkle`` (RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their
verifiers) and ``checkpoint`` (signed tree heads in the C2SP checkpoint /
signed-note format) are pure: no database, no I/O. Storage and the HTTP
surface build on them.
"""
