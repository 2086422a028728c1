"""Rate limiting of sign-ins and re-authentications, shared by every process.

Failures are rows in the database (so every worker and every restart sees
them), counted in a sliding window. People and staff have separate counters
(the realm is part of every key), so a flood against one never touches the
other. Three counters decide, as OWASP's "device cookie" pattern and the
per-account plus per-address limits of established services combine them:

- the account (or staff member) tried: too many failures lock guessing on it,
  from any address, for the window;
- a known-client cookie (known_clients.py): a browser that signed in to the
  account before is exempt from both other limits until it has used up its
  own small allowance of failures (which count against the account too, so a
  stolen cookie adds no guesses);
- the client's network address: too many failures only *slow* it (one attempt
  every ``signin_address_interval_s``; faster ones get 429 before the password
  is checked). An admitted attempt with the right password signs in, so a
  shared office or NAT address can never lock anybody out.

Keys are keyed hashes (HMAC with the look-up key): the table holds no e-mail
address, name or IP address.
"""

from __future__ import annotations

import enum
import logging
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from voxkeep.config import Settings
from voxkeep.crypto.keyring import Keyring
from voxkeep.db.base import utcnow
from voxkeep.errors import TooManyRequests
from voxkeep.people import known_clients
from voxkeep.people.models import SigninFailure
from voxkeep.vault import Vault

log = logging.getLogger("voxkeep.people")

TURN_LOCK = 0x766B7468  # "vkth": the advisory-lock class of slowed addresses' turns


class Realm(enum.StrEnum):
    PEOPLE = "people"
    STAFF = "staff"


@dataclass(frozen=True)
class Gate:
    """Whose counters (realm) and what for (purpose: in messages)."""

    realm: Realm
    purpose: str


PERSON_SIGNIN = Gate(Realm.PEOPLE, "sign-in")
PERSON_REAUTH = Gate(Realm.PEOPLE, "re-authentication")
PERSON_RESET = Gate(Realm.PEOPLE, "password reset")
# Turning two-step sign-in on or off: a wrong code counts like a wrong password.
PERSON_TWO_STEP = Gate(Realm.PEOPLE, "two-step change")
STAFF_SIGNIN = Gate(Realm.STAFF, "sign-in")
STAFF_REAUTH = Gate(Realm.STAFF, "re-authentication")


@dataclass(frozen=True)
class Attempt:
    """One sign-in or re-authentication: the counters it is checked and counted against."""

    gate: Gate
    subject: bytes  # the account or staff member tried (or the unknown address or name)
    client: bytes  # the client's network address: its failures
    turns: bytes  # the client's network address: its attempts while slowed
    known: bytes | None  # the known-client cookie, when it is valid for the subject

    @property
    def counters(self) -> list[bytes]:
        """What a failure counts against: the subject, and a known client's own allowance
        or else the address (a known client is not subject to the address's limit)."""
        return [self.subject, self.known if self.known is not None else self.client]


def _key(keyring: Keyring, session: Session, realm: Realm, kind: str, value: str) -> bytes:
    return keyring.lookup_hash(session, kind=f"throttle:{realm}:{kind}", value=value)


def attempt(
    vault: Vault,
    session: Session,
    gate: Gate,
    *,
    owner: str | None,
    named: str,
    client: str,
    cookie: str | None,
) -> Attempt:
    """The counters of an attempt on owner (the id of the account or staff member tried),
    or, when no such one exists, on what the attempt named (an e-mail address, a login name).

    A known-client cookie counts only if it was issued for owner.
    """
    keyring, realm = vault.keyring, gate.realm
    nonce = None
    if owner is not None and cookie:
        nonce = known_clients.verify(keyring, session, realm=realm, owner=owner, value=cookie)
    subject = f"id:{owner}" if owner is not None else f"named:{named}"
    return Attempt(
        gate=gate,
        subject=_key(keyring, session, realm, "subject", subject),
        client=_key(keyring, session, realm, "client", client),
        turns=_key(keyring, session, realm, "turns", client),
        known=_key(keyring, session, realm, "known", nonce) if nonce else None,
    )


def admit(vault: Vault, attempt: Attempt) -> Attempt:
    """Let the attempt check a password, or raise TooManyRequests (429, Retry-After).

    Returns the attempt as its outcome must be counted: a known-client cookie
    that has used up its failures no longer counts as known.
    """
    settings = vault.settings
    with vault.reading() as session:
        if attempt.known is not None:
            if _wait(session, settings, attempt.known, settings.signin_max_failures) is None:
                return attempt
            attempt = replace(attempt, known=None)
        wait = _wait(session, settings, attempt.subject, settings.signin_max_failures)
        if wait is not None:
            raise _locked(attempt, wait)
        slowed = _wait(session, settings, attempt.client, settings.signin_address_max_failures)
    if slowed is not None:
        with vault.transaction() as session:
            _take_turn(session, settings, attempt)
    return attempt


def _wait(session: Session, settings: Settings, key_hash: bytes, limit: int) -> float | None:
    """Seconds until key_hash has fewer than limit failures in the window; None if it has."""
    now = utcnow()
    window = timedelta(seconds=settings.signin_window_s)
    times = session.scalars(
        select(SigninFailure.at)
        .where(SigninFailure.key_hash == key_hash, SigninFailure.at > now - window)
        .order_by(SigninFailure.at)
    ).all()
    if len(times) < limit:
        return None
    # Free again when enough of the oldest failures have left the window.
    return max(0.0, (times[len(times) - limit] + window - now).total_seconds())


def _take_turn(session: Session, settings: Settings, attempt: Attempt) -> None:
    """A slowed address may try once every signin_address_interval_s: take this turn
    (under a lock, so concurrent attempts cannot share one) or raise 429."""
    if session.get_bind().dialect.name == "postgresql":
        lock = int.from_bytes(attempt.turns[:4], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:c, :k)"), {"c": TURN_LOCK, "k": lock})
    now = utcnow()
    last: datetime | None = session.scalar(
        select(func.max(SigninFailure.at)).where(SigninFailure.key_hash == attempt.turns)
    )
    if last is not None:
        wait = (last + timedelta(seconds=settings.signin_address_interval_s) - now).total_seconds()
        if wait > 0:
            raise _slowed(attempt, settings, wait)
    session.add(SigninFailure(key_hash=attempt.turns, at=now))


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'s' if n != 1 else ''}"


def _locked(attempt: Attempt, wait: float) -> TooManyRequests:
    log.warning("%s refused: too many failures for one account", attempt.gate.purpose)
    minutes = max(1, math.ceil(wait / 60))
    return TooManyRequests(
        f"This account's {attempt.gate.purpose} is paused: too many wrong passwords (or "
        "codes) were tried for it.",
        retry_after_s=math.ceil(wait),
        hint=f"Try again in {_plural(minutes, 'minute')}. A browser that has signed in to "
        "this account before is not paused.",
    )


def _slowed(attempt: Attempt, settings: Settings, wait: float) -> TooManyRequests:
    log.warning("%s refused: address slowed after too many failures", attempt.gate.purpose)
    interval = _plural(math.ceil(settings.signin_address_interval_s), "second")
    return TooManyRequests(
        f"Too many failed {attempt.gate.purpose}s came from your network address, so it may "
        f"try only once every {interval} for now; this attempt came too soon and its "
        "password was not checked.",
        retry_after_s=math.ceil(wait),
        hint=f"Try again in {_plural(math.ceil(wait), 'second')}.",
    )


def record_failure(session: Session, settings: Settings, attempt: Attempt) -> None:
    now = utcnow()
    # Old rows are useless; dropping them here keeps the table as small as the window.
    cutoff = now - timedelta(seconds=settings.signin_window_s)
    session.execute(delete(SigninFailure).where(SigninFailure.at <= cutoff))
    session.add_all(SigninFailure(key_hash=k, at=now) for k in attempt.counters)


def record_success(session: Session, attempt: Attempt) -> None:
    """Forget the failures the attempt was limited by (never the address's: it is shared).

    A known client clears only its own allowance: the account may still be
    under attack from elsewhere.
    """
    cleared = attempt.known if attempt.known is not None else attempt.subject
    session.execute(delete(SigninFailure).where(SigninFailure.key_hash == cleared))


def remember(vault: Vault, session: Session, attempt: Attempt, *, owner: str) -> str:
    """A new known-client cookie for the browser that just proved owner's password."""
    return known_clients.issue(
        vault.keyring,
        session,
        realm=attempt.gate.realm,
        owner=owner,
        ttl_s=vault.settings.signin_known_client_ttl_s,
    )
