"""The notification to the supervisory authority (Art. 33(3), (4)), read back from its PDF
in every language and checked against its JSON schema."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from voxkeep.config import Settings
from voxkeep.errors import InvalidInput
from voxkeep.exports.i18n import long_date
from voxkeep.incidents.authority import (
    FROM_DPO,
    SCHEMA,
    AuthorityJson,
    AuthorityReport,
    Contact,
    DataCategory,
    FollowUp,
    PersonCategory,
    draft_report,
    render_json,
    render_pdf,
)
from voxkeep.incidents.authority_texts import STRINGS
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import open_incident, show_incident
from voxkeep.vault import Vault

AWARE = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
LANGUAGES = ("en", "de", "fr")
DOCS = Path(__file__).resolve().parents[2] / "docs"

ON_TIME = AuthorityReport(
    incident_id="9f" * 16,
    kind=IncidentKind.NOT_MY_DATA,
    controller=Contact("Sprachwerk Haushalt GmbH", "Königstraße 7, 70173 Stuttgart"),
    contact_point=Contact("Dr. Élise Brandt", "dpo@sprachwerk.example, +49 711 0000"),
    authority="Landesbeauftragter für den Datenschutz Baden-Württemberg",
    aware_at=AWARE,
    notified_at=AWARE + timedelta(hours=30),
    data_categories=tuple(DataCategory),
    people_categories=tuple(PersonCategory),
    people_approx=2,
    records_approx=1712,
    nature="An access answer of one customer held 1712 recordings of another household.",
    consequences="Intimate home conversations disclosed to a stranger.",
    measures_taken="Download revoked; recordings reassigned to the right account.",
    measures_proposed="Notify both households; review the device hand-over process.",
)
LATE = dataclasses.replace(
    ON_TIME,
    notified_at=AWARE + timedelta(hours=80, minutes=20),
    delay_reasons="The misattribution was confirmed with the operator only on day three.",
)
PHASE_2 = dataclasses.replace(
    ON_TIME,
    records_approx=1734,
    follow_ups=(FollowUp(2, AWARE + timedelta(days=4), "22 more recordings were found."),),
)


def text_of(pdf: bytes) -> tuple[str, int]:
    """The PDF's text with every run of whitespace one space (lines wrap), and its pages."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split()), len(pages)


def when(moment: datetime, lang: str) -> str:
    return f"{long_date(moment, lang)}, {moment:%H:%M} UTC"


def required(report: AuthorityReport, lang: str) -> list[str]:
    """What every notification must show: each heading and label, and the report's values."""
    words = STRINGS[lang]
    keys = ["title", "about", "a", "b", "c", "d", "delay", "phases", "authority", "controller"]
    keys += ["incident", "phase", "aware_at", "deadline", "notified_at", "timeliness"]
    keys += ["detected", "description", "people_categories", "people_number"]
    keys += ["data_categories", "records_number", "name", "contact", "consequences"]
    keys += ["measures_taken", "measures_proposed", "delay_reasons", f"kind_{report.kind.value}"]
    keys += [f"data_{c.value}" for c in report.data_categories]
    keys += [f"people_{c.value}" for c in report.people_categories]
    values = [words[k] for k in keys]
    values += [report.incident_id, str(report.people_approx), str(report.records_approx)]
    values += [when(t, lang) for t in (report.aware_at, report.deadline, report.notified_at)]
    for text in (
        report.authority,
        report.controller.name,
        report.controller.contact,
        report.contact_point.name,
        report.contact_point.contact,
        report.nature,
        report.consequences,
        report.measures_taken,
        report.measures_proposed,
    ):
        assert text
        values.append(text)
    return values


def missing(text: str, wanted: list[str]) -> list[str]:
    return [w for w in wanted if " ".join(w.split()) not in text]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_on_time_notification_shows_every_art_33_3_field(lang: str) -> None:
    text, pages = text_of(render_pdf(ON_TIME, lang))
    words = STRINGS[lang]
    assert missing(text, required(ON_TIME, lang)) == []
    assert missing(text, [words["on_time"], words["delay_none"], words["phase_initial"]]) == []
    assert words["subtitle_initial"] in text
    assert words["page"].format(page=pages, pages=pages) in text
    assert words["pending"] not in text  # every field was given


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_late_notification_gives_its_reasons_and_how_late(lang: str) -> None:
    assert LATE.late and LATE.hours_late == 9  # 8 h 20 min past: 9 hours, rounded up
    text, _ = text_of(render_pdf(LATE, lang))
    words = STRINGS[lang]
    assert missing(text, required(LATE, lang)) == []
    assert words["late"].format(hours=9) in text
    assert LATE.delay_reasons and LATE.delay_reasons in text
    assert words["delay_none"] not in text
    an_hour = dataclasses.replace(LATE, notified_at=LATE.deadline + timedelta(minutes=5))
    assert words["late_one"] in text_of(render_pdf(an_hour, lang))[0]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_follow_up_is_its_own_version_listing_every_phase(lang: str) -> None:
    words = STRINGS[lang]
    text, _ = text_of(render_pdf(PHASE_2, lang))
    first = when(PHASE_2.notified_at, lang)
    assert missing(text, required(PHASE_2, lang)) == []
    assert words["subtitle_follow_up"].format(phase=2, date=first) in text
    assert words["phase_follow_up"].format(phase=2) in text
    for phase, at, news in [
        (1, PHASE_2.notified_at, words["phase_one_news"]),
        (2, AWARE + timedelta(days=4), "22 more recordings were found."),
    ]:
        entry = words["phase_entry"].format(phase=phase, date=when(at, lang))
        assert f"{entry} {news}" in text
    # Phase 1 of the same report is the initial notification, without the follow-up.
    initial, _ = text_of(render_pdf(PHASE_2.at_phase(1), lang))
    assert words["subtitle_initial"] in initial and "22 more recordings" not in initial


def test_a_late_notification_without_reasons_is_refused_by_both_renderers() -> None:
    unexplained = dataclasses.replace(LATE, delay_reasons="  ")
    for render in (lambda r: render_pdf(r, "de"), render_json):
        with pytest.raises(InvalidInput) as refused:
            render(unexplained)
        assert "9 hours past its 72-hour deadline" in refused.value.message
        assert refused.value.hint and "reasons" in refused.value.hint


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"notified_at": AWARE - timedelta(minutes=1)}, "before the time of becoming aware"),
        ({"records_approx": -1}, "cannot be negative"),
        ({"follow_ups": (FollowUp(3, AWARE + timedelta(days=2), "x"),)}, "numbered 2, 3"),
        ({"follow_ups": (FollowUp(2, AWARE, "x"),)}, "dated before"),
        ({"follow_ups": (FollowUp(2, AWARE + timedelta(days=2), " "),)}, "what is new"),
        ({"aware_at": AWARE.replace(tzinfo=None)}, "time zone"),
    ],
)
def test_inconsistent_notifications_are_refused(change: dict[str, object], complaint: str) -> None:
    with pytest.raises(InvalidInput, match=complaint):
        render_json(dataclasses.replace(ON_TIME, **change))  # type: ignore[arg-type]


def test_unknown_languages_and_phases_are_refused() -> None:
    with pytest.raises(InvalidInput, match="language 'it'"):
        render_pdf(ON_TIME, "it")
    with pytest.raises(InvalidInput, match="no phase 3"):
        PHASE_2.at_phase(3)


@pytest.mark.parametrize("report", [ON_TIME, LATE, PHASE_2], ids=["on-time", "late", "phase-2"])
def test_the_json_validates_against_its_schema(report: AuthorityReport) -> None:
    raw = render_json(report)
    parsed = AuthorityJson.model_validate_json(raw)  # strict, no unknown fields
    body = json.loads(raw)
    assert body["schema"] == SCHEMA == parsed.schema_id
    assert body["phase"] == report.phase and body["pending"] == []
    assert body["incident"] == {"id": report.incident_id, "kind": "not_my_data"}
    assert body["timing"]["late"] is report.late
    assert body["timing"]["delay_reasons"] == report.delay_reasons
    assert body["nature"]["records"]["approximate_number"] == report.records_approx
    assert body["nature"]["data_subjects"]["categories"] == [c.value for c in PersonCategory]
    assert body["contact_point"]["name"] == report.contact_point.name
    assert [f["news"] for f in body["follow_ups"]] == [f.news for f in report.follow_ups]
    with pytest.raises(ValueError, match="extra"):
        AuthorityJson.model_validate_json(json.dumps({**body, "surprise": 1}))


def test_the_json_schema_is_documented() -> None:
    doc = (DOCS / "records.md").read_text()
    schema = AuthorityJson.model_json_schema(by_alias=True)
    names = set(schema["properties"])
    for definition in schema["$defs"].values():
        names |= set(definition.get("properties", {}))
    assert SCHEMA in doc
    assert sorted(n for n in names if f"`{n}`" not in doc) == []
    codes = [c.value for c in (*DataCategory, *PersonCategory)]
    assert [c for c in codes if f"`{c}`" not in doc] == []


def test_a_draft_from_an_incident_fills_what_voxkeep_knows_and_leaves_the_dpos_fields(
    vault: Vault,
) -> None:
    with vault.transaction() as session:
        incident = open_incident(
            vault,
            session,
            kind=IncidentKind.NOT_MY_DATA,
            request_id="r" * 32,
            details={"export": "e" * 32, "account": "account:abc", "recordings": 1700},
            actor="account:abc",
        )
    summary = show_incident(vault, incident.id).summary
    settings = Settings(
        data_dir=vault.settings.data_dir, dpo_name="Dr. Élise Brandt", controller_name=" "
    )
    now = summary.opened_at + timedelta(hours=2)
    draft = draft_report(summary, settings, notified_at=now)
    assert (draft.incident_id, draft.kind, draft.aware_at) == (
        incident.id,
        IncidentKind.NOT_MY_DATA,
        summary.opened_at,
    )
    assert (draft.people_approx, draft.records_approx) == (1, 1700)
    assert draft.data_categories == tuple(DataCategory)
    assert draft.contact_point == Contact("Dr. Élise Brandt", None)
    assert draft.controller == Contact(None, None)  # blank is not configured
    assert all(getattr(draft, name) in (None, ()) for name in FROM_DPO)
    body = json.loads(render_json(draft))
    assert body["pending"] == [
        "nature.description",
        "consequences",
        "measures.taken",
        "measures.proposed",
    ]
    unknown = dataclasses.replace(draft, people_categories=(), records_approx=None)
    assert json.loads(render_json(unknown))["pending"] == [
        "nature.description",
        "nature.data_subjects.categories",
        "nature.records.approximate_number",
        "consequences",
        "measures.taken",
        "measures.proposed",
    ]
    for lang in LANGUAGES:
        words = STRINGS[lang]
        text, _ = text_of(render_pdf(draft, lang))
        assert text.count(words["pending"]) == 4
        for setting in ("CONTROLLER_NAME", "DPO_CONTACT", "SUPERVISORY_AUTHORITY"):
            assert words["not_configured"].format(setting=f"VOXKEEP_{setting}") in text
        assert "Dr. Élise Brandt" in text and "1700" in text


def test_times_given_in_another_zone_are_written_in_utc() -> None:
    berlin = timezone(timedelta(hours=1))
    report = dataclasses.replace(
        ON_TIME,
        aware_at=AWARE.astimezone(berlin),
        notified_at=ON_TIME.notified_at.astimezone(berlin),
    )
    timing = json.loads(render_json(report))["timing"]
    assert (timing["aware_at"], timing["deadline"]) == (
        "2026-03-02T08:15:00Z",
        "2026-03-05T08:15:00Z",
    )
    text, _ = text_of(render_pdf(report, "en"))
    assert when(AWARE, "en") in text and "09:15" not in text
