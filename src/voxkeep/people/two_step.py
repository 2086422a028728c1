"""Optional two-step sign-in for people: a code from an authenticator app after the
password, once the person turned it on.

The same TOTP as the staff's (people/totp.py): turning it on shows a new secret,
which the first good code confirms; turning it off needs a current code too (so
a stolen session alone cannot remove it). A wrong code there counts as a failed
sign-in of the account (throttle.py: the account's counter and the address's),
and while the account is paused no code is checked at all, so a stolen session
cannot guess its way to turning two-step sign-in off. A good code clears
nothing: confirming an app the thief set up must not reset the account's
count of wrong passwords. Secrets are sealed under the account's
data key, so erasing the account shreds them with everything else; a code is
accepted once. The portal's settings page (`/account/two-step`) and the person
API (`/api/v1/people/two-step`) call these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from voxkeep.accounts.service import account_actor_pseudonym
from voxkeep.audit.events import AuditAction, record
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, InvalidInput, NotFound
from voxkeep.people import throttle, totp
from voxkeep.people.models import PersonCredential
from voxkeep.vault import Vault


class PersonActor(Protocol):
    @property
    def account_id(self) -> str: ...


def _ad(account_id: str, what: str) -> bytes:
    return aead.associated_data(kind=f"person_{what}", owner=account_id, object_id=account_id)


def _seal(vault: Vault, session: Session, account_id: str, secret: str, what: str) -> bytes:
    key = vault.keyring.data_key(session, account_id)
    return aead.seal(key, secret.encode(), ad=_ad(account_id, what))


def _open(vault: Vault, session: Session, account_id: str, sealed: bytes, what: str) -> str:
    key = vault.keyring.data_key(session, account_id)
    return aead.open_sealed(key, sealed, ad=_ad(account_id, what), kind="TOTP secret").decode()


def _credential(session: Session, account_id: str) -> PersonCredential:
    row = session.get(PersonCredential, account_id, with_for_update=True)
    if row is None:
        raise NotFound("This account has no password yet, so no two-step sign-in either.")
    return row


def is_on(vault: Vault, *, person: PersonActor) -> bool:
    with vault.reading() as session:
        row = session.get(PersonCredential, person.account_id)
        return row is not None and row.totp_secret_ct is not None


def _wrong() -> InvalidInput:
    return InvalidInput(
        "The code is wrong or was used already.",
        hint="Enter the code your authenticator app shows now.",
    )


def start(vault: Vault, *, person: PersonActor, name: str) -> totp.Enrolment:
    """A new secret to add to an app (replacing one not confirmed yet); it takes effect
    when confirm() gets its first code."""
    with vault.transaction() as session:
        row = _credential(session, person.account_id)
        if row.totp_secret_ct is not None:
            raise Conflict("Two-step sign-in is on already.", hint="Turn it off first.")
        secret = totp.new_secret()
        row.totp_pending_ct = _seal(vault, session, person.account_id, secret, "totp_pending")
        return totp.enrolment(secret, name=name)


def pending(vault: Vault, *, person: PersonActor, name: str) -> totp.Enrolment | None:
    """The secret being set up (to show it again), or None."""
    with vault.reading() as session:
        row = session.get(PersonCredential, person.account_id)
        if row is None or row.totp_pending_ct is None or row.totp_secret_ct is not None:
            return None
        secret = _open(vault, session, person.account_id, row.totp_pending_ct, "totp_pending")
        return totp.enrolment(secret, name=name)


def _accept(
    vault: Vault, session: Session, row: PersonCredential, sealed: bytes, what: str, code: str
) -> None:
    secret = _open(vault, session, row.account_id, sealed, what)
    row.totp_last_step = totp.accepted_step(
        secret, code, now=utcnow(), last_step=row.totp_last_step
    )  # totp.WrongCode when wrong: _checked counts it


def _checked(
    vault: Vault,
    person: PersonActor,
    client: str,
    action: AuditAction,
    change: Callable[[Session, PersonCredential], None],
) -> None:
    """Run change (which checks a code) in one transaction with its audit event, unless
    the account is paused (TooManyRequests); a wrong code counts as a failed sign-in."""
    account_id = person.account_id
    with vault.reading() as session:
        attempt = throttle.attempt(
            vault,
            session,
            throttle.PERSON_TWO_STEP,
            owner=account_id,
            named=account_id,
            client=client,
            cookie=None,  # a browser's known-client cookie travels with the session it guards
        )
    attempt = throttle.admit(vault, attempt)
    try:
        with vault.transaction() as session:
            change(session, _credential(session, account_id))
            actor = account_actor_pseudonym(vault, session, account_id)
            record(session, action, actor=actor, objects={"account": actor})
    except totp.WrongCode:
        with vault.transaction() as session:
            throttle.record_failure(session, vault.settings, attempt)
            actor = account_actor_pseudonym(vault, session, account_id)
            record(
                session,
                AuditAction.PERSON_TWO_STEP_FAILED,
                actor=actor,
                objects={"account": actor},
            )
        raise _wrong() from None


def confirm(vault: Vault, *, person: PersonActor, code: str, client: str) -> None:
    """Turn two-step sign-in on with the first code of the secret being set up; ``client``
    is the network address (rate limiting, as at sign-in)."""

    def turn_on(session: Session, row: PersonCredential) -> None:
        if row.totp_pending_ct is None:
            raise Conflict("There is no app being set up.", hint="Start again.")
        _accept(vault, session, row, row.totp_pending_ct, "totp_pending", code)
        secret = _open(vault, session, row.account_id, row.totp_pending_ct, "totp_pending")
        row.totp_secret_ct = _seal(vault, session, row.account_id, secret, "totp")
        row.totp_pending_ct = None

    _checked(vault, person, client, AuditAction.PERSON_TWO_STEP_ON, turn_on)


def turn_off(vault: Vault, *, person: PersonActor, code: str, client: str) -> None:
    """Turn two-step sign-in off; a current code proves the app is at hand. ``client`` is
    the network address (rate limiting, as at sign-in)."""

    def off(session: Session, row: PersonCredential) -> None:
        if row.totp_secret_ct is None:
            raise Conflict("Two-step sign-in is off already.")
        _accept(vault, session, row, row.totp_secret_ct, "totp", code)
        row.totp_secret_ct = row.totp_pending_ct = None
        row.totp_last_step = None

    _checked(vault, person, client, AuditAction.PERSON_TWO_STEP_OFF, off)


def take_code(
    vault: Vault, session: Session, account_id: str, code: str | None, *, now: datetime
) -> bool:
    """At sign-in, in its transaction: True when no code is needed or ``code`` is good
    (and used up); False for a wrong one; TotpRequired when one is needed but missing."""
    row = session.get(PersonCredential, account_id, with_for_update=True)
    if row is None or row.totp_secret_ct is None:
        return True
    if not code:
        raise totp.TotpRequired(
            "Enter the code from your authenticator app as well: two-step sign-in is on.",
            hint="Send it as `totp` with the e-mail address and password.",
        )
    secret = _open(vault, session, account_id, row.totp_secret_ct, "totp")
    try:
        row.totp_last_step = totp.accepted_step(secret, code, now=now, last_step=row.totp_last_step)
    except totp.WrongCode:
        return False
    return True
