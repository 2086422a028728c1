"""The record of processing (Art. 30) follows the running settings, reads back from its PDF
in every language, holds no secret, and is reached from the console and the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from console.console_helpers import add_member, browser, sign_in
from helpers import invoke_cli
from voxkeep.accounts.models import Retention
from voxkeep.config import Settings
from voxkeep.errors import InvalidInput
from voxkeep.pdfdoc import Document, render_text
from voxkeep.records.service import processing_record, processing_record_pdf, span
from voxkeep.records.texts import STRINGS
from voxkeep.vault import Vault

LANGUAGES = ("en", "de", "fr")


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(pdf: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def values(record: Document, heading_key: str, lang: str) -> dict[str, str]:
    """The section's items by label."""
    [section] = [s for s in record.sections if s.heading == STRINGS[lang][heading_key]]
    return {item.label: item.value for item in section.fields}


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path, **values)  # type: ignore[arg-type]


def test_changing_a_setting_changes_the_record(tmp_path: Path) -> None:
    words = STRINGS["en"]
    before = processing_record(settings(tmp_path), "en")
    after = processing_record(
        settings(
            tmp_path,
            retention_max=Retention.MONTHS_18,
            retention_default=Retention.DONT_SAVE,
            export_ttl_s=2 * 86400,
            retention_sweep_interval_s=0,
            smtp_host="mail.example.net",
            smtp_port=587,
            smtp_starttls=True,
            signin_max_failures=7,
            controller_name="Sprachwerk Haushalt GmbH",
        ),
        "en",
    )
    old, new = values(before, "s_retention", "en"), values(after, "s_retention", "en")
    assert old[words["t_max"]].startswith("Until the person deletes them:")
    assert new[words["t_max"]].startswith("18 months:")
    assert new[words["t_default"]].startswith("Not saved")
    assert old[words["t_answers"]].startswith("Downloadable for 7 days;")
    assert new[words["t_answers"]].startswith("Downloadable for 2 days;")
    assert old[words["t_sweep"]] == "Expired recordings are deleted every 1 hour."
    assert new[words["t_sweep"]] == words["t_sweep_off"]
    mail_before = values(before, "s_recipients", "en")[words["r_mail"]]
    mail_after = values(after, "s_recipients", "en")[words["r_mail"]]
    assert mail_before.startswith("localhost:25:") and mail_before.endswith("(STARTTLS): no.")
    assert mail_after.startswith("mail.example.net:587:") and mail_after.endswith(": yes.")
    limits = values(after, "s_security", "en")[words["m_limits"]]
    assert limits.startswith("After 7 failed sign-ins within 15 minutes")
    controller = values(after, "s_controller", "en")
    assert controller[words["controller"]] == "Sprachwerk Haushalt GmbH"
    assert controller[words["dpo"]] == "Not configured (set VOXKEEP_DPO_NAME)."
    assert render_text(before) != render_text(after)


def test_an_outbox_replaces_the_mail_server_and_no_secret_is_ever_shown(tmp_path: Path) -> None:
    secrets = {
        "smtp_password": "smtp-pass-do-not-print",
        "smtp_username": "smtp-user-do-not-print",
        "master_key": "bWFzdGVyLWtleS1kby1ub3QtcHJpbnQtMzItYnl0ZXM=",
        "database_url": "postgresql://voxkeep:db-pass-do-not-print@db.internal/voxkeep",
    }
    record = processing_record(
        settings(tmp_path, mail_outbox_dir=tmp_path.parent / "outbox", **secrets), "en"
    )
    words = STRINGS["en"]
    assert values(record, "s_recipients", "en")[words["r_mail"]].startswith("No mail server")
    security = values(record, "s_security", "en")
    assert security[words["m_master"]] == words["m_master_env"]
    assert security[words["m_database"]].startswith(words["m_postgresql"])
    shown = render_text(record) + pdf_text(processing_record_pdf(settings(tmp_path), "en"))
    leaked = [name for name, value in secrets.items() if value in shown or "do-not-print" in shown]
    assert leaked == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pdf_holds_every_section_and_entry(tmp_path: Path, lang: str) -> None:
    configured = settings(
        tmp_path,
        controller_name="Sprachwerk Haushalt GmbH",
        controller_contact="Königstraße 7, 70173 Stuttgart",
        dpo_name="Dr. Élise Brandt",
        dpo_contact="dpo@sprachwerk.example",
        supervisory_authority="LfDI Baden-Württemberg",
    )
    record = processing_record(configured, lang)
    text = pdf_text(processing_record_pdf(configured, lang))
    words = STRINGS[lang]
    headings = [k for k in words if k.startswith("s_")]
    assert len(record.sections) == len(headings) == 8
    expected = [words["title"], *(words[k] for k in headings)]
    expected += [item.label for section in record.sections for item in section.fields]
    expected += [item.value for section in record.sections for item in section.fields]
    missing = [e for e in expected if flat(e) not in text]
    assert missing == []
    for name in ("Sprachwerk Haushalt GmbH", "Königstraße 7", "Dr. Élise Brandt"):
        assert name in text
    pdf = processing_record_pdf(configured, lang)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages > 1 and words["page"].format(page=pages, pages=pages) in pdf_text(pdf)
    assert words["not_configured"].split("{")[0] not in text


def test_durations_read_in_the_largest_whole_unit() -> None:
    en, de, fr = (STRINGS[lang] for lang in LANGUAGES)
    assert [span(s, en) for s in (604800, 3600, 43200, 900, 5400, 10, 1, 2.5)] == [
        "7 days",
        "1 hour",
        "12 hours",
        "15 minutes",
        "90 minutes",
        "10 seconds",
        "1 second",
        "2.5 seconds",
    ]
    assert (span(86400, de), span(7200, fr)) == ("1 Tag", "2 heures")


def test_an_unknown_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="language 'it'"):
        processing_record(settings(tmp_path), "it")


def test_the_dpo_reads_the_record_and_its_pdf_in_the_console(vault: Vault) -> None:
    add_member(vault, "records-dpo", "dpo")
    with browser(vault) as client:
        sign_in(client, vault, "records-dpo")
        page = client.get("/console/records")
        assert page.status_code == 200
        for key in ("title", "s_purposes", "s_retention", "s_security", "transfers_text"):
            assert STRINGS["en"][key] in page.text.replace("&#39;", "'")
        assert 'href="/console/records.pdf?language=de"' in page.text
        assert 'href="/console/records"' in page.text  # the navigation links to it
        pdf = client.get("/console/records.pdf?language=de")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert "voxkeep-record-de.pdf" in pdf.headers["content-disposition"]
        assert STRINGS["de"]["s_security"] in pdf_text(pdf.content)
        refused = client.get("/console/records.pdf?language=it")
        assert refused.status_code == 422 and "Choose one of en, de, fr" in refused.text


def test_staff_without_the_role_get_no_link(vault: Vault) -> None:
    add_member(vault, "records-agent", "agent")
    with browser(vault) as client:
        sign_in(client, vault, "records-agent")
        assert 'href="/console/records"' not in client.get("/console/requests").text


def test_the_command_prints_the_record_or_writes_its_pdf(tmp_path: Path) -> None:
    env = {"VOXKEEP_DATA_DIR": str(tmp_path / "data"), "VOXKEEP_DPO_NAME": "Dr. Élise Brandt"}
    shown = invoke_cli("records", "show", env=env)
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(STRINGS["en"]["title"])
    assert "Data protection officer or contact point: Dr. Élise Brandt" in shown.output
    target = tmp_path / "record.pdf"
    written = invoke_cli("records", "show", "--pdf", str(target), "--language", "fr", env=env)
    assert written.exit_code == 0, written.output
    assert f"to {target}" in flat(written.output)
    assert STRINGS["fr"]["s_retention"] in pdf_text(target.read_bytes())
    refused = invoke_cli("records", "show", "--language", "it", env=env)
    assert refused.exit_code == 2 and "'it' is not one of" in refused.output
