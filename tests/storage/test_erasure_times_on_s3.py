"""An erasure on S3 states two moments: unreadable (key destroyed) and bytes gone (purged).

"Bytes gone" is recorded only once the versioned bucket holds no version of
any object of the account (its recordings and its answer archive): the test
lists the bucket's versions at the very moment the purge records it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from exports.export_helpers import run_export_job
from exports.factory import household, portal_request, record
from s3_server import S3Server
from voxkeep.app import create_app
from voxkeep.exports.models import Export
from voxkeep.recordings.models import Recording
from voxkeep.retention import erasure
from voxkeep.storage.s3 import S3BlobStore
from voxkeep.tokens.service import Scope, create_token
from voxkeep.vault import Vault


def _versions(server: S3Server, store: S3BlobStore, keys: set[str]) -> list[str]:
    """Every version and delete marker in the bucket of the given blob keys."""
    listing = server.client().list_object_versions(Bucket=server.bucket, Prefix=store.prefix)
    assert not listing.get("IsTruncated")
    entries = [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
    return [e["Key"] for e in entries if e["Key"].removeprefix(store.prefix) in keys]


def test_bytes_gone_is_recorded_only_when_the_bucket_holds_no_version(
    vault: Vault, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = vault.blobs
    assert isinstance(store, S3BlobStore)
    house = household(vault, "okapi-gone-4711")
    for n in range(5):
        record(vault, house, f"gone-rec-{n}", seed=n)
    export_id = run_export_job(vault, portal_request(vault, house))
    assert export_id is not None
    with vault.reading() as session:
        keys = set(
            session.scalars(
                select(Recording.audio_blob).where(Recording.account_id == house.account_id)
            )
        )
        archive = session.scalar(select(Export.blob).where(Export.id == export_id))
    assert archive is not None and len(keys) == 5
    keys.add(archive)
    # A versioned bucket: a plain DELETE of one would leave its bytes as an old version.
    assert len(_versions(s3_server, store, keys)) == 6

    left_when_recorded: list[list[str]] = []
    finish = erasure._finish

    def watched_finish(*args: Any, **kwargs: Any) -> bool:
        left_when_recorded.append(_versions(s3_server, store, keys))
        return finish(*args, **kwargs)

    monkeypatch.setattr(erasure, "_finish", watched_finish)
    done, view = erasure.erase_account(vault, external_id=house.external_id, actor="system:test")

    assert left_when_recorded and left_when_recorded[-1] == []
    assert view.bytes_gone_at is not None and view.unreadable_at <= view.bytes_gone_at
    with vault.transaction() as session:
        _, token = create_token(session, name="eraser", scopes=[Scope.DELETE], actor="system")
    with TestClient(create_app(vault)) as client:
        answer = client.get(
            f"/api/v1/erasure-receipts/{done.receipt_id}",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "purged"
    assert datetime.fromisoformat(body["unreadable_at"]) == view.unreadable_at
    assert datetime.fromisoformat(body["bytes_gone_at"]) == view.bytes_gone_at
    assert body["receipt"]["key_destroyed_at"] == view.content["key_destroyed_at"]
    assert body["receipt"]["purged_at"] == view.content["purged_at"]
