"""What a well-formed leaf is: an event's canonical JSON, agreeing with the event's columns.

The Merkle tree commits to ``data`` only; the ``at``, ``actor`` and ``action``
columns exist for queries. Checking that they repeat what ``data`` says means
a column edited behind the log's back is caught at once, by event, even after
the newest checkpoint where no signed root covers it yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from voxkeep.audit.errors import LogTampered
from voxkeep.audit.events import AuditAction, canonical

FIELDS = frozenset({"at", "actor", "action", "objects", "counts"})
CHECKPOINT_SIZE = "tree_size"
_ACTIONS = frozenset(action.value for action in AuditAction)


@dataclass(frozen=True)
class StoredEvent:
    """One audit_events row as read back from the database."""

    seq: int
    at: datetime
    actor: str
    action: str
    data: bytes


def check_leaf(event: StoredEvent) -> dict[str, Any]:
    """The event's payload, once its bytes and columns are found consistent.

    Raises LogTampered naming the event otherwise.
    """
    payload = _parse(event)
    problem = _payload_problem(event, payload)
    if problem:
        raise LogTampered(f"Audit event {event.seq} is not valid: {problem}.", seq=event.seq)
    return payload


def _parse(event: StoredEvent) -> dict[str, Any]:
    try:
        # Canonical bytes are ASCII (ensure_ascii), so anything else is not ours.
        payload = json.loads(bytes(event.data).decode("ascii"))
    except (ValueError, RecursionError):
        raise LogTampered(
            f"Audit event {event.seq} is not valid: its data is not JSON.", seq=event.seq
        ) from None
    if not isinstance(payload, dict) or set(payload) != FIELDS:
        raise LogTampered(
            f"Audit event {event.seq} is not valid: its data must be an object with exactly "
            f"the fields {', '.join(sorted(FIELDS))}.",
            seq=event.seq,
        )
    return payload


def _payload_problem(event: StoredEvent, payload: dict[str, Any]) -> str | None:
    if canonical(payload) != bytes(event.data):
        return "its data is not in canonical form (sorted keys, no spaces, ASCII)"
    if payload["action"] != event.action:
        return "the action column differs from the action in its data"
    if payload["action"] not in _ACTIONS:
        return "its action tag is not one voxkeep defines"
    if payload["actor"] != event.actor:
        return "the actor column differs from the actor in its data"
    if payload["at"] != event.at.isoformat(timespec="microseconds"):
        return "the time column differs from the time in its data"
    if not _is_objects(payload["objects"]):
        return "its objects must map names to ids or lists of ids"
    if not _is_counts(payload["counts"]):
        return "its counts must map names to integers"
    if payload["action"] == AuditAction.AUDIT_CHECKPOINT and (
        payload["objects"] or payload["counts"] != {CHECKPOINT_SIZE: event.seq + 1}
    ):
        # A checkpoint event closes the tree it announces: it is leaf size - 1.
        return f"a checkpoint event at this position must announce tree size {event.seq + 1}"
    return None


def _is_objects(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(ids, str) or (isinstance(ids, list) and all(isinstance(i, str) for i in ids))
        for ids in value.values()
    )


def _is_counts(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(n, int) and not isinstance(n, bool) for n in value.values()
    )


def announced_checkpoint(event: StoredEvent) -> int | None:
    """The tree size a (checked) checkpoint event announces, or None for other events."""
    return event.seq + 1 if event.action == AuditAction.AUDIT_CHECKPOINT else None
