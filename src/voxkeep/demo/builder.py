"""`voxkeep demo`: a realistic vault of three households, built idempotently.

German, French and English households with several devices each, named
household members (one per synthesized voice), two years of history (several
thousand recordings of real synthesized speech) and one account that has no
device at all, the case that went wrong in the story behind voxkeep.

The ids are opaque (``acct-0001``, ``dev-0001-a``, ``mem-0001-f2``), as an
operator's should be: ids are stored and logged in plaintext, while names live
only in the encrypted name fields.
"""

from __future__ import annotations

import random
import secrets
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import Account, DeviceKind, Language, Retention
from voxkeep.config import Settings
from voxkeep.demo.clips import Clip, load_clips
from voxkeep.errors import ConfigError, NotFound
from voxkeep.people.service import set_password_without_invitation
from voxkeep.people.staff import add_staff, enrol_totp_unsafe, get_staff, set_staff_password
from voxkeep.recordings.bulk import store_batch
from voxkeep.recordings.models import Recording
from voxkeep.recordings.service import (
    NewRecording,
    OwnerLookup,
    Prepared,
    check_audio,
    resolve_owner,
)
from voxkeep.tokens.models import IngestToken
from voxkeep.tokens.service import Scope, create_token, revoke_token
from voxkeep.vault import Vault

ACTOR = "system:demo"
SEED = 20181219  # fixed: the demo is the same on every machine


@dataclass(frozen=True)
class Household:
    account: str
    email: str
    language: Language
    retention: Retention
    days: int
    recordings: int
    devices: tuple[tuple[str, DeviceKind, str], ...]  # (id, kind, name)
    members: dict[str, str]  # clip voice → member name

    def member_id(self, voice: str) -> str:
        return f"mem-{self.account.removeprefix('acct-')}-{voice}"


HOUSEHOLDS = (
    Household(
        account="acct-0001",
        email="familie.mueller@example.de",
        language=Language.DE,
        retention=Retention.UNTIL_DELETED,
        days=730,
        recordings=1500,
        devices=(
            ("dev-0001-a", DeviceKind.SPEAKER, "Küche"),
            ("dev-0001-b", DeviceKind.TV, "Wohnzimmer"),
            ("dev-0001-c", DeviceKind.SPEAKER, "Schlafzimmer"),
            ("dev-0001-d", DeviceKind.CAR, "Auto"),
        ),
        members={"f2": "Anna", "m3": "Jonas", "m1": "Opa Karl"},
    ),
    Household(
        account="acct-0002",
        email="camille.dubois@example.fr",
        language=Language.FR,
        retention=Retention.UNTIL_DELETED,
        days=730,
        recordings=1300,
        devices=(
            ("dev-0002-a", DeviceKind.SPEAKER, "Salon"),
            ("dev-0002-b", DeviceKind.SPEAKER, "Chambre"),
            ("dev-0002-c", DeviceKind.PHONE, "Téléphone de Camille"),
        ),
        members={"f1": "Camille", "m2": "Julien", "f3": "Léa"},
    ),
    Household(
        account="acct-0003",
        email="emma.smith@example.org",
        language=Language.EN,
        retention=Retention.MONTHS_18,
        days=520,
        recordings=1200,
        devices=(
            ("dev-0003-a", DeviceKind.SPEAKER, "Kitchen"),
            ("dev-0003-b", DeviceKind.TV, "Living room"),
            ("dev-0003-c", DeviceKind.CAR, "Car"),
        ),
        members={"f2": "Emma", "m3": "Oliver", "f4": "Grace"},
    ),
)
# Signed up, never owned a device: an access request must yield no recordings.
NO_DEVICE_ACCOUNT = ("acct-0004", "sam.nodevice@example.org", Language.DE)
# The household whose person signs in (English, like the docs).
DEMO_PERSON = HOUSEHOLDS[2]
# Staff with one role each where four eyes matter: an agent enters and verifies a
# request, a different person approves it.
DEMO_STAFF = (
    ("demo-agent", ("agent",)),
    ("demo-approver", ("approver",)),
    ("demo-dpo", ("dpo", "admin")),
)

# Who is responsible, so that the demo's authority documents and people's notices
# (Art. 33(3)(b), 34(2)) name a contact point. Plainly not real: .invalid addresses.
DEMO_RESPONSIBLE = {
    "controller_name": "Demo Voice Ltd (demo)",
    "controller_contact": "1 Demo Street, Demotown; privacy@demo.invalid",
    "dpo_name": "Demo Data Protection Officer",
    "dpo_contact": "dpo@demo.invalid",
    "supervisory_authority": "Demo Supervisory Authority (not a real authority)",
}


def responsible_choices(settings: Settings) -> dict[str, str]:
    """The demo's controller, DPO and authority, each only where the operator set none."""
    return {key: value for key, value in DEMO_RESPONSIBLE.items() if getattr(settings, key) is None}


@dataclass(frozen=True)
class SignIn:
    """A demo sign-in. The password is new on every run and printed only then."""

    who: str  # "person" or the staff roles
    login: str  # an e-mail address (a person) or a staff name
    password: str = field(repr=False)
    totp_secret: str = field(default="", repr=False)  # staff: the authenticator app's key


@dataclass(frozen=True)
class DemoSummary:
    households: int
    recordings: int
    added: int
    token: str
    sample: tuple[str, str]  # (account, recording id) to try first
    sign_ins: tuple[SignIn, ...] = ()


# The first account's id in demo vaults built before the ids were opaque.
LEGACY_ACCOUNT = "haushalt-mueller"


def _refuse_legacy(vault: Vault, session: Session) -> None:
    digest = vault.keyring.lookup_hash(session, kind="external_id", value=LEGACY_ACCOUNT)
    if session.scalars(select(Account.id).where(Account.external_id_hash == digest)).first():
        raise ConfigError(
            f"The demo vault in {vault.settings.data_dir} was built by an older voxkeep, whose "
            "demo ids were family names.",
            hint="Remove that folder (and the demo's outbox beside it) and run the demo again.",
        )


def _register(vault: Vault) -> None:
    with vault.transaction() as session:
        _refuse_legacy(vault, session)
        for house in HOUSEHOLDS:
            changes = accounts.AccountChanges(
                email=house.email, language=house.language, retention=house.retention
            )
            account, _ = accounts.upsert_account(
                vault, session, external_id=house.account, changes=changes, actor=ACTOR
            )
            since = datetime.now(UTC) - timedelta(days=house.days + 30)
            for device_id, kind, name in house.devices:
                accounts.upsert_device(
                    vault,
                    session,
                    account=account,
                    device_id=device_id,
                    kind=kind,
                    name=name,
                    registered_at=since,
                    actor=ACTOR,
                )
            for voice, name in house.members.items():
                accounts.upsert_member(
                    vault,
                    session,
                    account=account,
                    member_id=house.member_id(voice),
                    name=name,
                    actor=ACTOR,
                )
        external_id, email, language = NO_DEVICE_ACCOUNT
        accounts.upsert_account(
            vault,
            session,
            external_id=external_id,
            changes=accounts.AccountChanges(email=email, language=language),
            actor=ACTOR,
        )


def _plan(house: Household, clips: list[Clip], now: datetime) -> list[tuple[NewRecording, Clip]]:
    """The household's history: mornings and evenings, more on weekends, fixed by the seed."""
    rng = random.Random(f"{SEED}-{house.account}")
    own = [c for c in clips if c.language == house.language.value]
    planned = []
    for n in range(house.recordings):
        day = rng.randrange(house.days)
        hour = rng.choice((7, 7, 8, 12, 18, 19, 19, 20, 21, 22))
        when = (
            now
            - timedelta(days=day, hours=rng.random())
            - timedelta(hours=now.hour - hour, minutes=rng.randrange(60))
        )
        when = min(when, now - timedelta(minutes=5))
        clip = rng.choice(own)
        device_id = rng.choice(house.devices)[0]
        known = rng.random() < 0.6  # voice match is not always confident
        planned.append(
            (
                NewRecording(
                    id=f"demo-{house.language.value}-{n:05d}",
                    account=house.account,
                    device=device_id,
                    captured_at=when.replace(microsecond=0),
                    language=house.language,
                    transcript=clip.text,
                    speaker=house.member_id(clip.voice) if known else None,
                ),
                clip,
            )
        )
    return planned


def build_demo(
    vault: Vault,
    *,
    scale: float = 1.0,
    on_total: Callable[[int], None] | None = None,
    on_done: Callable[[int], None] | None = None,
) -> DemoSummary:
    """Build the demo vault; a second run adds nothing and only issues a fresh token."""
    _register(vault)
    clips = load_clips()
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    plan = [
        item
        for house in HOUSEHOLDS
        for item in _plan(house, clips, now)[: max(1, int(house.recordings * scale))]
    ]
    with vault.reading() as session:
        present = set(session.scalars(select(Recording.id).where(Recording.id.like("demo-%"))))
    todo = [(meta, clip) for meta, clip in plan if meta.id not in present]
    if on_total:
        on_total(len(plan))
    if on_done:
        on_done(len(plan) - len(todo))
    with vault.reading() as session:
        lookup = OwnerLookup(vault, session)
    for start in range(0, len(todo), 500):
        chunk = todo[start : start + 500]
        ready: list[tuple[Prepared, bytes]] = []
        with vault.reading() as session:
            lookup.session = session
            for meta, clip in chunk:
                wav = check_audio(vault, clip.wav)
                ready.append((resolve_owner(lookup, meta, clip.wav, wav), clip.wav))
        store_batch(vault, ready, actor=ACTOR)
        if on_done:
            on_done(len(chunk))
    token = _demo_token(vault)
    sign_ins = _sign_ins(vault)
    with vault.reading() as session:
        total = session.scalar(select(func.count()).select_from(Recording)) or 0
    first = plan[0][0]
    return DemoSummary(
        households=len(HOUSEHOLDS),
        recordings=total,
        added=len(todo),
        token=token,
        sample=(first.account, first.id),
        sign_ins=sign_ins,
    )


def _demo_token(vault: Vault) -> str:
    """A fresh read/ingest token for this run; earlier demo tokens are revoked."""
    with vault.transaction() as session:
        for old in session.scalars(
            select(IngestToken.id).where(
                IngestToken.name == "demo", IngestToken.revoked_at.is_(None)
            )
        ).all():
            revoke_token(session, old, actor=ACTOR)
        _, value = create_token(
            session, name="demo", scopes=[Scope.INGEST, Scope.READ], actor=ACTOR
        )
    return value


def _sign_ins(vault: Vault) -> tuple[SignIn, ...]:
    """A person's and staff members' sign-ins, with passwords new on every run (so an
    earlier run's printout stops working, as its token does)."""
    person = SignIn("person", DEMO_PERSON.email, secrets.token_urlsafe(12))
    set_password_without_invitation(
        vault, external_id=DEMO_PERSON.account, password=person.password, actor=ACTOR
    )
    made = [person]
    for name, roles in DEMO_STAFF:
        password = secrets.token_urlsafe(12)
        try:
            get_staff(vault, name)
        except NotFound:
            add_staff(vault, name=name, roles=roles, password=password, actor=ACTOR)
        else:
            set_staff_password(vault, ref=name, password=password, actor=ACTOR)
        secret = enrol_totp_unsafe(vault, ref=name, actor=ACTOR)
        made.append(SignIn(" + ".join(roles), name, password, secret))
    return tuple(made)


def print_welcome(
    console: Console, summary: DemoSummary, *, host: str, port: int, outbox: Path | None
) -> None:
    base = f"http://{host}:{port}"
    account, recording = summary.sample
    audio = f"{base}/api/v1/accounts/{account}/recordings/{recording}/audio"
    accounts = ", ".join(
        [f"{h.account} ({h.language.value})" for h in HOUSEHOLDS]
        + [f"{NO_DEVICE_ACCOUNT[0]} (no devices)"]
    )
    width = max((len(s.login) for s in summary.sign_ins), default=0)
    sign_ins = "".join(
        f"  {s.who:<13} {s.login:<{width}}  {s.password}"
        + (f"  TOTP key {s.totp_secret}" if s.totp_secret else "")
        + "\n"
        for s in summary.sign_ins
    )
    console.print(
        f"\n[bold]voxkeep demo[/bold]: {summary.households} households, "
        f"{summary.recordings} recordings ({summary.added} added now).\n"
        f"  Open          {base}/  (people)   {base}/console  (staff)\n"
        f"  API docs      {base}/api/docs  (Authorize with the token below)\n"
        f"  Demo token    {summary.token}\n"
        f"  Hear a clip   curl -H 'Authorization: Bearer {summary.token}' {audio} -o clip.wav\n"
        f"  Accounts      {accounts}\n"
        + (
            f"  Mail outbox   {base}/demo/outbox  (the mails the demo sends: codes, invitations)\n"
            f"                folder {escape(str(outbox))}\n"
            if outbox
            else "  Mail outbox   none (mail goes to the SMTP server)\n"
        )
        + "\n[bold]Sign-ins[/bold] (demo only: new passwords on every run, shown only here)\n"
        f"{sign_ins}"
        f"  The person signs in at {base}/ with the e-mail address and password.\n"
        f"  Staff sign in at {base}/console with the name and password, then a 6-digit\n"
        "  code: add the TOTP key to an authenticator app, or print the current code with\n"
        f"    {escape(shlex.quote(sys.executable))} -c "
        "\"import pyotp; print(pyotp.TOTP('KEY').now())\"\n"
        "  A code is good once: to sign in again within 30 seconds, wait for the next one.\n"
        f"  Client apps: POST {base}/api/v1/people/sessions "
        '{"email", "password"}, POST '
        f"{base}/api/v1/staff/sessions "
        '{"name", "password", "totp"}; command line: voxkeep requests --as demo-agent list\n',
        highlight=False,
        soft_wrap=True,
        markup=True,
    )
