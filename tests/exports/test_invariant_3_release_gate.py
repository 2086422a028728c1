"""Invariant 3: no archive is downloadable until a check independent of the builder passed.

Each case damages an answer the way a bug, an insider or a disk could, and
checks that the gate blocks the request, destroys the archive key and opens an
incident naming the request.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta

import pytest
from export_helpers import archive_bytes
from factory import BASE, Household, household, portal_request, record
from sqlalchemy import select, update

from voxkeep.accounts.models import Device
from voxkeep.crypto import aead
from voxkeep.exports import builder, gate, signing
from voxkeep.exports.gate import ReleaseBlocked, check_release
from voxkeep.exports.models import Export
from voxkeep.incidents.models import Incident
from voxkeep.requests.models import DataRequest
from voxkeep.vault import Vault

Files = dict[str, bytes]


def _households(vault: Vault) -> tuple[Household, Household]:
    me = household(vault, "me", devices=(("kueche", "Küche"), ("flur", "Flur")))
    stranger = household(vault, "stranger", devices=(("schlafzimmer", "Schlafzimmer"),))
    for n in range(3):
        record(vault, me, f"me-{n}", device=me.devices[n % 2], at=BASE + timedelta(hours=n))
        record(vault, stranger, f"st-{n}", at=BASE + timedelta(hours=n), transcript="Gute Nacht")
    return me, stranger


def _build(vault: Vault, house: Household) -> tuple[str, str]:
    request_id = portal_request(vault, house)
    return request_id, builder.build_for_request(vault, request_id).id


def _rewrite(
    vault: Vault, export_id: str, mutate: Callable[[Files], None], *, resign: bool
) -> None:
    """Replace a built archive with a changed one, encrypted under the same key."""
    with zipfile.ZipFile(io.BytesIO(archive_bytes(vault, export_id))) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    mutate(files)
    if resign:
        with vault.reading() as session:
            signature = signing.sign(vault, session, files["manifest.json"])
        files["manifest.sig"] = base64.b64encode(signature) + b"\n"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None and export.key_sealed is not None and export.blob
        data_key = vault.keyring.data_key(session, export.account_id)
        key = aead.open_sealed(
            data_key,
            export.key_sealed,
            ad=builder.export_key_ad(export.account_id, export_id),
            kind="export key",
        )
        blob, account_id = export.blob, export.account_id
    vault.blobs.delete(blob)
    sealed = aead.encrypt_bytes(key, out.getvalue(), ad=builder.export_ad(account_id, export_id))
    vault.blobs.put_stream(blob, [sealed])


def _assert_blocked(vault: Vault, request_id: str, export_id: str, check: str) -> None:
    with pytest.raises(ReleaseBlocked) as caught:
        check_release(vault, export_id)
    assert caught.value.check == check
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        export = session.get(Export, export_id)
        incidents = list(session.scalars(select(Incident).where(Incident.request_id == request_id)))
    assert request is not None and request.state == "blocked"
    assert export is not None and export.state == "blocked" and export.gate_failure == check
    assert export.key_sealed is None and export.blob is None  # never releasable, even by mistake
    assert [(i.kind, i.details["export"], i.details["check"]) for i in incidents] == [
        ("release_gate_failed", export_id, check)
    ]
    assert caught.value.incident_id == incidents[0].id


def test_a_sound_archive_passes_and_is_released(vault: Vault) -> None:
    me, _ = _households(vault)
    request_id, export_id = _build(vault, me)
    verdict = check_release(vault, export_id)
    assert verdict.recordings == 3
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        export = session.get(Export, export_id)
    assert request is not None and request.state == "ready"
    assert export is not None and export.state == "released" and export.expires_at is not None


def test_tampered_archive_is_blocked(vault: Vault) -> None:
    me, _ = _households(vault)
    request_id, export_id = _build(vault, me)

    def flip(files: Files) -> None:
        name = next(n for n in files if n.endswith(".wav"))
        files[name] = files[name][:-1] + bytes([files[name][-1] ^ 1])

    _rewrite(vault, export_id, flip, resign=False)
    _assert_blocked(vault, request_id, export_id, "entry_hash")


def test_changed_manifest_without_a_valid_signature_is_blocked(vault: Vault) -> None:
    me, _ = _households(vault)
    request_id, export_id = _build(vault, me)

    def drop(files: Files) -> None:
        manifest = json.loads(files["manifest.json"])
        manifest["created_at"] = "2000-01-01T00:00:00Z"
        files["manifest.json"] = json.dumps(manifest).encode()

    _rewrite(vault, export_id, drop, resign=False)
    _assert_blocked(vault, request_id, export_id, "signature")


def test_foreign_entry_forced_into_a_signed_manifest_is_blocked(vault: Vault) -> None:
    me, stranger = _households(vault)
    request_id, export_id = _build(vault, me)
    foreign = stranger.recordings["st-0"]

    def smuggle(files: Files) -> None:
        manifest = json.loads(files["manifest.json"])
        path = "recordings/2024/03/2024-03-05T07-00-00Z_me-schlafzimmer.wav"
        files[path] = foreign
        manifest["files"].append(
            {
                "path": path,
                "size": len(foreign),
                "sha256": hashlib.sha256(foreign).hexdigest(),
                "owner": manifest["owner"],
                "source": "recording:st-0",
            }
        )
        manifest["counts"]["files"] += 1
        manifest["counts"]["recordings"] += 1
        files["manifest.json"] = json.dumps(manifest).encode()

    _rewrite(vault, export_id, smuggle, resign=True)  # a builder bug would sign it too
    _assert_blocked(vault, request_id, export_id, "foreign_recording")


def test_unlisted_file_is_blocked(vault: Vault) -> None:
    me, stranger = _households(vault)
    request_id, export_id = _build(vault, me)

    def add(files: Files) -> None:
        files["recordings/extra.wav"] = stranger.recordings["st-1"]

    _rewrite(vault, export_id, add, resign=False)
    _assert_blocked(vault, request_id, export_id, "unlisted_entry")


def test_builder_reading_the_wrong_account_is_blocked(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 2018 case: two requests at once, one person's data assembled for the other."""
    me, stranger = _households(vault)
    real = builder.read_snapshot

    def mixed_up(vault: Vault, session: object, account_id: str, **kw: object) -> object:
        return real(vault, session, stranger.account_id, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(builder, "read_snapshot", mixed_up)
    request_id, export_id = _build(vault, me)
    monkeypatch.undo()
    with vault.reading() as session:  # the export row says the stranger owns it
        export = session.get(Export, export_id)
        assert export is not None and export.account_id == stranger.account_id
    _assert_blocked(vault, request_id, export_id, "export_owner")


def test_recording_from_a_device_not_registered_to_the_requester_is_blocked(vault: Vault) -> None:
    me, stranger = _households(vault)
    with vault.transaction() as session:  # the vault says the hallway device is someone else's
        session.execute(
            update(Device).where(Device.id == me.devices[1]).values(account_id=stranger.account_id)
        )
    request_id, export_id = _build(vault, me)
    _assert_blocked(vault, request_id, export_id, "unregistered_device")


def test_account_without_devices_receiving_recordings_is_blocked(vault: Vault) -> None:
    me, stranger = _households(vault)
    with vault.transaction() as session:
        session.execute(
            update(Device)
            .where(Device.account_id == me.account_id)
            .values(account_id=stranger.account_id)
        )
    request_id, export_id = _build(vault, me)
    _assert_blocked(vault, request_id, export_id, "no_device")


def test_counts_must_match_the_vault(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    me, _ = _households(vault)
    real = builder.read_snapshot

    def forgetful(*args: object, **kw: object) -> builder.Snapshot:
        snap = real(*args, **kw)  # type: ignore[arg-type]
        snap.rows = snap.rows[1:]
        return snap

    monkeypatch.setattr(builder, "read_snapshot", forgetful)
    monkeypatch.setattr(gate, "SNAPSHOT_SLACK", timedelta(0))
    request_id, export_id = _build(vault, me)
    _assert_blocked(vault, request_id, export_id, "counts")


def _swap_audio(vault: Vault, export_id: str, audio: bytes) -> None:
    """Put other audio under a recording's name, with a manifest re-signed to match."""

    def swap(files: Files) -> None:
        manifest = json.loads(files["manifest.json"])
        entry = next(e for e in manifest["files"] if e["source"] == "recording:me-0")
        files[entry["path"]] = audio
        entry["size"], entry["sha256"] = len(audio), hashlib.sha256(audio).hexdigest()
        files["manifest.json"] = json.dumps(manifest).encode()

    _rewrite(vault, export_id, swap, resign=True)  # a builder bug would sign it too


def test_a_strangers_audio_under_the_requesters_recording_is_blocked(vault: Vault) -> None:
    """Consistent archive and signed manifest, but the bytes are not the vault's for that id."""
    me, stranger = _households(vault)
    request_id, export_id = _build(vault, me)
    _swap_audio(vault, export_id, stranger.recordings["st-0"])
    _assert_blocked(vault, request_id, export_id, "recording_bytes")


def _forget_sealed_hashes(vault: Vault, account_id: str) -> None:
    """Make the account's recordings look as if stored before migration 0002."""
    from voxkeep.recordings.models import Recording

    with vault.transaction() as session:
        session.execute(
            update(Recording).where(Recording.account_id == account_id).values(audio_sha256=None)
        )


def test_recordings_stored_before_sealed_hashes_are_answered_and_checked(vault: Vault) -> None:
    me, stranger = _households(vault)
    _forget_sealed_hashes(vault, me.account_id)
    request_id, export_id = _build(vault, me)
    assert check_release(vault, export_id).recordings == 3
    with zipfile.ZipFile(io.BytesIO(archive_bytes(vault, export_id))) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    hashes = {e["source"]: e["sha256"] for e in manifest["files"]}
    for rid, audio in me.recordings.items():
        assert hashes[f"recording:{rid}"] == hashlib.sha256(audio).hexdigest()

    request_id, export_id = _build(vault, me)  # and a stranger's bytes are still caught
    _swap_audio(vault, export_id, stranger.recordings["st-0"])
    _assert_blocked(vault, request_id, export_id, "recording_bytes")


def test_a_sealed_hash_moved_to_another_recording_does_not_open(vault: Vault) -> None:
    """Invariant 1 for the hash: it is bound to its owner and recording id."""
    from voxkeep.errors import IntegrityFailure
    from voxkeep.recordings.models import Recording
    from voxkeep.recordings.service import stored_sha256

    me, _ = _households(vault)
    with vault.reading() as session:
        rows = {r.id: r for r in session.scalars(select(Recording))}
        key = vault.keyring.data_key(session, me.account_id)
    own = rows["me-0"]
    assert (
        stored_sha256(vault, key, me.account_id, "me-0", own.audio_sha256, own.audio_blob)
        == hashlib.sha256(me.recordings["me-0"]).digest()
    )
    with pytest.raises(IntegrityFailure):
        stored_sha256(vault, key, me.account_id, "me-1", own.audio_sha256, own.audio_blob)
