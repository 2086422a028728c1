"""Resetting a forgotten password with a code mailed to the account's own address.

1. ``request_reset``: the person gives an e-mail address. Whether or not an
   account has it, the answer is the same (nothing says which addresses are
   known). When one has it, verified, a short code is mailed to it, in the
   account's language; at most one mail a minute per account, and a new code
   voids the older ones. The mail goes out from a job (people/tasks.py)
   committed with the code, so the answer does not wait for the mail server:
   a known address answers as an unknown one does, not later.
2. ``confirm_reset``: address, code and new password. The code is stored only
   as a keyed hash, works once, expires after ``password_reset_ttl_s``, and is
   void after ``MAX_WRONG`` wrong entries; every entry is rate-limited like a
   sign-in (throttle.py, its own purpose but the account's counters), so a
   code cannot be guessed. On success the password is replaced and every
   session of the person ends (service.replace_password).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account
from voxkeep.accounts.service import account_actor_pseudonym, normalize_email, open_field
from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.errors import InvalidInput, Unauthorized
from voxkeep.jobs.queue import enqueue
from voxkeep.mail import get_mailer
from voxkeep.people import throttle
from voxkeep.people.mails import reset_mail
from voxkeep.people.models import PersonResetCode
from voxkeep.people.passwords import check_new_password, hash_password
from voxkeep.people.service import replace_password
from voxkeep.vault import Vault

log = logging.getLogger("voxkeep.people")

# No 0/O, 1/I/L: a code read from a phone and typed on a laptop.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8  # 31^8 ≈ 2^39.6, with MAX_WRONG tries per code and throttled entries
MAX_WRONG = 5
RESEND_AFTER_S = 60.0


class NewPasswordInvalid(InvalidInput):
    """The new password is not acceptable (its length); nothing was checked or used."""


MAIL_CODE = "people.reset_mail"  # the job kind that mails a code (people/tasks.py)


@dataclass(frozen=True)
class Mailed:
    """What request_reset did (a code made and its mail queued); callers answer the same
    whatever it is."""

    sent: bool


def _code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str) -> str:
    """The code as the mail shows it: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def _read(entered: str) -> str:
    """What was typed, as stored: capitals, without spaces and dashes."""
    return "".join(ch for ch in entered.upper() if ch not in " -\t")


def _hash(vault: Vault, session: Session, code_id: str, code: str) -> bytes:
    return vault.keyring.lookup_hash(session, kind="reset_code", value=f"{code_id}\x00{code}")


def _code_ad(account_id: str, code_id: str) -> bytes:
    return aead.associated_data(kind="reset_code", owner=account_id, object_id=code_id)


def _account_by_email(vault: Vault, session: Session, address: str) -> Account | None:
    digest = vault.keyring.lookup_hash(session, kind="email", value=address)
    return session.scalars(select(Account).where(Account.email_hash == digest)).first()


def request_reset(vault: Vault, *, email: str) -> Mailed:
    """Mail a reset code if an account has this verified address; the caller says the same
    either way. A malformed address is the only error (it says nothing about accounts)."""
    address = normalize_email(email)
    now = utcnow()
    with vault.transaction() as session:
        account = _account_by_email(vault, session, address)
        if (
            account is None
            or account.erased_at is not None
            or account.email_ct is None
            or account.email_verified_at is None
        ):
            return Mailed(sent=False)
        recent = session.scalar(
            select(PersonResetCode.id).where(
                PersonResetCode.account_id == account.id,
                PersonResetCode.created_at > now - timedelta(seconds=RESEND_AFTER_S),
            )
        )
        if recent is not None:  # one mail a minute: asking again cannot flood the inbox
            return Mailed(sent=False)
        _void_codes(session, account.id, now)
        code, code_id = _code(), secrets.token_hex(16)
        expires_at = now + timedelta(seconds=vault.settings.password_reset_ttl_s)
        key = vault.keyring.data_key(session, account.id)
        session.add(
            PersonResetCode(
                id=code_id,
                account_id=account.id,
                code_hash=_hash(vault, session, code_id, code),
                code_ct=aead.seal(key, code.encode(), ad=_code_ad(account.id, code_id)),
                created_at=now,
                expires_at=expires_at,
                wrong=0,
            )
        )
        pseudonym = account_actor_pseudonym(vault, session, account.id)
        record(
            session,
            AuditAction.PERSON_RESET_SENT,
            actor=SYSTEM,
            objects={"account": pseudonym, "reset": code_id},
        )
        enqueue(session, MAIL_CODE, {"code_id": code_id}, ref=code_id)
    log.info("password reset code %s made, its mail queued", code_id)
    return Mailed(sent=True)


def mail_code(vault: Vault, code_id: str) -> None:
    """Mail a code to the account's verified address, in its language (the job of
    request_reset). Nothing when the code was used, voided or expired meanwhile, or the
    account erased; run twice, it mails the same code again."""
    with vault.reading() as session:
        row = session.get(PersonResetCode, code_id)
        if row is None or row.code_ct is None or row.used_at is not None:
            return
        if row.expires_at <= utcnow():
            return
        account = session.get(Account, row.account_id)
        if account is None or account.erased_at is not None or account.email_ct is None:
            return
        key = vault.keyring.data_key(session, account.id)
        code = aead.open_sealed(
            key, row.code_ct, ad=_code_ad(account.id, code_id), kind="reset code"
        ).decode()
        to = open_field(key, account.id, "email", account.email_ct)
        subject, body = reset_mail(account.language, code=shown(code), expires_at=row.expires_at)
    get_mailer(vault).send(to=to, subject=subject, body=body)  # MailFailed: the job retries
    log.info("password reset code %s mailed", code_id)


def _void_codes(session: Session, account_id: str, now: datetime) -> None:
    session.execute(
        update(PersonResetCode)
        .where(PersonResetCode.account_id == account_id, PersonResetCode.used_at.is_(None))
        .values(used_at=now, code_ct=None)  # a void code is kept only as its hash
    )


def _refused() -> Unauthorized:
    return Unauthorized(
        "This code is wrong, was used already or has expired; the password is unchanged.",
        hint="Check the code in the latest mail, or ask for a new one.",
    )


def _live_codes(session: Session, account_id: str) -> list[PersonResetCode]:
    return list(
        session.scalars(
            select(PersonResetCode).where(
                PersonResetCode.account_id == account_id,
                PersonResetCode.used_at.is_(None),
                PersonResetCode.expires_at > utcnow(),
                PersonResetCode.wrong < MAX_WRONG,
            )
        )
    )


def _matching(vault: Vault, session: Session, account_id: str, code: str) -> str | None:
    """The id of the live code of the account that code is, or None."""
    for row in _live_codes(session, account_id):
        if hmac.compare_digest(row.code_hash, _hash(vault, session, row.id, code)):
            return row.id
    return None


def confirm_reset(
    vault: Vault,
    *,
    email: str,
    code: str,
    password: str,
    client: str,
    known_client: str | None = None,
) -> str:
    """Use a mailed code once to set a new password; returns the account id.

    Unauthorized (the same for an unknown address, a wrong, spent or expired
    code); TooManyRequests when entries for this account or from this address
    are paused. Every session of the account ends.
    """
    try:
        check_new_password(password)
    except InvalidInput as exc:
        raise NewPasswordInvalid(exc.message, hint=exc.hint) from None
    address = normalize_email(email)
    entered = _read(code)
    if not entered:
        raise InvalidInput("Enter the code from the mail.")
    with vault.reading() as session:
        account = _account_by_email(vault, session, address)
        owner = account.id if account is not None and account.erased_at is None else None
        attempt = throttle.attempt(
            vault,
            session,
            throttle.PERSON_RESET,
            owner=owner,
            named=address,
            client=client,
            cookie=known_client,
        )
    attempt = throttle.admit(vault, attempt)
    with vault.reading() as session:
        found = _matching(vault, session, owner, entered) if owner is not None else None
    if owner is None or found is None:
        _count_wrong(vault, attempt, owner)
        raise _refused()
    hashed = hash_password(vault.settings, password)  # slow: outside the write transaction
    now = utcnow()
    with vault.transaction() as session:
        # Checked again under the write lock: two uses of one code cannot both win.
        row = session.get(PersonResetCode, found, with_for_update=True)
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise _refused()
        _void_codes(session, owner, now)
        throttle.record_success(session, attempt)
        replace_password(vault, session, owner, hashed, now, actor=None, via={"reset": found})
    return owner


def _count_wrong(vault: Vault, attempt: throttle.Attempt, owner: str | None) -> None:
    """A wrong entry counts against the rate limits and against the account's live codes."""
    with vault.transaction() as session:
        throttle.record_failure(session, vault.settings, attempt)
        objects: dict[str, str] = {}
        if owner is not None:
            session.execute(
                update(PersonResetCode)
                .where(PersonResetCode.account_id == owner, PersonResetCode.used_at.is_(None))
                .values(wrong=PersonResetCode.wrong + 1)
            )
            objects["account"] = account_actor_pseudonym(vault, session, owner)
        record(session, AuditAction.PERSON_RESET_FAILED, actor=SYSTEM, objects=objects)
    log.info("%s", AuditAction.PERSON_RESET_FAILED.value)
