"""A vault whose blobs live in S3 (SeaweedFS): ingest, audio ranges, an answer downloaded.

Every object and every version in the vault's part of the bucket is then read
back raw: none holds a plaintext marker, and every object name is a random key.
"""

from __future__ import annotations

import re
from dataclasses import replace

from fastapi.testclient import TestClient
from sqlalchemy import select

from exports.export_helpers import archive_bytes, open_zip, run_export_job
from exports.factory import Person
from people.people_helpers import PASSWORD, bearer, sign_in
from portal.portal_helpers import CLIPS, household
from s3_server import S3Server
from smtp_sink import SmtpSink
from voxkeep.accounts import service as accounts
from voxkeep.recordings.models import Recording
from voxkeep.requests.models import RequestKind
from voxkeep.requests.service import file_request
from voxkeep.storage.s3 import S3BlobStore
from voxkeep.vault import Vault


def _objects(server: S3Server, store: S3BlobStore) -> dict[str, list[bytes]]:
    """Every version's bytes of every object below the store's prefix, by name."""
    client = server.client()
    found: dict[str, list[bytes]] = {}
    listing = client.list_object_versions(Bucket=server.bucket, Prefix=store.prefix)
    assert not listing.get("IsTruncated")
    for version in listing.get("Versions", []):
        body = client.get_object(
            Bucket=server.bucket, Key=version["Key"], VersionId=version["VersionId"]
        )["Body"].read()
        found.setdefault(version["Key"], []).append(body)
    return found


def test_a_vault_on_s3_ingests_serves_audio_ranges_and_delivers_an_answer(
    vault: Vault, client: TestClient, mailbox: SmtpSink, s3_server: S3Server
) -> None:
    store = vault.blobs
    assert isinstance(store, S3BlobStore)
    household(client, mailbox, password=PASSWORD)  # uploads every clip over the API
    token = sign_in(client, "anna@example.org")
    anna = bearer(token)

    path = "/api/v1/me/recordings/rec-car-1/audio"
    whole = client.get(path, headers=anna)
    assert whole.status_code == 200, whole.text
    size = len(whole.content)
    part = client.get(path, headers={**anna, "Range": "bytes=65000-70000"})
    assert part.status_code == 206
    assert part.content == whole.content[65000:70001]
    assert client.get(path, headers={**anna, "Range": "bytes=-10"}).content == whole.content[-10:]
    assert client.get(path, headers={**anna, "Range": f"bytes={size}-"}).status_code == 416

    with vault.reading() as session:
        account_id = accounts.find_account(vault, session, "acct-1").id
    request_id = file_request(vault, person=Person(account_id), kind=RequestKind.ACCESS)
    export_id = run_export_job(vault, request_id)
    assert export_id is not None
    archive = archive_bytes(vault, export_id)
    with open_zip(archive) as answer:
        names = answer.namelist()
    assert sum(name.endswith(".wav") for name in names) == len(CLIPS)
    reauth = client.post(
        "/api/v1/people/sessions/current/reauth", json={"password": PASSWORD}, headers=anna
    )
    assert reauth.status_code in (200, 204), reauth.text
    url = f"/api/v1/exports/{export_id}/archive"
    tail = client.get(url, headers={**anna, "Range": f"bytes={len(archive) - 1000}-"})
    assert tail.status_code == 206
    assert tail.content == archive[-1000:]
    full = client.get(url, headers=anna)
    assert full.status_code == 200
    assert full.content == archive

    objects = _objects(s3_server, store)
    assert len(objects) == len(CLIPS) + 1  # one object per recording, and the answer
    for name, versions in objects.items():
        assert re.fullmatch(re.escape(store.prefix) + "[0-9a-f]{32}", name)
        for raw in versions:
            for clip in CLIPS:
                assert clip.transcript.encode() not in raw
            assert b"RIFF" not in raw and b"WAVE" not in raw and b"PK\x03\x04" not in raw
            assert b"anna@example.org" not in raw and b"acct-1" not in raw


def test_erasure_on_s3_leaves_no_object_or_version_and_gc_finds_orphans(
    vault: Vault, client: TestClient, mailbox: SmtpSink, s3_server: S3Server
) -> None:
    from voxkeep.retention import erasure
    from voxkeep.storage.gc import collect_orphans

    store = vault.blobs
    assert isinstance(store, S3BlobStore)
    household(client, mailbox, password=PASSWORD)
    bens = tuple(
        replace(clip, id=f"ben-{clip.id}", device="dev-ben", speaker=None) for clip in CLIPS
    )
    household(
        client,
        mailbox,
        account="acct-2",
        email="ben@example.org",
        password=PASSWORD,
        clips=bens,
        devices={"dev-ben": "Phone"},
        members={},
    )
    with vault.reading() as session:
        keep = {
            row.audio_blob
            for row in session.scalars(select(Recording))
            if row.account_id != accounts.find_account(vault, session, "acct-1").id
        }
    assert len(_objects(s3_server, store)) == 2 * len(CLIPS)

    _, receipt = erasure.erase_account(vault, external_id="acct-1", actor="tests")
    assert receipt.content["counts"]["recordings"] == len(CLIPS)
    assert set(_objects(s3_server, store)) == {store.prefix + key for key in keep}
    assert _versions_below(s3_server, store.prefix) == {store.prefix + key for key in keep}

    orphan = store.new_key()  # a crash between the object and its row
    store.put_stream(orphan, [b"ciphertext nobody names"])
    report = collect_orphans(vault, grace_s=-60)
    assert report.orphans == [orphan]
    assert _versions_below(s3_server, store.prefix) == {store.prefix + key for key in keep}


def _versions_below(server: S3Server, prefix: str) -> set[str]:
    """The name of every version and delete marker below prefix."""
    listing = server.client().list_object_versions(Bucket=server.bucket, Prefix=prefix)
    return {v["Key"] for v in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]}
