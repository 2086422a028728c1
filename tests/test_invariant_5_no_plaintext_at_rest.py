"""DESIGN invariant 5: no plaintext personal data at rest, and none in the logs.

Recordings go in through every door (the API, `voxkeep import` as a real
subprocess, and the demo builder), carrying marker phrases in transcripts,
e-mail addresses, device and member names, account ids, and a marker byte
pattern woven into the audio samples. Then every file under the data
directory is scanned for each marker in UTF-8, UTF-16-LE and raw bytes, while
the vault is open (SQLite -wal/-shm present) and after it is closed. On
PostgreSQL every column of every table is searched with SQL as well.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from helpers import (
    TEST_BACKEND,
    ago,
    bucket_objects,
    make_wav,
    run_cli,
    s3_client,
    settings_env,
    stored_blobs,
)
from voxkeep.config import Settings
from voxkeep.demo import builder as demo
from voxkeep.demo.clips import load_clips
from voxkeep.vault import Vault

LOGGERS = ("voxkeep", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi", "starlette")


@dataclass(frozen=True)
class Markers:
    """One set of personal data, each value carrying a distinctive marker."""

    door: str  # api / import

    @property
    def account(self) -> str:
        return f"kunde-zebra-{self.door}-4711"

    @property
    def email(self) -> str:
        return f"zebra.mail.{self.door}.4711@example.org"

    @property
    def device_name(self) -> str:
        return f"Zebra-Küche-{self.door}-4711"

    @property
    def member_name(self) -> str:
        return f"Zebra-Oma-Grüße-{self.door}-4711"

    def transcript(self, n: int) -> str:
        return f"Bitte merk dir zebra-quartz-4711 Grüße {self.door} Nummer {n}"

    @property
    def transcript_marker(self) -> str:
        return f"zebra-quartz-4711 Grüße {self.door}"

    @property
    def audio(self) -> bytes:
        # 24 distinctive bytes, different per door, woven into the samples.
        return b"\x8f\x13AUDIO-MARK\x00\xfe\x71\x42\x99\x07\xd3" + self.door.encode()[:3].ljust(
            3, b"#"
        )

    def texts(self) -> dict[str, str]:
        return {
            "account id": self.account,
            "e-mail": self.email,
            "device name": self.device_name,
            "member name": self.member_name,
            "transcript": self.transcript_marker,
        }


API = Markers("api")
IMPORT = Markers("imp")


def needles(texts: dict[str, str], raw: dict[str, bytes]) -> dict[str, bytes]:
    """Every byte pattern to look for: texts in UTF-8 and UTF-16-LE, raw bytes as they are."""
    found: dict[str, bytes] = {}
    for label, text in texts.items():
        found[f"{label} (UTF-8)"] = text.encode("utf-8")
        found[f"{label} (UTF-16-LE)"] = text.encode("utf-16-le")
    for label, data in raw.items():
        found[f"{label} (bytes)"] = data
    return found


def scan_files(root: Path, patterns: dict[str, bytes]) -> list[str]:
    hits = []
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files, f"nothing to scan under {root}"
    for path in files:
        data = path.read_bytes()
        for label, pattern in patterns.items():
            if pattern in data:
                hits.append(f"{label} in {path.relative_to(root)}")
    return hits


def scan_bucket(settings: Settings, patterns: dict[str, bytes]) -> list[str]:
    """Every version of every object under the vault's prefix, current or not."""
    return [
        f"{label} in {where}"
        for where, data in bucket_objects(settings)
        for label, pattern in patterns.items()
        if pattern in data
    ]


def assert_bucket_clean(settings: Settings, patterns: dict[str, bytes]) -> None:
    assert len(stored_blobs(settings)) >= 30, "the recordings' objects were really scanned"
    in_bucket = scan_bucket(settings, patterns)
    assert in_bucket == [], in_bucket
    # The bucket scan is not blind: an object version holding a marker is found.
    probe = f"{settings.s3_prefix}{'0' * 32}"
    client = s3_client(settings)
    client.put_object(Bucket=settings.s3_bucket, Key=probe, Body=b"\x00" + API.audio)
    client.put_object(Bucket=settings.s3_bucket, Key=probe, Body=b"overwritten")
    planted = scan_bucket(settings, patterns)
    assert [hit.split(" in ")[0] for hit in planted] == ["api audio marker (bytes)"]


BYTEA_QUERY = (
    "SELECT p FROM unnest(%s::bytea[]) AS p WHERE EXISTS "
    "(SELECT 1 FROM {t} WHERE position(p in {c}) > 0)"
)
TEXT_QUERY = (
    "SELECT p FROM unnest(%s::text[]) AS p WHERE EXISTS "
    "(SELECT 1 FROM {t} WHERE position(p in {c}::text) > 0)"
)


def scan_postgres(url: str, texts: dict[str, str], raw: dict[str, bytes]) -> list[str]:
    """Search every column of every table: bytea byte-wise, everything else as text."""
    binary = {pattern: label for label, pattern in needles(texts, raw).items()}
    plain = {text: label for label, text in texts.items()}
    hits = []
    with psycopg.connect(url) as conn:
        columns = conn.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        ).fetchall()
        tables = {table for table, _, _ in columns}
        assert {"recordings", "accounts", "devices", "household_members"} <= tables
        for table, column, data_type in columns:
            names = {"t": sql.Identifier(table), "c": sql.Identifier(column)}
            if data_type == "bytea":
                query = sql.SQL(BYTEA_QUERY).format(**names)
                for (found,) in conn.execute(query, (list(binary),)):
                    hits.append(f"{binary[bytes(found)]} in {table}.{column}")
            else:
                query = sql.SQL(TEXT_QUERY).format(**names)
                for (found,) in conn.execute(query, (list(plain),)):
                    hits.append(f"{plain[found]} in {table}.{column}")
    return hits


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every record of voxkeep's and the web stack's loggers at DEBUG."""
    added = []
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
        logger = logging.getLogger(name)
        if not logger.propagate and caplog.handler not in logger.handlers:
            logger.addHandler(caplog.handler)
            added.append(logger)
    yield caplog
    for logger in added:
        logger.removeHandler(caplog.handler)


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        parts.append(repr(getattr(record, "__dict__", {})))
    return "\n".join(parts)


# --- the three doors ------------------------------------------------------------


def ingest_via_api(client: TestClient) -> None:
    m = API
    assert client.put(
        f"/api/v1/accounts/{m.account}", json={"email": m.email, "language": "de"}
    ).status_code in (200, 201)
    device = client.put(
        f"/api/v1/accounts/{m.account}/devices/api-dev-1",
        json={"kind": "speaker", "name": m.device_name, "registered_at": ago(days=10)},
    )
    assert device.status_code == 201, device.text
    member = client.put(
        f"/api/v1/accounts/{m.account}/members/api-member-1", json={"name": m.member_name}
    )
    assert member.status_code == 201, member.text
    for n in range(3):
        metadata = {
            "id": f"api-rec-{n}",
            "account": m.account,
            "device": "api-dev-1",
            "captured_at": ago(hours=n + 1),
            "language": "de",
            "transcript": m.transcript(n),
            "speaker": "api-member-1",
        }
        response = client.post(
            "/api/v1/recordings",
            files={
                "metadata": (None, json.dumps(metadata).encode(), "application/json"),
                "audio": ("clip.wav", make_wav(0.4 + n, seed=n, marker=m.audio), "audio/wav"),
            },
        )
        assert response.status_code == 201, response.text
    # Reads and failures run through the logging paths too.
    assert client.get(f"/api/v1/accounts/{m.account}/recordings").status_code == 200
    audio = client.get(f"/api/v1/accounts/{m.account}/recordings/api-rec-1/audio")
    assert audio.status_code == 200 and m.audio in audio.content
    transcript = client.get(f"/api/v1/accounts/{m.account}/recordings/api-rec-1/transcript")
    assert transcript.json()["transcript"] == m.transcript(1)
    assert client.get(f"/api/v1/accounts/{m.account}/recordings/nope/audio").status_code == 404
    rejected = {
        "id": "api-rec-late",
        "account": m.account,
        "device": "api-dev-1",
        "captured_at": ago(hours=-5),  # in the future
        "language": "de",
        "transcript": m.transcript(99),
    }
    response = client.post(
        "/api/v1/recordings",
        files={
            "metadata": (None, json.dumps(rejected).encode(), "application/json"),
            "audio": ("clip.wav", make_wav(0.2, marker=m.audio), "audio/wav"),
        },
    )
    assert response.status_code == 422
    again = client.put(f"/api/v1/accounts/{m.account}", json={"email": m.email.upper()})
    assert again.status_code == 200, again.text


def ingest_via_import(settings: Settings, folder: Path) -> None:
    m = IMPORT
    folder.mkdir()
    (folder / "accounts.json").write_text(
        json.dumps(
            [
                {
                    "id": m.account,
                    "email": m.email,
                    "language": "fr",
                    "devices": [{"id": "imp-dev-1", "kind": "phone", "name": m.device_name}],
                    "members": [{"id": "imp-member-1", "name": m.member_name}],
                }
            ]
        ),
        encoding="utf-8",
    )
    for n in range(4):
        sub = folder / f"day-{n % 2}" / "batch"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"clip-{n}.wav").write_bytes(make_wav(0.3 + n / 2, seed=10 + n, marker=m.audio))
        (sub / f"clip-{n}.json").write_text(
            json.dumps(
                {
                    "id": f"imp-rec-{n}",
                    "account": m.account,
                    "device": "imp-dev-1",
                    "captured_at": ago(days=n + 1),
                    "language": "fr",
                    "transcript": m.transcript(n),
                    "speaker": "imp-member-1",
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
    result = run_cli("import", str(folder), env=settings_env(settings))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 imported" in result.stdout
    output = result.stdout + result.stderr
    for label, text in m.texts().items():
        assert text not in output, f"{label} printed by `voxkeep import`"


def demo_personal_data() -> tuple[dict[str, str], dict[str, bytes]]:
    """What the demo builder stores about its households: e-mails, names, speech, audio."""
    texts: dict[str, str] = {}
    for house in demo.HOUSEHOLDS:
        texts[f"demo e-mail {house.account}"] = house.email
        for device_id, _kind, name in house.devices:
            if len(name) >= 6:
                texts[f"demo device name {device_id}"] = name
        for voice, name in house.members.items():
            if len(name) >= 6:
                texts[f"demo member name {house.account}-{voice}"] = name
    texts["demo e-mail no-device"] = demo.NO_DEVICE_ACCOUNT[1]
    raw: dict[str, bytes] = {}
    for clip in load_clips():
        texts[f"demo transcript {clip.file}"] = clip.text
        middle = len(clip.wav) // 2
        for start in range(middle, len(clip.wav) - 32, 32):
            window = clip.wav[start : start + 32]
            if len(set(window)) >= 16:  # real speech, not silence
                raw[f"demo audio {clip.file}"] = window
                break
    return texts, raw


# --- the test -----------------------------------------------------------------------


def test_no_marker_at_rest_or_in_logs(
    logs: pytest.LogCaptureFixture,  # first: it sees the app start too
    vault: Vault,
    client: TestClient,
    settings: Settings,
    tmp_path: Path,
) -> None:
    ingest_via_api(client)
    ingest_via_import(settings, tmp_path / "import-src")
    summary = demo.build_demo(vault, scale=0.01)
    assert summary.added >= 30

    # Everything is really there and readable (so the scan is not vacuous).
    for marks, prefix, count in ((API, "api", 3), (IMPORT, "imp", 4)):
        page = client.get(f"/api/v1/accounts/{marks.account}/recordings").json()
        assert len(page["items"]) == count
        text = client.get(
            f"/api/v1/accounts/{marks.account}/recordings/{prefix}-rec-0/transcript"
        ).json()
        assert text["transcript"] == marks.transcript(0)
        assert (
            marks.audio
            in client.get(
                f"/api/v1/accounts/{marks.account}/recordings/{prefix}-rec-0/audio"
            ).content
        )

    texts = {f"{m.door} {k}": v for m in (API, IMPORT) for k, v in m.texts().items()}
    raw = {f"{m.door} audio marker": m.audio for m in (API, IMPORT)}
    demo_texts, demo_raw = demo_personal_data()
    texts |= demo_texts
    raw |= demo_raw
    patterns = needles(texts, raw)

    data_dir = settings.data_dir
    while_open = scan_files(data_dir, patterns)
    if settings.is_sqlite:
        assert (data_dir / "voxkeep.db-wal").exists()  # the WAL was really scanned
    vault.close()
    after_close = scan_files(data_dir, patterns)
    assert while_open == [], while_open
    assert after_close == [], after_close
    if settings.s3_bucket is not None:
        assert_bucket_clean(settings, patterns)
    if not settings.is_sqlite:
        assert TEST_BACKEND == "postgresql"
        assert settings.database_url is not None
        url = settings.database_url.get_secret_value()
        in_db = scan_postgres(url, texts, raw)
        assert in_db == [], in_db
        # The SQL scan is not blind: plant plaintext and it is found.
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE scanner_probe (b bytea, t varchar(200))")
            conn.execute(
                "INSERT INTO scanner_probe VALUES (%s, %s)",
                (b"\x00" + API.audio + b"\x01", f"x {IMPORT.email} y"),
            )
        planted = scan_postgres(url, texts, raw)
        assert sorted(planted) == [
            "api audio marker (bytes) in scanner_probe.b",
            "imp e-mail in scanner_probe.t",
        ]

    # The logs saw the whole run, and none of it.
    assert any(r.name.startswith("voxkeep") for r in logs.records), "no voxkeep log captured"
    captured = log_text(logs)
    leaked = [label for label, text in texts.items() if text in captured]
    assert leaked == [], leaked


def test_scanner_finds_plaintext(tmp_path: Path) -> None:
    """The scan is not blind: planted markers are found in every encoding."""
    m = API
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.bin").write_bytes(b"..." + m.transcript_marker.encode("utf-16-le"))
    (tmp_path / "y.db-wal").write_bytes(m.email.encode() + b"\x00" + m.audio)
    hits = scan_files(tmp_path, needles(m.texts(), {"audio": m.audio}))
    assert sorted(hits) == [
        "audio (bytes) in y.db-wal",
        "e-mail (UTF-8) in y.db-wal",
        "transcript (UTF-16-LE) in a/x.bin",
    ]
