"""A leaf is an event's canonical JSON and agrees with the event's columns, or it is tampered."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from voxkeep.audit.errors import LogTampered
from voxkeep.audit.events import canonical
from voxkeep.audit.leaves import StoredEvent, announced_checkpoint, check_leaf
from voxkeep.errors import IntegrityFailure

AT = datetime(2026, 3, 3, 12, 0, 0, 123456, tzinfo=UTC)


def _payload(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "at": AT.isoformat(timespec="microseconds"),
        "actor": "token:abc",
        "action": "recording:read",
        "objects": {"account": "account:0123", "recording": "rec-1", "ids": ["a", "b"]},
        "counts": {"recordings": 1},
    }
    payload.update(changes)
    return payload


def _event(
    data: bytes, *, seq: int = 7, actor: str = "token:abc", action: str = "recording:read"
) -> StoredEvent:
    return StoredEvent(seq=seq, at=AT, actor=actor, action=action, data=data)


def test_a_well_formed_leaf_passes() -> None:
    assert check_leaf(_event(canonical(_payload()))) == _payload()


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        (_event(b"\xff\xfe"), "not JSON"),
        (_event(b"{"), "not JSON"),
        (_event(b"[" * 100_000), "not JSON"),
        (_event(b"[]"), "exactly the fields"),
        (_event(canonical({**_payload(), "extra": 1})), "exactly the fields"),
        (_event(json.dumps(_payload()).encode()), "canonical"),
        (
            _event(
                canonical(_payload(objects={"name": "J\u00fcrgen"})).replace(
                    b"\\u00fc", "ü".encode()
                )
            ),
            "not JSON",
        ),
        (_event(canonical(_payload()), action="recording:audio:read"), "action column"),
        (_event(canonical(_payload(action="made:up")), action="made:up"), "action tag"),
        (_event(canonical(_payload()), actor="system"), "actor column"),
        (_event(canonical(_payload(at="2026-03-03T12:00:00+00:00"))), "time column"),
        (_event(canonical(_payload(objects={"ids": [1]}))), "objects"),
        (_event(canonical(_payload(objects=[]))), "objects"),
        (_event(canonical(_payload(counts={"n": True}))), "counts"),
        (_event(canonical(_payload(counts={"n": "1"}))), "counts"),
        (
            _event(
                canonical(_payload(action="audit:checkpoint", objects={}, counts={"tree_size": 7})),
                action="audit:checkpoint",
            ),
            "announce tree size 8",
        ),
    ],
)
def test_a_malformed_leaf_is_named_by_its_seq(event: StoredEvent, problem: str) -> None:
    with pytest.raises(LogTampered, match=problem) as caught:
        check_leaf(event)
    assert caught.value.seq == 7
    assert isinstance(caught.value, IntegrityFailure)
    assert caught.value.code == "audit_log_tampered"


def test_a_checkpoint_event_announces_the_tree_it_closes() -> None:
    data = canonical(_payload(action="audit:checkpoint", objects={}, counts={"tree_size": 8}))
    event = _event(data, action="audit:checkpoint")
    check_leaf(event)
    assert announced_checkpoint(event) == 8
    assert announced_checkpoint(_event(canonical(_payload()))) is None
