"""DESIGN invariant 1, owner by construction: ciphertext is bound to its owner and its id.

Bytes moved under another account's row, or swapped between two recordings of
one account, must fail to decrypt with IntegrityFailure, through the services
and through the API (HTTP 500, code integrity_error, a message without
content); everything left alone must still read back exactly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from helpers import assert_error, make_wav
from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import Account, DataKey, Device, DeviceKind, HouseholdMember, Language
from voxkeep.errors import IntegrityFailure, KeyDestroyed
from voxkeep.recordings import service as recordings
from voxkeep.recordings.models import Recording
from voxkeep.vault import Vault

ACTOR = "test:invariant-1"
MARKER = b"OWNER-BY-CONSTRUCTION-MARKER-31"  # woven into every audio file
SECRET = "TRANSCRIPT-SECRET-7f3a"  # starts every transcript

# --- set-up through the services ------------------------------------------------


@dataclass
class Rec:
    account: str  # the external account id
    id: str
    transcript: str
    audio: bytes


def register(vault: Vault, external_id: str, device: str, member: str | None = None) -> str:
    """Register an account with one device (and a member); return the internal account id."""
    with vault.transaction() as session:
        account, _ = accounts.upsert_account(
            vault,
            session,
            external_id=external_id,
            changes=accounts.AccountChanges(email=f"{external_id}@example.org"),
            actor=ACTOR,
        )
        accounts.upsert_device(
            vault,
            session,
            account=account,
            device_id=device,
            kind=DeviceKind.SPEAKER,
            name=f"Speaker of {external_id}",
            registered_at=datetime.now(UTC) - timedelta(days=30),
            actor=ACTOR,
        )
        if member is not None:
            accounts.upsert_member(
                vault, session, account=account, member_id=member, name="Oma Ilse", actor=ACTOR
            )
        return account.id


def ingest(vault: Vault, rec: Rec, device: str) -> None:
    meta = recordings.NewRecording(
        id=rec.id,
        account=rec.account,
        device=device,
        captured_at=datetime.now(UTC) - timedelta(hours=1),
        language=Language.DE,
        transcript=rec.transcript,
    )
    stored = recordings.ingest(vault, meta, rec.audio, actor=ACTOR)
    assert stored is True or getattr(stored, "value", None) == "stored", stored


def internal_id(vault: Vault, external_id: str) -> str:
    with vault.reading() as session:
        return accounts.find_account(vault, session, external_id).id


# --- reading, expecting success or an integrity failure ----------------------------


def service_audio(vault: Vault, account: str, rec_id: str) -> bytes:
    stream = recordings.open_audio(vault, account=account, recording_id=rec_id, actor=ACTOR)
    return b"".join(stream.chunks)


def service_transcript(vault: Vault, account: str, rec_id: str) -> str | None:
    return recordings.read_transcript(vault, account=account, recording_id=rec_id, actor=ACTOR)


def base(account: str, rec_id: str) -> str:
    return f"/api/v1/accounts/{account}/recordings/{rec_id}"


def assert_reads(vault: Vault, client: TestClient, rec: Rec, account: str | None = None) -> None:
    """Audio and transcript read back exactly, through the service and the API."""
    owner = account or rec.account
    assert service_audio(vault, owner, rec.id) == rec.audio
    assert service_transcript(vault, owner, rec.id) == rec.transcript
    got = client.get(base(owner, rec.id) + "/audio")
    assert got.status_code == 200, got.text
    assert got.content == rec.audio
    text = client.get(base(owner, rec.id) + "/transcript")
    assert text.status_code == 200, text.text
    assert text.json()["transcript"] == rec.transcript


def assert_integrity_failure_body(response: Any, *secrets: str) -> None:
    body = assert_error(response, 500, "integrity_error")
    assert "integrity check" in body["error"]
    for secret in secrets:
        assert secret not in response.text
    assert SECRET not in response.text
    assert MARKER.decode() not in response.text


def assert_audio_fails(vault: Vault, client: TestClient, rec: Rec, account: str) -> None:
    with pytest.raises(IntegrityFailure) as excinfo:
        service_audio(vault, account, rec.id)
    assert type(excinfo.value) is IntegrityFailure
    assert excinfo.value.code == "integrity_error"
    assert "audio failed its integrity check" in excinfo.value.message
    assert SECRET not in str(excinfo.value)
    response = client.get(base(account, rec.id) + "/audio")
    assert_integrity_failure_body(response, rec.transcript)
    assert "audio" in response.json()["error"]


def assert_transcript_fails(vault: Vault, client: TestClient, rec: Rec, account: str) -> None:
    with pytest.raises(IntegrityFailure) as excinfo:
        service_transcript(vault, account, rec.id)
    assert type(excinfo.value) is IntegrityFailure
    assert "transcript failed its integrity check" in excinfo.value.message
    assert SECRET not in str(excinfo.value)
    response = client.get(base(account, rec.id) + "/transcript")
    assert_integrity_failure_body(response, rec.transcript)
    assert "transcript" in response.json()["error"]


# --- tampering, as someone with write access to the database or the blob folder -------


def swap(vault: Vault, column: str, first: str, second: str) -> None:
    """Swap one column's values between two recording rows (unique columns need a detour)."""
    col = getattr(Recording, column)
    with vault.transaction() as session:
        a = session.scalar(select(col).where(Recording.id == first))
        b = session.scalar(select(col).where(Recording.id == second))
        if column == "audio_blob":
            session.execute(update(Recording).where(Recording.id == first).values({col: "x" * 32}))
        session.execute(update(Recording).where(Recording.id == second).values({col: a}))
        session.execute(update(Recording).where(Recording.id == first).values({col: b}))


def copy_column(vault: Vault, column: str, source: str, target: str) -> None:
    col = getattr(Recording, column)
    with vault.transaction() as session:
        value = session.scalar(select(col).where(Recording.id == source))
        session.execute(update(Recording).where(Recording.id == target).values({col: value}))


def copy_blob_file(vault: Vault, source: str, target: str) -> None:
    """Put a copy of the source recording's ciphertext where the target's row points."""
    with vault.reading() as session:
        src = session.scalar(select(Recording.audio_blob).where(Recording.id == source))
    assert src is not None
    with vault.blobs.open(src) as blob:
        ciphertext = blob.read()
    with vault.blobs.new_pack() as pack:
        copy = pack.add(len(ciphertext), lambda out: out.__setitem__(slice(None), ciphertext))
    with vault.transaction() as session:
        session.execute(update(Recording).where(Recording.id == target).values(audio_blob=copy))


def reassign_row(vault: Vault, rec_id: str, account_id: str) -> None:
    with vault.transaction() as session:
        session.execute(
            update(Recording).where(Recording.id == rec_id).values(account_id=account_id)
        )


# --- the property ---------------------------------------------------------------------

CROSS = ("swap_blob_rows", "copy_blob_file", "copy_transcript", "reassign_row")
WITHIN = ("swap_blob_rows", "copy_blob_file", "swap_transcripts", "copy_transcript")

transcripts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=80
)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=3))
    recs = [
        [
            (
                draw(transcripts),
                draw(st.sampled_from((0.05, 0.2, 2.1))),  # 2.1 s: two 64 KiB segments
                draw(st.integers(0, 1000)),
            )
            for _ in range(n)
        ]
        for n in sizes
    ]
    pairs_within = [i for i, n in enumerate(sizes) if n >= 2]
    kind = draw(st.sampled_from(("cross", "within") if pairs_within else ("cross",)))
    if kind == "cross":
        a, b = draw(st.permutations(range(len(sizes))))[:2]
        first = (a, draw(st.integers(0, sizes[a] - 1)))
        second = (b, draw(st.integers(0, sizes[b] - 1)))
        op = draw(st.sampled_from(CROSS))
    else:
        a = draw(st.sampled_from(pairs_within))
        i, j = draw(st.permutations(range(sizes[a])))[:2]
        first, second = (a, i), (a, j)
        op = draw(st.sampled_from(WITHIN))
    return {"recs": recs, "kind": kind, "op": op, "first": first, "second": second}


@settings(
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_moved_or_swapped_ciphertext_fails_to_decrypt(
    vault: Vault, client: TestClient, scenario: dict[str, Any]
) -> None:
    ns = uuid.uuid4().hex[:8]  # every example gets fresh accounts in the shared vault
    table: list[list[Rec]] = []
    internal: list[str] = []
    for n, planned in enumerate(scenario["recs"]):
        external = f"acct-{ns}-{n}"
        internal.append(register(vault, external, f"dev-{ns}-{n}"))
        row: list[Rec] = []
        for m, (text, seconds, seed) in enumerate(planned):
            transcript = f"{SECRET} {text}"
            audio = make_wav(seconds, seed=seed, marker=MARKER)
            rec = Rec(external, f"rec-{ns}-{n}-{m}", transcript, audio)
            ingest(vault, rec, f"dev-{ns}-{n}")
            row.append(rec)
        table.append(row)

    (fa, fi), (sa, si) = scenario["first"], scenario["second"]
    x, y = table[fa][fi], table[sa][si]
    op = scenario["op"]
    audio_broken: set[str] = set()
    transcript_broken: set[str] = set()
    read_as = {r.id: r.account for row in table for r in row}
    if op == "swap_blob_rows":
        swap(vault, "audio_blob", x.id, y.id)
        audio_broken |= {x.id, y.id}
    elif op == "copy_blob_file":
        copy_blob_file(vault, x.id, y.id)
        audio_broken.add(y.id)
    elif op == "copy_transcript":
        copy_column(vault, "transcript_ct", x.id, y.id)
        transcript_broken.add(y.id)
    elif op == "swap_transcripts":
        swap(vault, "transcript_ct", x.id, y.id)
        transcript_broken |= {x.id, y.id}
    elif op == "reassign_row":
        reassign_row(vault, x.id, internal[sa])
        audio_broken.add(x.id)
        transcript_broken.add(x.id)
        read_as[x.id] = y.account
        # The original owner no longer sees it at all.
        assert client.get(base(x.account, x.id) + "/audio").status_code == 404
    else:  # pragma: no cover
        raise AssertionError(op)

    for row in table:
        for rec in row:
            account = read_as[rec.id]
            if rec.id in audio_broken:
                assert_audio_fails(vault, client, rec, account)
            if rec.id in transcript_broken:
                assert_transcript_fails(vault, client, rec, account)
            if rec.id not in audio_broken and rec.id not in transcript_broken:
                assert_reads(vault, client, rec)
            elif rec.id not in audio_broken:
                assert service_audio(vault, account, rec.id) == rec.audio
            elif rec.id not in transcript_broken:
                assert service_transcript(vault, account, rec.id) == rec.transcript


# --- key wrapping -----------------------------------------------------------------


@pytest.fixture
def two_accounts(vault: Vault, client: TestClient) -> tuple[Rec, Rec]:
    recs = []
    for n in (1, 2):
        register(vault, f"acct-{n}", f"dev-{n}", member=f"member-{n}")
        rec = Rec(f"acct-{n}", f"rec-{n}", f"{SECRET} Nummer {n}", make_wav(0.2, seed=n))
        ingest(vault, rec, f"dev-{n}")
        assert_reads(vault, client, rec)
        recs.append(rec)
    return recs[0], recs[1]


def test_wrapped_data_key_copied_to_another_account_fails_to_unwrap(
    vault: Vault, client: TestClient, two_accounts: tuple[Rec, Rec]
) -> None:
    one, two = two_accounts
    a, b = internal_id(vault, one.account), internal_id(vault, two.account)
    with vault.transaction() as session:
        source = session.execute(
            select(DataKey.master_key_id, DataKey.wrapped).where(DataKey.account_id == a)
        ).one()
        session.execute(
            update(DataKey)
            .where(DataKey.account_id == b)
            .values(master_key_id=source.master_key_id, wrapped=source.wrapped)
        )
    with vault.reading() as session, pytest.raises(IntegrityFailure) as excinfo:
        vault.keyring.data_key(session, b)
    assert type(excinfo.value) is IntegrityFailure
    assert "wrapped key failed its integrity check" in excinfo.value.message
    assert_transcript_fails_with_key(vault, client, two)
    assert_reads(vault, client, one)  # the source account is untouched


def test_data_key_row_moved_to_another_account_fails_to_unwrap(
    vault: Vault, client: TestClient, two_accounts: tuple[Rec, Rec]
) -> None:
    one, two = two_accounts
    a, b = internal_id(vault, one.account), internal_id(vault, two.account)
    with vault.transaction() as session:
        session.execute(DataKey.__table__.delete().where(DataKey.account_id == b))
        session.execute(update(DataKey).where(DataKey.account_id == a).values(account_id=b))
    with vault.reading() as session, pytest.raises(IntegrityFailure) as excinfo:
        vault.keyring.data_key(session, b)
    assert type(excinfo.value) is IntegrityFailure
    assert_transcript_fails_with_key(vault, client, two)
    # The account that lost its row reads as erased, not as someone else's data.
    with pytest.raises(KeyDestroyed):
        service_transcript(vault, one.account, one.id)
    assert_error(client.get(base(one.account, one.id) + "/audio"), 410, "key_destroyed")


def assert_transcript_fails_with_key(vault: Vault, client: TestClient, rec: Rec) -> None:
    with pytest.raises(IntegrityFailure) as excinfo:
        service_transcript(vault, rec.account, rec.id)
    assert type(excinfo.value) is IntegrityFailure
    for path in ("/transcript", "/audio"):
        response = client.get(base(rec.account, rec.id) + path)
        assert_integrity_failure_body(response, rec.transcript)
        assert "wrapped key" in response.json()["error"]


def test_identity_fields_moved_to_another_account_fail_to_open(
    vault: Vault, two_accounts: tuple[Rec, Rec]
) -> None:
    """E-mail, device and member names are sealed to their account and object too."""
    one, two = two_accounts
    a, b = internal_id(vault, one.account), internal_id(vault, two.account)
    with vault.reading() as session:
        key_a = vault.keyring.data_key(session, a)
        key_b = vault.keyring.data_key(session, b)
        acct_a, acct_b = session.get(Account, a), session.get(Account, b)
        dev_a, dev_b = session.get(Device, "dev-1"), session.get(Device, "dev-2")
        mem_a, mem_b = (
            session.get(HouseholdMember, "member-1"),
            session.get(HouseholdMember, "member-2"),
        )
        assert acct_a and acct_b and dev_a and dev_b and mem_a and mem_b
        assert acct_a.email_ct and acct_b.email_ct
        # Untouched, each opens under its own owner.
        assert accounts.open_field(key_a, a, "email", acct_a.email_ct) == "acct-1@example.org"
        assert accounts.open_name(key_b, b, "device_name", "dev-2", dev_b.name_ct) == (
            "Speaker of acct-2"
        )
        assert accounts.open_name(key_a, a, "member_name", "member-1", mem_a.name_ct) == "Oma Ilse"
        moved = [
            lambda: accounts.open_field(key_b, b, "email", acct_a.email_ct),
            lambda: accounts.open_field(key_b, b, "external_id", acct_a.external_id_ct),
            lambda: accounts.open_field(key_a, a, "external_id", acct_a.email_ct),  # other field
            lambda: accounts.open_name(key_b, b, "device_name", "dev-2", dev_a.name_ct),
            lambda: accounts.open_name(key_a, a, "device_name", "dev-1", mem_a.name_ct),
            lambda: accounts.open_name(key_b, b, "member_name", "member-2", mem_a.name_ct),
        ]
        for attempt in moved:
            with pytest.raises(IntegrityFailure):
                attempt()
