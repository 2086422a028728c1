"""An erased account's id answers 410 account_erased wherever it is used until its
purge is done; then the vault keeps nothing of it (invariant 6) and the id answers
404 with a hint that says so, like an id never registered."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import make_wav, setup_account, upload
from voxkeep.accounts.models import Account
from voxkeep.retention import erasure
from voxkeep.tokens.service import Scope, create_token
from voxkeep.vault import Vault


def calls_with_the_id(client: TestClient) -> dict[str, Any]:
    device = {"kind": "speaker", "name": "Küche"}
    base = "/api/v1/accounts/acct-1"
    return {
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


def test_an_erased_id_answers_410_until_the_purge_then_404_that_says_so(
    client: TestClient, vault: Vault
) -> None:
    with vault.transaction() as session:
        _, token = create_token(session, name="all", scopes=list(Scope), actor="system")
    client.headers["Authorization"] = f"Bearer {token}"
    setup_account(client)
    assert client.put("/api/v1/accounts/acct-1", json={"email": "a@example.org"}).is_success
    assert upload(client, audio=make_wav(0.2)).status_code == 201

    erasure.destroy_key(vault, external_id="acct-1", actor="tests")
    for name, response in calls_with_the_id(client).items():
        assert response.status_code == 410, (name, response.text)
        body = response.json()
        assert body["code"] == "account_erased", (name, body)
        assert body["error"].startswith("This account was erased"), body
        assert "purge" in body["hint"] and "404" in body["hint"]

    erasure.purge_erased(vault)
    with vault.reading() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 0
    response = client.get("/api/v1/accounts/acct-1/recordings")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert "erased account" in response.json()["hint"]
