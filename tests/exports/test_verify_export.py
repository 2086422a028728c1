"""Manifest and signature: the published key, `voxkeep verify-export`, the docs' snippet."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from export_helpers import archive_bytes, run_export_job
from factory import household, portal_request, record
from fastapi.testclient import TestClient

from voxkeep.cli import cli
from voxkeep.config import Settings
from voxkeep.vault import Vault

DOCS = Path(__file__).resolve().parents[2] / "docs" / "exports.md"


@pytest.fixture
def answer(vault: Vault, tmp_path: Path) -> Path:
    house = household(vault, "verify", devices=(("kueche", "Küche"),))
    for n in range(3):
        record(vault, house, f"v-{n}", transcript=f"Größe {n}")
    export_id = run_export_job(vault, portal_request(vault, house))
    assert export_id is not None
    path = tmp_path / "answer.zip"
    path.write_bytes(archive_bytes(vault, export_id))
    return path


def _tampered(path: Path) -> Path:
    with zipfile.ZipFile(path) as source:
        files = {n: source.read(n) for n in source.namelist()}
    name = next(n for n in files if n.endswith(".wav"))
    files[name] = files[name][:-2] + b"\x00\x00"
    out = path.with_name("tampered.zip")
    with zipfile.ZipFile(out, "w") as target:
        for n, data in files.items():
            target.writestr(n, data)
    return out


def _cli(settings: Settings, *args: str) -> Any:
    return CliRunner().invoke(
        cli, ["--data-dir", str(settings.data_dir), *args], env=_env(settings)
    )


def _env(settings: Settings) -> dict[str, str | None]:
    url = settings.database_url.get_secret_value() if settings.database_url else None
    return {"VOXKEEP_DATABASE_URL": url, "VOXKEEP_CONFIG": None}


def test_public_key_is_published(client: TestClient, answer: Path) -> None:
    key = client.get("/api/v1/exports/key", headers={"Authorization": ""})
    assert key.status_code == 200
    body = key.json()
    assert body["algorithm"] == "Ed25519" and body["pem"].startswith("-----BEGIN PUBLIC KEY")
    with zipfile.ZipFile(answer) as archive:
        manifest = archive.read("manifest.json")
        signature = base64.b64decode(archive.read("manifest.sig"))
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    Ed25519PublicKey.from_public_bytes(base64.b64decode(body["public_key"])).verify(
        signature, manifest
    )
    assert f'"signing_key": "{body["key_id"]}"' in manifest.decode()


def test_verify_export_accepts_a_good_archive(settings: Settings, answer: Path) -> None:
    result = _cli(settings, "verify-export", str(answer))
    assert result.exit_code == 0, result.output
    assert "OK: 9 files (3 recordings, 0 withheld)" in result.output


def test_verify_export_with_an_explicit_key(
    settings: Settings, client: TestClient, answer: Path
) -> None:
    public = client.get("/api/v1/exports/key").json()["public_key"]
    assert _cli(settings, "verify-export", str(answer), "--public-key", public).exit_code == 0
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    wrong = _cli(
        settings, "verify-export", str(answer), "--public-key", base64.b64encode(other).decode()
    )
    assert wrong.exit_code == 1 and "NOT VALID" in wrong.output and "signature" in wrong.output


def test_verify_export_refuses_a_tampered_archive(settings: Settings, answer: Path) -> None:
    result = _cli(settings, "verify-export", str(_tampered(answer)))
    assert result.exit_code == 1
    assert "NOT VALID" in result.output and "SHA-256" in result.output


def _snippet() -> Any:
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    assert code is not None
    scope: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOCS), "exec"), scope)  # noqa: S102 (our own docs)
    return scope["verify"]


def test_the_documented_snippet_checks_archives(client: TestClient, answer: Path) -> None:
    verify = _snippet()
    public = client.get("/api/v1/exports/key").json()["public_key"]
    assert verify(str(answer), public) == 9
    with pytest.raises(AssertionError):
        verify(str(_tampered(answer)), public)
    forged = io.BytesIO()
    with zipfile.ZipFile(answer) as source, zipfile.ZipFile(forged, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data.replace(b'"kind": "access"', b'"kind": "portability"'))
    forged_path = answer.with_name("forged.zip")
    forged_path.write_bytes(forged.getvalue())
    with pytest.raises(InvalidSignature):
        verify(str(forged_path), public)


def _damaged(path: Path, damage: Any) -> Path:
    """The answer with its raw zip bytes changed in place (no re-zipping)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith(".wav"))
    damage(data, info)
    out = path.with_name("damaged.zip")
    out.write_bytes(bytes(data))
    return out


def _check(settings: Settings, path: Path) -> str:
    result = _cli(settings, "verify-export", str(path))
    assert result.exit_code == 1 and "NOT VALID" in result.output, result.output
    return str(result.output)


def test_a_stored_recording_with_damaged_bytes_fails_its_crc(
    settings: Settings, answer: Path
) -> None:
    def flip(data: bytearray, info: zipfile.ZipInfo) -> None:
        start = info.header_offset + 30 + len(info.filename.encode())
        data[start + 100] ^= 0x01  # in the audio, past any extra field

    output = _check(settings, _damaged(answer, flip))
    assert "CRC" in output and "recordings/" not in output  # no file names: they hold times


def test_a_local_header_naming_another_file_is_refused(settings: Settings, answer: Path) -> None:
    def rename(data: bytearray, info: zipfile.ZipInfo) -> None:
        start = info.header_offset + 30
        data[start] = ord("X")  # the local name no longer matches the central directory

    output = _check(settings, _damaged(answer, rename))
    assert "differ" in output and "recordings/" not in output


def test_a_source_that_is_neither_a_recording_nor_the_owner_is_refused(answer: Path) -> None:
    from voxkeep.exports.verify import ArchiveInvalid, parse_manifest

    with zipfile.ZipFile(answer) as archive:
        manifest = archive.read("manifest.json")
    parse_manifest(manifest)  # the real one passes
    doubled = manifest.replace(b'"source": "account:', b'"source": "account:account:')
    assert doubled != manifest
    with pytest.raises(ArchiveInvalid) as refused:
        parse_manifest(doubled)
    assert refused.value.check == "manifest_source"
