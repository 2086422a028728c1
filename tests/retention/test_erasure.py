"""Account erasure: unreadable at once, purged completely, a signed receipt the person can keep."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import assert_error, run_cli, settings_env, setup_account, stored_blobs, upload
from retention.seeding import days_ago, register, seed
from voxkeep.accounts.models import Account, DataKey, Device, HouseholdMember
from voxkeep.audit.events import AuditEvent
from voxkeep.config import Settings
from voxkeep.errors import KeyDestroyed, NotFound
from voxkeep.recordings.models import Recording
from voxkeep.retention import erasure, receipts
from voxkeep.retention.models import ErasureReceipt
from voxkeep.retention.receipts import ReceiptInvalid
from voxkeep.retention.sweeper import run_retention
from voxkeep.vault import Vault, open_vault


def count(vault: Vault, model: Any, **where: str) -> int:
    with vault.reading() as session:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return int(session.scalar(query) or 0)


def populated(client: TestClient) -> None:
    setup_account(client, "acct-1", devices=("d1", "d2"))
    setup_account(client, "acct-2", devices=("d3",))
    assert client.put("/api/v1/accounts/acct-1", json={"email": "p@example.org"}).status_code == 200
    assert client.put("/api/v1/accounts/acct-1/members/m1", json={"name": "Ann"}).status_code == 201
    for n in range(3):
        assert upload(client, rec_id=f"r{n}", device="d1").status_code == 201
    assert upload(client, rec_id="r3", device="d2", transcript=None).status_code == 201
    assert upload(client, rec_id="other", account="acct-2", device="d3").status_code == 201


def account_id(vault: Vault, external: str) -> str:
    with vault.reading() as session:
        digest = vault.keyring.lookup_hash(session, kind="external_id", value=external)
        found = session.scalar(select(Account.id).where(Account.external_id_hash == digest))
    assert found is not None
    return found


def test_the_key_is_destroyed_at_once_and_everything_answers_410(
    client: TestClient, vault: Vault
) -> None:
    populated(client)
    internal = account_id(vault, "acct-1")
    done = erasure.destroy_key(vault, external_id="acct-1", actor="tests")

    # Nothing decrypts any more, although the purge has not run.
    assert count(vault, Recording, account_id=internal) == 4
    assert count(vault, DataKey, account_id=internal) == 0
    with vault.reading() as session, pytest.raises(KeyDestroyed):
        vault.keyring.data_key(session, internal)
    for path in (
        "/api/v1/accounts/acct-1/recordings",
        "/api/v1/accounts/acct-1/recordings/r1",
        "/api/v1/accounts/acct-1/recordings/r1/audio",
        "/api/v1/accounts/acct-1/recordings/r1/transcript",
    ):
        assert_error(client.get(path), 410, "account_erased")
    assert_error(
        client.put("/api/v1/accounts/acct-1", json={"language": "fr"}), 410, "account_erased"
    )
    device = {"kind": "speaker", "name": "new"}
    assert_error(
        client.put("/api/v1/accounts/acct-1/devices/d9", json=device), 410, "account_erased"
    )
    assert_error(upload(client, rec_id="late", device="d1"), 410, "account_erased")
    deletion = client.post("/api/v1/accounts/acct-1/deletions", json={"kind": "all"})
    assert_error(deletion, 410, "account_erased")
    # The other account is untouched.
    assert client.get("/api/v1/accounts/acct-2/recordings/other/audio").status_code == 200

    pending = client.get(f"/api/v1/erasure-receipts/{done.receipt_id}").json()
    assert pending["status"] == "purging" and pending["signed"] is None
    assert pending["receipt"]["counts"]["recordings"] == 4

    # The next sweeper run finishes the purge.
    run = run_retention(vault)
    assert run.erasures == [done.receipt_id]
    for model in (Recording, Device, HouseholdMember):
        assert count(vault, model, account_id=internal) == 0
    assert count(vault, Account, id=internal) == 0
    assert count(vault, Recording) == 1
    finished = client.get(f"/api/v1/erasure-receipts/{done.receipt_id}").json()
    assert finished["status"] == "purged" and finished["signed"] is not None


def test_an_upload_whose_account_is_erased_before_its_commit_is_not_stored(
    client: TestClient, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The erasure lands after the upload's audio is in its pack, before its row commits."""
    from voxkeep.recordings import batch

    populated(client)
    before = stored_blobs(vault.settings)
    write_pack = batch.write_pack

    def erased_meanwhile(*args: Any, **kwargs: Any) -> Any:
        rows = write_pack(*args, **kwargs)
        erasure.destroy_key(vault, external_id="acct-1", actor="tests")
        return rows

    monkeypatch.setattr(batch, "write_pack", erased_meanwhile)
    assert_error(upload(client, rec_id="late", device="d1"), 410, "account_erased")
    assert count(vault, Recording, id="late") == 0
    assert stored_blobs(vault.settings) == before  # its entry was deleted again


def test_the_erasure_api_purges_and_returns_a_signed_receipt(
    client: TestClient, vault: Vault
) -> None:
    populated(client)
    internal = account_id(vault, "acct-1")
    blobs_before = len(stored_blobs(vault.settings))

    response = client.post("/api/v1/accounts/acct-1/erasure")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "purged"
    content = body["receipt"]
    assert content["counts"] == {
        "recordings": 4,
        "audio_blobs": 4,
        "transcripts": 3,
        "devices": 2,
        "household_members": 1,
        "exports": 0,
        "identity_values": 2,
        "data_keys": 1,
    }
    times = [
        datetime.fromisoformat(content[k])
        for k in ("requested_at", "key_destroyed_at", "purged_at")
    ]
    assert times == sorted(times)
    with vault.reading() as session:
        pseudonym = vault.keyring.pseudonym(session, kind="account", object_id=internal)
    assert content["account"] == pseudonym
    # The salt, returned once, ties the receipt to the person's account id.
    salt = bytes.fromhex(body["subject_salt"])
    assert hashlib.sha256(salt + b"acct-1").hexdigest() == content["subject_commitment"]
    assert hashlib.sha256(salt + b"acct-2").hexdigest() != content["subject_commitment"]

    # The signature verifies with the published key, and only for these exact bytes.
    key = client.get("/api/v1/erasure-receipts/public-key", headers={"Authorization": ""}).json()
    public = base64.b64decode(key["public_key"])
    signed = body["signed"]
    assert signed["public_key"] == key["public_key"] and content["signing_key"] == key["key_id"]
    verified = receipts.verify_bundle(signed, public_key=public)
    assert verified == content == json.loads(signed["receipt_json"])
    forged = signed["receipt_json"].replace('"recordings":4', '"recordings":3')
    with pytest.raises(ReceiptInvalid):
        receipts.verify(
            receipt_json=forged, signature=base64.b64decode(signed["signature"]), public_key=public
        )
    stranger = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    with pytest.raises(ReceiptInvalid):
        receipts.verify_bundle(signed, public_key=stranger)

    # Nothing is left; the audit log tells the story by pseudonym.
    assert count(vault, Account, id=internal) == 0
    assert count(vault, Recording) == 1
    assert len(stored_blobs(vault.settings)) == blobs_before - 4
    with vault.reading() as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    assert actions[-2:] == ["account:erased", "account:purged"]
    with vault.reading() as session:
        stored = session.get(ErasureReceipt, body["receipt_id"])
        assert stored is not None and stored.account_id is None
        assert stored.receipt == signed["receipt_json"]

    # Once purged, the account does not exist; the same id may sign up again, afresh.
    assert_error(client.post("/api/v1/accounts/acct-1/erasure"), 404, "not_found")
    assert client.put("/api/v1/accounts/acct-1", json={}).status_code == 201
    assert client.get("/api/v1/accounts/acct-1/recordings").json()["items"] == []


def test_asking_again_during_the_purge_resumes_it(client: TestClient, vault: Vault) -> None:
    populated(client)
    first = erasure.destroy_key(vault, external_id="acct-1", actor="tests")
    again = client.post("/api/v1/accounts/acct-1/erasure")
    assert again.status_code == 200, again.text
    assert again.json()["receipt_id"] == first.receipt_id
    assert again.json()["subject_salt"] is None  # shown once, by the call that shredded
    assert again.json()["status"] == "purged"


def test_receipts_of_unknown_ids(client: TestClient) -> None:
    assert_error(client.get("/api/v1/erasure-receipts/" + "0" * 32), 404, "not_found")
    assert_error(client.get("/api/v1/erasure-receipts/not-hex"), 404, "not_found")
    assert_error(client.post("/api/v1/accounts/nobody/erasure"), 404, "not_found")


def test_a_big_purge_runs_in_batches_and_resumes(settings: Settings) -> None:
    vault = open_vault(settings.model_copy(update={"retention_batch": 7}))
    try:
        register(vault, "big", devices=("big-1", "big-2"), members=("big-m",))
        seed(vault, "big", days_ago(*[n / 10 for n in range(40)]), prefix="b", device="big-1")
        done = erasure.destroy_key(vault, external_id="big", actor="tests")
        steps: list[int] = []
        assert not erasure.purge_account(
            vault, done.receipt_id, on_done=steps.append, should_stop=lambda: len(steps) == 3
        )
        # It stops after the batch in flight: some, not all, recordings are gone.
        assert set(steps) == {7} and 3 <= len(steps) < 40 / 7
        assert erasure.purge_erased(vault) == [done.receipt_id]
        view = erasure.get_receipt(vault, done.receipt_id)
        assert view.purged and view.content["counts"]["recordings"] == 40
        assert count(vault, Recording) == 0
    finally:
        vault.close()


# Known-answer vector: Ed25519 seed 00 01 02 … 1f signing a fixed receipt.
KAT_RECEIPT = (
    '{"account":"account:000000000000000000000000","counts":{"audio_blobs":2,"data_keys":1,'
    '"devices":1,"exports":0,"household_members":0,"identity_values":2,"recordings":2,'
    '"transcripts":1},"data_key_destroyed":"0011223344556677",'
    '"format":"voxkeep.erasure-receipt/v1","key_destroyed_at":"2026-03-03T10:00:00.250000+00:00",'
    '"purged_at":"2026-03-03T10:00:07.500000+00:00",'
    '"receipt_id":"00112233445566778899aabbccddeeff",'
    '"requested_at":"2026-03-03T10:00:00.000000+00:00","signing_key":"56475aa75463474c",'
    '"subject_commitment":"0000000000000000000000000000000000000000000000000000000000000000"}'
)
KAT_PUBLIC = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
KAT_SIGNATURE = (
    "f5ba0a1b71904360a34591e3012c4d2269d87d8bbb54a7b25ff2e1f121ab61eb"
    "4d2844d4873d1878bce89e69bb857d1e099f2f3e02e91a1eb9607b1e2dc11207"
)


def test_receipt_format_known_answer() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    content = json.loads(KAT_RECEIPT)
    text, signature = receipts.sign_with(key, content)
    assert text == KAT_RECEIPT  # canonical: sorted keys, no spaces, ASCII
    assert signature.hex() == KAT_SIGNATURE  # Ed25519 is deterministic
    public = bytes.fromhex(KAT_PUBLIC)
    assert receipts.key_id(public) == content["signing_key"]
    assert (
        receipts.verify(receipt_json=KAT_RECEIPT, signature=signature, public_key=public) == content
    )


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_verifies_a_receipt_without_voxkeep(tmp_path: Path) -> None:
    """docs/retention.md tells the person to check the receipt this way."""
    pem = receipts.public_key_pem(bytes.fromhex(KAT_PUBLIC))
    (tmp_path / "key.pem").write_text(pem)
    (tmp_path / "receipt.json").write_text(KAT_RECEIPT)
    (tmp_path / "receipt.sig").write_bytes(bytes.fromhex(KAT_SIGNATURE))
    command = [
        "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin",
        "-in", "receipt.json", "-sigfile", "receipt.sig",
    ]  # fmt: skip
    ok = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and "Signature Verified Successfully" in ok.stdout, ok.stderr
    (tmp_path / "receipt.json").write_text(KAT_RECEIPT.replace('"recordings":2', '"recordings":3'))
    bad = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert bad.returncode != 0


def test_the_cli_erases_and_checks_receipts(
    client: TestClient, vault: Vault, settings: Settings, tmp_path: Path
) -> None:
    populated(client)
    env = settings_env(settings)
    refused = run_cli("retention", "erase", "acct-1", env=env)
    assert refused.returncode != 0 and count(vault, DataKey) == 2  # no --yes, no terminal
    erased = run_cli("retention", "erase", "acct-1", "--yes", env=env)
    assert erased.returncode == 0, erased.stderr
    bundle = json.loads(erased.stdout)
    assert json.loads(bundle["receipt_json"])["counts"]["recordings"] == 4
    assert "salt" in erased.stderr
    content = json.loads(bundle["receipt_json"])
    # Both moments, apart: unreadable (key destroyed), bytes gone (purge finished).
    moments = (
        f"Unreadable since {content['key_destroyed_at']} (key destroyed); "
        f"bytes gone since {content['purged_at']} (purge finished)."
    )
    assert moments in " ".join(erased.stderr.split())
    (tmp_path / "receipt.json").write_text(erased.stdout)
    key = run_cli("retention", "public-key", env=env)
    (tmp_path / "key.pem").write_text(key.stdout)
    checked = run_cli(
        "retention",
        "verify",
        str(tmp_path / "receipt.json"),
        "--public-key",
        str(tmp_path / "key.pem"),
        env=env,
    )
    assert checked.returncode == 0 and "Valid receipt" in checked.stdout, checked.stderr
    assert moments in " ".join(checked.stdout.split())
    again = run_cli("retention", "receipt", bundle_id(bundle), env=env)
    assert json.loads(again.stdout) == bundle
    bundle["receipt_json"] = bundle["receipt_json"].replace('"devices":2', '"devices":0')
    (tmp_path / "forged.json").write_text(json.dumps(bundle))
    forged = run_cli("retention", "verify", str(tmp_path / "forged.json"), env=env)
    assert forged.returncode == 1 and "does not verify" in forged.stderr
    assert "Traceback" not in forged.stderr
    gone = run_cli("retention", "erase", "acct-1", "--yes", env=env)
    assert gone.returncode == 1 and "no account" in gone.stderr


def bundle_id(bundle: dict[str, str]) -> str:
    return str(json.loads(bundle["receipt_json"])["receipt_id"])


def test_erasure_receipt_ids_are_not_guessable_paths(vault: Vault) -> None:
    with pytest.raises(NotFound):
        erasure.get_receipt(vault, "../../etc/passwd")
