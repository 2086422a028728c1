"""Telling each affected person about an incident (GDPR Art. 34): queue, mail, show, read.

``send_notices`` takes what the DPO decided (``NoticeFacts``: fixed texts for
what happened, the likely consequences, the measures and what the person can
do, the contact point, an optional note, and each person's own figures) and,
in one transaction, writes one notice per person with its mail job and its
``incident:notice:queued`` event, and moves the register to people notified
when they were the last to be told (incidents.telling), else records the send
as a step. Sending again for the same person and
incident finds the notice and mails nothing. The job mails it in the
person's language to their verified address and records ``mailed_at``; the
portal shows it (``own_notices``) and records ``read_at`` the first time.

What the notice says is sealed with the person's data key, bound to the
notice's id, in a row of its own that goes with the account (erasure shreds
it, the purge removes it); the notice row keeps ids, the account's audit
pseudonym and the times, for the register (Art. 33(5)). Device names are
personal data: the facts name devices by id, and a notice shows only the
person's own devices' names, decrypted when it is rendered for that person.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account, Device
from voxkeep.accounts.service import open_name
from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.audit.pseudonyms import account_pseudonym
from voxkeep.config import Settings
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.errors import InvalidInput, KeyDestroyed, NotFound
from voxkeep.incidents import telling
from voxkeep.incidents.models import Incident, IncidentKind
from voxkeep.incidents.notice_models import IncidentNotice, IncidentNoticeText
from voxkeep.incidents.notice_texts import (
    WHAT_FOR_KIND,
    Advice,
    Consequence,
    Measure,
    NoticeText,
    Section,
    What,
    render_notice,
)
from voxkeep.incidents.service import clock_of
from voxkeep.incidents.states import refuse_closed
from voxkeep.jobs.queue import enqueue
from voxkeep.mail import get_mailer
from voxkeep.requests import notices as request_notices
from voxkeep.vault import Vault

NOTICE_MAIL: Final = "incident.notice_mail"
MAX_PEOPLE: Final = 10_000
MAX_DEVICES: Final = 50
CONTACT_MAX: Final = 300
NOTE_MAX: Final = 2000
_AD_KIND: Final = "incident_notice"


@dataclass(frozen=True)
class PersonFacts:
    """What an incident concerns of one person: their recordings, when, on which devices.

    ``device_ids`` must be the person's own devices: a notice never names another
    person's device.
    """

    recordings: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    device_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoticeFacts:
    """What the DPO tells the affected people (Art. 34(2)); ``people`` by account id."""

    what: What
    consequences: tuple[Consequence, ...]
    measures: tuple[Measure, ...]
    advice: tuple[Advice, ...]
    # Staff-typed text that may name a person: never in a repr or a log.
    contact: str = field(repr=False)
    people: Mapping[str, PersonFacts] = field(default_factory=dict, repr=False)
    dpo_note: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SentNotices:
    queued: tuple[str, ...]  # notice ids written now, each with its mail job
    already: tuple[str, ...]  # notice ids that existed: nothing is mailed again


@dataclass(frozen=True)
class OwnNotice:
    """A notice as its person sees it."""

    id: str
    incident_id: str
    queued_at: datetime
    mailed_at: datetime | None
    read_at: datetime | None
    text: NoticeText


@dataclass(frozen=True)
class NoticeRecord:
    """A notice as the register shows it: who (pseudonym), and when, never what."""

    id: str
    account: str
    language: str
    queued_at: datetime
    mailed_at: datetime | None
    read_at: datetime | None


def configured_contact(settings: Settings) -> str:
    """The contact point for ``NoticeFacts.contact`` from the settings: the DPO (or other
    contact point) and how to reach them (VOXKEEP_DPO_NAME, VOXKEEP_DPO_CONTACT)."""
    parts = [p.strip() for p in (settings.dpo_name, settings.dpo_contact) if p and p.strip()]
    if not settings.dpo_contact or not parts:
        raise InvalidInput(
            "No contact point is configured for the people's notices.",
            hint="Set VOXKEEP_DPO_NAME and VOXKEEP_DPO_CONTACT (Art. 34(2)), or give the "
            "contact point with the notice.",
        )
    return ", ".join(parts)


# Sending --------------------------------------------------------------------------------


def send_notices(
    vault: Vault,
    incident_id: str,
    *,
    account_ids: Sequence[str],
    facts: NoticeFacts,
    actor: str,
) -> SentNotices:
    """Queue one notice per person, each with its mail job, in one transaction.

    Refuses the whole call (nothing written) when anything is wrong: an unknown
    incident or account, a text that does not fit the incident's kind, missing
    Art. 34(2) content, or a device that is not the person's own.
    """
    _check_facts(facts, account_ids)
    queued: list[str] = []
    already: list[str] = []
    with vault.transaction() as session:
        incident = session.get(Incident, incident_id, with_for_update=True)
        if incident is None:
            raise NotFound("There is no incident with this id.")
        refuse_closed(incident)
        _check_kind(facts.what, IncidentKind(incident.kind))
        for account_id in account_ids:
            person = facts.people[account_id]
            pseudonym = account_pseudonym(vault, session, account_id)
            existing = session.scalar(
                select(IncidentNotice.id).where(
                    IncidentNotice.incident_id == incident.id,
                    IncidentNotice.account_pseudonym == pseudonym,
                )
            )
            if existing is not None:
                already.append(existing)
                continue
            notice = _new_notice(vault, session, incident, account_id, pseudonym, facts, person)
            queued.append(notice.id)
            record(
                session,
                AuditAction.INCIDENT_NOTICE_QUEUED,
                actor=actor,
                objects={"incident": incident.id, "account": pseudonym, "notice": notice.id},
            )
        if queued:
            # people_notified once these were the last to tell, else a step on the timeline.
            session.flush()
            telling.record_sent(vault, session, incident, actor=actor)
    return SentNotices(queued=tuple(queued), already=tuple(already))


def _check_facts(facts: NoticeFacts, account_ids: Sequence[str]) -> None:
    if not account_ids:
        raise InvalidInput("Name at least one person to tell.")
    if len(account_ids) > MAX_PEOPLE:
        raise InvalidInput(f"At most {MAX_PEOPLE} people can be told in one call.")
    if len(set(account_ids)) != len(account_ids):
        raise InvalidInput("A person is named twice.", hint="Name each account once.")
    if not facts.consequences:
        raise InvalidInput(
            "The notice names no likely consequences.",
            hint="Art. 34(2) asks for them: choose at least one.",
        )
    if not facts.measures:
        raise InvalidInput(
            "The notice names no measures taken or proposed.",
            hint="Art. 34(2) asks for them: choose at least one.",
        )
    contact = facts.contact.strip()
    if not contact or len(contact) > CONTACT_MAX:
        raise InvalidInput(
            f"The contact point must be 1-{CONTACT_MAX} characters.",
            hint="Give the data protection officer's contact (Art. 34(2), 33(3)(b)).",
        )
    if facts.dpo_note is not None and len(facts.dpo_note) > NOTE_MAX:
        raise InvalidInput(f"The note must be at most {NOTE_MAX} characters.")
    for account_id in account_ids:
        person = facts.people.get(account_id)
        if person is None:
            raise InvalidInput(
                "A person to tell has no figures of their own.",
                hint="Give each account's recordings, period and devices in the facts "
                "(zero recordings when none of theirs were involved).",
            )
        _check_person(person)


def _check_person(person: PersonFacts) -> None:
    if person.recordings < 0:
        raise InvalidInput("A number of recordings cannot be negative.")
    if len(person.device_ids) > MAX_DEVICES:
        raise InvalidInput(f"A notice names at most {MAX_DEVICES} devices.")
    if person.recordings == 0:
        return
    first, last = person.first_at, person.last_at
    if first is None or last is None:
        raise InvalidInput(
            "The period of a person's recordings is missing.",
            hint="Give the first and the last recording time when recordings are involved.",
        )
    if first.tzinfo is None or last.tzinfo is None or first > last:
        raise InvalidInput(
            "The period of a person's recordings is not valid.",
            hint="Give times with an offset, the first not after the last.",
        )


def _check_kind(what: What, kind: IncidentKind) -> None:
    fitting = WHAT_FOR_KIND[kind]
    if what not in fitting:
        raise InvalidInput(
            f"The text {what.value!r} does not fit an incident of kind {kind.value}.",
            hint=f"Choose one of: {', '.join(w.value for w in fitting)}.",
        )


def _new_notice(
    vault: Vault,
    session: Session,
    incident: Incident,
    account_id: str,
    pseudonym: str,
    facts: NoticeFacts,
    person: PersonFacts,
) -> IncidentNotice:
    account = session.get(Account, account_id)
    if account is None or account.erased_at is not None:
        raise NotFound(
            "A person to tell has no account, or it was erased.",
            hint="Name accounts by their voxkeep id; an erased person cannot be told.",
        )
    _check_own_devices(session, account_id, person.device_ids)
    try:
        key = vault.keyring.data_key(session, account_id)
    except KeyDestroyed:
        raise NotFound("A person to tell was erased; there is no one to tell.") from None
    notice_id = secrets.token_hex(16)
    content = _content(incident, facts, person)
    notice = IncidentNotice(
        id=notice_id,
        incident_id=incident.id,
        account_id=account_id,
        account_pseudonym=pseudonym,
        language=account.language,
        queued_at=utcnow(),
    )
    sealed = aead.seal(key, json.dumps(content).encode(), ad=_ad(account_id, notice_id))
    session.add(notice)
    session.flush()  # the notice row first: its text refers to it
    session.add(IncidentNoticeText(notice_id=notice_id, account_id=account_id, content_ct=sealed))
    enqueue(session, NOTICE_MAIL, {"notice_id": notice_id}, ref=notice_id)
    return notice


def _check_own_devices(session: Session, account_id: str, device_ids: tuple[str, ...]) -> None:
    if not device_ids:
        return
    own = set(
        session.scalars(
            select(Device.id).where(Device.account_id == account_id, Device.id.in_(device_ids))
        )
    )
    if own != set(device_ids):
        raise InvalidInput(
            "A device given for a person is not one of that person's devices.",
            hint="Name only the person's own devices: a notice never shows another "
            "person's device names.",
        )


def _content(incident: Incident, facts: NoticeFacts, person: PersonFacts) -> dict[str, Any]:
    aware_at = clock_of(incident, utcnow()).aware_at
    return {
        "incident": incident.id,
        "aware_at": aware_at.isoformat(),
        "what": facts.what.value,
        "consequences": [c.value for c in facts.consequences],
        "measures": [m.value for m in facts.measures],
        "advice": [a.value for a in facts.advice],
        "contact": facts.contact.strip(),
        "note": (facts.dpo_note or "").strip(),
        "recordings": person.recordings,
        "first_at": person.first_at.isoformat() if person.first_at else None,
        "last_at": person.last_at.isoformat() if person.last_at else None,
        "devices": list(dict.fromkeys(person.device_ids)),
    }


def _ad(account_id: str, notice_id: str) -> bytes:
    return aead.associated_data(kind=_AD_KIND, owner=account_id, object_id=notice_id)


# Rendering ------------------------------------------------------------------------------


def _open(vault: Vault, session: Session, notice: IncidentNotice) -> dict[str, Any]:
    key = vault.keyring.data_key(session, notice.account_id)
    text = session.get(IncidentNoticeText, notice.id)
    if text is None:  # purged with its account (the key above would be gone too)
        raise KeyDestroyed("This notice's text was erased with its account.")
    sealed = aead.open_sealed(
        key, text.content_ct, ad=_ad(notice.account_id, notice.id), kind="incident notice"
    )
    content: dict[str, Any] = json.loads(sealed)
    return content


def _device_names(
    vault: Vault, session: Session, account_id: str, device_ids: list[str]
) -> list[str]:
    """The person's own devices' names, decrypted for their own notice only."""
    if not device_ids:
        return []
    key = vault.keyring.data_key(session, account_id)
    rows = session.scalars(
        select(Device).where(Device.account_id == account_id, Device.id.in_(device_ids))
    )
    names = {d.id: open_name(key, account_id, "device_name", d.id, d.name_ct) for d in rows}
    return [names[d] for d in device_ids if d in names]


def _text(vault: Vault, session: Session, notice: IncidentNotice, language: str) -> NoticeText:
    content = _open(vault, session, notice)
    devices = _device_names(vault, session, notice.account_id, list(content["devices"]))
    return render_notice(content, devices, language)


# Mailing (the job) ----------------------------------------------------------------------


def mail_notice(vault: Vault, notice_id: str) -> None:
    """Mail one notice in its person's language, then record ``mailed_at``.

    Runs as the notice's job: a mail server that does not take it raises
    MailFailed and the job is tried again later (the notice stays "not yet
    sent"); a notice already mailed is not mailed again; an account erased
    meanwhile has nobody left to tell.
    """
    with vault.reading() as session:
        notice = session.get(IncidentNotice, notice_id)
        if notice is None or notice.mailed_at is not None:
            return
        account = session.get(Account, notice.account_id)
        if account is None or account.erased_at is not None:
            return
        try:
            text = _text(vault, session, notice, notice.language)
        except KeyDestroyed:
            return
        address = request_notices.verified_address(vault, session, notice.account_id)
    get_mailer(vault).send(to=address, subject=text.subject, body=text.mail_body())
    with vault.transaction() as session:
        notice = session.get(IncidentNotice, notice_id, with_for_update=True)
        if notice is None or notice.mailed_at is not None:
            return
        notice.mailed_at = utcnow()
        record(
            session,
            AuditAction.INCIDENT_NOTICE_MAILED,
            actor=SYSTEM,
            objects=_names(notice),
        )


def _names(notice: IncidentNotice) -> dict[str, str]:
    return {
        "incident": notice.incident_id,
        "account": notice.account_pseudonym,
        "notice": notice.id,
    }


# The person's view ----------------------------------------------------------------------


def _own(notice: IncidentNotice, text: NoticeText) -> OwnNotice:
    return OwnNotice(
        id=notice.id,
        incident_id=notice.incident_id,
        queued_at=notice.queued_at,
        mailed_at=notice.mailed_at,
        read_at=notice.read_at,
        text=text,
    )


def _own_rows(session: Session, account_id: str) -> list[IncidentNotice]:
    """The person's notices that still have their text (the purge removes it)."""
    return list(
        session.scalars(
            select(IncidentNotice)
            .join(IncidentNoticeText, IncidentNoticeText.notice_id == IncidentNotice.id)
            .where(IncidentNotice.account_id == account_id)
            .order_by(IncidentNotice.queued_at.desc(), IncidentNotice.id)
        )
    )


def own_notices(vault: Vault, *, account_id: str, language: str | None = None) -> list[OwnNotice]:
    """The person's notices, newest first, in ``language`` (default: each as mailed)."""
    with vault.reading() as session:
        return [
            _own(n, _text(vault, session, n, language or n.language))
            for n in _own_rows(session, account_id)
        ]


def read_own_notices(vault: Vault, *, account_id: str, language: str) -> list[OwnNotice]:
    """The person opens their notices in the portal: the list, newest first (as it was
    before this visit, so a notice shows as new once), and each unread one marked read."""
    shown = own_notices(vault, account_id=account_id, language=language)
    unread = [n.id for n in shown if n.read_at is None]
    if unread:
        _mark_read(vault, unread)
    return shown


def _mark_read(vault: Vault, notice_ids: list[str]) -> None:
    """``read_at`` and ``incident:notice:read`` for each still unread, in one transaction."""
    with vault.transaction() as session:
        rows = session.scalars(
            select(IncidentNotice)
            .where(IncidentNotice.id.in_(notice_ids), IncidentNotice.read_at.is_(None))
            .order_by(IncidentNotice.queued_at, IncidentNotice.id)
            .with_for_update()
        )
        now = utcnow()
        for notice in rows:
            notice.read_at = now
            record(
                session,
                AuditAction.INCIDENT_NOTICE_READ,
                actor=notice.account_pseudonym,
                objects=_names(notice),
            )


def own_notice(
    vault: Vault, *, account_id: str, notice_id: str, language: str | None = None
) -> OwnNotice:
    """One of the person's notices; NotFound for any other (another person's too)."""
    with vault.reading() as session:
        notice = session.get(IncidentNotice, notice_id)
        if notice is None or notice.account_id != account_id:
            raise NotFound("There is no notice with this id.")
        return _own(notice, _text(vault, session, notice, language or notice.language))


def unread_count(vault: Vault, account_id: str) -> int:
    """How many of the person's notices they have not opened yet (the portal's banner)."""
    with vault.reading() as session:
        found = session.scalar(
            select(func.count()).where(
                IncidentNotice.account_id == account_id, IncidentNotice.read_at.is_(None)
            )
        )
    return int(found or 0)


# The register's view --------------------------------------------------------------------


def incident_notices(vault: Vault, incident_id: str) -> list[NoticeRecord]:
    """Who was told about an incident and when (pseudonyms and times, never the text)."""
    with vault.reading() as session:
        if session.get(Incident, incident_id) is None:
            raise NotFound("There is no incident with this id.")
        rows = session.scalars(
            select(IncidentNotice)
            .where(IncidentNotice.incident_id == incident_id)
            .order_by(IncidentNotice.queued_at, IncidentNotice.id)
        )
        return [
            NoticeRecord(
                id=n.id,
                account=n.account_pseudonym,
                language=n.language,
                queued_at=n.queued_at,
                mailed_at=n.mailed_at,
                read_at=n.read_at,
            )
            for n in rows
        ]


__all__ = [
    "NOTICE_MAIL",
    "Advice",
    "Consequence",
    "Measure",
    "NoticeFacts",
    "NoticeRecord",
    "NoticeText",
    "OwnNotice",
    "PersonFacts",
    "Section",
    "SentNotices",
    "What",
    "configured_contact",
    "incident_notices",
    "mail_notice",
    "own_notice",
    "own_notices",
    "read_own_notices",
    "render_notice",
    "send_notices",
    "unread_count",
]
