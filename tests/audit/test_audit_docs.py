"""docs/audit.md stays true: its example verifies, its snippet checks proofs, its tags exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from audit_helpers import Busy
from cryptography.exceptions import InvalidSignature

from voxkeep.audit import checkpoint as notes
from voxkeep.audit.events import AuditAction

DOC = (Path(__file__).resolve().parents[2] / "docs" / "audit.md").read_text()
BASE = "/api/v1/audit"


def _block(after: str, language: str) -> str:
    tail = DOC[DOC.index(after) :]
    match = re.search(rf"```{language}\n(.*?)```", tail, re.DOTALL)
    assert match is not None
    return match.group(1)


@pytest.fixture(scope="module")
def snippet() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(_block("## Checking without voxkeep", "python"), namespace)  # noqa: S102 (our own docs)
    return namespace


def test_the_documented_checkpoint_verifies_with_the_documented_key(
    snippet: dict[str, Any],
) -> None:
    note = _block("### Format", "text")
    vkey = _block("Its **verifier key**", "text").strip()
    origin, size, root = snippet["check_checkpoint"](note, vkey)
    assert (origin, size) == ("voxkeep/507cafedd026c605", 4)
    name, key = notes.parse_verifier_key(vkey)
    assert notes.parse_and_verify_checkpoint(note, name=name, public_key=key).root_hash == root


def test_the_snippet_checks_real_proofs_and_rejects_forgeries(
    shared_busy: Busy, snippet: dict[str, Any]
) -> None:
    get, audit_headers = shared_busy.client.get, shared_busy.audit_headers
    vkey = get(f"{BASE}/key", headers=audit_headers).json()["verifier_key"]
    note = get(f"{BASE}/checkpoint", headers=audit_headers).text
    _, size, root = snippet["check_checkpoint"](note, vkey)
    for seq in range(size):
        body = get(f"{BASE}/proofs/inclusion?seq={seq}", headers=audit_headers).json()
        proof = [bytes.fromhex(h) for h in body["proof"]]
        snippet["check_inclusion"](body["leaf_data"].encode(), seq, size, proof, root)
        with pytest.raises(ValueError, match="not included"):
            snippet["check_inclusion"](body["leaf_data"].encode() + b" ", seq, size, proof, root)
    for old in range(1, size + 1):
        body = get(f"{BASE}/proofs/consistency?old={old}", headers=audit_headers).json()
        proof = [bytes.fromhex(h) for h in body["proof"]]
        old_root = bytes.fromhex(body["old_root"])
        snippet["check_consistency"](old, size, old_root, root, proof)
        if old < size:
            with pytest.raises(ValueError):
                snippet["check_consistency"](old, size, root, root, proof)
    forged = note.replace(f"\n{size}\n", f"\n{size + 1}\n")
    with pytest.raises(InvalidSignature):
        snippet["check_checkpoint"](forged, vkey)


def test_every_documented_tag_exists_and_every_family_is_documented() -> None:
    table = DOC[DOC.index("### Action tags") : DOC.index("### No personal data")]
    documented = set(re.findall(r"`([a-z_]+(?::[a-z_-]+)+)`", table))
    actions = {action.value for action in AuditAction}
    assert documented - actions == set()
    families = {action.split(":", 1)[0] for action in actions}
    assert {family for family in families if f"`{family}:" not in table} == set()
