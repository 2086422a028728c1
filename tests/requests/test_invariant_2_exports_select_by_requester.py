"""Invariant 2: exports select by requester, never by argument.

No API route and no command that leads to an answer takes recording ids or an
owner to put into it; the job that builds an answer carries only the request
id; the builder and the gate take only an id and read ``request.account_id``
themselves. And, behaviourally, every answer holds exactly its requester's
recordings: byte for byte, nobody else's, none for an account without devices.
"""

from __future__ import annotations

import inspect
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from request_helpers import Person, Team, code_from, make_subject
from sqlalchemy import select

from helpers import make_wav, walk_commands
from smtp_sink import SmtpSink
from voxkeep.accounts.models import Language
from voxkeep.app import create_app
from voxkeep.cli import cli
from voxkeep.jobs.models import Job
from voxkeep.jobs.worker import run_once
from voxkeep.recordings.service import NewRecording, ingest
from voxkeep.requests import service, verification
from voxkeep.requests.models import Channel, DataRequest, RequestKind
from voxkeep.vault import Vault

# Anything that could choose whose data, or which data, goes into an answer.
CHOOSES_CONTENT = re.compile(r"recording|owner|subject|device|member|account|speaker", re.I)
# The one exception: a staff member entering a request names its subject, which is then
# verified through that account's own address before anything is built.
ALLOWED = {("POST", "/api/v1/requests", "account"), ("requests enter", "account")}
ANSWER_PATHS = ("/api/v1/requests", "/api/v1/exports")


@pytest.fixture
def openapi(vault: Vault) -> Iterator[dict[str, Any]]:
    with TestClient(create_app(vault)) as client:
        yield client.get("/api/openapi.json").json()


def _fields(schema: dict[str, Any], spec: dict[str, Any], seen: set[str]) -> Iterator[str]:
    """Every property name an input schema accepts, following $ref, arrays and unions."""
    ref = schema.get("$ref")
    if ref:
        if ref in seen:
            return
        seen.add(ref)
        name = ref.rsplit("/", 1)[1]
        yield from _fields(spec["components"]["schemas"][name], spec, seen)
        return
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            yield from _fields(part, spec, seen)
    if "items" in schema:
        yield from _fields(schema["items"], spec, seen)
    for prop, sub in schema.get("properties", {}).items():
        yield prop
        yield from _fields(sub, spec, seen)


def _inputs(spec: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    for path, operations in spec["paths"].items():
        if not path.startswith(ANSWER_PATHS):
            continue
        for method, op in operations.items():
            for param in op.get("parameters", []):
                yield method.upper(), path, param["name"]
            for media in op.get("requestBody", {}).get("content", {}).values():
                for name in _fields(media.get("schema", {}), spec, set()):
                    yield method.upper(), path, name


def test_no_route_takes_recordings_or_an_owner_for_an_answer(openapi: dict[str, Any]) -> None:
    inputs = list(_inputs(openapi))
    assert ("POST", "/api/v1/requests/mine", "kind") in inputs  # the scan sees the bodies
    choosing = {i for i in inputs if CHOOSES_CONTENT.search(i[2])}
    assert choosing <= ALLOWED, choosing - ALLOWED


def test_no_command_takes_recordings_or_an_owner_for_an_answer() -> None:
    seen = [
        (" ".join(path), p.name or "")
        for path, command in walk_commands(cli)
        if path[:1] in (("requests",), ("exports",))
        for p in command.params
    ]
    assert ("requests enter", "account") in seen
    choosing = {p for p in seen if CHOOSES_CONTENT.search(p[1])}
    assert ("requests enter", "account") in choosing
    assert choosing <= ALLOWED, choosing - ALLOWED


def test_the_builder_and_the_gate_take_only_an_id() -> None:
    from voxkeep.exports.builder import build_for_request
    from voxkeep.exports.gate import check_release

    assert list(inspect.signature(build_for_request).parameters) == ["vault", "request_id"]
    assert list(inspect.signature(check_release).parameters) == ["vault", "export_id"]


# Behaviour ------------------------------------------------------------------------------


def _recordings(vault: Vault, name: str, count: int, seed: int) -> dict[str, bytes]:
    made = {}
    start = datetime.now(UTC) - timedelta(days=30)
    for n in range(count):
        audio = make_wav(0.05, seed=seed * 100 + n)
        rec_id = f"{name}-rec-{n}"
        ingest(
            vault,
            NewRecording(
                id=rec_id,
                account=name,
                device=f"{name}-dev-0",
                captured_at=start + timedelta(hours=n),
                language=Language.EN,
                transcript=f"{name} says number {n}",
                speaker=None,
            ),
            audio,
            actor="system:test",
        )
        made[rec_id] = audio
    return made


def _archive(vault: Vault, account_id: str, request_id: str) -> zipfile.ZipFile:
    from voxkeep.exports.delivery import open_download

    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        assert request is not None and request.state == "ready", request and request.state
        export_id = request.export_id
    assert export_id is not None
    download = open_download(
        vault,
        person=Person(account_id),
        export_id=export_id,
        range_header=None,
        if_range=None,
        address="127.0.0.1",
        user_agent="tests",
    )
    return zipfile.ZipFile(io.BytesIO(b"".join(download.chunks)))


def _wavs(archive: zipfile.ZipFile) -> set[bytes]:
    return {archive.read(n) for n in archive.namelist() if n.endswith(".wav")}


def test_every_answer_holds_exactly_its_requesters_recordings(
    vault: Vault, team: Team, mail: SmtpSink
) -> None:
    ana, ben = make_subject(vault, "ana"), make_subject(vault, "ben")
    nobody = make_subject(vault, "nod", devices=0)
    mine = {"ana": _recordings(vault, "ana", 4, 1), "ben": _recordings(vault, "ben", 3, 2)}
    # ben asks in the portal; ana's request came by post (verified, four eyes).
    ben_request = service.file_request(
        vault, person=Person(ben.account_id), kind=RequestKind.ACCESS
    )
    nod_request = service.file_request(
        vault, person=Person(nobody.account_id), kind=RequestKind.PORTABILITY
    )
    ana_request = service.enter_request(
        vault, staff=team.alice, account="ana", kind=RequestKind.ACCESS, channel=Channel.POST
    )
    verification.send_code(vault, staff=team.alice, request_id=ana_request)
    code = code_from(mail, "ana@example.org")
    verification.check_code(
        vault, staff=team.alice, request_id=ana_request, code=code, evidence="letter"
    )
    service.approve(vault, staff=team.bob, request_id=ana_request)
    with vault.reading() as session:
        payloads = [(j.kind, j.payload) for j in session.scalars(select(Job))]
    assert payloads and all(set(p) == {"request_id"} for k, p in payloads if k == "export.build")
    assert run_once(vault) >= 3
    for who, request_id in ((ana, ana_request), (ben, ben_request)):
        archive = _archive(vault, who.account_id, request_id)
        assert _wavs(archive) == set(mine[who.external_id].values())
        manifest = json.loads(archive.read("manifest.json"))
        text = json.dumps(manifest)
        other = "ben" if who.external_id == "ana" else "ana"
        assert all(rec not in text for rec in mine[other])
    assert _wavs(_archive(vault, nobody.account_id, nod_request)) == set()
