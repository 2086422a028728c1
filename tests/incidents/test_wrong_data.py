"""Measurement (a): two people ask at the same moment, and a bug points one answer at the
other person's data — before the build, during it, after it (before the gate), after the
release (before the download).

The test changes the database or the blob store as such a bug would. In every variant the
request is blocked, nothing of it can be downloaded (the person's download is refused as
docs/exports.md says), and exactly one incident names the request, the requester, the
other person whose data it touched, the record count and the period.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from trigger_helpers import Person, incidents_of, pseudonym, sql, state_of, two_households

from console.console_helpers import browser
from console.oversight_helpers import staff_token
from exports.factory import BASE, Household, portal_request
from voxkeep.audit.pseudonyms import names_for
from voxkeep.errors import IntegrityFailure
from voxkeep.exports import builder
from voxkeep.exports.delivery import AnswerWithheld, list_exports, open_download
from voxkeep.exports.gate import ReleaseBlocked, check_release
from voxkeep.exports.models import Export
from voxkeep.incidents.service import AudioSeen, show_incident
from voxkeep.people.api import STAFF_COOKIE
from voxkeep.requests.tasks import build_answer
from voxkeep.vault import Vault
from voxkeep.web.i18n import translate


@dataclass
class Case:
    vault: Vault
    me: Household
    stranger: Household
    mine: str  # my request
    theirs: str  # the stranger's, filed at the same moment


def _export_of(vault: Vault, request_id: str) -> Export:
    with vault.reading() as session:
        (export,) = session.scalars(select(Export).where(Export.request_id == request_id))
        session.expunge(export)
        return export


def _download(case: Case, export_id: str) -> None:
    got = open_download(
        case.vault,
        person=Person(case.me.account_id),
        export_id=export_id,
        range_header=None,
        if_range=None,
        address="192.0.2.1",
        user_agent="tests",
    )
    b"".join(got.chunks)


def _swap_blobs(vault: Vault, a: str, b: str) -> None:
    """Exchange the blobs of two answers (a unique column: through NULL)."""
    with vault.engine.connect() as connection:
        read = text("SELECT blob FROM exports WHERE id = :i")
        first = connection.execute(read, {"i": a}).scalar_one()
        second = connection.execute(read, {"i": b}).scalar_one()
    sql(vault, "UPDATE exports SET blob = NULL WHERE id = :i", i=a)
    sql(vault, "UPDATE exports SET blob = :v WHERE id = :i", v=first, i=b)
    sql(vault, "UPDATE exports SET blob = :v WHERE id = :i", v=second, i=a)


def _stranger_rows_filed_under_me(case: Case) -> None:
    sql(
        case.vault,
        "UPDATE recordings SET account_id = :me WHERE account_id = :them",
        me=case.me.account_id,
        them=case.stranger.account_id,
    )


# --- the variants: each makes the bug happen and runs the answer as far as it goes -----


def before_build_rows(case: Case) -> None:
    _stranger_rows_filed_under_me(case)
    build_answer(case.vault, {"request_id": case.mine})


def during_build_rows(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    real = builder.decrypt_blob
    streamed: list[str] = []

    def between_recordings(
        vault: Vault, key: bytes, blob: str, account: str, rid: str, **options: Any
    ) -> Iterator[bytes]:
        if len(streamed) == 1:  # after the first recording, before the second
            _stranger_rows_filed_under_me(case)
        streamed.append(rid)
        return real(vault, key, blob, account, rid, **options)

    monkeypatch.setattr(builder, "decrypt_blob", between_recordings)
    build_answer(case.vault, {"request_id": case.mine})
    assert len(streamed) == 3  # the build went through; the gate caught it


def _both_built(case: Case) -> tuple[str, str]:
    return (
        builder.build_for_request(case.vault, case.mine).id,
        builder.build_for_request(case.vault, case.theirs).id,
    )


def after_build_key(case: Case) -> None:
    mine, theirs = _both_built(case)
    sql(
        case.vault,
        "UPDATE exports SET key_sealed = (SELECT key_sealed FROM exports WHERE id = :t) "
        "WHERE id = :m",
        t=theirs,
        m=mine,
    )
    with pytest.raises(ReleaseBlocked):
        check_release(case.vault, mine)


def after_build_blob(case: Case) -> None:
    mine, theirs = _both_built(case)
    _swap_blobs(case.vault, mine, theirs)
    with pytest.raises(ReleaseBlocked):
        check_release(case.vault, mine)


def _both_released(case: Case) -> tuple[str, str]:
    build_answer(case.vault, {"request_id": case.mine})
    build_answer(case.vault, {"request_id": case.theirs})
    assert state_of(case.vault, case.mine) == state_of(case.vault, case.theirs) == "ready"
    return _export_of(case.vault, case.mine).id, _export_of(case.vault, case.theirs).id


def after_release_key(case: Case) -> None:
    mine, theirs = _both_released(case)
    sql(
        case.vault,
        "UPDATE exports SET key_sealed = (SELECT key_sealed FROM exports WHERE id = :t) "
        "WHERE id = :m",
        t=theirs,
        m=mine,
    )
    with pytest.raises(AnswerWithheld):
        _download(case, mine)


def after_release_blob(case: Case) -> None:
    mine, theirs = _both_released(case)
    _swap_blobs(case.vault, mine, theirs)
    with pytest.raises(IntegrityFailure):
        _download(case, mine)  # breaks off before a byte of the stranger's answer is sent


VARIANTS: dict[str, tuple[Callable[..., None], str, str]] = {
    # name: (the bug, the incident kind, the failed check)
    "before the build: the stranger's rows filed under me": (
        before_build_rows,
        "build_failed",
        "recording_decrypt",
    ),
    "during the build: the stranger's rows filed under me": (
        during_build_rows,
        "release_gate_failed",
        "counts",
    ),
    "after the build: my answer's key is the stranger's": (
        after_build_key,
        "key_failed",
        "export_key",
    ),
    "after the build: my answer's blob is the stranger's": (
        after_build_blob,
        "release_gate_failed",
        "archive_ciphertext",
    ),
    "after the release: my answer's key is the stranger's": (
        after_release_key,
        "delivery_failed",
        "export_key",
    ),
    "after the release: my answer's blob is the stranger's": (
        after_release_blob,
        "delivery_failed",
        "archive_bytes",
    ),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_an_answer_pointed_at_another_persons_data_is_blocked_with_one_incident(
    vault: Vault, monkeypatch: pytest.MonkeyPatch, variant: str
) -> None:
    me, stranger = two_households(vault)
    # Both file their access request at the same moment.
    case = Case(vault, me, stranger, portal_request(vault, me), portal_request(vault, stranger))
    bug, kind, check = VARIANTS[variant]
    if bug is during_build_rows:
        bug(case, monkeypatch)
    else:
        bug(case)

    assert state_of(vault, case.mine) == "blocked"
    # Nothing is downloadable: every answer of mine is refused as withdrawn (410).
    for answer in list_exports(vault, person=Person(me.account_id)):
        assert answer.state == "blocked" and answer.downloads_left == 0
        with pytest.raises(AnswerWithheld) as refused:
            _download(case, answer.id)
        assert refused.value.status == 410 and refused.value.code == "export_gone"

    (incident,) = incidents_of(vault, case.mine)
    assert (incident.kind, incident.details["check"]) == (kind, check)
    details = incident.details
    # The requester, with their own record count and period.
    assert details["account"] == pseudonym(vault, me.account_id)
    assert (details["recordings"], details["first"], details["last"]) == (
        3,
        BASE.isoformat(),
        (BASE + timedelta(hours=2)).isoformat(),
    )
    # The other person whose data the answer touched, with its count, period and device.
    (other,) = details["affected"]
    assert other["account"] == pseudonym(vault, stranger.account_id)
    assert (other["recordings"], other["first"], other["last"]) == (
        3,
        (BASE + timedelta(days=2)).isoformat(),
        (BASE + timedelta(days=2, hours=2)).isoformat(),
    )
    assert len(other["devices"]) == 1 and other["devices"][0].startswith("dev:")


# --- my recording's stored audio is the stranger's, before the build ------------------------


def _audio_of(vault: Vault, recording_id: str) -> tuple[str, bytes, int]:
    with vault.engine.connect() as connection:
        blob, sealed, size = connection.execute(
            text("SELECT audio_blob, audio_sha256, audio_bytes FROM recordings WHERE id = :i"),
            {"i": recording_id},
        ).one()
    return blob, sealed, size


def _point_at(vault: Vault, recording_id: str, blob: str, **columns: object) -> None:
    """Point the row at a blob another row names (a unique column: that one through a stand-in)."""
    sql(vault, "UPDATE recordings SET audio_blob = 'stand-in' WHERE audio_blob = :b", b=blob)
    (mine, _, _) = _audio_of(vault, recording_id)
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    sql(
        vault,
        f"UPDATE recordings SET audio_blob = :b{', ' if columns else ''}{assignments} "  # noqa: S608
        "WHERE id = :i",
        b=blob,
        i=recording_id,
        **columns,
    )
    sql(vault, "UPDATE recordings SET audio_blob = :b WHERE audio_blob = 'stand-in'", b=mine)


def audio_bytes_copied(case: Case) -> None:
    """The stranger's stored ciphertext, copied into a new blob that my recording names."""
    blob, _, _ = _audio_of(case.vault, "st-0")
    with case.vault.blobs.open(blob) as source:
        copied = source.read()
    copy = uuid.uuid4().hex
    case.vault.blobs.put_stream(copy, [copied])
    sql(case.vault, "UPDATE recordings SET audio_blob = :b WHERE id = 'me-1'", b=copy)


def audio_columns_swapped(case: Case) -> None:
    """My recording's audio columns are the stranger's: blobs exchanged, its sealed hash copied."""
    blob, sealed, size = _audio_of(case.vault, "st-0")
    _point_at(case.vault, "me-1", blob, audio_sha256=sealed, audio_bytes=size)


def audio_blobs_exchanged(case: Case) -> None:
    """Only the two rows' blob references exchanged: nothing in the vault says whose is whose."""
    blob, _, _ = _audio_of(case.vault, "st-0")
    _point_at(case.vault, "me-1", blob)


def audio_blobs_exchanged_own_hash_copied(case: Case) -> None:
    """As above, and my own sealed hash copied into another row: that row holds a copy of
    mine, which says nothing of whose audio my row points at."""
    _, sealed, _ = _audio_of(case.vault, "me-1")
    audio_blobs_exchanged(case)
    sql(case.vault, "UPDATE recordings SET audio_sha256 = :h WHERE id = 'st-1'", h=sealed)


AUDIO_VARIANTS: dict[str, tuple[Callable[[Case], None], str | None]] = {
    # name: (the bug, how the stranger is found; None: it cannot be)
    "a copy of the stranger's stored audio": (audio_bytes_copied, "stored_bytes"),
    "the stranger's audio columns": (audio_columns_swapped, "sealed_sha256"),
    "the stranger's blob, references exchanged": (audio_blobs_exchanged, None),
    "the same, and my own sealed hash copied": (audio_blobs_exchanged_own_hash_copied, None),
}


@pytest.mark.parametrize("variant", list(AUDIO_VARIANTS))
def test_a_recording_whose_stored_audio_is_another_persons_names_that_person(
    vault: Vault, variant: str
) -> None:
    me, stranger = two_households(vault)
    case = Case(vault, me, stranger, portal_request(vault, me), portal_request(vault, stranger))
    bug, found_by = AUDIO_VARIANTS[variant]
    bug(case)
    build_answer(vault, {"request_id": case.mine})

    assert state_of(vault, case.mine) == "blocked"
    assert list_exports(vault, person=Person(me.account_id)) == []
    (incident,) = incidents_of(vault, case.mine)
    details = incident.details
    assert (incident.kind, details["check"]) == ("build_failed", "recording_decrypt")
    assert details["account"] == pseudonym(vault, me.account_id) and details["recordings"] == 3
    with vault.reading() as session:
        mine = names_for(vault, session, me.account_id).recording("me-1")
        theirs = names_for(vault, session, stranger.account_id).recording("st-0")
    (audio,) = details["audio"]
    assert audio["recording"] == mine
    # The register lists whom the evidence names (a build failure has no answer to derive from).
    shown = show_incident(vault, incident.id)
    register = {a.account: a.recordings for a in shown.affected}
    # The console shows it: the recording, whose audio it held, and how that was found.
    with browser(vault) as dpo:
        dpo.cookies.set(STAFF_COOKIE, staff_token(vault, "cleo", "dpo"))
        page = html.unescape(dpo.get(f"/console/incidents/{incident.id}").text)
    table = page[page.index('id="audio"') :]
    table = table[: table.index("</table>")]
    assert mine in table
    if found_by is None:
        assert shown.audio == [AudioSeen(mine, None, None)]
        assert translate("en", "incidents.audio_unknown") in table
        # Said, not left out: the evidence names no one it cannot stand behind.
        assert audio == {
            "recording": mine,
            "owner": None,
            "found_by": None,
            "evidence": "the audio's owner could not be determined",
        }
        assert details["affected"] == []
        assert register == {details["account"]: 3}
        return
    owner = pseudonym(vault, stranger.account_id)
    assert (audio["owner"], audio["found_by"]) == (owner, found_by)
    assert shown.audio == [AudioSeen(mine, owner, found_by)]
    words = {
        "stored_bytes": "incidents.audio_by_bytes",
        "sealed_sha256": "incidents.audio_by_hash",
    }
    assert owner in table and translate("en", words[found_by]) in table
    assert audio["evidence"] == f"the stored audio is that of recording {theirs} of {owner}"
    # The stranger is affected by that one recording: its time and its device.
    (other,) = details["affected"]
    at = (BASE + timedelta(days=2)).isoformat()
    assert (other["account"], other["recordings"], other["first"], other["last"]) == (
        owner,
        1,
        at,
        at,
    )
    assert len(other["devices"]) == 1 and other["devices"][0].startswith("dev:")
    assert register == {details["account"]: 3, owner: 1}
