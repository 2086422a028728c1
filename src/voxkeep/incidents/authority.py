"""The notification of a personal data breach to the supervisory authority (Art. 33(3), (4)).

``AuthorityReport`` is the one interface: every field Art. 33(3) asks for, the
clock (Art. 33(1)) with the reasons when the notification is late, and the
phased follow-ups (Art. 33(4)). ``render_json`` and ``render_pdf`` turn it into
the document; both refuse a report that the law would refuse (``check``).

Where each field comes from:

- voxkeep's own record (``draft_report``): the incident's id and kind, the
  awareness time (the incident's clock), the approximate numbers its evidence
  holds (the recordings of the answer concerned; the one account it belonged
  to) and the categories of data and people such an incident concerns;
- the settings: the controller, the DPO or contact point (Art. 33(3)(b)) and
  the supervisory authority (docs/configuration.md);
- the DPO (``FROM_DPO``): the description of the breach, its likely
  consequences, the measures taken and proposed, the reasons for a delay and
  each follow-up; until given, the document says "not yet known: will be
  provided in a later phase", as Art. 33(4) allows. The DPO confirms or
  corrects the numbers and categories too.

Each phase is its own version of the document: ``at_phase(n)`` is the report as
it stood at phase n.

The JSON schema (``AuthorityJson``, id ``SCHEMA``) is documented in
docs/records.md; a change that is not backward compatible gets a new id.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from voxkeep.config import Settings
from voxkeep.errors import InvalidInput
from voxkeep.exports.i18n import long_date
from voxkeep.incidents.authority_texts import STRINGS
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.service import NOTIFY_WITHIN, IncidentSummary
from voxkeep.pdfdoc import Document, Item, Section, render_document, words_in

SCHEMA: Final = "voxkeep.authority-notification/1"
LANGUAGES: Final = tuple(STRINGS)


class DataCategory(enum.StrEnum):
    """Categories of personal data records in voxkeep (Art. 33(3)(a))."""

    VOICE_RECORDINGS = "voice_recordings"
    TRANSCRIPTS = "transcripts"
    NAMES = "device_and_member_names"
    TIMESTAMPS = "timestamps"


class PersonCategory(enum.StrEnum):
    """Categories of data subjects (EDPB 02/2021: all three hold rights)."""

    ACCOUNT_HOLDERS = "account_holders"
    HOUSEHOLD_MEMBERS = "household_members"
    ACCIDENTAL_SPEAKERS = "accidental_speakers"


@dataclass(frozen=True)
class Contact:
    """A name and how to reach it; None where the setting is not configured."""

    name: str | None
    contact: str | None


@dataclass(frozen=True)
class FollowUp:
    """A later phase (Art. 33(4)): its number (2, 3, …), when it was sent, what is new."""

    phase: int
    at: datetime
    news: str


@dataclass(frozen=True)
class AuthorityReport:
    incident_id: str
    kind: IncidentKind
    controller: Contact
    contact_point: Contact  # the DPO or other contact point, Art. 33(3)(b)
    authority: str | None  # the supervisory authority, by name
    aware_at: datetime  # Art. 33(1): the 72 hours run from here
    notified_at: datetime  # when the authority was (or is being) first notified
    data_categories: tuple[DataCategory, ...]
    people_categories: tuple[PersonCategory, ...]
    people_approx: int | None  # approximate number of data subjects; None: not yet known
    records_approx: int | None  # approximate number of records; None: not yet known
    # From the DPO; None: not yet known (to follow in a later phase, Art. 33(4)).
    nature: str | None = None
    consequences: str | None = None
    measures_taken: str | None = None
    measures_proposed: str | None = None
    delay_reasons: str | None = None  # required when notified later than 72 hours
    follow_ups: tuple[FollowUp, ...] = ()

    @property
    def deadline(self) -> datetime:
        return self.aware_at + NOTIFY_WITHIN

    @property
    def late(self) -> bool:
        return self.notified_at > self.deadline

    @property
    def hours_late(self) -> int:
        """Whole hours past the deadline, rounded up (0 when on time)."""
        over = self.notified_at - self.deadline
        return max(0, -int(-over.total_seconds() // 3600))

    @property
    def phase(self) -> int:
        return 1 + len(self.follow_ups)

    def at_phase(self, phase: int) -> AuthorityReport:
        """The report as it stood at ``phase``: that phase's version of the document."""
        if not 1 <= phase <= self.phase:
            raise InvalidInput(
                f"This notification has phases 1 to {self.phase}; there is no phase {phase}."
            )
        return dataclasses.replace(self, follow_ups=self.follow_ups[: phase - 1])


# The fields the DPO writes (voxkeep cannot know them); see the module's docstring.
FROM_DPO: Final = (
    "nature",
    "consequences",
    "measures_taken",
    "measures_proposed",
    "delay_reasons",
    "follow_ups",
)

# Incidents about an answer to a request: its archive holds every category of data,
# and the voices in it may be anyone's in the household or near it.
_ANSWER_KINDS: Final = frozenset(
    {
        IncidentKind.RELEASE_GATE_FAILED,
        IncidentKind.NOT_MY_DATA,
        IncidentKind.BUILD_FAILED,
        IncidentKind.KEY_FAILED,
        IncidentKind.DELIVERY_FAILED,
        IncidentKind.FOREIGN_DOWNLOAD,
    }
)


def draft_report(
    incident: IncidentSummary, settings: Settings, *, notified_at: datetime
) -> AuthorityReport:
    """A first draft from what voxkeep records today; the DPO's fields are left open."""
    details = incident.details
    recordings = details.get("recordings")
    answer = incident.kind in _ANSWER_KINDS
    return AuthorityReport(
        incident_id=incident.id,
        kind=incident.kind,
        controller=Contact(settings.controller_name, settings.controller_contact),
        contact_point=Contact(settings.dpo_name, settings.dpo_contact),
        authority=settings.supervisory_authority,
        aware_at=incident.clock.aware_at,
        notified_at=notified_at,
        data_categories=tuple(DataCategory) if answer else (),
        people_categories=tuple(PersonCategory) if answer else (),
        # An answer belongs to one account: its holder (household members are counted
        # by the DPO, who knows who else was heard).
        people_approx=1 if isinstance(details.get("account"), str) else None,
        records_approx=recordings if type(recordings) is int else None,
    )


def check(report: AuthorityReport) -> None:
    """Refuse what must not be sent: a late notification without its reasons, and more."""
    times = (report.aware_at, report.notified_at, *(f.at for f in report.follow_ups))
    if any(t.tzinfo is None for t in times):
        raise InvalidInput("Every time in the notification must carry its time zone (UTC).")
    if report.notified_at < report.aware_at:
        raise InvalidInput(
            "The notification time lies before the time of becoming aware of the breach.",
            hint="Check both times: the 72 hours run from awareness (Art. 33(1)).",
        )
    if report.late and not (report.delay_reasons or "").strip():
        deadline = report.deadline.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        hours = f"{report.hours_late} hour{'' if report.hours_late == 1 else 's'}"
        raise InvalidInput(
            f"This notification is {hours} past its 72-hour deadline ({deadline} UTC) and "
            "gives no reasons for the delay.",
            hint="Art. 33(1) requires the reasons when the notification is later than 72 "
            "hours: add them, then make the document again.",
        )
    for count in (report.people_approx, report.records_approx):
        if count is not None and count < 0:
            raise InvalidInput("An approximate number of people or records cannot be negative.")
    earlier = report.notified_at
    for number, follow_up in enumerate(report.follow_ups, 2):
        if follow_up.phase != number:
            raise InvalidInput(
                f"Follow-ups are numbered 2, 3, … in order; phase {number} is "
                f"numbered {follow_up.phase}."
            )
        if follow_up.at < earlier:
            raise InvalidInput(f"Phase {number} is dated before the phase it follows.")
        if not follow_up.news.strip():
            raise InvalidInput(f"Phase {number} does not say what is new.")
        earlier = follow_up.at


# JSON ---------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ContactJson(_Model):
    name: str | None = Field(description="null: not configured.")
    contact: str | None = Field(description="null: not configured.")


class IncidentJson(_Model):
    id: str
    kind: IncidentKind = Field(description="What opened the incident in voxkeep.")


class TimingJson(_Model):
    aware_at: datetime = Field(description="Awareness (Art. 33(1)): the 72 hours run from here.")
    deadline: datetime = Field(description="aware_at + 72 hours.")
    notified_at: datetime = Field(description="When the authority was first notified.")
    late: bool
    hours_late: int = Field(description="Whole hours past the deadline, rounded up; 0 on time.")
    delay_reasons: str | None = Field(description="Required when late (Art. 33(1)).")


class CountedJson(_Model):
    categories: list[str] = Field(description="Codes; see docs/records.md.")
    approximate_number: int | None = Field(description="null: not yet known.")


class NatureJson(_Model):
    """Art. 33(3)(a)."""

    description: str | None = Field(description="The DPO's description; null: not yet known.")
    data_subjects: CountedJson
    records: CountedJson


class MeasuresJson(_Model):
    """Art. 33(3)(d)."""

    taken: str | None
    proposed: str | None = Field(description="Including measures to mitigate adverse effects.")


class FollowUpJson(_Model):
    phase: int
    at: datetime
    news: str


class AuthorityJson(_Model):
    """The notification to the supervisory authority, one phase of it, as JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    schema_id: Literal["voxkeep.authority-notification/1"] = Field(alias="schema")
    phase: int = Field(description="1: the initial notification; 2, 3, …: follow-ups.")
    incident: IncidentJson
    supervisory_authority: str | None = Field(description="null: not configured.")
    controller: ContactJson
    timing: TimingJson
    nature: NatureJson = Field(description="Art. 33(3)(a).")
    contact_point: ContactJson = Field(description="Art. 33(3)(b): the DPO or contact point.")
    consequences: str | None = Field(description="Art. 33(3)(c); null: not yet known.")
    measures: MeasuresJson = Field(description="Art. 33(3)(d).")
    follow_ups: list[FollowUpJson] = Field(description="Art. 33(4): phases 2, 3, … so far.")
    pending: list[str] = Field(
        description="Paths of the fields not yet known (e.g. measures.taken), to follow in "
        "a later phase (Art. 33(4))."
    )


# Each field that may be not yet known: its name in the report and its path in the JSON.
_MAY_BE_PENDING: Final = (
    ("nature", "nature.description"),
    ("people_categories", "nature.data_subjects.categories"),
    ("people_approx", "nature.data_subjects.approximate_number"),
    ("data_categories", "nature.records.categories"),
    ("records_approx", "nature.records.approximate_number"),
    ("consequences", "consequences"),
    ("measures_taken", "measures.taken"),
    ("measures_proposed", "measures.proposed"),
)


def _pending(report: AuthorityReport) -> list[str]:
    """The JSON paths of the fields not yet known: None, blank or no categories."""

    def known(value: object) -> bool:
        return bool(value.strip()) if isinstance(value, str) else value not in (None, ())

    return [path for name, path in _MAY_BE_PENDING if not known(getattr(report, name))]


def to_json(report: AuthorityReport) -> AuthorityJson:
    check(report)
    return AuthorityJson(
        schema_id=SCHEMA,
        phase=report.phase,
        incident=IncidentJson(id=report.incident_id, kind=report.kind),
        supervisory_authority=report.authority,
        controller=ContactJson(name=report.controller.name, contact=report.controller.contact),
        timing=TimingJson(
            aware_at=report.aware_at.astimezone(UTC),
            deadline=report.deadline.astimezone(UTC),
            notified_at=report.notified_at.astimezone(UTC),
            late=report.late,
            hours_late=report.hours_late,
            delay_reasons=report.delay_reasons,
        ),
        nature=NatureJson(
            description=report.nature,
            data_subjects=CountedJson(
                categories=[c.value for c in report.people_categories],
                approximate_number=report.people_approx,
            ),
            records=CountedJson(
                categories=[c.value for c in report.data_categories],
                approximate_number=report.records_approx,
            ),
        ),
        contact_point=ContactJson(
            name=report.contact_point.name, contact=report.contact_point.contact
        ),
        consequences=report.consequences,
        measures=MeasuresJson(taken=report.measures_taken, proposed=report.measures_proposed),
        follow_ups=[
            FollowUpJson(phase=f.phase, at=f.at.astimezone(UTC), news=f.news)
            for f in report.follow_ups
        ],
        pending=_pending(report),
    )


def render_json(report: AuthorityReport) -> bytes:
    """The document as JSON (UTF-8), in the schema ``SCHEMA``; refused as ``check`` says."""
    return to_json(report).model_dump_json(by_alias=True, indent=2).encode() + b"\n"


# PDF ----------------------------------------------------------------------------------


def words_of(language: str) -> dict[str, str]:
    return words_in(STRINGS, language, what="notification")


def when(moment: datetime, language: str) -> str:
    moment = moment.astimezone(UTC)
    return f"{long_date(moment, language)}, {moment:%H:%M} UTC"


def render_pdf(report: AuthorityReport, language: str) -> bytes:
    """The document as PDF in ``language`` (en, de, fr); refused as ``check`` says."""
    return render_document(document(report, language))


def document(report: AuthorityReport, language: str) -> Document:
    check(report)
    words = words_of(language)
    pending = words["pending"]

    def given(text: str | None) -> str:
        return text.strip() if text and text.strip() else pending

    def configured(value: str | None, setting: str) -> str:
        return value or words["not_configured"].format(setting=f"VOXKEEP_{setting}")

    def number(value: int | None) -> str:
        return pending if value is None else str(value)

    def listed(prefix: str, codes: tuple[enum.StrEnum, ...]) -> str:
        return "\n".join(words[f"{prefix}_{c.value}"] for c in codes) or pending

    first = when(report.notified_at, language)
    if report.phase == 1:
        subtitle, phase = words["subtitle_initial"], words["phase_initial"]
    else:
        subtitle = words["subtitle_follow_up"].format(phase=report.phase, date=first)
        phase = words["phase_follow_up"].format(phase=report.phase)
    if not report.late:
        timely = words["on_time"]
    else:
        timely = words["late_one" if report.hours_late == 1 else "late"].format(
            hours=report.hours_late
        )
    phases = [Item(words["phase_entry"].format(phase=1, date=first), words["phase_one_news"])]
    phases += [
        Item(words["phase_entry"].format(phase=f.phase, date=when(f.at, language)), f.news)
        for f in report.follow_ups
    ]
    controller = report.controller
    return Document(
        title=words["title"],
        subtitle=subtitle,
        footer=words["footer"].format(incident=report.incident_id[:12], phase=report.phase),
        page_label=words["page"],
        sections=(
            Section(
                words["about"],
                fields=(
                    Item(words["authority"], configured(report.authority, "SUPERVISORY_AUTHORITY")),
                    Item(
                        words["controller"],
                        configured(controller.name, "CONTROLLER_NAME")
                        + "\n"
                        + configured(controller.contact, "CONTROLLER_CONTACT"),
                    ),
                    Item(words["incident"], report.incident_id),
                    Item(words["phase"], phase),
                    Item(words["aware_at"], when(report.aware_at, language)),
                    Item(words["deadline"], when(report.deadline, language)),
                    Item(words["notified_at"], first),
                    Item(words["timeliness"], timely),
                ),
            ),
            Section(
                words["a"],
                words["a_law"],
                (
                    Item(words["detected"], words[f"kind_{report.kind.value}"]),
                    Item(words["description"], given(report.nature)),
                    Item(words["people_categories"], listed("people", report.people_categories)),
                    Item(words["people_number"], number(report.people_approx)),
                    Item(words["data_categories"], listed("data", report.data_categories)),
                    Item(words["records_number"], number(report.records_approx)),
                ),
            ),
            Section(
                words["b"],
                words["b_law"],
                (
                    Item(words["name"], configured(report.contact_point.name, "DPO_NAME")),
                    Item(words["contact"], configured(report.contact_point.contact, "DPO_CONTACT")),
                ),
            ),
            Section(
                words["c"],
                words["c_law"],
                (Item(words["consequences"], given(report.consequences)),),
            ),
            Section(
                words["d"],
                words["d_law"],
                (
                    Item(words["measures_taken"], given(report.measures_taken)),
                    Item(words["measures_proposed"], given(report.measures_proposed)),
                ),
            ),
            Section(
                words["delay"],
                fields=(
                    Item(words["delay_reasons"], given(report.delay_reasons))
                    if report.late
                    else Item(words["delay_reasons"], words["delay_none"]),
                ),
            ),
            Section(words["phases"], fields=tuple(phases)),
        ),
    )


__all__ = [
    "FROM_DPO",
    "SCHEMA",
    "AuthorityJson",
    "AuthorityReport",
    "Contact",
    "DataCategory",
    "FollowUp",
    "PersonCategory",
    "check",
    "draft_report",
    "render_json",
    "render_pdf",
]
