"""Invariant 7: everything that touches personal data is in the audit log, an append-only
Merkle tree (RFC 6962/9162 hashing) with signed checkpoints, verifiable by a command.

A real vault does real work through the API; then the database is changed
behind voxkeep's back, one way per test, and `voxkeep audit verify` must fail
naming the first bad event or checkpoint.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from audit_helpers import EMAIL, MEMBER_NAME, TRANSCRIPT, Busy, sql, sql_value
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select

from helpers import assert_clean_failure, run_cli, settings_env
from voxkeep.audit import checkpoint as notes
from voxkeep.audit.errors import LogTampered
from voxkeep.audit.events import AuditAction, AuditEvent, canonical
from voxkeep.audit.log import verify_log, write_checkpoint
from voxkeep.audit.merkle import EMPTY_ROOT
from voxkeep.cli import cli
from voxkeep.vault import Vault


def _cli(vault: Vault, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=settings_env(vault.settings))


def _tampered(busy: Busy, *needles: str) -> LogTampered:
    """verify_log and `voxkeep audit verify` both fail, saying the same thing."""
    with pytest.raises(LogTampered) as caught:
        verify_log(busy.vault)
    for needle in needles:
        assert needle in caught.value.message
    result = _cli(busy.vault, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert caught.value.message in result.output.replace("\n", " ")
    return caught.value


def _events(vault: Vault) -> list[tuple[int, str, bytes]]:
    with vault.engine.connect() as connection:
        rows = connection.execute(
            select(AuditEvent.seq, AuditEvent.action, AuditEvent.data).order_by(AuditEvent.seq)
        ).all()
    return [(row.seq, row.action, bytes(row.data)) for row in rows]


def _ordinary(busy: Busy, after: int) -> int:
    """The seq of an event (not a checkpoint event) a little after `after`."""
    seq = after + 2
    assert sql_value(busy.vault, "SELECT action FROM audit_events WHERE seq = :s", s=seq) != (
        AuditAction.AUDIT_CHECKPOINT.value
    )
    return seq


# --- an intact log ----------------------------------------------------------------------


def test_real_work_is_logged_without_personal_data_and_verifies(shared_busy: Busy) -> None:
    busy = shared_busy
    report = verify_log(busy.vault)
    assert report.events == busy.events
    assert report.checkpoints == 3
    assert report.newest is not None and report.newest.size == busy.checkpoints[-1]
    assert report.unsigned_events == 2

    events = _events(busy.vault)
    assert [seq for seq, _, _ in events] == list(range(busy.events))
    actions = {action for _, action, _ in events}
    assert {
        "key:created",
        "key:rotated",
        "account:registered",
        "account:updated",
        "device:registered",
        "device:removed",
        "member:registered",
        "recording:ingested",
        "recording:listed",
        "recording:read",
        "recording:transcript:read",
        "recording:audio:read",
        "token:created",
        "token:revoked",
        "audit:checkpoint",
    } <= actions
    for _, _, data in events:
        for secret in (EMAIL, MEMBER_NAME, TRANSCRIPT, "acct-1", "acct-2", "Küche"):
            assert secret.encode() not in data
        payload = json.loads(data)
        assert canonical(payload) == data
        assert payload["objects"].get("account", "account:").startswith("account:")


def test_every_checkpoint_is_on_record_as_the_last_leaf_it_signs(shared_busy: Busy) -> None:
    busy = shared_busy
    events = _events(busy.vault)
    for size in busy.checkpoints:
        _, action, data = events[size - 1]
        assert action == "audit:checkpoint"
        assert json.loads(data)["counts"] == {"tree_size": size}


def test_a_checkpoint_is_skipped_when_nothing_was_appended(vault: Vault) -> None:
    first = write_checkpoint(vault)
    assert first is not None
    assert write_checkpoint(vault) is None
    assert verify_log(vault).checkpoints == 1


def test_a_checkpoint_stores_the_peaks_it_resumes_from(shared_busy: Busy) -> None:
    busy = shared_busy
    for size in busy.checkpoints:
        frontier = sql_value(
            busy.vault, "SELECT frontier FROM audit_checkpoints WHERE size = :s", s=size
        )
        assert len(bytes(frontier)) == 32 * size.bit_count()


def test_an_empty_log_with_no_checkpoint_verifies(vault: Vault) -> None:
    sql(vault, "DELETE FROM audit_events")
    report = verify_log(vault)
    assert (report.events, report.checkpoints, report.newest) == (0, 0, None)
    assert write_checkpoint(vault) is None  # nothing to sign


def test_cli_verify_runs_as_a_real_process(busy: Busy) -> None:
    env = settings_env(busy.vault.settings)
    intact = run_cli("audit", "verify", env=env)
    assert intact.returncode == 0, intact.stderr
    assert f"Audit log intact: {busy.events} events, 3 checkpoints." in intact.stdout
    assert f"Newest checkpoint: size {busy.checkpoints[-1]}" in intact.stdout
    assert "2 events after the newest checkpoint" in intact.stdout

    seq = _ordinary(busy, busy.checkpoints[0])
    sql(busy.vault, "DELETE FROM audit_events WHERE seq = :s", s=seq)
    broken = run_cli("audit", "verify", env=env)
    assert broken.returncode == 1
    assert_clean_failure(broken, f"Audit event {seq} is missing")


# --- tampering with events --------------------------------------------------------------


def test_rewriting_an_event_consistently_is_caught_by_the_signed_root(busy: Busy) -> None:
    first, second, _ = busy.checkpoints
    seq = _ordinary(busy, first)
    data = sql_value(busy.vault, "SELECT data FROM audit_events WHERE seq = :s", s=seq)
    payload = json.loads(bytes(data))
    payload["counts"] = {**payload["counts"], "forged": 1}
    sql(busy.vault, "UPDATE audit_events SET data = :d WHERE seq = :s", d=canonical(payload), s=seq)

    error = _tampered(busy, f"checkpoint {second}")
    assert error.checkpoint == second
    suspects = error.suspects if error.suspects is not None else range(error.seq or 0, seq + 1)
    assert seq in suspects and suspects.start >= first


def test_editing_an_event_column_is_caught_at_that_event(busy: Busy) -> None:
    seq = _ordinary(busy, busy.checkpoints[1])
    sql(busy.vault, "UPDATE audit_events SET actor = 'token:someone' WHERE seq = :s", s=seq)
    error = _tampered(busy, f"Audit event {seq} is not valid", "actor column")
    assert (error.seq, error.checkpoint) == (seq, None)


def test_non_canonical_event_data_is_caught_at_that_event(busy: Busy) -> None:
    seq = _ordinary(busy, 0)
    data = bytes(sql_value(busy.vault, "SELECT data FROM audit_events WHERE seq = :s", s=seq))
    spaced = json.dumps(json.loads(data), sort_keys=True).encode()
    sql(busy.vault, "UPDATE audit_events SET data = :d WHERE seq = :s", d=spaced, s=seq)
    assert _tampered(busy, "canonical").seq == seq


def test_deleting_an_event_is_caught_at_that_event(busy: Busy) -> None:
    seq = _ordinary(busy, busy.checkpoints[0])
    sql(busy.vault, "DELETE FROM audit_events WHERE seq = :s", s=seq)
    error = _tampered(busy, f"Audit event {seq} is missing")
    assert error.seq == seq


def test_inserting_an_event_in_the_middle_is_caught_by_the_signed_root(busy: Busy) -> None:
    first, second, _ = busy.checkpoints
    seq = _ordinary(busy, first)
    # Make room at seq, as a forger would: every later event moves up by one.
    sql(busy.vault, "UPDATE audit_events SET seq = seq + 1000000 WHERE seq >= :s", s=seq)
    sql(busy.vault, "UPDATE audit_events SET seq = seq - 999999 WHERE seq >= 1000000")
    at = datetime.now(UTC)
    payload = {
        "at": at.isoformat(timespec="microseconds"),
        "actor": "system",
        "action": "recording:read",
        "objects": {"recording": "rec-0"},
        "counts": {},
    }
    row = {"seq": seq, "at": at, "actor": "system", "action": "recording:read"}
    with busy.vault.engine.begin() as connection:
        connection.execute(insert(AuditEvent).values(**row, data=canonical(payload)))

    error = _tampered(busy, f"checkpoint {second}")
    assert error.checkpoint == second
    assert error.suspects is not None and seq in error.suspects and error.suspects.start >= first


def test_appending_a_malformed_event_is_caught_at_that_event(busy: Busy) -> None:
    at = datetime.now(UTC)
    payload = {
        "at": at.isoformat(timespec="microseconds"),
        "actor": "system",
        "action": "recording:shredded:not-really",
        "objects": {},
        "counts": {},
    }
    row = {"seq": busy.events, "at": at, "actor": "system", "action": payload["action"]}
    with busy.vault.engine.begin() as connection:
        connection.execute(insert(AuditEvent).values(**row, data=canonical(payload)))
    assert _tampered(busy, "action tag").seq == busy.events
    with pytest.raises(LogTampered, match="action tag"):
        write_checkpoint(busy.vault)  # tampering is never signed


def test_reordering_two_events_is_caught_by_the_signed_root(busy: Busy) -> None:
    first, second, _ = busy.checkpoints
    earlier = _ordinary(busy, first)
    later = earlier + 3
    assert later < second - 1
    sql(busy.vault, "UPDATE audit_events SET seq = -1 WHERE seq = :s", s=earlier)
    sql(busy.vault, "UPDATE audit_events SET seq = :a WHERE seq = :b", a=earlier, b=later)
    sql(busy.vault, "UPDATE audit_events SET seq = :b WHERE seq = -1", b=later)

    error = _tampered(busy, f"checkpoint {second}")
    assert error.checkpoint == second
    suspects = error.suspects if error.suspects is not None else range(error.seq or 0, earlier + 1)
    assert earlier in suspects and suspects.start >= first


def test_moving_an_event_to_a_negative_index_is_caught(busy: Busy) -> None:
    sql(busy.vault, "UPDATE audit_events SET seq = -5 WHERE seq = 0")
    assert _tampered(busy, "position -5").seq == -5


def test_truncating_the_log_is_caught_at_the_first_missing_event(busy: Busy) -> None:
    cut = busy.checkpoints[2] - 3
    sql(busy.vault, "DELETE FROM audit_events WHERE seq >= :s", s=cut)
    error = _tampered(busy, "truncated")
    assert (error.seq, error.checkpoint) == (cut, busy.checkpoints[2])
    with pytest.raises(LogTampered, match="truncated"):
        write_checkpoint(busy.vault)


# --- tampering with checkpoints ---------------------------------------------------------


def _note(busy: Busy, size: int) -> str:
    note: str = sql_value(busy.vault, "SELECT note FROM audit_checkpoints WHERE size = :s", s=size)
    return note


def _set_note(busy: Busy, size: int, note: str) -> None:
    sql(busy.vault, "UPDATE audit_checkpoints SET note = :n WHERE size = :s", n=note, s=size)


def test_altering_a_checkpoint_note_breaks_its_signature(busy: Busy) -> None:
    size = busy.checkpoints[1]
    origin, tree_size, _, rest = _note(busy, size).split("\n", 3)
    forged_root = base64.b64encode(EMPTY_ROOT).decode()
    _set_note(busy, size, "\n".join((origin, tree_size, forged_root, rest)))
    error = _tampered(busy, f"Checkpoint {size} is not validly signed", "does not verify")
    assert (error.checkpoint, error.seq) == (size, None)


def test_altering_a_checkpoint_signature_is_caught(busy: Busy) -> None:
    size = busy.checkpoints[0]
    text, _, signature_line = _note(busy, size).rstrip("\n").rpartition("\n")
    name, encoded = signature_line.rsplit(" ", 1)
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 0x01
    _set_note(busy, size, f"{text}\n{name} {base64.b64encode(bytes(raw)).decode()}\n")
    assert _tampered(busy, f"Checkpoint {size} is not validly signed").checkpoint == size


def test_a_checkpoint_signed_by_another_key_is_refused(busy: Busy) -> None:
    size = busy.checkpoints[2]
    origin = _note(busy, size).split("\n", 1)[0]
    root = bytes(
        sql_value(busy.vault, "SELECT root_hash FROM audit_checkpoints WHERE size = :s", s=size)
    )
    forged = notes.sign_checkpoint(
        notes.Checkpoint(origin, size, root), name=origin, private_key=Ed25519PrivateKey.generate()
    )
    _set_note(busy, size, forged)
    assert _tampered(busy, "no signature from").checkpoint == size
    with pytest.raises(LogTampered, match="newest checkpoint"):
        write_checkpoint(busy.vault)


def test_altering_a_checkpoint_root_column_is_caught(busy: Busy) -> None:
    size = busy.checkpoints[1]
    sql(
        busy.vault,
        "UPDATE audit_checkpoints SET root_hash = :r WHERE size = :s",
        r=EMPTY_ROOT,
        s=size,
    )
    assert _tampered(busy, "differs from its signed note").checkpoint == size


def test_deleting_a_checkpoint_in_the_middle_is_caught(busy: Busy) -> None:
    size = busy.checkpoints[1]
    sql(busy.vault, "DELETE FROM audit_checkpoints WHERE size = :s", s=size)
    error = _tampered(busy, f"checkpoint {size} was written", "deleted")
    assert (error.seq, error.checkpoint) == (size - 1, size)


def test_deleting_the_newest_checkpoint_is_caught(busy: Busy) -> None:
    size = busy.checkpoints[2]
    sql(busy.vault, "DELETE FROM audit_checkpoints WHERE size = :s", s=size)
    assert _tampered(busy, "deleted").checkpoint == size


def test_a_corrupt_stored_frontier_is_caught(busy: Busy) -> None:
    size = busy.checkpoints[1]
    frontier = b"\x00" * 32 * size.bit_count()
    sql(
        busy.vault, "UPDATE audit_checkpoints SET frontier = :f WHERE size = :s", f=frontier, s=size
    )
    assert _tampered(busy, "frontier").checkpoint == size
