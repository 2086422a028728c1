"""The pseudonyms that name an account's objects in the audit log: format and cost.

Known answers pin the format documented in docs/audit.md, recomputed here with
nothing but hashlib and hmac (RFC 5869 HKDF, then HMAC-SHA-256).
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import select

from audit.audit_helpers import recording_names
from retention.seeding import days_ago, register, seed
from voxkeep.audit.events import AuditEvent
from voxkeep.audit.pseudonyms import AccountNames
from voxkeep.config import Settings
from voxkeep.crypto.keyring import Keyring, object_pseudonym_key
from voxkeep.retention.sweeper import sweep
from voxkeep.vault import open_vault

DATA_KEY = bytes(range(32))
OBJECT_KEY = "f618b750af102d7f204fbfcd591952ceeed67859e7924b85bd435afa5de1d8b7"
DEVICE = "dev:0811144d5d87438fa8e6cf6c"  # device "haushalt-mueller-kueche"
RECORDING = "rec:90ad8aac0cd963fe43398fe2"  # recording "haushalt-mueller-kueche"


def _hkdf_sha256(ikm: bytes, info: bytes) -> bytes:
    prk = hmac.new(b"\x00" * 32, ikm, hashlib.sha256).digest()  # no salt: 32 zero bytes
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()  # one block: 32 bytes


def _name(key: bytes, kind: str, object_id: str, prefix: str) -> str:
    digest = hmac.new(key, kind.encode() + b"\x00" + object_id.encode(), hashlib.sha256)
    return f"{prefix}:{digest.hexdigest()[:24]}"


def test_known_answers_match_the_documented_scheme() -> None:
    key = object_pseudonym_key(DATA_KEY)
    assert key.hex() == OBJECT_KEY
    assert _hkdf_sha256(DATA_KEY, b"voxkeep/v1 audit object pseudonyms").hex() == OBJECT_KEY
    names = AccountNames(account="account:x", key=key)
    assert names.device("haushalt-mueller-kueche") == DEVICE
    assert _name(key, "device", "haushalt-mueller-kueche", "dev") == DEVICE
    assert names.recording("haushalt-mueller-kueche") == RECORDING
    assert "haushalt" not in repr(names) and key.hex() not in repr(names)


def test_one_id_gets_unrelated_names_by_kind_and_by_account() -> None:
    one = AccountNames("account:a", object_pseudonym_key(DATA_KEY))
    other = AccountNames("account:b", object_pseudonym_key(bytes(32)))
    names = {one.device("x"), one.member("x"), one.recording("x"), other.device("x")}
    assert len(names) == 4
    assert {n.split(":")[0] for n in names} == {"dev", "mem", "rec"}


@pytest.fixture
def unwraps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The account of every data-key unwrap, in order."""
    calls: list[str] = []
    original = Keyring.unwrap_data_key

    def counting(
        self: Keyring, account_id: str, key_id: str, master_key_id: str, wrapped: bytes
    ) -> bytes:
        calls.append(account_id)
        return original(self, account_id, key_id, master_key_id, wrapped)

    monkeypatch.setattr(Keyring, "unwrap_data_key", counting)
    return calls


def test_bulk_paths_fetch_each_accounts_key_once_per_batch(
    settings: Settings, unwraps: list[str]
) -> None:
    vault = open_vault(settings.model_copy(update={"retention_batch": 10}))
    try:
        register(vault, "okapi-a")
        register(vault, "okapi-b")
        unwraps.clear()
        seed(vault, "okapi-a", days_ago(*range(100, 120)), prefix="a", batch=20)
        # The owner look-up and the audit names: one unwrap each, not one per recording.
        assert len(unwraps) <= 2
        seed(vault, "okapi-b", days_ago(*range(100, 120)), prefix="b", batch=20)

        unwraps.clear()
        report = sweep(vault)
        assert (report.counts.recordings, report.batches) == (40, 4)
        assert len(unwraps) <= 2 * report.batches  # at most each account once per batch
        with vault.reading() as session:
            swept = session.scalars(
                select(AuditEvent.data).where(AuditEvent.action == "retention:swept")
            )
            named = {rec for data in swept for rec in json.loads(data)["objects"]["recordings"]}
        ids = [f"a-{n:06d}" for n in range(20)], [f"b-{n:06d}" for n in range(20)]
        expected = recording_names(vault, "okapi-a", ids[0]) + recording_names(
            vault, "okapi-b", ids[1]
        )
        assert named == set(expected)
    finally:
        vault.close()
