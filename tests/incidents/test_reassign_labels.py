"""Nothing the first owner typed crosses to the new owner when recordings are reassigned.

Anna called her speaker "Annas Küche" and her voice profile "Anna"; she sold the speaker
to Ben, whose recordings went on arriving under her account. Once they are moved to
Ben, his history, his answer's files and his notice name the device by what it is
(in his language), or by his own name for it when the operator registered it for him:
never by Anna's label, and no voice profile of hers names anything of his.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from console.console_helpers import browser
from exports.export_helpers import archive_bytes, open_zip, run_export_job
from exports.factory import BASE, Household, household, portal_request, record
from incidents.register_helpers import staff
from incidents.test_containment_console import confirm, signed_in
from incidents.test_notify import CONTACT, Signed, pseudonym
from smtp_sink import SmtpSink
from voxkeep.accounts.models import Device, HouseholdMember, Language
from voxkeep.accounts.service import open_name
from voxkeep.errors import InvalidInput
from voxkeep.exports.delivery import report_not_mine
from voxkeep.incidents import containment, service
from voxkeep.incidents.containment import OnServer
from voxkeep.incidents.models import Risk
from voxkeep.incidents.notice_texts import What
from voxkeep.incidents.notices import own_notices
from voxkeep.incidents.notify import notify_affected
from voxkeep.jobs.worker import run_once
from voxkeep.recordings.history import HistoryFilter, history
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault

SOLD = BASE + timedelta(days=10)
ANNAS_LABELS = ("Annas Küche", "Anna")  # what Anna typed: her speaker's and her voice's names


def sold_speaker(
    vault: Vault, *, ben_devices: tuple[tuple[str, str], ...]
) -> tuple[str, Household]:
    """Anna's answer held Ben's five recordings (one tagged with Anna's voice profile by the
    operator); she reported it. Returns the incident and Ben's household."""
    anna = household(
        vault,
        "anna",
        language=Language.EN,
        devices=(("speaker", ANNAS_LABELS[0]),),
        members=(("me", ANNAS_LABELS[1]),),
    )
    ben = household(vault, "ben", language=Language.DE, devices=ben_devices)
    record(vault, anna, "anna-0", at=BASE, transcript="Anna 0", speaker="anna-me")
    for i in range(5):
        speaker = "anna-me" if i == 0 else None  # the operator guessed Anna's voice
        record(vault, anna, f"ben-{i}", at=SOLD + timedelta(hours=i), speaker=speaker)
    export_id = run_export_job(vault, portal_request(vault, anna))
    assert export_id is not None
    return report_not_mine(vault, person=Signed(anna.account_id), export_id=export_id), ben


def names_in(vault: Vault, account_id: str) -> set[str]:
    """Every device and voice-profile name the account holds, opened with its own key."""
    with vault.reading() as session:
        key = vault.keyring.data_key(session, account_id)
        devices = session.scalars(select(Device).where(Device.account_id == account_id))
        members = session.scalars(
            select(HouseholdMember).where(HouseholdMember.account_id == account_id)
        )
        return {open_name(key, account_id, "device_name", d.id, d.name_ct) for d in devices} | {
            open_name(key, account_id, "member_name", m.id, m.name_ct) for m in members
        }


def moved_items(vault: Vault, ben: Household) -> dict[str, tuple[str, str | None]]:
    page = history(vault, account_id=ben.account_id, filters=HistoryFilter(), limit=100)
    return {
        i.info.id: (i.device_name, i.speaker_name)
        for i in page.items
        if i.info.id.startswith("ben-") and i.info.id != "ben-own"
    }


def test_the_moved_speaker_is_named_by_what_it_is_in_the_new_owners_language(
    vault: Vault, mailbox: SmtpSink
) -> None:
    incident, ben = sold_speaker(vault, ben_devices=(("flur", "Flur"),))
    containment.reassign_recordings(
        vault,
        incident_id=incident,
        device="anna-speaker",
        since=SOLD,
        to_account="ben",
        by=OnServer(),
    )
    # Ben's history: German, by kind; no voice profile of Anna's.
    assert set(moved_items(vault, ben).values()) == {("Smart Speaker", None)}
    assert names_in(vault, ben.account_id) == {"Flur", "Smart Speaker"}
    with vault.reading() as session:
        rows = session.scalars(select(Recording).where(Recording.account_id == ben.account_id))
        assert all(r.member_id is None for r in rows)
    # Ben's own answer: its files name the device as his history does.
    ben_export = run_export_job(vault, portal_request(vault, ben))
    assert ben_export is not None
    archive = plain_archive(vault, ben_export)
    for label in ANNAS_LABELS[:1]:
        assert all(label.encode() not in data for data in archive.values())
    assert any(b"Smart Speaker" in data for name, data in archive.items() if name.endswith("json"))
    # Ben's notice, in the mail and in his portal, names it the same way.
    team = staff(vault)
    service.add_affected(vault, staff=team.dpo, incident_id=incident, account="ben", reason="r")
    service.assess(
        vault,
        staff=team.dpo,
        incident_id=incident,
        risk=Risk.HIGH,
        reason="Intimate recordings reached a stranger",
        consequences="Ben's household may be recognised",
        measures_taken="Download revoked, recordings moved",
    )
    vault.settings = vault.settings.model_copy(update={"dpo_name": "D", "dpo_contact": CONTACT})
    run_once(vault)
    mailbox.clear()  # the answers' own mails
    notify_affected(
        vault,
        incident,
        actor=team.dpo,
        what=What.STORED_UNDER_OTHER,
        only=[pseudonym(vault, ben)],
    )
    run_once(vault)
    (mail,) = mailbox.wait_for("ben@example.org")
    assert "Smart Speaker" in mail.body
    (notice,) = own_notices(vault, account_id=ben.account_id)
    shown = json.dumps(notice.text, default=str, ensure_ascii=False)
    for label in ANNAS_LABELS[:1]:
        assert label not in mail.body and label not in shown
    assert "Smart Speaker" in shown


def plain_archive(vault: Vault, export_id: str) -> dict[str, bytes]:
    with open_zip(archive_bytes(vault, export_id)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_device_the_new_owner_already_has_keeps_his_own_name(vault: Vault) -> None:
    incident, ben = sold_speaker(
        vault, ben_devices=(("flur", "Flur"), ("speaker-2", "Bens Küchenradio"))
    )
    kwargs = {"incident_id": incident, "device": "anna-speaker", "since": SOLD, "by": OnServer()}
    # Naming a device that is not Ben's own: refused, nothing moved, nothing named.
    with pytest.raises(InvalidInput, match="not one of that account's devices"):
        containment.reassign_recordings(vault, to_account="ben", same_as="anna-speaker", **kwargs)
    assert moved_items(vault, ben) == {}
    assert names_in(vault, ben.account_id) == {"Flur", "Bens Küchenradio"}
    moved = containment.reassign_recordings(
        vault, to_account="ben", same_as="ben-speaker-2", **kwargs
    )
    assert moved.moved == 5
    assert set(moved_items(vault, ben).values()) == {("Bens Küchenradio", None)}
    assert not set(ANNAS_LABELS) & names_in(vault, ben.account_id)


def test_the_console_moves_them_under_his_own_name_for_the_device(vault: Vault) -> None:
    """The console's form takes the new owner's own id for the device (optional): the
    moved recordings take his name for it; left empty, they are named by kind."""
    incident, ben = sold_speaker(
        vault, ben_devices=(("flur", "Flur"), ("speaker-2", "Bens Küchenradio"))
    )
    since = SOLD.strftime("%Y-%m-%d %H:%M")
    path = (
        f"/console/incidents/{incident}/contain/reassign-recordings"
        f"?device=anna-speaker&since={since}&to_account=ben&same_as=ben-speaker-2"
    )
    with browser(vault) as client:
        signed_in(vault, client, "dora", "dpo")
        form = client.get(f"/console/incidents/{incident}").text
        assert 'name="same_as"' in form and "optional" in form
        assert ": 5." in confirm(client, path)
    assert set(moved_items(vault, ben).values()) == {("Bens Küchenradio", None)}
    assert not set(ANNAS_LABELS) & names_in(vault, ben.account_id)
