"""People's credentials: invitations, passwords, sessions and re-authentication.

Flow: the operator invites an account (API or CLI); voxkeep mails a
single-use link to the account's own verified address; the person sets an
argon2id password with it; signs in with address and password and gets a
session (cookie for browsers, bearer token for API clients); re-enters the
password when an action needs fresh proof (Art. 12(6): the signed-in account
plus a fresh re-authentication is the proportionate identity check).

Slow password hashing never runs inside a write transaction, so a sign-in
never holds the SQLite write lock for the length of an argon2 hash.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account
from voxkeep.accounts.service import (
    account_actor_pseudonym,
    find_account,
    normalize_email,
    open_field,
)
from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, KeyDestroyed, ReauthRequired, Unauthorized
from voxkeep.jobs.queue import enqueue
from voxkeep.mail import get_mailer
from voxkeep.people import credentials, sessions, throttle, totp, two_step
from voxkeep.people.mails import invite_mail
from voxkeep.people.models import PersonCredential, PersonInvite, PersonSessionRow
from voxkeep.people.passwords import (
    WrongPassword,
    check_new_password,
    check_password,
    hash_password,
    needs_rehash,
)
from voxkeep.people.staff import (
    SignedInStaff,
    StaffInfo,
    StaffSession,
    current_staff,
    require_role,
)
from voxkeep.vault import Vault

__all__ = [
    "DEFAULT_REAUTH_WINDOW_S",
    "Invitation",
    "PersonSession",
    "SignedIn",
    "SignedInStaff",
    "StaffInfo",
    "StaffSession",
    "current_person",
    "current_staff",
    "invite_person",
    "reauthenticate",
    "require_recent_reauth",
    "require_role",
    "revoke_person_sessions",
    "set_password",
    "sign_in",
    "sign_out",
    "touch_person_session",
]

log = logging.getLogger("voxkeep.people")

DEFAULT_REAUTH_WINDOW_S = 600.0  # the issue's "re-authentication within the last 10 minutes"
INVITE_PAGE = "/portal/set-password"


@dataclass(frozen=True)
class PersonSession:
    """A signed-in person: whose account, since when, until when, last password re-entry,
    last use (for the idle timeout)."""

    id: str
    account_id: str
    created_at: datetime
    expires_at: datetime
    reauth_at: datetime | None
    last_seen_at: datetime | None = None


@dataclass(frozen=True)
class SignedIn:
    session: PersonSession
    token: str = field(repr=False)
    known_client: str = field(repr=False)  # the browser's new known-client cookie


@dataclass(frozen=True)
class Invitation:
    id: str
    account_id: str
    expires_at: datetime


def _view(row: PersonSessionRow) -> PersonSession:
    return PersonSession(
        id=row.id,
        account_id=row.account_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        reauth_at=row.reauth_at,
        last_seen_at=row.last_seen_at,
    )


def _password_ad(account_id: str) -> bytes:
    return aead.associated_data(kind="password_hash", owner=account_id, object_id=account_id)


def _open_password(vault: Vault, session: Session, account: Account) -> str | None:
    """The stored argon2 hash, or None (no password yet, or the account was erased)."""
    if account.erased_at is not None:
        return None
    row = session.get(PersonCredential, account.id)
    if row is None:
        return None
    try:
        key = vault.keyring.data_key(session, account.id)
    except KeyDestroyed:
        return None
    hashed = aead.open_sealed(
        key, row.password_ct, ad=_password_ad(account.id), kind="password hash"
    ).decode()
    return None if hashed == LOCKED else hashed


# Stored in place of a password hash when an incident's containment forces a reset
# (force_password_reset): no password matches it (sign-in compares with the dummy
# hash, so the timing does not tell), until a mailed reset code sets a new one.
LOCKED = "!reset-required"
PASSWORD_LOCKED_NOTICE = "people.password_locked_notice"  # noqa: S105 (a job kind)


def _store_password(vault: Vault, session: Session, account_id: str, hashed: str) -> None:
    key = vault.keyring.data_key(session, account_id)
    sealed = aead.seal(key, hashed.encode(), ad=_password_ad(account_id))
    row = session.get(PersonCredential, account_id)
    if row is None:
        session.add(PersonCredential(account_id=account_id, password_ct=sealed, set_at=utcnow()))
    else:
        row.password_ct, row.set_at = sealed, utcnow()


# Invitations ----------------------------------------------------------------


def invite_person(vault: Vault, *, external_id: str, actor: str) -> Invitation:
    """Mail the account's own verified address a single-use link to set a password.

    A new invitation replaces any unused one. The mail goes out after the
    commit; if the mail server refuses it, MailFailed is raised and inviting
    again is safe.
    """
    now = utcnow()
    issued = credentials.issue(credentials.PERSON_INVITE)
    with vault.transaction() as session:
        account = find_account(vault, session, external_id)
        if account.erased_at is not None:
            raise Conflict("This account has been erased; nobody can sign in to it.")
        if account.email_ct is None or account.email_verified_at is None:
            raise Conflict(
                "This account has no verified e-mail address to send the invitation to.",
                hint="Set one first with PUT /api/v1/accounts/{account} (field `email`).",
            )
        key = vault.keyring.data_key(session, account.id)
        address = open_field(key, account.id, "email", account.email_ct)
        _revoke_open_invites(session, account.id, now)
        invite = PersonInvite(
            id=issued.id,
            account_id=account.id,
            secret_hash=issued.secret_hash,
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(seconds=vault.settings.invite_ttl_s),
        )
        session.add(invite)
        record(
            session,
            AuditAction.PERSON_INVITED,
            actor=actor,
            objects={
                "account": account_actor_pseudonym(vault, session, account.id),
                "invite": issued.id,
            },
        )
        language = account.language
    link = f"{vault.settings.base_url}{INVITE_PAGE}#{issued.value}"
    subject, body = invite_mail(language, link=link, expires_at=invite.expires_at)
    get_mailer(vault).send(to=address, subject=subject, body=body)
    log.info("invitation %s sent", issued.id)
    return Invitation(id=issued.id, account_id=invite.account_id, expires_at=invite.expires_at)


def _revoke_open_invites(session: Session, account_id: str, now: datetime) -> None:
    session.execute(
        update(PersonInvite)
        .where(
            PersonInvite.account_id == account_id,
            PersonInvite.used_at.is_(None),
            PersonInvite.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def _bad_link() -> Unauthorized:
    return Unauthorized(
        "This password link is not valid: it was used already, has expired or was "
        "replaced by a newer invitation.",
        hint="Ask the service that invited you for a new invitation.",
    )


def _usable_invite(session: Session, presented: credentials.Presented) -> PersonInvite:
    invite = session.get(PersonInvite, presented.id)
    if (
        invite is None
        or not presented.matches(invite.secret_hash)
        or invite.used_at is not None
        or invite.revoked_at is not None
        or invite.expires_at <= utcnow()
    ):
        raise _bad_link()
    return invite


def set_password(vault: Vault, *, token: str, password: str) -> str:
    """Use an invitation link once to set (or replace) the password; returns the account id.

    Every session of the account ends: whoever held one before the reset is out.
    """
    check_new_password(password)
    presented = credentials.parse(token, credentials.PERSON_INVITE)
    if presented is None:
        raise _bad_link()
    with vault.reading() as session:
        _usable_invite(session, presented)
    hashed = hash_password(vault.settings, password)
    now = utcnow()
    with vault.transaction() as session:
        # Checked again under the write lock: two uses of one link cannot both win.
        invite = session.get(PersonInvite, presented.id, with_for_update=True)
        if invite is None:
            raise _bad_link()
        _usable_invite(session, presented)
        account = session.get(Account, invite.account_id)
        if account is None or account.erased_at is not None:
            raise _bad_link()
        invite.used_at = now
        replace_password(
            vault, session, account.id, hashed, now, actor=None, via={"invite": invite.id}
        )
        return account.id


def replace_password(
    vault: Vault,
    session: Session,
    account_id: str,
    hashed: str,
    now: datetime,
    *,
    actor: str | None,
    via: dict[str, str],
) -> None:
    """Store the new password; open invitations and every session end. actor None: the
    person themself; via names what let them (an invitation, a reset code)."""
    _store_password(vault, session, account_id, hashed)
    _revoke_open_invites(session, account_id, now)
    ended = sessions.PERSON.end_all(session, account_id, now=now)
    pseudonym = account_actor_pseudonym(vault, session, account_id)
    record(
        session,
        AuditAction.PERSON_PASSWORD_SET,
        actor=actor or pseudonym,
        objects={"account": pseudonym} | via,
        counts={"sessions_ended": ended},
    )


def set_password_without_invitation(
    vault: Vault, *, external_id: str, password: str, actor: str
) -> None:
    """Set a person's password with no invitation: nobody proved the address is theirs.

    For the demo's own accounts (and tests), never for real people: they choose
    their password through the link mailed to their own address. Every session
    of the account ends, as with set_password.
    """
    check_new_password(password)
    hashed = hash_password(vault.settings, password)
    now = utcnow()
    with vault.transaction() as session:
        account = find_account(vault, session, external_id)
        replace_password(vault, session, account.id, hashed, now, actor=actor, via={})


# Sign-in --------------------------------------------------------------------


def _signin_failed() -> Unauthorized:
    return Unauthorized(
        "The e-mail address or the password is wrong.",
        hint="Check both; after several failures, signing in pauses for a while.",
    )


def sign_in(
    vault: Vault,
    *,
    email: str,
    password: str,
    client: str,
    known_client: str | None = None,
    totp_code: str | None = None,
) -> SignedIn:
    """Check address and password, rate-limited as throttle.py describes, and the code
    from the person's authenticator app if they turned two-step sign-in on (TotpRequired
    without one; a wrong one counts as a failed sign-in).

    known_client is the browser's known-client cookie, if it sent one; the
    result carries a new one to set.
    """
    settings, keyring = vault.settings, vault.keyring
    address = normalize_email(email)
    with vault.reading() as session:
        digest = keyring.lookup_hash(session, kind="email", value=address)
        account = session.scalars(select(Account).where(Account.email_hash == digest)).first()
        owner = account.id if account is not None else None
        gate = throttle.PERSON_SIGNIN
        attempt = throttle.attempt(
            vault, session, gate, owner=owner, named=address, client=client, cookie=known_client
        )
        stored = _open_password(vault, session, account) if account is not None else None
    attempt = throttle.admit(vault, attempt)
    try:
        check_password(settings, stored, password)
    except WrongPassword:
        _record_failure(vault, attempt, account, AuditAction.PERSON_SIGNIN_FAILED)
        raise _signin_failed() from None
    assert account is not None and stored is not None  # a password matched
    rehashed = hash_password(settings, password) if needs_rehash(settings, stored) else None
    now = utcnow()
    try:
        with vault.transaction() as session:
            current = session.get(Account, account.id)
            if current is None or current.erased_at is not None:
                raise _signin_failed()
            if not two_step.take_code(vault, session, account.id, totp_code, now=now):
                raise totp.WrongCode()
            # One transaction with the checks above: an account erased meanwhile gets no session.
            if rehashed is not None:
                _store_password(vault, session, account.id, rehashed)
            throttle.record_success(session, attempt)
            remembered = throttle.remember(vault, session, attempt, owner=account.id)
            issued, row = sessions.PERSON.start(
                session, account.id, now=now, ttl_s=settings.session_ttl_s
            )
            pseudonym = account_actor_pseudonym(vault, session, account.id)
            record(
                session,
                AuditAction.PERSON_SIGNED_IN,
                actor=pseudonym,
                objects={"account": pseudonym, "session": issued.id},
            )
    except totp.WrongCode:
        _record_failure(vault, attempt, account, AuditAction.PERSON_SIGNIN_FAILED)
        raise totp.TotpWrong(
            "The code from the authenticator app is wrong, or it was used already.",
            hint="Enter the code the app shows now (a code is good once).",
        ) from None
    log.info("person session %s started", issued.id)
    return SignedIn(session=_view(row), token=issued.value, known_client=remembered)


def _record_failure(
    vault: Vault, attempt: throttle.Attempt, account: Account | None, action: AuditAction
) -> None:
    """Count the failure and audit it: by account pseudonym, never by address.

    A failed sign-in is attributed to the system (whoever tried is unknown); a
    failed re-authentication to the account whose session tried.
    """
    with vault.transaction() as session:
        throttle.record_failure(session, vault.settings, attempt)
        objects: dict[str, str] = {}
        if account is not None:
            objects["account"] = account_actor_pseudonym(vault, session, account.id)
        actor = SYSTEM
        if action is AuditAction.PERSON_REAUTH_FAILED:
            actor = objects["account"]
        record(session, action, actor=actor, objects=objects)
    log.info("%s", action.value)


# Sessions -------------------------------------------------------------------


def _not_signed_in(message: str = "You are not signed in.") -> Unauthorized:
    return Unauthorized(
        message,
        hint="Sign in with POST /api/v1/people/sessions, then send the `voxkeep_session` "
        "cookie or `Authorization: Bearer vs_...`.",
    )


def current_person(vault: Vault, session: Session, *, token: str) -> PersonSession:
    """The live session a token names; raises Unauthorized when missing, expired, ended
    or left unused for VOXKEEP_SESSION_IDLE_S."""
    row = sessions.PERSON.live(
        session, token, idle_s=vault.settings.session_idle_s, refused=_not_signed_in
    )
    account = session.get(Account, row.account_id)
    if account is None or account.erased_at is not None:
        raise _not_signed_in("This session has ended.")
    return _view(row)


def touch_person_session(vault: Vault, person: PersonSession) -> None:
    """Note that the session is in use (sessions.Kind.touch)."""
    sessions.PERSON.touch(vault, person.id, seen=person.last_seen_at)


class Reauthenticated(Protocol):
    @property
    def reauth_at(self) -> datetime | None: ...


def require_recent_reauth(person: Reauthenticated, *, within_s: float) -> None:
    """Raise ReauthRequired (403) unless the password was re-entered in the last within_s."""
    at = person.reauth_at
    if at is None or (utcnow() - at).total_seconds() > within_s:
        minutes = max(1, round(within_s / 60))
        raise ReauthRequired(
            "This needs you to confirm your password first.",
            hint="Re-enter it (POST .../sessions/current/reauth), then try again within "
            f"{minutes} minute{'s' if minutes != 1 else ''}.",
        )


def reauthenticate(
    vault: Vault,
    *,
    person: PersonSession,
    password: str,
    client: str,
    known_client: str | None = None,
) -> PersonSession:
    """A fresh password check recorded on the session (reauth_at); rate-limited like sign-in."""
    settings = vault.settings
    with vault.reading() as session:
        account = session.get(Account, person.account_id)
        if account is None:
            raise _not_signed_in("This session has ended.")
        gate, owner = throttle.PERSON_REAUTH, account.id
        attempt = throttle.attempt(
            vault, session, gate, owner=owner, named=owner, client=client, cookie=known_client
        )
        stored = _open_password(vault, session, account)
    attempt = throttle.admit(vault, attempt)
    try:
        check_password(settings, stored, password)
    except WrongPassword:
        _record_failure(vault, attempt, account, AuditAction.PERSON_REAUTH_FAILED)
        raise ReauthRequired(
            "The password is wrong; nothing was confirmed.",
            hint="Try again; after several failures, confirming pauses for a while.",
        ) from None
    with vault.transaction() as session:
        row = session.get(PersonSessionRow, person.id, with_for_update=True)
        if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
            raise _not_signed_in("This session has ended.")
        row.reauth_at = utcnow()
        throttle.record_success(session, attempt)
        pseudonym = account_actor_pseudonym(vault, session, row.account_id)
        record(
            session,
            AuditAction.PERSON_REAUTHENTICATED,
            actor=pseudonym,
            objects={"account": pseudonym, "session": row.id},
        )
        return _view(row)


def sign_out(vault: Vault, *, person: PersonSession) -> None:
    with vault.transaction() as session:
        row = session.get(PersonSessionRow, person.id, with_for_update=True)
        if row is None or row.revoked_at is not None:
            return
        row.revoked_at = utcnow()
        pseudonym = account_actor_pseudonym(vault, session, row.account_id)
        record(
            session,
            AuditAction.PERSON_SIGNED_OUT,
            actor=pseudonym,
            objects={"account": pseudonym, "session": row.id},
        )


def revoke_person_sessions(vault: Vault, *, external_id: str, actor: str) -> int:
    """End every session of an account at once (a lost device, a suspected break-in)."""
    with vault.transaction() as session:
        account = find_account(vault, session, external_id)
        ended = sessions.PERSON.end_all(session, account.id, now=utcnow())
        record(
            session,
            AuditAction.PERSON_SESSIONS_REVOKED,
            actor=actor,
            objects={"account": account_actor_pseudonym(vault, session, account.id)},
            counts={"sessions": ended},
        )
        return ended


def force_password_reset(
    vault: Vault, session: Session, account_id: str, *, actor: str, incident: str
) -> int:
    """End every session and make the password sign in no more, in the caller's transaction.

    Containment of an incident (a person's account taken over, a password
    leaked): the password is replaced by LOCKED, open invitations end, and a
    job mails the person after the commit (people/tasks.py) to set a new one
    with a reset code (people/reset.py). Returns how many sessions ended.
    """
    now = utcnow()
    if session.get(PersonCredential, account_id) is not None:
        _store_password(vault, session, account_id, LOCKED)
    _revoke_open_invites(session, account_id, now)
    ended = sessions.PERSON.end_all(session, account_id, now=now)
    pseudonym = account_actor_pseudonym(vault, session, account_id)
    record(
        session,
        AuditAction.PERSON_PASSWORD_LOCKED,
        actor=actor,
        objects={"account": pseudonym, "incident": incident},
        counts={"sessions_ended": ended},
    )
    enqueue(session, PASSWORD_LOCKED_NOTICE, {"account_id": account_id}, ref=incident)
    return ended
