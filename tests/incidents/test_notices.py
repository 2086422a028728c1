"""The notice to each affected person (Art. 34), sent through the real job worker to the
real SMTP sink: in each person's language, with every Art. 34(2) element, no recording
content and no link, once per person and incident, retried when the mail server fails."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from incidents.register_helpers import staff
from people.people_helpers import PASSWORD
from portal.portal_helpers import CLIPS, DAY, Clip, household
from retention.scanning import Traces
from retention.test_invariant_6_erasure_is_real import found_anywhere
from smtp_sink import SmtpSink, free_port
from voxkeep.accounts.service import find_account
from voxkeep.audit.events import AuditAction
from voxkeep.audit.log import recent_events
from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.errors import InvalidInput, NotFound
from voxkeep.incidents import notices, service
from voxkeep.incidents.models import IncidentKind, Risk
from voxkeep.incidents.models import IncidentState as S
from voxkeep.incidents.notice_models import IncidentNotice, IncidentNoticeText
from voxkeep.incidents.notice_texts import FRAME, Advice, Consequence, Measure, What
from voxkeep.incidents.service import open_incident, show_incident
from voxkeep.jobs.models import Job, JobState
from voxkeep.jobs.queue import jobs_for
from voxkeep.jobs.worker import run_once
from voxkeep.mail import SmtpMailer
from voxkeep.retention.erasure import destroy_key, purge_account
from voxkeep.vault import Vault

ANNA, BEN = "anna@example.org", "ben@example.org"
BEN_CLIPS = (Clip("rec-hall-1", "dev-hall", None, DAY, "Play the radio in the hall"),)
CONTACT = "Data protection officer, dpo@operator.test, +49 30 1234567"
NOTE = "We are sorry. Call us any weekday."


@dataclass(frozen=True)
class Pair:
    """Two people: anna (English), whose recordings went to ben (German)."""

    incident: str
    anna: str  # account ids (voxkeep's)
    ben: str


def two_people(client: TestClient, mailbox: SmtpSink, vault: Vault) -> Pair:
    household(client, mailbox, password=PASSWORD, language="en")
    household(
        client,
        mailbox,
        account="acct-2",
        email=BEN,
        password=PASSWORD,
        clips=BEN_CLIPS,
        devices={"dev-hall": "Hall"},
        members={},
        language="de",
    )
    with vault.transaction() as session:
        anna = find_account(vault, session, "acct-1").id
        ben = find_account(vault, session, "acct-2").id
        incident = open_incident(
            vault,
            session,
            kind=IncidentKind.NOT_MY_DATA,
            request_id=None,
            details={"recordings": len(CLIPS)},
            actor="system",
        )
        return Pair(incident=incident.id, anna=anna, ben=ben)


def facts_for(pair: Pair, **changes: object) -> notices.NoticeFacts:
    people = {
        pair.anna: notices.PersonFacts(
            recordings=len(CLIPS),
            first_at=CLIPS[0].captured_at,
            last_at=CLIPS[-1].captured_at,
            device_ids=("dev-kitchen", "dev-car"),
        ),
        pair.ben: notices.PersonFacts(recordings=0),
    }
    values: dict[str, object] = {
        "what": What.SENT_TO_OTHER,
        "consequences": (Consequence.OTHERS_HEARD, Consequence.RECOGNISED),
        "measures": (Measure.DOWNLOAD_REVOKED, Measure.RECIPIENT_ASKED),
        "advice": (Advice.REVIEW_RECORDINGS, Advice.COMPLAIN),
        "contact": CONTACT,
        "people": people,
        "dpo_note": NOTE,
    }
    values.update(changes)
    return notices.NoticeFacts(**values)  # type: ignore[arg-type]


def send(vault: Vault, pair: Pair, facts: notices.NoticeFacts, *who: str) -> notices.SentNotices:
    return notices.send_notices(
        vault, pair.incident, account_ids=list(who), facts=facts, actor="staff:dpo"
    )


@pytest.fixture
def pair(client: TestClient, mailbox: SmtpSink, vault: Vault) -> Pair:
    found = two_people(client, mailbox, vault)
    mailbox.clear()
    return found


def rows(vault: Vault) -> list[IncidentNotice]:
    with vault.reading() as session:
        return list(session.scalars(select(IncidentNotice)))


def test_each_person_gets_their_notice_in_their_language_with_every_element(
    vault: Vault, pair: Pair, mailbox: SmtpSink
) -> None:
    send(vault, pair, facts_for(pair), pair.anna)
    told_ben = facts_for(
        pair,
        what=What.RECEIVED_OTHERS,
        consequences=(Consequence.HOLDING_OTHERS,),
        advice=(Advice.DELETE_RECEIVED,),
        dpo_note=None,
    )
    send(vault, pair, told_ben, pair.ben)
    assert [r.mailed_at for r in rows(vault)] == [None, None]  # queued, not yet sent
    run_once(vault)

    (anna,) = mailbox.wait_for(ANNA)
    (ben,) = mailbox.wait_for(BEN)
    en, de = FRAME["en"], FRAME["de"]
    assert anna.subject == en["subject"].format(ref=pair.incident)
    assert ben.subject == de["subject"].format(ref=pair.incident)
    for heading in ("what", "records", "consequences", "measures", "advice", "contact", "note"):
        assert f"\n{en[heading]}\n" in anna.body, heading
    for heading in ("what", "records", "consequences", "measures", "advice", "contact"):
        assert f"\n{de[heading]}\n" in ben.body, heading
    assert de["note"] not in ben.body  # no note was given for him
    # Nature, the person's own figures, consequences, measures, contact point (34(2)).
    assert "were sent to another" in anna.body
    aware = FRAME["en"]["aware"].format(day=utcnow().strftime("%Y-%m-%d"))
    assert aware in anna.body  # the day voxkeep became aware (the incident opened today)
    assert "3 of your recordings, made from 2026-03-10 to 2026-03-12." in anna.body
    assert "Devices: Kitchen speaker, Car." in anna.body
    assert "may have heard your recordings" in anna.body
    assert "We withdrew the answer at once" in anna.body
    assert CONTACT in anna.body and CONTACT in ben.body and NOTE in anna.body
    assert "enthielt Sprachaufnahmen einer anderen Person" in ben.body
    assert "Keine Ihrer eigenen Aufnahmen." in ben.body
    assert "„Mitteilungen zu Ihren Daten“" in ben.body  # the portal page, named
    # Nothing of any recording and no link (with or without a token).
    for mail in (anna, ben):
        for clip in (*CLIPS, *BEN_CLIPS):
            assert clip.transcript not in mail.body
        assert "http" not in mail.body and "#" not in mail.body and "token" not in mail.body
        assert not [p for p in mail.message.walk() if p.get_content_maintype() == "audio"]
    assert "Kitchen speaker" not in ben.body and "Hall" not in anna.body  # own devices only


def test_the_times_and_the_audit_events_say_who_was_told_when(
    vault: Vault, pair: Pair, mailbox: SmtpSink
) -> None:
    sent = send(vault, pair, facts_for(pair), pair.anna, pair.ben)
    run_once(vault)
    mailbox.wait_for(BEN)
    register = notices.incident_notices(vault, pair.incident)
    assert {r.id for r in register} == set(sent.queued)
    assert {r.language for r in register} == {"en", "de"}
    assert all(r.queued_at <= r.mailed_at for r in register if r.mailed_at)
    assert all(r.mailed_at is not None and r.read_at is None for r in register)
    events = recent_events(vault, limit=20)
    for action in (AuditAction.INCIDENT_NOTICE_QUEUED, AuditAction.INCIDENT_NOTICE_MAILED):
        named = [e.objects for e in events if e.action == action]
        assert {o["account"] for o in named} == {r.account for r in register}
        assert {o["incident"] for o in named} == {pair.incident}
    assert all(r.account.startswith("account:") for r in register)


def test_sending_twice_mails_once(vault: Vault, pair: Pair, mailbox: SmtpSink) -> None:
    first = send(vault, pair, facts_for(pair), pair.anna)
    run_once(vault)
    mailbox.wait_for(ANNA)
    again = send(vault, pair, facts_for(pair), pair.anna, pair.ben)
    assert again.already == first.queued and len(again.queued) == 1
    run_once(vault)
    mailbox.wait_for(BEN)
    assert len(mailbox.to(ANNA)) == 1 and len(rows(vault)) == 2
    # The job run again (a worker that died after mailing) does not mail again either.
    notices.mail_notice(vault, first.queued[0])
    assert len(mailbox.to(ANNA)) == 1


def test_a_mail_server_that_refuses_leaves_it_not_yet_sent_and_the_job_tries_again(
    vault: Vault, pair: Pair, mailbox: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    (notice_id,) = send(vault, pair, facts_for(pair), pair.anna).queued
    nobody = SmtpMailer(host="127.0.0.1", port=free_port(), sender="voxkeep@vault.test")
    working = notices.get_mailer(vault)
    monkeypatch.setattr(notices, "get_mailer", lambda _vault: nobody)
    run_once(vault)
    assert mailbox.to(ANNA) == [] and rows(vault)[0].mailed_at is None
    with vault.transaction() as session:
        (job,) = jobs_for(session, notice_id)
        # A mail server that refuses is a fault: retried for a time, no attempt charged.
        assert (job.state, job.fault, job.attempts) == (JobState.QUEUED.value, "mail", 0)
        assert "mail_failed" in (job.last_error or "")
        session.execute(update(Job).where(Job.id == job.id).values(run_after=utcnow()))
    monkeypatch.setattr(notices, "get_mailer", lambda _vault: working)
    run_once(vault)
    assert len(mailbox.wait_for(ANNA)) == 1 and rows(vault)[0].mailed_at is not None


def test_wrong_facts_are_refused_and_nothing_is_written(vault: Vault, pair: Pair) -> None:
    ben_device = {
        pair.anna: notices.PersonFacts(
            recordings=1, first_at=DAY, last_at=DAY, device_ids=("dev-hall",)
        )
    }
    wrong = [
        facts_for(pair, what=What.STOPPED_BY_CHECK),  # does not fit "not my data"
        facts_for(pair, measures=()),
        facts_for(pair, consequences=()),
        facts_for(pair, contact="  "),
        facts_for(pair, people=ben_device),  # another person's device
        facts_for(pair, people={pair.anna: notices.PersonFacts(recordings=2)}),  # no period
        facts_for(pair, people={}),
    ]
    for facts in wrong:
        with pytest.raises(InvalidInput):
            send(vault, pair, facts, pair.anna, pair.ben)
    with pytest.raises(InvalidInput):
        send(vault, pair, facts_for(pair), pair.anna, pair.anna)
    with pytest.raises(NotFound):
        notices.send_notices(
            vault, "0" * 32, account_ids=[pair.anna], facts=facts_for(pair), actor="staff:dpo"
        )
    people = dict(facts_for(pair).people) | {"f" * 32: notices.PersonFacts()}
    with pytest.raises(NotFound):  # one unknown account: nobody is told
        send(vault, pair, facts_for(pair, people=people), pair.anna, "f" * 32)
    assert rows(vault) == []
    with vault.reading() as session:
        assert session.scalars(select(Job).where(Job.kind == notices.NOTICE_MAIL)).all() == []


def sealed_texts(vault: Vault) -> dict[str, bytes]:
    with vault.reading() as session:
        return {t.notice_id: t.content_ct for t in session.scalars(select(IncidentNoticeText))}


def test_the_text_is_sealed_and_erasure_removes_it_while_the_register_keeps_the_row(
    vault: Vault, settings: Settings, pair: Pair, mailbox: SmtpSink
) -> None:
    sent = send(vault, pair, facts_for(pair), pair.anna, pair.ben)
    texts = sealed_texts(vault)
    assert set(texts) == set(sent.queued)
    for plain in (CONTACT, NOTE, "dev-kitchen", "Kitchen speaker", "sent_to_other"):
        assert all(plain.encode() not in sealed for sealed in texts.values())
    (anna_notice,) = [r.id for r in rows(vault) if r.account_id == pair.anna]
    traces, kept = Traces(), Traces()
    traces.add("anna's notice ciphertext", texts[anna_notice][20:68])
    kept.add(
        "ben's notice ciphertext", next(t for n, t in texts.items() if n != anna_notice)[20:68]
    )
    assert found_anywhere(settings, traces.merged(kept)) == {
        "anna's notice ciphertext",
        "ben's notice ciphertext",
    }

    purge_account(vault, destroy_key(vault, external_id="acct-1", actor="tests").receipt_id)
    run_once(vault)  # anna's mail job finds nobody left to tell; ben's is mailed
    assert mailbox.to(ANNA) == [] and len(mailbox.wait_for(BEN)) == 1
    assert found_anywhere(settings, traces.merged(kept)) == {"ben's notice ciphertext"}
    register = {r.id: r for r in notices.incident_notices(vault, pair.incident)}
    assert set(register) == set(sent.queued)  # who was told, and when, stays
    assert register[anna_notice].account.startswith("account:")
    assert register[anna_notice].mailed_at is None
    assert notices.own_notices(vault, account_id=pair.anna) == []


def test_a_person_without_a_verified_address_is_told_in_the_portal_only(
    client: TestClient, vault: Vault, pair: Pair, mailbox: SmtpSink
) -> None:
    response = client.put("/api/v1/accounts/acct-3", json={"language": "fr"})
    assert response.status_code == 201, response.text
    with vault.reading() as session:
        carla = find_account(vault, session, "acct-3").id
    facts = facts_for(pair, people={carla: notices.PersonFacts()})
    (notice_id,) = notices.send_notices(
        vault, pair.incident, account_ids=[carla], facts=facts, actor="staff:dpo"
    ).queued
    run_once(vault)
    with vault.reading() as session:
        (job,) = jobs_for(session, notice_id)
        assert job.state == JobState.FAILED.value  # retrying cannot give it an address
    (own,) = notices.own_notices(vault, account_id=carla)
    assert own.mailed_at is None and own.text.subject == FRAME["fr"]["subject"].format(
        ref=pair.incident
    )
    assert mailbox.messages == []


def test_the_contact_point_can_come_from_the_settings(settings: Settings) -> None:
    with pytest.raises(InvalidInput):
        notices.configured_contact(settings)
    named = settings.model_copy(update={"dpo_name": "Dr. A. Example", "dpo_contact": "dpo@op.test"})
    assert notices.configured_contact(named) == "Dr. A. Example, dpo@op.test"
    bare = settings.model_copy(update={"dpo_contact": "dpo@op.test"})
    assert notices.configured_contact(bare) == "dpo@op.test"


def test_the_first_notices_move_the_register_to_people_notified_once_it_may(
    vault: Vault, pair: Pair
) -> None:
    team = staff(vault)
    send(vault, pair, facts_for(pair), pair.anna)  # open, not assessed: the state stays
    assert show_incident(vault, pair.incident, reader=team.dpo).summary.state is S.OPEN
    service.assess(
        vault, staff=team.dpo, incident_id=pair.incident, risk=Risk.HIGH, reason="Home audio"
    )
    with vault.transaction() as session:
        service.mark_authority_notified(vault, session, pair.incident, actor=team.dpo.actor)
    send(vault, pair, facts_for(pair), pair.anna, pair.ben)  # ben is told now
    shown = show_incident(vault, pair.incident, reader=team.dpo)
    assert shown.summary.state is S.PEOPLE_NOTIFIED
    assert [e.action for e in shown.timeline][-1] == "people_notified"
    send(vault, pair, facts_for(pair), pair.anna, pair.ben)  # nobody new: nothing moves
    assert show_incident(vault, pair.incident, reader=team.dpo).timeline == shown.timeline
