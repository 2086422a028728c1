"""/api/v1/audit: the signed checkpoint, the verifier key and proofs that verify on their own."""

from __future__ import annotations

import hashlib

from audit_helpers import Busy
from fastapi.testclient import TestClient

from helpers import assert_error
from voxkeep.audit import checkpoint as notes
from voxkeep.audit.checkpoint import Checkpoint
from voxkeep.audit.log import verify_log, write_checkpoint
from voxkeep.audit.merkle import verify_consistency, verify_inclusion
from voxkeep.vault import Vault

BASE = "/api/v1/audit"


def _signed(client: TestClient, headers: dict[str, str]) -> Checkpoint:
    """The newest checkpoint, checked with the published key as an outsider would."""
    key = client.get(f"{BASE}/key", headers=headers)
    assert key.status_code == 200, key.text
    name, public_key = notes.parse_verifier_key(key.json()["verifier_key"])
    assert name == key.json()["key_name"] == key.json()["origin"]
    response = client.get(f"{BASE}/checkpoint", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return notes.parse_and_verify_checkpoint(
        response.text, name=name, public_key=public_key, origin=key.json()["origin"]
    )


def test_inclusion_proof_of_every_event_verifies_against_the_signed_root(
    shared_busy: Busy,
) -> None:
    busy, audit_headers = shared_busy, shared_busy.audit_headers
    signed = _signed(busy.client, audit_headers)
    assert signed.size == busy.checkpoints[-1]
    for seq in range(signed.size):
        response = busy.client.get(
            f"{BASE}/proofs/inclusion", params={"seq": seq}, headers=audit_headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["leaf_index"], body["tree_size"]) == (seq, signed.size)
        leaf = hashlib.sha256(b"\x00" + body["leaf_data"].encode()).digest()
        assert body["leaf_hash"] == leaf.hex()
        assert bytes.fromhex(body["root"]) == signed.root_hash
        verify_inclusion(
            leaf_hash=leaf,
            index=seq,
            size=signed.size,
            proof=[bytes.fromhex(h) for h in body["proof"]],
            root=signed.root_hash,
        )


def test_inclusion_in_an_older_checkpoint_and_beyond_the_newest(shared_busy: Busy) -> None:
    busy, audit_headers = shared_busy, shared_busy.audit_headers
    first = busy.checkpoints[0]
    body = busy.client.get(
        f"{BASE}/proofs/inclusion", params={"seq": 3, "size": first}, headers=audit_headers
    ).json()
    assert body["tree_size"] == first and len(body["proof"]) >= 1
    # Sizes past the newest checkpoint are allowed; their root is simply not signed yet.
    tail = busy.client.get(
        f"{BASE}/proofs/inclusion",
        params={"seq": busy.events - 1, "size": busy.events},
        headers=audit_headers,
    )
    assert tail.status_code == 200, tail.text


def test_consistency_proofs_between_checkpoints_verify(shared_busy: Busy) -> None:
    busy, audit_headers = shared_busy, shared_busy.audit_headers
    signed = _signed(busy.client, audit_headers)
    for old in range(signed.size + 1):
        response = busy.client.get(
            f"{BASE}/proofs/consistency", params={"old": old}, headers=audit_headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["old_size"], body["new_size"]) == (old, signed.size)
        assert bytes.fromhex(body["new_root"]) == signed.root_hash
        verify_consistency(
            old_size=old,
            new_size=signed.size,
            old_root=bytes.fromhex(body["old_root"]),
            new_root=signed.root_hash,
            proof=[bytes.fromhex(h) for h in body["proof"]],
        )
    first, second, _ = busy.checkpoints
    body = busy.client.get(
        f"{BASE}/proofs/consistency", params={"old": first, "new": second}, headers=audit_headers
    ).json()
    assert len(body["proof"]) >= 1


def test_the_old_root_of_a_consistency_proof_is_the_older_signed_root(
    vault: Vault, client: TestClient, audit_headers: dict[str, str]
) -> None:
    older = write_checkpoint(vault)
    assert older is not None
    client.get(f"{BASE}/key", headers=audit_headers)
    client.put("/api/v1/accounts/acct-9", json={"language": "fr"})
    newer = write_checkpoint(vault)
    assert newer is not None
    body = client.get(
        f"{BASE}/proofs/consistency", params={"old": older.size}, headers=audit_headers
    ).json()
    assert bytes.fromhex(body["old_root"]) == older.root_hash
    assert bytes.fromhex(body["new_root"]) == newer.root_hash


BAD_PARAMETERS: list[tuple[str, dict[str, int | str], str]] = [
    ("inclusion", {}, "seq"),
    ("inclusion", {"seq": -1}, "seq"),
    ("inclusion", {"seq": "one"}, "seq"),
    ("inclusion", {"seq": 0, "size": 0}, "size"),
    ("inclusion", {"seq": 0, "size": 2**63}, "size"),
    ("inclusion", {"seq": 4, "size": 4}, "Event 4 is not in a tree of size 4"),
    ("inclusion", {"seq": 0, "size": 10_000}, "no tree of size 10000"),
    ("consistency", {}, "old"),
    ("consistency", {"old": -2}, "old"),
    ("consistency", {"old": 3, "new": 2}, "old size (3) must be between 0 and the new size"),
    ("consistency", {"old": 1, "new": 10_000}, "no tree of size 10000"),
]


def test_bad_proof_parameters_are_clear_422s(shared_busy: Busy) -> None:
    for path, params, needle in BAD_PARAMETERS:
        response = shared_busy.client.get(
            f"{BASE}/proofs/{path}", params=params, headers=shared_busy.audit_headers
        )
        body = assert_error(response, 422, "invalid_input")
        assert needle in body["error"], (path, params, body["error"])


def test_before_the_first_checkpoint_there_is_nothing_to_prove(
    client: TestClient, audit_headers: dict[str, str]
) -> None:
    for url in (f"{BASE}/checkpoint", f"{BASE}/proofs/inclusion?seq=0"):
        body = assert_error(client.get(url, headers=audit_headers), 404, "not_found")
        assert "No audit checkpoint" in body["error"]


def test_audit_routes_need_the_audit_scope(shared_busy: Busy) -> None:
    # The client's own token has the ingest and read scopes only.
    client = shared_busy.client
    for url in ("/checkpoint", "/key", "/proofs/inclusion?seq=0", "/proofs/consistency?old=0"):
        assert_error(client.get(BASE + url), 403, "forbidden")
        assert_error(client.get(BASE + url, headers={"Authorization": ""}), 401, "unauthorized")


def test_a_tampered_log_gives_no_proof(busy: Busy) -> None:
    audit_headers = busy.audit_headers
    from audit_helpers import sql

    sql(busy.vault, "DELETE FROM audit_events WHERE seq = 4")
    response = busy.client.get(f"{BASE}/proofs/inclusion", params={"seq": 9}, headers=audit_headers)
    body = assert_error(response, 500, "audit_log_tampered")
    assert "Audit event 4 is missing" in body["error"]


def test_the_routes_are_in_the_openapi_document(shared_busy: Busy) -> None:
    paths = shared_busy.client.get("/api/openapi.json").json()["paths"]
    for path in ("/checkpoint", "/key", "/proofs/inclusion", "/proofs/consistency"):
        assert BASE + path in paths


def test_the_server_signs_a_checkpoint_periodically_and_at_shutdown(vault: Vault) -> None:
    import dataclasses
    import time

    from voxkeep.app import create_app

    quick = dataclasses.replace(
        vault, settings=vault.settings.model_copy(update={"audit_checkpoint_interval_s": 0.05})
    )
    with TestClient(create_app(quick)):
        deadline = time.monotonic() + 10
        while verify_log(vault).newest is None:
            assert time.monotonic() < deadline, "no checkpoint within 10 s"
            time.sleep(0.02)
        client_events = verify_log(vault).events
    report = verify_log(vault)
    assert report.newest is not None and report.unsigned_events == 0
    assert report.events >= client_events
