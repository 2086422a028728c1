"""Several nodes, one vault: two API nodes and worker nodes over one PostgreSQL and one bucket.

Issue 13's measurement on loopback, with real processes (tests/nodes.py):
`voxkeep serve --no-jobs` twice and `voxkeep worker`, each in an empty working
directory and an empty data directory of its own, sharing nothing but the
database, the bucket (SeaweedFS) and the SMTP server. Recordings come in
through both API nodes; the worker building the access answer is frozen and
killed with SIGKILL, a second worker takes the job over; the answer is
downloaded through the other API node and checked against its signed manifest;
then the person's erasure is purged by the worker, and the bucket, listed with
every version and delete marker, holds no object the database named as theirs.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import signal
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select

from helpers import TEST_BACKEND, iso, make_wav
from nodes import (
    LEASE_S,
    Node,
    Nodes,
    bucket_names,
    job_of,
    job_story,
    pending_jobs,
    wait_for,
)
from people.people_helpers import PASSWORD, link_in
from smtp_sink import SmtpSink
from voxkeep.accounts.service import find_account
from voxkeep.exports.models import Export
from voxkeep.recordings.models import Recording
from voxkeep.requests.models import DataRequest, RequestEvent
from voxkeep.requests.service import ERASURE_RUN, EXPORT_BUILD
from voxkeep.retention.models import ErasureReceipt
from voxkeep.tokens.service import Scope, create_token
from voxkeep.vault import Vault

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        TEST_BACKEND != "postgresql", reason="nodes share a PostgreSQL, never a SQLite file"
    ),
]

ANNA, BEN = "mn-anna", "mn-ben"
ANNA_MAIL = "mn-anna@example.org"
RECORDINGS = 30  # big enough that building the answer takes a while
BEN_RECORDINGS = 4


Connect = Callable[[Node, str], httpx2.Client]


@pytest.fixture
def connect() -> Iterator[Connect]:
    """A client of a node with a bearer token (the operator's, or a person's session)."""
    opened: list[httpx2.Client] = []

    def client(node: Node, token: str) -> httpx2.Client:
        opened.append(
            httpx2.Client(
                base_url=node.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
            )
        )
        return opened[-1]

    yield client
    for client_ in opened:
        client_.close()


def _ok(response: httpx2.Response, *statuses: int) -> Any:
    assert response.status_code in statuses, (response.status_code, response.text[:500])
    return response.json() if response.content else None


def _register(client: httpx2.Client, account: str, device: str, email: str | None) -> None:
    body: dict[str, str] = {"language": "de"} | ({"email": email} if email else {})
    _ok(client.put(f"/api/v1/accounts/{account}", json=body), 200, 201)
    registered = iso(datetime.now(UTC) - timedelta(days=30))
    device_body = {"kind": "speaker", "name": "Küche", "registered_at": registered}
    _ok(client.put(f"/api/v1/accounts/{account}/devices/{device}", json=device_body), 200, 201)


def _upload(client: httpx2.Client, account: str, device: str, n: int) -> tuple[str, bytes]:
    rec_id = f"{account}-rec-{n}"
    audio = make_wav(3.0, seed=n + len(account))
    meta = {
        "id": rec_id,
        "account": account,
        "device": device,
        # Recent: the worker's retention sweeps must find nothing to sweep.
        "captured_at": iso(datetime.now(UTC) - timedelta(hours=n + 1)),
        "language": "de",
        "transcript": f"Wie wird das Wetter morgen {n}?",
    }
    files = {
        "metadata": (None, json.dumps(meta).encode(), "application/json"),
        "audio": ("clip.wav", audio, "audio/wav"),
    }
    _ok(client.post("/api/v1/recordings", files=files), 201)
    return rec_id, audio


def _request_state(vault: Vault, request_id: str) -> str | None:
    with vault.reading() as session:
        return session.scalar(select(DataRequest.state).where(DataRequest.id == request_id))


def _count(vault: Vault, query: Any) -> int:
    with vault.reading() as session:
        return int(session.scalar(query) or 0)


def _checked_archive(archive: bytes, view: dict[str, Any], public_key: str) -> dict[str, bytes]:
    """The answer's files by source, after checking the archive against its signed manifest
    the way docs/exports.md tells anyone to: signature, the listed files exactly, sizes, SHA-256."""
    assert len(archive) == view["size"]
    with zipfile.ZipFile(io.BytesIO(archive)) as answer:
        manifest = answer.read("manifest.json")
        assert hashlib.sha256(manifest).hexdigest() == view["manifest_sha256"]
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        key.verify(base64.b64decode(answer.read("manifest.sig")), manifest)  # raises if forged
        listed = json.loads(manifest)
        names = set(answer.namelist()) - {"manifest.json", "manifest.sig"}
        assert names == {entry["path"] for entry in listed["files"]}
        by_source: dict[str, bytes] = {}
        for entry in listed["files"]:
            data = answer.read(entry["path"])
            assert len(data) == entry["size"], entry["path"]
            assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
            if entry["path"].endswith(".wav"):
                by_source[entry["source"]] = data
    assert (listed["counts"]["recordings"], len(names)) == (view["recordings"], view["files"])
    return by_source


def test_two_api_nodes_and_a_worker_node_share_one_vault(
    vault: Vault, nodes: Nodes, mailbox: SmtpSink, connect: Connect
) -> None:
    assert vault.settings.s3_bucket is not None
    with vault.transaction() as session:
        _, token = create_token(
            session, name="multi-node", scopes=[Scope.INGEST, Scope.READ], actor="system"
        )
    node_a, node_b = nodes.api("api-a"), nodes.api("api-b")
    via_a, via_b = connect(node_a, token), connect(node_b, token)

    # Uploads through both API nodes, turn about; a second person's stay through it all.
    _register(via_a, ANNA, f"{ANNA}-kueche", ANNA_MAIL)
    _register(via_b, BEN, f"{BEN}-kueche", None)
    uploaded = dict(
        _upload((via_a, via_b)[n % 2], ANNA, f"{ANNA}-kueche", n) for n in range(RECORDINGS)
    )
    for n in range(BEN_RECORDINGS):
        _upload((via_b, via_a)[n % 2], BEN, f"{BEN}-kueche", n)

    # Anna is invited through B, sets her password and files her request through A.
    _ok(via_b.post(f"/api/v1/accounts/{ANNA}/invite"), 202)
    invite = link_in(mailbox.wait_for(ANNA_MAIL, count=1)[-1].body)[1]
    _ok(via_a.post("/api/v1/people/password", json={"token": invite, "password": PASSWORD}), 204)
    signed_in = via_a.post(
        "/api/v1/people/sessions", json={"email": ANNA_MAIL, "password": PASSWORD}
    )
    anna_session = _ok(signed_in, 201)["token"]
    anna_a, anna_b = connect(node_a, anna_session), connect(node_b, anna_session)
    reauth = {"password": PASSWORD}
    _ok(anna_a.post("/api/v1/people/sessions/current/reauth", json=reauth), 200, 204)

    first = nodes.worker("worker-1")
    request_id = _ok(anna_a.post("/api/v1/requests/mine", json={"kind": "access"}), 201)["id"]

    # The worker is frozen while it builds the answer, then killed.
    wait_for(
        "worker 1 to claim the answer",
        lambda: job_of(vault, EXPORT_BUILD, request_id).state == "running",
        about=lambda: job_story(vault, EXPORT_BUILD, request_id, first),
    )
    os.kill(first.pid, signal.SIGSTOP)
    claimed = job_of(vault, EXPORT_BUILD, request_id)
    assert _request_state(vault, request_id) == "building", "frozen after the answer"
    assert claimed.state == "running" and str(first.pid) in (claimed.locked_by or "")
    os.kill(first.pid, signal.SIGKILL)
    first.process.wait()

    second = nodes.worker("worker-2")
    wait_for(
        "worker 2 to finish the answer",
        lambda: _request_state(vault, request_id) == "ready",
        about=lambda: job_story(vault, EXPORT_BUILD, request_id, second),
    )
    wait_for("the job to be done", lambda: job_of(vault, EXPORT_BUILD, request_id).state == "done")
    job = job_of(vault, EXPORT_BUILD, request_id)
    assert job.attempts == 2  # worker 1's claim, then worker 2's
    assert job.locked_by is None or str(second.pid) in job.locked_by
    mails = mailbox.wait_for(ANNA_MAIL, count=2, timeout=60)  # the invitation, the answer's
    assert len(mails) == 2

    # Downloaded through the other API node: exactly what the signed manifest says.
    _ok(anna_b.post("/api/v1/people/sessions/current/reauth", json=reauth), 200, 204)
    [view] = _ok(anna_b.get("/api/v1/exports"), 200)
    assert (view["request_id"], view["state"]) == (request_id, "released")
    download = anna_b.get(f"/api/v1/exports/{view['id']}/archive")
    assert download.status_code == 200, download.text[:500]
    public_key = _ok(via_a.get("/api/v1/exports/key"), 200)["public_key"]
    audio = _checked_archive(download.content, view, public_key)
    assert audio == {f"recording:{rec_id}": wav for rec_id, wav in uploaded.items()}

    # Exactly once: one answer released, one step to ready, one mail, however long we wait.
    wait_for("every job to finish", lambda: pending_jobs(vault) == 0, timeout=60)
    time.sleep(LEASE_S * 2)
    released = select(func.count()).select_from(Export).where(Export.state == "released")
    to_ready = select(func.count()).select_from(RequestEvent)
    to_ready = to_ready.where(
        RequestEvent.request_id == request_id, RequestEvent.to_state == "ready"
    )
    assert (_count(vault, released), _count(vault, to_ready)) == (1, 1)
    assert len(mailbox.to(ANNA_MAIL)) == 2

    # The blobs the database names as Anna's and Ben's, before the erasure.
    with vault.reading() as session:
        anna_id = find_account(vault, session, ANNA).id
        pseudonym = vault.keyring.pseudonym(session, kind="account", object_id=anna_id)
        owners = session.execute(select(Recording.account_id, Recording.audio_blob)).all()
        archives = session.scalars(select(Export.blob).where(Export.account_id == anna_id))
        anna_keys = {blob for owner, blob in owners if owner == anna_id} | {
            blob for blob in archives if blob is not None
        }
    ben_keys = {blob for owner, blob in owners if owner != anna_id}
    prefix = vault.settings.s3_prefix
    assert len(anna_keys) == RECORDINGS + 1 and len(ben_keys) == BEN_RECORDINGS
    assert {prefix + key for key in anna_keys | ben_keys} <= bucket_names(vault)

    # Anna erases her account through B; the worker purges it.
    erasure_id = _ok(anna_b.post("/api/v1/requests/mine", json={"kind": "erasure"}), 201)["id"]
    wait_for(
        "the worker to run the erasure",
        lambda: _request_state(vault, erasure_id) == "closed",
        about=lambda: job_story(vault, ERASURE_RUN, erasure_id, second),
    )
    left = bucket_names(vault)
    assert not {prefix + key for key in anna_keys} & left
    assert {prefix + key for key in ben_keys} <= left
    receipts = select(func.count()).select_from(ErasureReceipt)
    assert _count(vault, receipts.where(ErasureReceipt.account_pseudonym == pseudonym)) == 1
    assert _count(vault, receipts.where(ErasureReceipt.purged_at.is_not(None))) == 1
    assert len(mailbox.wait_for(ANNA_MAIL, count=3, timeout=60)) == 3  # and the receipt
    wait_for("every job to finish", lambda: pending_jobs(vault) == 0, timeout=60)
    assert job_of(vault, ERASURE_RUN, erasure_id).state == "done"

    # Every node stops cleanly and kept nothing of the vault on its own disk.
    assert second.stop() == 0, second.last_words()
    for node in (node_a, node_b):
        # uvicorn shuts down gracefully on SIGTERM, then raises it again (exit by SIGTERM,
        # which systemd counts as a clean stop).
        assert node.stop() in (0, -signal.SIGTERM), node.last_words()
    for node in (second, node_a, node_b):
        assert "Traceback" not in node.log.read_text(errors="replace"), node.name
    for node in nodes.running:
        assert not (node.home / "data" / "blobs").exists()

    # What the killed worker may have uploaded and never named is an orphan: gc takes it,
    # and then the bucket holds Ben's recordings and nothing else, in any version.
    gc = nodes.command("gc", "gc", "--grace", "0")
    assert gc.returncode == 0, gc.stderr
    assert bucket_names(vault) == {prefix + key for key in ben_keys}
