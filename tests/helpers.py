"""Helpers shared by the tests: real WAV files and API calls."""

from __future__ import annotations

import io
import json
import wave
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from voxkeep.config import Settings


def make_wav(
    seconds: float = 0.5,
    *,
    rate: int = 16000,
    channels: int = 1,
    width: int = 2,
    marker: bytes = b"",
    seed: int = 0,
) -> bytes:
    """A real RIFF/WAVE PCM file; marker bytes are woven into the samples."""
    frames = int(seconds * rate)
    body = bytearray((i * 37 + seed * 101) % 251 for i in range(frames * channels * width))
    if marker:
        for at in range(0, len(body) - len(marker), max(len(marker), len(body) // 4)):
            body[at : at + len(marker)] = marker
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(bytes(body))
    return buffer.getvalue()


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def ago(**delta: float) -> str:
    return iso(datetime.now(UTC) - timedelta(**delta))


def setup_account(
    client: TestClient, account: str = "acct-1", devices: tuple[str, ...] = ("dev-1",)
) -> None:
    assert client.put(f"/api/v1/accounts/{account}", json={"language": "de"}).status_code in (
        200,
        201,
    )
    for device in devices:
        response = client.put(
            f"/api/v1/accounts/{account}/devices/{device}",
            json={"kind": "speaker", "name": "Küche", "registered_at": ago(days=400)},
        )
        assert response.status_code in (200, 201), response.text


def upload(
    client: TestClient,
    *,
    rec_id: str = "rec-1",
    account: str = "acct-1",
    device: str = "dev-1",
    audio: bytes | None = None,
    transcript: str | None = "Wie wird das Wetter morgen?",
    captured_at: str | None = None,
    metadata: bytes | None = None,
) -> Any:
    meta = (
        metadata
        or json.dumps(
            {
                "id": rec_id,
                "account": account,
                "device": device,
                "captured_at": captured_at or ago(hours=1),
                "language": "de",
                "transcript": transcript,
            }
        ).encode()
    )
    return client.post(
        "/api/v1/recordings",
        files={
            "metadata": (None, meta, "application/json"),
            "audio": ("clip.wav", audio if audio is not None else make_wav(), "audio/wav"),
        },
    )


# --- Added for the ingest, invariant, importer, keys, CLI and migration tests ---------

import contextlib  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator, Mapping  # noqa: E402
from pathlib import Path  # noqa: E402

TEST_BACKEND = os.environ.get("VOXKEEP_TEST_DB", "sqlite")
TEST_PG_ADMIN = os.environ.get("VOXKEEP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
ERROR_KEYS = {"ok", "error", "hint", "code", "status"}


def pcm_wav(
    data: bytes | int = 320,
    *,
    tag: int = 1,
    channels: int = 1,
    rate: int = 16000,
    bits: int = 16,
    riff_size: int | None = None,
    data_size: int | None = None,
) -> bytes:
    """A hand-built RIFF/WAVE file whose header fields can lie (sizes, format code, rate)."""
    payload = bytes(i % 251 for i in range(data)) if isinstance(data, int) else data
    align = channels * max(1, bits // 8)
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    declared = len(payload) if data_size is None else data_size
    pad = b"\x00" if len(payload) % 2 else b""
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", declared)
        + payload
        + pad
    )
    size = len(body) if riff_size is None else riff_size
    return b"RIFF" + struct.pack("<I", size) + body


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The API's error body: {"ok": false, "error": ..., "code": ..., "status": ...}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) <= ERROR_KEYS
    assert {"ok", "error", "code", "status"} <= set(body)
    assert body["ok"] is False
    assert isinstance(body["error"], str) and body["error"].strip()
    assert body["code"] == code
    assert body["status"] == status
    return body


def stored_blobs(settings: Settings) -> set[str]:
    """The reference of every blob with data in the vault's store: in the blob
    directory, files of their own and pack entries; in a bucket, every key under
    the vault's prefix with any version holding data (a delete marker alone is no data)."""
    if settings.s3_bucket is None:
        from voxkeep.storage.blobs import LocalBlobStore

        return set(LocalBlobStore(settings.blob_dir).keys_older_than(-3600.0))
    return {name[len(settings.s3_prefix) :] for name, _ in bucket_versions(settings)}


def bucket_versions(settings: Settings) -> list[tuple[str, str]]:
    """(object name, version id) of every version under the vault's prefix, current or not."""
    client, found = s3_client(settings), []
    pages = client.get_paginator("list_object_versions")
    for page in pages.paginate(Bucket=settings.s3_bucket, Prefix=settings.s3_prefix):
        for version in page.get("Versions", []):
            found.append((version["Key"], version.get("VersionId", "null")))
    return found


def bucket_objects(settings: Settings) -> Iterator[tuple[str, bytes]]:
    """(where, bytes) of every object version under the vault's prefix; nothing on a local vault."""
    if settings.s3_bucket is None:
        return
    client = s3_client(settings)
    for name, version in bucket_versions(settings):
        body = client.get_object(Bucket=settings.s3_bucket, Key=name, VersionId=version)["Body"]
        yield f"s3://{settings.s3_bucket}/{name}?versionId={version}", body.read()


def s3_client(settings: Settings) -> Any:
    """A plain boto3 client of the vault's bucket, as an operator would list it."""
    from voxkeep.storage.s3 import store_from_settings

    return store_from_settings(settings).client


def blob_contents(settings: Settings) -> dict[str, bytes]:
    from voxkeep.vault import _blob_store

    store = _blob_store(settings)
    contents = {}
    for ref in stored_blobs(settings):
        with store.open(ref) as blob:
            contents[ref] = blob.read()
    return contents


def voxkeep_command() -> list[str]:
    """argv prefix of the installed `voxkeep` console script (the real CLI)."""
    beside = Path(sys.executable).with_name("voxkeep")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("voxkeep")
    if found:
        return [found]
    return [sys.executable, "-m", "voxkeep"]


def cli_env(data_dir: Path, database_url: str | None = None, **extra: str | None) -> dict[str, str]:
    """The environment for a `voxkeep` subprocess: no inherited VOXKEEP_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOXKEEP_")}
    # Bytecode cached outside the repository: a CLI start compiles nothing twice.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        {
            "VOXKEEP_DATA_DIR": str(data_dir),
            "VOXKEEP_FSYNC": "false",
            "COLUMNS": "200",
            "NO_COLOR": "1",
            "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "voxkeep-test-pycache"),
        }
    )
    if database_url:
        env["VOXKEEP_DATABASE_URL"] = database_url
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def s3_env(settings: Any) -> dict[str, str]:
    """The VOXKEEP_S3_* variables of a vault whose blobs are in S3 (none otherwise)."""
    if settings.s3_bucket is None:
        return {}
    env = {
        "VOXKEEP_S3_BUCKET": settings.s3_bucket,
        "VOXKEEP_S3_REGION": settings.s3_region,
        "VOXKEEP_S3_PREFIX": settings.s3_prefix,
    }
    if settings.s3_endpoint:
        env["VOXKEEP_S3_ENDPOINT"] = settings.s3_endpoint
    if settings.s3_access_key_id is not None:
        env["VOXKEEP_S3_ACCESS_KEY_ID"] = settings.s3_access_key_id.get_secret_value()
        env["VOXKEEP_S3_SECRET_ACCESS_KEY"] = settings.s3_secret_access_key.get_secret_value()
    return env


def settings_env(settings: Any, **extra: str | None) -> dict[str, str]:
    url = settings.database_url.get_secret_value() if settings.database_url else None
    return cli_env(settings.data_dir, url, **{**s3_env(settings), **extra})


def run_cli(
    *args: str, env: Mapping[str, str], timeout: float = 120, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*voxkeep_command(), *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        check=False,
    )


BENCH_DIR = Path(__file__).resolve().parent.parent / "bench"


def run_bench(script: str, *args: str, timeout: float) -> dict[str, Any]:
    """Run ``bench/<script>`` with this Python, assert it succeeded, and return the JSON
    object its last line holds (every benchmark ends with one)."""
    done = subprocess.run(
        [sys.executable, str(BENCH_DIR / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


def assert_clean_failure(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """A CLI error: non-zero exit, one `Error: ...` line on stderr, no traceback."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    # (A progress bar's last frame may precede the error on a non-terminal stderr.)
    lines = [line for line in result.stderr.splitlines() if line.strip() and "━" not in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _pg_url(dbname: str) -> str:
    return TEST_PG_ADMIN.rsplit("/", 1)[0] + "/" + dbname


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(TEST_PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@contextlib.contextmanager
def fresh_database() -> Iterator[str | None]:
    """An empty database on the test backend: a new PostgreSQL database, or None (SQLite)."""
    if TEST_BACKEND != "postgresql":
        yield None
        return
    name = f"voxkeep_f_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url(name)
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def invoke_cli(*args: str, env: Mapping[str, str | None]) -> Any:
    """The same click tree in-process (click's CliRunner): fast variants beside real runs.

    Every inherited VOXKEEP_* variable is hidden, and VOXKEEP_CONFIG is restored
    afterwards (load_settings sets it for --config).
    """
    from click.testing import CliRunner

    from voxkeep.cli import cli

    isolated: dict[str, str | None] = {k: None for k in os.environ if k.startswith("VOXKEEP_")}
    isolated |= {"VOXKEEP_FSYNC": "false", "VOXKEEP_CONFIG": None, "COLUMNS": "200"} | dict(env)
    return CliRunner().invoke(cli, list(args), prog_name="voxkeep", env=isolated)


def settings_cli_env(settings: Any, **extra: str | None) -> dict[str, str | None]:
    """invoke_cli's env for the vault of these settings."""
    url = settings.database_url.get_secret_value() if settings.database_url else None
    return {
        "VOXKEEP_DATA_DIR": str(settings.data_dir),
        "VOXKEEP_DATABASE_URL": url,
        **s3_env(settings),
        **extra,
    }


def assert_clean_failure_in_process(result: Any, *needles: str) -> str:
    """invoke_cli's view of a CLI error: exit 1, one `Error: ...` line, no exception escaped."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    # (A progress bar's last frame may precede the error on a non-terminal stderr.)
    lines = [line for line in result.stderr.splitlines() if line.strip() and "━" not in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@contextlib.contextmanager
def engines_disposed() -> Iterator[list[Any]]:
    """Track every engine voxkeep.vault makes and dispose of them all at the end.

    open_vault leaks its engine when it fails after connecting (refused key file,
    bad VOXKEEP_MASTER_KEY, unreadable master.key.next); without this the leaked
    psycopg connections surface as ResourceWarnings in whichever test runs next.
    """
    import voxkeep.vault as vault_module

    real = vault_module.make_engine
    made: list[Any] = []

    def tracking(settings: Any) -> Any:
        engine = real(settings)
        made.append(engine)
        return engine

    vault_module.make_engine = tracking  # type: ignore[assignment]
    try:
        yield made
    finally:
        vault_module.make_engine = real
        for engine in made:
            engine.dispose()


def start_server(
    settings: Any, *extra: str, **env: str | None
) -> tuple[subprocess.Popen[bytes], str]:
    """`voxkeep serve` on a free loopback port, once /healthz answers: (process, base URL).

    env: more variables for the server (VOXKEEP_METRICS_TOKEN, say)."""
    import signal
    import socket
    import time

    import httpx2

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*voxkeep_command(), "serve", "--port", str(port), *extra],
        env=settings_env(settings, **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its workers too can be killed, as a group
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # a loaded 2-core machine starts workers slowly
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx2.TransportError:
            pass
        time.sleep(0.05)  # not up, or not yet healthy (503): ask again shortly
    # The whole group: a worker outliving its parent would hold stderr open forever.
    os.killpg(server.pid, signal.SIGKILL)
    _, errors = server.communicate()
    raise AssertionError(f"voxkeep serve did not answer /healthz: {errors.decode()[-1000:]}")


def walk_commands(
    group: Any, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, command) for a click group and everything under it, lazily loaded ones too."""
    import click

    yield prefix, group
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, (prefix, name)
        if isinstance(command, click.Group):
            yield from walk_commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def catalogue_gaps(strings: Mapping[str, Mapping[str, str]]) -> list[str]:
    """What a document's per-language catalogue lacks: en, de and fr each with every key,
    none empty, with the same {placeholders}. Empty: complete."""
    import re

    field = re.compile(r"\{(\w+)\}")
    gaps = [] if set(strings) == {"en", "de", "fr"} else [f"languages: {sorted(strings)}"]
    english = strings["en"]
    for lang, words in strings.items():
        gaps += [f"{lang}: {key} missing" for key in english.keys() - words.keys()]
        gaps += [f"{lang}: {key} extra" for key in words.keys() - english.keys()]
        gaps += [f"{lang}: {key} empty" for key, text in words.items() if not text.strip()]
        gaps += [
            f"{lang}: {key} placeholders differ"
            for key in english.keys() & words.keys()
            if set(field.findall(words[key])) != set(field.findall(english[key]))
        ]
    return gaps


@contextlib.contextmanager
def sql_statements(engine: Any) -> Iterator[list[str]]:
    """Every SQL statement run on engine in the block, its whitespace folded."""
    seen: list[str] = []

    def execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", execute)
