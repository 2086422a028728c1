"""The answer archive: layout, contents, localized PDF, cover sheet, portability, Art. 15(4)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from export_helpers import archive_bytes, open_zip, run_export_job
from factory import BASE, household, portal_request, record
from pypdf import PdfReader

from voxkeep.accounts.models import Language
from voxkeep.config import Settings
from voxkeep.exports.delivery import expire_export
from voxkeep.exports.models import Export
from voxkeep.requests.models import DataRequest, RequestKind
from voxkeep.vault import Vault, open_vault

TEXT_FILES = {
    "index.html",
    "transcripts.pdf",
    "transcripts.json",
    "transcripts.csv",
    "account.json",
    "requests.json",
}


def _mueller(vault: Vault) -> tuple[object, dict[str, str]]:
    house = household(
        vault,
        "mueller",
        devices=(("kueche", "Küche"), ("bad", "Badezimmer")),
        members=(("anna", "Anna"),),
    )
    texts = {}
    # Recorded out of order and across two devices: the answer must sort them.
    plan = [
        ("r-3", 1, 200, "Schalte das Licht im Bad aus."),
        ("r-1", 0, 5, "Wie wird das Wetter morgen in München?"),
        ("r-2", 0, 60, "Füge Äpfel und Käse zur Einkaufsliste hinzu."),
        ("r-4", 1, 24 * 60 + 3, "Spiel Musik von Grönemeyer."),
    ]
    for rec_id, device, minutes, text in plan:
        record(
            vault,
            house,
            rec_id,
            device=house.devices[device],
            at=BASE + timedelta(minutes=minutes),
            transcript=text,
            speaker=house.members[0] if rec_id == "r-2" else None,
        )
        texts[rec_id] = text
    return house, texts


def test_layout_contents_and_storage(vault: Vault) -> None:
    house, texts = _mueller(vault)
    request_id = portal_request(vault, house)
    export_id = run_export_job(vault, request_id)
    assert export_id is not None
    with open_zip(archive_bytes(vault, export_id)) as archive:
        names = set(archive.namelist())
        wavs = {n for n in names if n.startswith("recordings/")}
        assert names == TEXT_FILES | wavs | {"manifest.json", "manifest.sig"}
        assert wavs == {
            "recordings/2024/03/2024-03-05T07-05-00Z_mueller-kueche.wav",
            "recordings/2024/03/2024-03-05T08-00-00Z_mueller-kueche.wav",
            "recordings/2024/03/2024-03-05T10-20-00Z_mueller-bad.wav",
            "recordings/2024/03/2024-03-06T07-03-00Z_mueller-bad.wav",
        }
        for info in archive.infolist():
            expected = zipfile.ZIP_STORED if info.filename.endswith(".wav") else None
            if expected is not None:
                assert info.compress_type == expected
            elif info.filename in TEXT_FILES:
                assert info.compress_type == zipfile.ZIP_DEFLATED
        rows = json.loads(archive.read("transcripts.json"))["recordings"]
        assert [r["id"] for r in rows] == ["r-1", "r-2", "r-3", "r-4"]  # by time
        for row in rows:
            assert archive.read(row["audio"]) == house.recordings[row["id"]]
            assert row["transcript"] == texts[row["id"]]
        assert rows[1]["speaker_name"] == "Anna"
        table = list(
            csv.DictReader(io.StringIO(archive.read("transcripts.csv").decode("utf-8-sig")))
        )
        assert [r["id"] for r in table] == [r["id"] for r in rows]
        assert [r["transcript"] for r in table] == [r["transcript"] for r in rows]
        account = json.loads(archive.read("account.json"))
        assert account["account_id"] == "mueller"
        assert account["email"] == "mueller@example.org"
        assert {d["name"] for d in account["devices"]} == {"Küche", "Badezimmer"}
        assert account["household_members"] == [{"id": "mueller-anna", "name": "Anna"}]
        history = json.loads(archive.read("requests.json"))["requests"]
        assert [r["id"] for r in history] == [request_id]
        manifest = json.loads(archive.read("manifest.json"))
        assert {f["path"] for f in manifest["files"]} == names - {"manifest.json", "manifest.sig"}
        assert {f["owner"] for f in manifest["files"]} == {manifest["owner"]}
        sources = {f["source"] for f in manifest["files"] if f["path"].endswith(".wav")}
        assert sources == {f"recording:{r}" for r in texts}


def _answered(vault: Vault) -> tuple[str, dict[str, bytes]]:
    """The request id of a real built answer and its files by name."""
    house, _ = _mueller(vault)
    request_id = portal_request(vault, house)
    export_id = run_export_job(vault, request_id)
    assert export_id is not None
    with open_zip(archive_bytes(vault, export_id)) as archive:
        return request_id, {n: archive.read(n) for n in archive.namelist()}


def test_requests_json_shows_the_answered_request_as_the_person_finds_it(vault: Vault) -> None:
    request_id, files = _answered(vault)
    history = json.loads(files["requests.json"])["requests"]
    created_at = json.loads(files["manifest.json"])["created_at"]
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        assert request is not None and request.state == "ready"  # what the ready mail says
    [answered] = history
    assert answered["state"] == "ready"
    assert answered["answered_at"] == created_at  # this answer's own time
    assert answered["timeline"][-1]["to"] == "building"  # the steps recorded so far, as they are


def test_derived_files_name_the_owner_pseudonym_as_their_source(vault: Vault) -> None:
    _, files = _answered(vault)
    manifest = json.loads(files["manifest.json"])
    owner = manifest["owner"]
    assert owner.startswith("account:") and not owner.startswith("account:account:")
    derived = {f["path"]: f["source"] for f in manifest["files"] if f["path"] in TEXT_FILES}
    assert derived == dict.fromkeys(TEXT_FILES, owner)


def test_pdf_is_grouped_sorted_dated_and_localized(vault: Vault) -> None:
    house, texts = _mueller(vault)
    export_id = run_export_job(vault, portal_request(vault, house))
    assert export_id is not None
    with open_zip(archive_bytes(vault, export_id)) as archive:
        text = "\n".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(archive.read("transcripts.pdf"))).pages
        )
    assert "Transkripte Ihrer Sprachaufnahmen" in text
    assert "5. März 2024" in text and "6. März 2024" in text
    # Grouped by device (Badezimmer before Küche by name), then by time.
    order = [text.index(texts[r]) for r in ("r-3", "r-4", "r-1", "r-2")]
    assert order == sorted(order)
    assert text.index("Gerät: Badezimmer") < text.index(texts["r-3"])
    assert text.index("Gerät: Küche") < text.index(texts["r-1"])
    assert "Füge Äpfel und Käse" in text  # accents survive, extractable


def test_french_answer_and_cover_sheet(vault: Vault) -> None:
    house = household(vault, "dubois", language=Language.FR, devices=(("salon", "Salon"),))
    record(vault, house, "fr-1", transcript="Mets une chanson de Céline, s'il te plaît. Œuvre")
    export_id = run_export_job(vault, portal_request(vault, house))
    assert export_id is not None
    with open_zip(archive_bytes(vault, export_id)) as archive:
        pdf_text = PdfReader(io.BytesIO(archive.read("transcripts.pdf"))).pages[0].extract_text()
        html = archive.read("index.html").decode()
    assert "Transcriptions de vos enregistrements vocaux" in pdf_text
    assert "Céline, s'il te plaît. Œuvre" in pdf_text
    assert "5 mars 2024" in pdf_text
    assert '<html lang="fr">' in html
    for letter in "abcdefgh":
        assert f"({letter})" in html
    assert "Réclamation" in html and "art. 77" in html
    assert 'src="recordings/2024/03/2024-03-05T07-00-00Z_dubois-salon.wav"' in html
    assert "s&#39;il te plaît" in html  # escaped, never raw markup


def test_portability_is_the_machine_readable_subset(vault: Vault) -> None:
    house, _ = _mueller(vault)
    export_id = run_export_job(vault, portal_request(vault, house, RequestKind.PORTABILITY))
    assert export_id is not None
    with open_zip(archive_bytes(vault, export_id)) as archive:
        names = set(archive.namelist())
    wavs = {n for n in names if n.endswith(".wav")}
    assert len(wavs) == 4
    assert names - wavs == {
        "transcripts.json",
        "transcripts.csv",
        "account.json",
        "manifest.json",
        "manifest.sig",
    }


def test_household_voices_can_be_withheld(settings: Settings) -> None:
    vault = open_vault(settings.model_copy(update={"export_household_voices": "withhold"}))
    try:
        house, _ = _mueller(vault)
        request_id = portal_request(vault, house)
        export_id = run_export_job(vault, request_id)
        assert export_id is not None
        with vault.reading() as session:
            request = session.get(DataRequest, request_id)
            assert request is not None and request.state == "ready"
        with open_zip(archive_bytes(vault, export_id)) as archive:
            rows = json.loads(archive.read("transcripts.json"))["recordings"]
            manifest = json.loads(archive.read("manifest.json"))
            wavs = [n for n in archive.namelist() if n.endswith(".wav")]
        held = [r for r in rows if r["withheld"]]
        assert [r["id"] for r in held] == ["r-2"]
        assert held[0]["transcript"] is None and held[0]["audio"] is None
        assert held[0]["speaker_name"] == "Anna"
        assert len(wavs) == 3
        assert manifest["withheld"] == [{"source": "recording:r-2", "reason": "gdpr-art-15(4)"}]
    finally:
        vault.close()


def test_account_without_devices_gets_an_answer_without_recordings(vault: Vault) -> None:
    house = household(vault, "nodevice", devices=())
    request_id = portal_request(vault, house)
    export_id = run_export_job(vault, request_id)
    assert export_id is not None
    with open_zip(archive_bytes(vault, export_id)) as archive:
        assert not [n for n in archive.namelist() if n.startswith("recordings/")]
        assert json.loads(archive.read("transcripts.json"))["recordings"] == []


def test_archive_is_encrypted_at_rest_and_its_key_dies_at_expiry(vault: Vault) -> None:
    house, texts = _mueller(vault)
    export_id = run_export_job(vault, portal_request(vault, house))
    assert export_id is not None
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None and export.blob is not None and export.expires_at
        blob, expires_at = export.blob, export.expires_at
    with vault.blobs.open(blob) as stored:
        raw = stored.read()
    assert b"PK\x03\x04" not in raw
    assert not any(t.encode() in raw for t in texts.values())
    assert not any(audio[44:200] in raw for audio in house.recordings.values())
    assert not expire_export(vault, export_id)  # not yet
    assert expire_export(vault, export_id, now=expires_at + timedelta(seconds=1))
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None
        assert export.state == "expired" and export.key_sealed is None and export.blob is None
    with pytest.raises(Exception):  # noqa: B017 (the blob is gone)
        vault.blobs.open(blob)
