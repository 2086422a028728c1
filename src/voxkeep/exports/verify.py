"""Check an answer archive against its signed manifest, with no help from the builder.

This module is the release gate's (and ``voxkeep verify-export``'s) own
reading of an archive: Python's zipfile (the builder writes with
zipstream-ng), its own hashing and its own strict manifest parser. It knows
the published format (docs/exports.md), not the builder's code, so a bug in
the builder cannot hide itself here.

Every check raises ArchiveInvalid naming the check; nothing returns a bool
that a caller could forget to test.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from voxkeep.errors import IntegrityFailure

FORMAT = "voxkeep-export-manifest/1"
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_RECORDING_SOURCE = re.compile(r"recording:.+", re.S)
_CHUNK = 1024 * 1024
_MAX_MANIFEST = 256 * 1024 * 1024


class ArchiveInvalid(IntegrityFailure):
    """The archive does not match its signed manifest, or the manifest is not acceptable."""

    code = "archive_invalid"

    def __init__(self, check: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.check = check


@dataclass(frozen=True, slots=True)
class Entry:
    path: str
    size: int
    sha256: str
    owner: str
    source: str


@dataclass(frozen=True)
class Manifest:
    export: str
    request: str
    kind: str
    owner: str
    created_at: str
    signing_key: str
    files: tuple[Entry, ...]
    withheld: tuple[str, ...]  # sources ("recording:<id>") listed without content
    sha256: str  # of the manifest bytes

    def recording_ids(self) -> list[str]:
        return [e.source.removeprefix("recording:") for e in self.files if _is_recording(e)]

    def withheld_ids(self) -> list[str]:
        return [s.removeprefix("recording:") for s in self.withheld]


def _is_recording(entry: Entry) -> bool:
    return entry.source.startswith("recording:")


def _field(obj: dict[str, Any], name: str, kind: type, check: str) -> Any:
    value = obj.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ArchiveInvalid(check, f"The manifest field {name!r} is missing or malformed.")
    return value


def parse_manifest(data: bytes) -> Manifest:
    """Parse strictly: unknown formats, missing fields and duplicate paths are refused."""
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ArchiveInvalid("manifest_syntax", "manifest.json is not valid JSON.") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise ArchiveInvalid("manifest_format", f"manifest.json is not a {FORMAT} manifest.")
    owner = _field(body, "owner", str, "manifest_fields")
    entries: list[Entry] = []
    seen: set[str] = set()
    listed = _field(body, "files", list, "manifest_fields")
    listed.reverse()
    while listed:  # popped as parsed: a large manifest is not held twice
        raw = listed.pop()
        if not isinstance(raw, dict):
            raise ArchiveInvalid("manifest_fields", "A manifest file entry is not an object.")
        entry = Entry(
            path=_field(raw, "path", str, "manifest_fields"),
            size=_field(raw, "size", int, "manifest_fields"),
            sha256=_field(raw, "sha256", str, "manifest_fields"),
            owner=_field(raw, "owner", str, "manifest_fields"),
            source=_field(raw, "source", str, "manifest_fields"),
        )
        if entry.size < 0 or not _HEX64.fullmatch(entry.sha256):
            raise ArchiveInvalid("manifest_fields", "A manifest entry has a bad size or hash.")
        if entry.source != owner and not _RECORDING_SOURCE.fullmatch(entry.source):
            raise ArchiveInvalid(
                "manifest_source",
                "A manifest entry's source is neither a recording nor the owner.",
                hint="A source is `recording:<id>`, or the owner pseudonym for derived files.",
            )
        if entry.path in seen or entry.path in (MANIFEST_NAME, SIGNATURE_NAME):
            raise ArchiveInvalid("manifest_duplicate", "The manifest lists a path twice.")
        seen.add(entry.path)
        entries.append(entry)
    withheld = []
    for raw in body.get("withheld", []):
        source = raw.get("source") if isinstance(raw, dict) else None
        if not isinstance(source, str) or not source.startswith("recording:"):
            raise ArchiveInvalid("manifest_fields", "A withheld entry is malformed.")
        withheld.append(source)
    counts = _field(body, "counts", dict, "manifest_fields")
    recordings = sum(1 for e in entries if _is_recording(e))
    if (
        counts.get("files") != len(entries)
        or counts.get("recordings") != recordings
        or counts.get("withheld") != len(withheld)
    ):
        raise ArchiveInvalid("manifest_counts", "The manifest's counts disagree with its lists.")
    return Manifest(
        export=_field(body, "export", str, "manifest_fields"),
        request=_field(body, "request", str, "manifest_fields"),
        kind=_field(body, "kind", str, "manifest_fields"),
        owner=owner,
        created_at=_field(body, "created_at", str, "manifest_fields"),
        signing_key=_field(body, "signing_key", str, "manifest_fields"),
        files=tuple(entries),
        withheld=tuple(withheld),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ArchiveInvalid("manifest_missing", f"The archive has no {name}.") from None
    if info.file_size > _MAX_MANIFEST:
        raise ArchiveInvalid("manifest_syntax", f"{name} is implausibly large.")
    return archive.read(info)


def check_signature(manifest: bytes, signature_file: bytes, public_key: Ed25519PublicKey) -> None:
    try:
        signature = base64.b64decode(signature_file.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ArchiveInvalid("signature", "manifest.sig is not base64.") from None
    try:
        public_key.verify(signature, manifest)
    except InvalidSignature:
        raise ArchiveInvalid(
            "signature",
            "The manifest's signature does not verify: it was altered, or signed by another key.",
        ) from None


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return (
        bool(name)
        and not name.startswith("/")
        and "\\" not in name
        and all(p not in ("", ".", "..") for p in parts)
    )


Opener = Callable[[], IO[bytes]]


def verify_archive(
    open_archive: Opener,
    *,
    public_key: Ed25519PublicKey,
    workers: int = 1,
) -> Manifest:
    """Check signature, entry set, sizes, SHA-256 and CRC of every file; return the manifest.

    ``open_archive`` opens the archive afresh; with ``workers`` > 1 the files
    are hashed on that many threads, each reading stored files through its
    own handle (hashing releases the GIL) and sharing the one parsed listing.
    """
    try:
        with open_archive() as source, zipfile.ZipFile(source) as archive:
            manifest = _check_listing(archive, public_key)
            files = manifest.files
            if workers <= 1 or len(files) < 2 * workers:
                _check_entries(archive, source, files)
                return manifest
            size = -(-len(files) // workers)
            parts = [files[i : i + size] for i in range(0, len(files), size)]
            with ThreadPoolExecutor(workers, thread_name_prefix="voxkeep-gate") as pool:
                done = [pool.submit(_check_part, archive, open_archive, part) for part in parts]
                for future in done:
                    future.result()
    except zipfile.BadZipFile as exc:
        # zipfile names the file; its name holds a recording's time and device.
        reason = re.sub(r"'[^']*'", "a file", str(exc))
        raise ArchiveInvalid("zip", f"The archive is not a valid zip file ({reason}).") from None
    return manifest


def signed_manifest(archive: zipfile.ZipFile, public_key: Ed25519PublicKey) -> Manifest:
    """The archive's manifest, once its signature verifies (its files are not checked)."""
    manifest_bytes = _read_small(archive, MANIFEST_NAME)
    check_signature(manifest_bytes, _read_small(archive, SIGNATURE_NAME), public_key)
    return parse_manifest(manifest_bytes)


def _check_listing(archive: zipfile.ZipFile, public_key: Ed25519PublicKey) -> Manifest:
    names = [i.filename for i in archive.infolist()]
    if len(set(names)) != len(names):
        raise ArchiveInvalid("zip_duplicate", "The archive holds two entries of one name.")
    if not all(_safe_name(n) for n in names):
        raise ArchiveInvalid("zip_path", "The archive holds an unsafe path.")
    manifest = signed_manifest(archive, public_key)
    listed = {e.path for e in manifest.files}
    present = set(names) - {MANIFEST_NAME, SIGNATURE_NAME}
    if present - listed:
        raise ArchiveInvalid(
            "unlisted_entry", "The archive holds a file its manifest does not list."
        )
    if listed - present:
        raise ArchiveInvalid("missing_entry", "A file the manifest lists is missing.")
    for entry in manifest.files:
        if entry.owner != manifest.owner:
            raise ArchiveInvalid("entry_owner", "A manifest entry names another owner.")
    return manifest


def _check_part(archive: zipfile.ZipFile, open_archive: Opener, entries: tuple[Entry, ...]) -> None:
    with open_archive() as source:
        _check_entries(archive, source, entries)


def _check_entries(archive: zipfile.ZipFile, source: IO[bytes], entries: tuple[Entry, ...]) -> None:
    for entry in entries:
        _check_entry(archive, source, entry)


def _check_entry(archive: zipfile.ZipFile, source: IO[bytes], entry: Entry) -> None:
    """One file's size and SHA-256; stored files are read through source.

    Stored (audio) files are read in one piece from their local header on:
    zipfile's streaming reader costs more than the hashing. Compressed files
    go through zipfile, whose shared reader is safe across threads.
    """
    info = archive.getinfo(entry.path)
    if info.compress_type == zipfile.ZIP_STORED and info.file_size <= _CHUNK:
        data = _read_stored(source, info)
        digest = hashlib.sha256(data)
        size = len(data)
    else:
        digest = hashlib.sha256()
        size = 0
        with archive.open(info) as member:  # zipfile checks the CRC at the end
            while chunk := member.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                if size > entry.size:
                    break
    if size != entry.size or digest.hexdigest() != entry.sha256:
        raise ArchiveInvalid("entry_hash", "A file's size or SHA-256 differs from the manifest.")


_LOCAL_HEADER = struct.Struct("<4s2sHHHHLLLHH")


def _read_stored(source: IO[bytes], info: zipfile.ZipInfo) -> bytes:
    """An uncompressed entry's bytes, its local header and CRC-32 checked as zipfile would."""
    source.seek(info.header_offset)
    header = source.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        raise zipfile.BadZipFile("truncated local header")
    magic, _, flags, method, _, _, _, _, _, name_len, extra_len = _LOCAL_HEADER.unpack(header)
    if magic != b"PK\x03\x04" or method != zipfile.ZIP_STORED or flags & 0x1:
        raise zipfile.BadZipFile("bad local header of a stored file")
    name = source.read(name_len)
    encoding = "utf-8" if flags & 0x800 else "cp437"
    if name.decode(encoding, errors="replace") != info.orig_filename:
        raise zipfile.BadZipFile("a stored file's local and central names differ")
    source.seek(extra_len, io.SEEK_CUR)
    data = source.read(info.file_size)
    if len(data) != info.file_size or info.compress_size != info.file_size:
        raise zipfile.BadZipFile("a stored file is truncated")
    if zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile("bad CRC-32 of a stored file")
    return data
