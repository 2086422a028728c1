"""An erased account's id answers 410 account_erased wherever it is used, before the
purge and after it, and is not registered again; what stays of it reads nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import make_wav, setup_account, upload
from voxkeep.accounts.models import Account
from voxkeep.retention import erasure
from voxkeep.tokens.service import Scope, create_token
from voxkeep.vault import Vault


def calls_with_the_id(client: TestClient, *, purged: bool) -> dict[str, Any]:
    device = {"kind": "speaker", "name": "Küche"}
    base = "/api/v1/accounts/acct-1"
    calls = {
        "register": client.put(base, json={"language": "fr"}),
        "device": client.put(f"{base}/devices/dev-9", json=device),
        "remove device": client.delete(f"{base}/devices/dev-1"),
        "member": client.put(f"{base}/members/m-1", json={"name": "Kim"}),
        "list": client.get(f"{base}/recordings"),
        "read": client.get(f"{base}/recordings/rec-1"),
        "audio": client.get(f"{base}/recordings/rec-1/audio"),
        "upload": upload(client, rec_id="late", audio=make_wav(0.1)),
        "delete": client.post(f"{base}/deletions", json={"kind": "all"}),
        "delete one": client.delete(f"{base}/recordings/rec-1"),
        "invite": client.post(f"{base}/invite"),
    }
    if purged:  # before, asking again resumes the purge (docs/retention.md)
        calls["erase"] = client.post(f"{base}/erasure")
    return calls


def assert_erased(calls: dict[str, Any]) -> None:
    for name, response in calls.items():
        assert response.status_code == 410, (name, response.text)
        body = response.json()
        assert body["code"] == "account_erased", (name, body)
        assert body["error"].startswith("This account was erased"), body
        assert "new id" in body["hint"]


def test_an_erased_id_answers_410_before_and_after_the_purge(
    client: TestClient, vault: Vault
) -> None:
    with vault.transaction() as session:
        _, token = create_token(session, name="all", scopes=list(Scope), actor="system")
    client.headers["Authorization"] = f"Bearer {token}"
    setup_account(client)
    assert client.put("/api/v1/accounts/acct-1", json={"email": "a@example.org"}).is_success
    assert upload(client, audio=make_wav(0.2)).status_code == 201
    with vault.reading() as session:
        old = session.scalars(select(Account)).one()
        old_id, id_hash = old.id, old.external_id_hash

    erasure.destroy_key(vault, external_id="acct-1", actor="tests")
    assert_erased(calls_with_the_id(client, purged=False))  # while the purge is pending

    erasure.purge_erased(vault)
    assert_erased(calls_with_the_id(client, purged=True))  # and once it is done, for good

    # What stays is a tombstone: the id's keyed hash, nothing readable, a new row id.
    with vault.reading() as session:
        stone = session.scalars(select(Account)).one()
    assert stone.external_id_hash == id_hash and stone.id != old_id
    assert stone.external_id_ct == b"" and stone.email_hash is None and stone.email_ct is None
    assert stone.erased_at is not None
    # The address is free for another account; an unknown id is still plain 404.
    assert client.put("/api/v1/accounts/acct-2", json={"email": "a@example.org"}).is_success
    unknown = client.get("/api/v1/accounts/acct-3/recordings")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
