"""`voxkeep import` through the real CLI: reports, rejections, reruns and a killed import.

The import runs as a subprocess of the installed `voxkeep` command against the
test vault (VOXKEEP_DATA_DIR / VOXKEEP_DATABASE_URL); results are read back
through the API and the services of the same vault.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import (
    ago,
    assert_clean_failure,
    assert_clean_failure_in_process,
    invoke_cli,
    make_wav,
    pcm_wav,
    run_cli,
    settings_cli_env,
    settings_env,
    stored_blobs,
    voxkeep_command,
)
from voxkeep.accounts.service import find_account
from voxkeep.config import Settings
from voxkeep.errors import NotFound
from voxkeep.recordings import bulk, importer
from voxkeep.recordings.models import Recording
from voxkeep.recordings.service import decrypt_blob
from voxkeep.vault import Vault

SUMMARY = re.compile(
    r"^(?P<found>\d+) WAV files: (?P<imported>\d+) imported, (?P<present>\d+) already present, "
    r"(?P<rejected>\d+) rejected(?:, \d+ discarded[^;.]*)?(?:; (?P<accounts>\d+) accounts "
    r"registered)?\.$",
    re.MULTILINE,
)
REJECTED = re.compile(r"^  rejected (?P<path>\S+): (?P<reason>.+)$", re.MULTILINE)

ACCOUNTS = [
    {
        "id": "imp-a",
        "email": "a@example.org",
        "language": "de",
        "retention": "until_deleted",
        "devices": [
            {"id": "imp-a-kitchen", "kind": "speaker", "name": "Küche"},
            {"id": "imp-a-car", "kind": "car", "name": "Auto", "registered_at": ago(days=90)},
        ],
        "members": [{"id": "imp-a-oma", "name": "Oma"}],
    },
    {
        "id": "imp-b",
        "language": "fr",
        "retention": "until_deleted",
        "devices": [{"id": "imp-b-salon", "kind": "tv", "name": "Salon"}],
    },
]


def summary(output: str) -> dict[str, int]:
    match = SUMMARY.search(output)
    assert match, output
    return {k: int(v) for k, v in match.groupdict(default="0").items()}


def rejections(output: str) -> dict[str, str]:
    return {m["path"]: m["reason"] for m in REJECTED.finditer(output)}


def sidecar(rec_id: str, account: str, device: str, **extra: Any) -> dict[str, Any]:
    meta = {
        "id": rec_id,
        "account": account,
        "device": device,
        "captured_at": ago(days=2),
        "language": "de",
        "transcript": f"Transkript von {rec_id}",
    }
    meta.update(extra)
    return meta


def put(folder: Path, rel: str, audio: bytes | None, meta: dict[str, Any] | bytes | None) -> None:
    wav = folder / rel
    wav.parent.mkdir(parents=True, exist_ok=True)
    if audio is not None:
        wav.write_bytes(audio)
    if meta is not None:
        raw = meta if isinstance(meta, bytes) else json.dumps(meta).encode()
        wav.with_suffix(".json").write_bytes(raw)


def write_accounts(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.json").write_text(json.dumps(ACCOUNTS), encoding="utf-8")


def good_files(folder: Path) -> dict[tuple[str, str], bytes]:
    """Five valid recordings in nested folders; returns {(account, id): audio}."""
    write_accounts(folder)
    expected = {}
    plan = [
        ("imp-a/2024/01/morning.wav", "rec-a1", "imp-a", "imp-a-kitchen", {"speaker": "imp-a-oma"}),
        ("imp-a/2024/01/evening.wav", "rec-a2", "imp-a", "imp-a-kitchen", {}),
        ("imp-a/2024/02/deep/er/drive.wav", "rec-a3", "imp-a", "imp-a-car", {}),
        ("imp-b/salon.wav", "rec-b1", "imp-b", "imp-b-salon", {"language": "fr"}),
        ("top-level.wav", "rec-b2", "imp-b", "imp-b-salon", {"transcript": None}),
    ]
    for n, (rel, rec_id, account, device, extra) in enumerate(plan):
        audio = make_wav(0.2 + n / 10, seed=40 + n)
        put(folder, rel, audio, sidecar(rec_id, account, device, **extra))
        expected[(account, rec_id)] = audio
    return expected


def recording_count(vault: Vault) -> int:
    with vault.reading() as session:
        return session.scalar(select(func.count()).select_from(Recording)) or 0


def assert_stored(client: TestClient, expected: dict[tuple[str, str], bytes]) -> None:
    for (account, rec_id), audio in expected.items():
        got = client.get(f"/api/v1/accounts/{account}/recordings/{rec_id}/audio")
        assert got.status_code == 200, got.text
        assert got.content == audio


def test_clean_import_exits_zero_and_rerun_imports_nothing(
    settings: Settings, vault: Vault, client: TestClient, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    expected = good_files(folder)
    env = settings_env(settings)

    first = run_cli("import", str(folder), env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Traceback" not in first.stderr
    assert summary(first.stdout) == {
        "found": 5,
        "imported": 5,
        "present": 0,
        "rejected": 0,
        "accounts": 2,
    }
    assert rejections(first.stdout) == {}
    assert_stored(client, expected)
    transcript = client.get("/api/v1/accounts/imp-a/recordings/rec-a1/transcript").json()
    assert transcript["transcript"] == "Transkript von rec-a1"
    assert client.get("/api/v1/accounts/imp-b/recordings/rec-b2/transcript").json() == {
        "id": "rec-b2",
        "transcript": None,
    }
    assert client.get("/api/v1/accounts/imp-a/recordings/rec-a1").json()["speaker"] == "imp-a-oma"
    blobs = stored_blobs(settings)
    assert len(blobs) == 5

    again = invoke_cli("import", str(folder), env=settings_cli_env(settings))
    assert again.exit_code == 0, again.output
    assert summary(again.stdout) == {
        "found": 5,
        "imported": 0,
        "present": 5,
        "rejected": 0,
        "accounts": 2,
    }
    assert recording_count(vault) == 5
    assert stored_blobs(settings) == blobs
    assert_stored(client, expected)


def test_every_rejected_file_is_listed_with_its_reason(
    settings: Settings, vault: Vault, client: TestClient, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    expected = good_files(folder)
    a = ("imp-a", "imp-a-kitchen")
    put(folder, "broken/no-sidecar.wav", make_wav(0.1), None)
    put(folder, "broken/corrupt.wav", make_wav(0.3)[:-500], sidecar("rec-bad-wav", *a))
    put(folder, "broken/ghost.wav", make_wav(0.1), sidecar("rec-ghost", "imp-a", "ghost-device"))
    put(folder, "broken/foreign.wav", make_wav(0.1), sidecar("rec-foreign", "imp-a", "imp-b-salon"))
    latin1 = json.dumps(sidecar("rec-latin1", *a, transcript="@@")).encode()
    put(
        folder, "broken/latin1.wav", make_wav(0.1), latin1.replace(b"@@", "Grüße".encode("latin-1"))
    )
    put(folder, "dup/one.wav", make_wav(0.1, seed=1), sidecar("rec-dup", *a))
    put(folder, "dup/two.wav", make_wav(0.1, seed=2), sidecar("rec-dup", *a))
    put(folder, "broken/nobody.wav", make_wav(0.1), sidecar("rec-nobody", "imp-z", "imp-a-kitchen"))
    put(
        folder,
        "broken/future.wav",
        make_wav(0.1),
        sidecar("rec-future", *a, captured_at=ago(days=-1)),
    )
    put(folder, "broken/bad-json.wav", make_wav(0.1), b'{"id": "rec-bad-json",')
    expected[("imp-a", "rec-dup")] = make_wav(0.1, seed=1)

    result = run_cli("import", str(folder), env=settings_env(settings))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert summary(result.stdout) == {
        "found": 15,
        "imported": 6,
        "present": 0,
        "rejected": 9,
        "accounts": 2,
    }
    reasons = rejections(result.stdout)
    assert set(reasons) == {
        "broken/no-sidecar.wav",
        "broken/corrupt.wav",
        "broken/ghost.wav",
        "broken/foreign.wav",
        "broken/latin1.wav",
        "dup/two.wav",
        "broken/nobody.wav",
        "broken/future.wav",
        "broken/bad-json.wav",
    }
    assert "no sidecar no-sidecar.json" in reasons["broken/no-sidecar.wav"]
    assert "truncated" in reasons["broken/corrupt.wav"]
    assert "not registered" in reasons["broken/ghost.wav"]
    assert "different account" in reasons["broken/foreign.wav"]
    assert "not valid UTF-8" in reasons["broken/latin1.wav"]
    assert "same recording id" in reasons["dup/two.wav"]
    assert "no account" in reasons["broken/nobody.wav"]
    assert "future" in reasons["broken/future.wav"]
    assert "not valid" in reasons["broken/bad-json.wav"]
    assert "Grüße" not in output

    assert recording_count(vault) == 6
    assert len(stored_blobs(settings)) == 6
    assert_stored(client, expected)
    for rec_id in ("rec-bad-wav", "rec-ghost", "rec-foreign", "rec-latin1", "rec-future"):
        assert client.get(f"/api/v1/accounts/imp-a/recordings/{rec_id}").status_code == 404

    # A rerun imports nothing new and still reports (and fails on) the same rejections.
    again = invoke_cli("import", str(folder), env=settings_cli_env(settings))
    assert again.exit_code == 1, again.output
    assert summary(again.stdout) == {
        "found": 15,
        "imported": 0,
        "present": 6,
        "rejected": 9,
        "accounts": 2,
    }
    assert set(rejections(again.stdout)) == set(reasons)
    assert recording_count(vault) == 6


def test_same_id_with_other_audio_on_rerun_is_rejected(
    settings: Settings, vault: Vault, client: TestClient, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    expected = good_files(folder)
    assert invoke_cli("import", str(folder), env=settings_cli_env(settings)).exit_code == 0
    (folder / "imp-a/2024/01/evening.wav").write_bytes(make_wav(0.3, seed=99))
    result = run_cli("import", str(folder), env=settings_env(settings))
    assert result.returncode == 1
    assert summary(result.stdout)["present"] == 4
    reasons = rejections(result.stdout)
    assert list(reasons) == ["imp-a/2024/01/evening.wav"]
    assert "different content" in reasons["imp-a/2024/01/evening.wav"]
    assert_stored(client, expected)


def test_invalid_accounts_file_fails_cleanly(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "accounts.json").write_bytes(b'{"id": "x"}')
    result = run_cli("import", str(folder), env=settings_env(settings))
    assert_clean_failure(result, "accounts.json is not")
    for content in (b"[{", b'[{"id": "x", "colour": "red"}]', b"\xff\xfe", b"[1]"):
        (folder / "accounts.json").write_bytes(content)
        outcome = invoke_cli("import", str(folder), env=settings_cli_env(settings))
        assert_clean_failure_in_process(outcome, "accounts.json")


def test_import_of_missing_folder_fails_cleanly(settings: Settings, tmp_path: Path) -> None:
    result = invoke_cli("import", str(tmp_path / "nowhere"), env=settings_cli_env(settings))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "does not exist" in result.stderr


def test_duplicate_id_across_batches_is_rejected(
    settings: Settings, vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "drop"
    good_files(folder)
    audio = make_wav(0.1, seed=5)
    put(folder, "zz/one.wav", audio, sidecar("rec-dup", "imp-a", "imp-a-kitchen"))
    put(folder, "zz/two.wav", audio, sidecar("rec-dup", "imp-a", "imp-a-kitchen"))
    monkeypatch.setattr(importer, "BATCH", 6)  # one.wav ends batch 1, two.wav starts batch 2
    report = importer.run_import(vault, folder)
    assert report.found == 7
    assert report.imported == 6
    assert [path for path, _ in report.rejected] == ["zz/two.wav"]


# --- a killed import resumes ---------------------------------------------------------

KILL_FILES = 3000


def write_many(folder: Path, count: int) -> dict[str, tuple[str, bytes]]:
    """count small WAV files with sidecars in nested folders; returns {id: (account, audio)}."""
    write_accounts(folder)
    rng = random.Random(4711)
    devices = [("imp-a", "imp-a-kitchen"), ("imp-a", "imp-a-car"), ("imp-b", "imp-b-salon")]
    expected = {}
    captured = ago(days=1)
    for n in range(count):
        account, device = devices[n % 3]
        audio = pcm_wav(rng.randbytes(200 + rng.randrange(400)), rate=8000, bits=8)
        rec_id = f"bulk-{n:05d}"
        put(
            folder,
            f"{account}/d{n % 7}/e{n % 13}/{rec_id}.wav",
            audio,
            sidecar(rec_id, account, device, captured_at=captured, transcript=None),
        )
        expected[rec_id] = (account, audio)
    return expected


def rows(vault: Vault) -> list[tuple[str, str, str]]:
    with vault.reading() as session:
        return [
            (r.id, r.account_id, r.audio_blob)
            for r in session.execute(
                select(Recording.id, Recording.account_id, Recording.audio_blob)
            )
        ]


def wait_until_gone(group: int) -> None:
    """Wait until no process of the group is left (the workers are reaped by init)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, "the import's workers outlived it"
        time.sleep(0.01)


@pytest.mark.slow
def test_killed_import_resumes_and_gc_removes_exactly_the_orphans(
    settings: Settings, vault: Vault, client: TestClient, tmp_path: Path
) -> None:
    folder = tmp_path / "bulk"
    expected = write_many(folder, KILL_FILES)
    env = settings_env(settings)

    # Its own process group: the importer and its worker processes are stopped and
    # killed together.
    proc = subprocess.Popen(
        [*voxkeep_command(), "import", str(folder)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    group = proc.pid
    try:
        # Wait until a batch has committed and later ones have written their packs, so
        # that committed rows and uncommitted (orphan) blobs both exist. The import is
        # frozen (SIGSTOP) before the blobs are counted, as listing a bucket takes
        # longer than a batch: it must not run on meanwhile. If no blob is ahead of
        # the committed rows yet, let it run on a little and look again; then SIGKILL.
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import made no progress"
            if recording_count(vault):
                os.killpg(group, signal.SIGSTOP)
                time.sleep(0.05)  # let the stop land
                if len(stored_blobs(settings)) > recording_count(vault):
                    break
                os.killpg(group, signal.SIGCONT)
            time.sleep(0.02)
        os.killpg(group, signal.SIGKILL)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    wait_until_gone(group)

    committed = recording_count(vault)
    assert 0 < committed < KILL_FILES, committed
    orphans = len(stored_blobs(settings)) - committed
    assert orphans > 0, "the kill landed after the batch committed; no orphans to collect"

    rerun = invoke_cli("import", str(folder), env=settings_cli_env(settings))
    assert rerun.exit_code == 0, rerun.output
    assert summary(rerun.stdout) == {
        "found": KILL_FILES,
        "imported": KILL_FILES - committed,
        "present": committed,
        "rejected": 0,
        "accounts": 2,
    }

    stored = rows(vault)
    assert len(stored) == KILL_FILES
    assert sorted(r[0] for r in stored) == sorted(expected)
    assert len(stored_blobs(settings)) == KILL_FILES + orphans

    gc = run_cli("gc", "--grace", "0", env=env)
    assert gc.returncode == 0, gc.stdout + gc.stderr
    assert f"removed {orphans} orphans" in gc.stdout, gc.stdout
    blobs = stored_blobs(settings)
    assert len(blobs) == len(stored) == KILL_FILES
    assert blobs == {blob for _, _, blob in stored}

    # Every recording decrypts to exactly its file's bytes (services), a sample via the API.
    with vault.reading() as session:
        owners = {ext: find_account(vault, session, ext).id for ext in ("imp-a", "imp-b")}
        keys = {ext: vault.keyring.data_key(session, owners[ext]) for ext in owners}
    internal = {v: k for k, v in owners.items()}
    for rec_id, account_id, blob in stored:
        account, audio = expected[rec_id]
        assert internal[account_id] == account
        assert b"".join(decrypt_blob(vault, keys[account], blob, account_id, rec_id)) == audio
    for rec_id in random.Random(1).sample(sorted(expected), 10):
        account, audio = expected[rec_id]
        got = client.get(f"/api/v1/accounts/{account}/recordings/{rec_id}/audio")
        assert got.status_code == 200
        assert got.content == audio


# --- worker processes ----------------------------------------------------------------


def stored_audio(vault: Vault) -> dict[str, bytes]:
    """Every recording's decrypted audio, by id."""
    out = {}
    with vault.reading() as session:
        for rec_id, account_id, blob in session.execute(
            select(Recording.id, Recording.account_id, Recording.audio_blob)
        ):
            key = vault.keyring.data_key(session, account_id)
            out[rec_id] = b"".join(decrypt_blob(vault, key, blob, account_id, rec_id))
    return out


@pytest.mark.parametrize("workers", [1, 3])
def test_any_number_of_workers_imports_the_same(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    folder = tmp_path / "bulk"
    expected = write_many(folder, 120)
    put(folder, "zz/dup.wav", make_wav(0.1, seed=3), sidecar("bulk-00007", "imp-a", "imp-a-car"))
    put(folder, "zz/ghost.wav", make_wav(0.1), sidecar("rec-ghost", "imp-a", "ghost-device"))
    monkeypatch.setattr(importer, "BATCH", 7)  # 18 batches: several in flight at once
    report = importer.run_import(vault, folder, workers=workers)
    assert (report.found, report.imported, report.already_present) == (122, 120, 0)
    assert report.rejected == [
        ("zz/dup.wav", importer.DUPLICATE),
        (
            "zz/ghost.wav",
            "The device is not registered. Register the device for this account first.",
        ),
    ]
    assert stored_audio(vault) == {rec_id: audio for rec_id, (_, audio) in expected.items()}
    assert len(stored_blobs(vault.settings)) == 120, "the duplicate's blob is gone"


def test_a_failed_commit_leaves_no_blob_of_the_batches_staged_ahead(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "bulk"
    write_many(folder, 60)
    monkeypatch.setattr(importer, "BATCH", 10)
    real_insert, inserts = bulk.insert_rows, []

    def failing(*args: Any, **kwargs: Any) -> None:
        if len(inserts) == 2:
            raise importer.InvalidInput("the database refused the batch")
        inserts.append(1)
        real_insert(*args, **kwargs)

    monkeypatch.setattr(bulk, "insert_rows", failing)
    with pytest.raises(importer.InvalidInput, match="refused"):
        importer.run_import(vault, folder, workers=2)
    assert recording_count(vault) == 20
    assert stored_blobs(vault.settings) == {blob for _, _, blob in rows(vault)}


def test_workers_option_is_checked(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    good_files(folder)
    ok = invoke_cli("import", "--workers", "1", str(folder), env=settings_cli_env(settings))
    assert ok.exit_code == 0, ok.output
    assert summary(ok.stdout)["imported"] == 5
    bad = invoke_cli("import", "--workers", "0", str(folder), env=settings_cli_env(settings))
    assert bad.exit_code == 2
    assert "--workers" in bad.stderr


def test_accounts_file_with_an_address_twice_registers_nothing(
    settings: Settings, vault: Vault, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    twice = [
        {
            "id": "twin-1",
            "email": "same@example.org",
            "devices": [{"id": "t1", "kind": "tv", "name": "TV"}],
        },
        {"id": "twin-2", "email": "SAME@example.org"},
    ]
    (folder / "accounts.json").write_text(json.dumps(twice), encoding="utf-8")
    result = run_cli("import", str(folder), env=settings_env(settings))
    assert_clean_failure(result, "e-mail address twice")
    assert "same@example.org" not in (result.stdout + result.stderr).lower()
    with vault.reading() as session:
        for external in ("twin-1", "twin-2"):
            with pytest.raises(NotFound):
                find_account(vault, session, external)
