"""Staff accounts: names, roles, passwords, sessions.

Staff are the operator's employees, separate from the people whose data the
vault keeps. A staff member signs in with a login name (a work handle, kept in
clear: staff lists and four-eyes checks need it without a key) and a password
(argon2id). The audit log names staff only as ``staff:<id>``. Roles are read
from the database on every request, so a change takes effect at once.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.db.base import utcnow
from voxkeep.errors import Conflict, Forbidden, InvalidInput, NotFound, ReauthRequired, Unauthorized
from voxkeep.people import credentials, sessions, throttle, totp
from voxkeep.people.models import (
    SigninChallenge,
    StaffInvite,
    StaffMember,
    StaffRole,
    StaffRoleGrant,
    StaffSessionRow,
)
from voxkeep.people.passwords import (
    WrongPassword,
    check_new_password,
    check_password,
    hash_password,
    needs_rehash,
)
from voxkeep.vault import Vault

log = logging.getLogger("voxkeep.people")

# One rule for login names, used here and published in the API's schemas (where
# capitals are allowed: a name is lower-cased before the check).
NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
NAME_RULE = "1–64 characters: letters, digits and . _ - (not first)"
_NAME = re.compile(NAME_PATTERN)
SETUP_PAGE = "/console/set-password"
CHALLENGE_TTL_S = 300  # between the password and the code on the console's sign-in pages


@dataclass(frozen=True)
class StaffInfo:
    id: str
    name: str
    roles: tuple[StaffRole, ...]
    created_at: datetime
    disabled_at: datetime | None
    has_password: bool
    has_totp: bool


@dataclass(frozen=True)
class StaffSession:
    """A signed-in staff member; ``roles`` are as of this request."""

    id: str
    staff_id: str
    name: str
    roles: frozenset[StaffRole]
    created_at: datetime
    expires_at: datetime
    reauth_at: datetime | None
    last_seen_at: datetime | None = None

    @property
    def actor(self) -> str:
        """The audit log's name for this staff member."""
        return f"staff:{self.staff_id}"


@dataclass(frozen=True)
class SignedInStaff:
    session: StaffSession
    token: str = field(repr=False)
    known_client: str = field(repr=False)  # the browser's new known-client cookie


@dataclass(frozen=True)
class PasswordToken:
    """A single-use token that sets a staff member's password; shown once."""

    staff_id: str
    expires_at: datetime
    token: str = field(repr=False)


def check_staff_name(name: str) -> str:
    cleaned = name.strip().lower()
    if not _NAME.fullmatch(cleaned):
        raise InvalidInput(
            f"A staff name must be {NAME_RULE}.",
            hint="Use a work login handle such as a.schmidt, not a full name.",
        )
    return cleaned


def parse_roles(values: Iterable[str]) -> tuple[StaffRole, ...]:
    roles: set[StaffRole] = set()
    for value in values:
        try:
            roles.add(StaffRole(value.strip().lower()))
        except ValueError:
            raise InvalidInput(
                "That is not a staff role.",
                hint=f"Roles: {', '.join(r.value for r in StaffRole)}.",
            ) from None
    if not roles:
        raise InvalidInput(
            "A staff member needs at least one role.",
            hint=f"Roles: {', '.join(r.value for r in StaffRole)}.",
        )
    return tuple(sorted(roles, key=list(StaffRole).index))


def require_role(staff: StaffSession, *roles: StaffRole) -> None:
    """Raise Forbidden unless the staff member holds at least one of roles."""
    if not staff.roles.intersection(roles):
        needed = " or ".join(r.value for r in roles)
        raise Forbidden(
            f"This needs the {needed} role.",
            hint="An admin grants roles (`voxkeep staff roles NAME --role ...`).",
        )


# Records --------------------------------------------------------------------


def _roles_of(session: Session, staff_id: str) -> tuple[StaffRole, ...]:
    values = session.scalars(select(StaffRoleGrant.role).where(StaffRoleGrant.staff_id == staff_id))
    return tuple(sorted((StaffRole(v) for v in values), key=list(StaffRole).index))


def _info(session: Session, row: StaffMember) -> StaffInfo:
    return StaffInfo(
        id=row.id,
        name=row.name,
        roles=_roles_of(session, row.id),
        created_at=row.created_at,
        disabled_at=row.disabled_at,
        has_password=row.password_hash is not None,
        has_totp=row.totp_secret_ct is not None,
    )


def _find(session: Session, ref: str) -> StaffMember:
    """A staff member by id or by name."""
    row = session.get(StaffMember, ref)
    if row is None:
        row = session.scalars(
            select(StaffMember).where(StaffMember.name == ref.strip().lower())
        ).first()
    if row is None:
        raise NotFound(
            "There is no staff member with this name or id.",
            hint="`voxkeep staff list` shows them.",
        )
    return row


def get_staff(vault: Vault, ref: str) -> StaffInfo:
    with vault.reading() as session:
        return _info(session, _find(session, ref))


def list_staff(vault: Vault) -> list[StaffInfo]:
    with vault.reading() as session:
        rows = session.scalars(select(StaffMember).order_by(StaffMember.name))
        return [_info(session, row) for row in rows]


def _grant(session: Session, staff_id: str, roles: tuple[StaffRole, ...]) -> None:
    session.execute(delete(StaffRoleGrant).where(StaffRoleGrant.staff_id == staff_id))
    session.add_all(StaffRoleGrant(staff_id=staff_id, role=r.value) for r in roles)


def add_staff(
    vault: Vault,
    *,
    name: str,
    roles: Iterable[str],
    actor: str,
    password: str | None = None,
) -> tuple[StaffInfo, PasswordToken | None]:
    """Create a staff member. With a password, it is set at once; else a single-use
    password token is returned (shown once)."""
    name = check_staff_name(name)
    granted = parse_roles(roles)
    hashed = None
    if password is not None:
        check_new_password(password)
        hashed = hash_password(vault.settings, password)
    with vault.transaction() as session:
        if session.scalars(select(StaffMember.id).where(StaffMember.name == name)).first():
            raise Conflict("A staff member with this name exists already.")
        now = utcnow()
        row = StaffMember(
            id=secrets.token_hex(8),
            name=name,
            password_hash=hashed,
            password_set_at=now if hashed else None,
            created_at=now,
        )
        session.add(row)
        session.flush()
        _grant(session, row.id, granted)
        record(
            session,
            AuditAction.STAFF_ADDED,
            actor=actor,
            objects={"staff": row.id, "roles": [r.value for r in granted]},
        )
        token = None if hashed else _issue_password_token(vault, session, row.id, actor)
        return _info(session, row), token


def set_roles(
    vault: Vault, *, ref: str, roles: Iterable[str], actor: str, acting: str | None = None
) -> StaffInfo:
    """Replace a staff member's roles. ``acting`` (a staff id) cannot drop its own admin role."""
    granted = parse_roles(roles)
    with vault.transaction() as session:
        row = _find(session, ref)
        if acting == row.id and StaffRole.ADMIN not in granted:
            raise Conflict(
                "You cannot remove your own admin role.",
                hint="Another admin, or `voxkeep staff roles` on the server, can.",
            )
        _grant(session, row.id, granted)
        record(
            session,
            AuditAction.STAFF_ROLES_CHANGED,
            actor=actor,
            objects={"staff": row.id, "roles": [r.value for r in granted]},
        )
        session.flush()
        return _info(session, row)


def disable_staff(vault: Vault, *, ref: str, actor: str, acting: str | None = None) -> StaffInfo:
    """Disable a staff member: sessions and password tokens end at once."""
    with vault.transaction() as session:
        row = _find(session, ref)
        if acting == row.id:
            raise Conflict(
                "You cannot disable your own account.",
                hint="Another admin, or `voxkeep staff disable` on the server, can.",
            )
        if row.disabled_at is None:
            _disable(session, row, actor=actor, objects={})
        return _info(session, row)


def suspend_staff(
    session: Session, *, ref: str, actor: str, acting: str | None, incident: str
) -> StaffInfo:
    """Disable a staff member to contain an incident, in the caller's transaction.

    As disable_staff (sessions and password tokens end at once), with the
    event naming the incident; suspending an already disabled member ends any
    session left all the same.
    """
    row = _find(session, ref)
    if acting == row.id:
        raise Conflict(
            "You cannot suspend your own account.",
            hint="Another DPO, or `voxkeep incidents contain suspend-staff` on the server, can.",
        )
    _disable(session, row, actor=actor, objects={"incident": incident})
    return _info(session, row)


def _disable(session: Session, row: StaffMember, *, actor: str, objects: dict[str, str]) -> None:
    now = utcnow()
    row.disabled_at = row.disabled_at or now
    ended = sessions.STAFF.end_all(session, row.id, now=now)
    _revoke_tokens(session, row.id, now)
    record(
        session,
        AuditAction.STAFF_DISABLED,
        actor=actor,
        objects={"staff": row.id, **objects},
        counts={"sessions_ended": ended},
    )


def enable_staff(vault: Vault, *, ref: str, actor: str) -> StaffInfo:
    with vault.transaction() as session:
        row = _find(session, ref)
        if row.disabled_at is not None:
            row.disabled_at = None
            record(session, AuditAction.STAFF_ENABLED, actor=actor, objects={"staff": row.id})
        return _info(session, row)


# Passwords ------------------------------------------------------------------


def _revoke_tokens(session: Session, staff_id: str, now: datetime) -> None:
    session.execute(
        update(StaffInvite)
        .where(
            StaffInvite.staff_id == staff_id,
            StaffInvite.used_at.is_(None),
            StaffInvite.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def _issue_password_token(
    vault: Vault, session: Session, staff_id: str, actor: str
) -> PasswordToken:
    now = utcnow()
    _revoke_tokens(session, staff_id, now)
    issued = credentials.issue(credentials.STAFF_PASSWORD)
    expires_at = now + timedelta(seconds=vault.settings.invite_ttl_s)
    session.add(
        StaffInvite(
            id=issued.id,
            staff_id=staff_id,
            secret_hash=issued.secret_hash,
            created_by=actor,
            created_at=now,
            expires_at=expires_at,
        )
    )
    record(
        session,
        AuditAction.STAFF_PASSWORD_TOKEN,
        actor=actor,
        objects={"staff": staff_id, "token": issued.id},
    )
    return PasswordToken(staff_id=staff_id, expires_at=expires_at, token=issued.value)


def issue_password_token(vault: Vault, *, ref: str, actor: str) -> PasswordToken:
    """A new single-use password token (replacing unused ones) for a staff member."""
    with vault.transaction() as session:
        row = _find(session, ref)
        if row.disabled_at is not None:
            raise Conflict("This staff account is disabled.", hint="Enable it first.")
        return _issue_password_token(vault, session, row.id, actor)


def password_link(vault: Vault, token: PasswordToken) -> str:
    return f"{vault.settings.base_url}{SETUP_PAGE}#{token.token}"


def _store_password(session: Session, row: StaffMember, hashed: str, now: datetime) -> int:
    row.password_hash, row.password_set_at = hashed, now
    _revoke_tokens(session, row.id, now)
    return sessions.STAFF.end_all(session, row.id, now=now)


def set_staff_password(vault: Vault, *, ref: str, password: str, actor: str) -> None:
    """Set a password directly (the CLI, from a prompt or stdin); every session ends."""
    check_new_password(password)
    hashed = hash_password(vault.settings, password)
    with vault.transaction() as session:
        row = _find(session, ref)
        ended = _store_password(session, row, hashed, utcnow())
        record(
            session,
            AuditAction.STAFF_PASSWORD_SET,
            actor=actor,
            objects={"staff": row.id},
            counts={"sessions_ended": ended},
        )


def _bad_token() -> Unauthorized:
    return Unauthorized(
        "This password token is not valid: it was used already, has expired or was replaced.",
        hint="Ask an admin for a new one (`voxkeep staff password NAME`).",
    )


def use_password_token(vault: Vault, *, token: str, password: str) -> str:
    """Set a staff password with a single-use token; returns the staff id."""
    check_new_password(password)
    presented = credentials.parse(token, credentials.STAFF_PASSWORD)
    if presented is None:
        raise _bad_token()
    with vault.reading() as session:
        _usable_token(session, presented)
    hashed = hash_password(vault.settings, password)
    with vault.transaction() as session:
        invite = session.get(StaffInvite, presented.id, with_for_update=True)
        _usable_token(session, presented)
        assert invite is not None
        row = session.get(StaffMember, invite.staff_id)
        if row is None or row.disabled_at is not None:
            raise _bad_token()
        now = utcnow()
        invite.used_at = now
        ended = _store_password(session, row, hashed, now)
        record(
            session,
            AuditAction.STAFF_PASSWORD_SET,
            actor=f"staff:{row.id}",
            objects={"staff": row.id, "token": invite.id},
            counts={"sessions_ended": ended},
        )
        return row.id


def _usable_token(session: Session, presented: credentials.Presented) -> StaffInvite:
    invite = session.get(StaffInvite, presented.id)
    if (
        invite is None
        or not presented.matches(invite.secret_hash)
        or invite.used_at is not None
        or invite.revoked_at is not None
        or invite.expires_at <= utcnow()
    ):
        raise _bad_token()
    return invite


# Sessions -------------------------------------------------------------------


def _signin_failed() -> Unauthorized:
    return Unauthorized(
        "The staff name or the password is wrong.",
        hint="Check both; after several failures, signing in pauses for a while.",
    )


def _view(session: Session, row: StaffSessionRow, member: StaffMember) -> StaffSession:
    return StaffSession(
        id=row.id,
        staff_id=row.staff_id,
        name=member.name,
        roles=frozenset(_roles_of(session, row.staff_id)),
        created_at=row.created_at,
        expires_at=row.expires_at,
        reauth_at=row.reauth_at,
        last_seen_at=row.last_seen_at,
    )


def _check_staff_password(
    vault: Vault, *, name: str, password: str, client: str, known_client: str | None
) -> tuple[str, throttle.Attempt, str | None]:
    """The staff member whose name and password these are (rate-limited as throttle.py
    describes, with staff's own counters): their id, the attempt (to count the second
    factor against) and a new hash if the stored one is outdated."""
    settings = vault.settings
    cleaned = name.strip().lower()
    with vault.reading() as session:
        member = session.scalars(select(StaffMember).where(StaffMember.name == cleaned)).first()
        owner = member.id if member is not None else None
        gate = throttle.STAFF_SIGNIN
        attempt = throttle.attempt(
            vault, session, gate, owner=owner, named=cleaned, client=client, cookie=known_client
        )
        usable = member is not None and member.disabled_at is None
        stored = member.password_hash if member is not None and usable else None
    attempt = throttle.admit(vault, attempt)
    try:
        check_password(settings, stored, password)
    except WrongPassword:
        _record_failure(vault, attempt, member, AuditAction.STAFF_SIGNIN_FAILED)
        raise _signin_failed() from None
    assert member is not None and stored is not None  # a password matched
    rehashed = hash_password(settings, password) if needs_rehash(settings, stored) else None
    return member.id, attempt, rehashed


def _wrong_code() -> totp.TotpWrong:
    return totp.TotpWrong(
        "The code from the authenticator app is wrong, or it was used already.",
        hint="Enter the code the app shows now (a code is good once); after several "
        "failures, signing in pauses for a while.",
    )


def _enrolment_needed() -> totp.TotpEnrolmentRequired:
    return totp.TotpEnrolmentRequired(
        "Staff sign in with a code from an authenticator app, and this account has none yet.",
        hint="Sign in at /console/sign-in to set one up, or get a secret from "
        "POST /api/v1/staff/totp/enrolment and sign in with its first code as `totp`.",
    )


def _take_code(
    vault: Vault, session: Session, member: StaffMember, code: str | None, *, now: datetime
) -> bool:
    """Check the member's TOTP code (the enrolled secret, else the one being enrolled, which
    the first good code confirms). Raises TotpRequired/TotpEnrolmentRequired when no code
    can be checked; False for a wrong or replayed code."""
    enrolled = member.totp_secret_ct is not None
    if not enrolled and member.totp_pending_ct is None:
        raise _enrolment_needed()
    if not code:
        if enrolled:
            raise totp.TotpRequired(
                "Enter the code from your authenticator app as well.",
                hint="Send it as `totp` with the name and password.",
            )
        raise _enrolment_needed()
    what = "totp" if enrolled else "totp_pending"
    sealed = member.totp_secret_ct if enrolled else member.totp_pending_ct
    assert sealed is not None
    secret = totp.open_secret(vault, session, member.id, sealed, what=what)
    try:
        step = totp.accepted_step(secret, code, now=now, last_step=member.totp_last_step)
    except totp.WrongCode:
        return False
    member.totp_last_step = step
    if not enrolled:
        member.totp_secret_ct = totp.seal(vault, session, member.id, secret, what="totp")
        member.totp_pending_ct = None
        member.totp_enrolled_at = now
        record(
            session,
            AuditAction.STAFF_TOTP_ENROLLED,
            actor=f"staff:{member.id}",
            objects={"staff": member.id},
        )
    return True


def _finish_sign_in(
    vault: Vault,
    member_id: str,
    attempt: throttle.Attempt,
    *,
    code: str | None,
    rehashed: str | None = None,
    challenge_id: str | None = None,
) -> SignedInStaff:
    """The second factor, then the session: one transaction, the member's row locked, so
    two sign-ins cannot both use one code."""
    settings = vault.settings
    now = utcnow()
    with vault.transaction() as session:
        current = session.get(StaffMember, member_id, with_for_update=True, populate_existing=True)
        if current is None or current.disabled_at is not None:
            raise _signin_failed()
        good = _take_code(vault, session, current, code, now=now)
        if good:
            if rehashed is not None:
                current.password_hash = rehashed
            if challenge_id is not None:
                challenge = session.get(SigninChallenge, challenge_id)
                assert challenge is not None
                challenge.used_at = now
            throttle.record_success(session, attempt)
            remembered = throttle.remember(vault, session, attempt, owner=member_id)
            issued, row = sessions.STAFF.start(
                session, member_id, now=now, ttl_s=settings.staff_session_ttl_s
            )
            record(
                session,
                AuditAction.STAFF_SIGNED_IN,
                actor=f"staff:{member_id}",
                objects={"staff": member_id, "session": issued.id},
            )
            session.flush()
            view = _view(session, row, current)
    if not good:
        _record_failure(vault, attempt, current, AuditAction.STAFF_SIGNIN_FAILED)
        raise _wrong_code()
    log.info("staff session %s started", issued.id)
    return SignedInStaff(session=view, token=issued.value, known_client=remembered)


def staff_sign_in(
    vault: Vault,
    *,
    name: str,
    password: str,
    client: str,
    known_client: str | None = None,
    totp_code: str | None = None,
) -> SignedInStaff:
    """Sign in with name, password and the TOTP code, in one call (the API, the CLI).

    Without a code: TotpRequired (401 ``totp_required``), or TotpEnrolmentRequired when
    the member has no secret yet (``start_enrolment`` makes one; its first code here
    confirms it). A wrong code counts as a failed sign-in.
    """
    member_id, attempt, rehashed = _check_staff_password(
        vault, name=name, password=password, client=client, known_client=known_client
    )
    return _finish_sign_in(vault, member_id, attempt, code=totp_code, rehashed=rehashed)


@dataclass(frozen=True)
class Challenge:
    """A correct password, waiting for the code (the console's second sign-in page)."""

    token: str = field(repr=False)
    expires_at: datetime
    enrolment: totp.Enrolment | None  # set when the member enrols now


def _pending_enrolment(vault: Vault, session: Session, member: StaffMember) -> totp.Enrolment:
    """The secret being enrolled (made now if there is none), to show."""
    if member.totp_pending_ct is None:
        secret = totp.new_secret()
        member.totp_pending_ct = totp.seal(vault, session, member.id, secret, what="totp_pending")
    else:
        secret = totp.open_secret(
            vault, session, member.id, member.totp_pending_ct, what="totp_pending"
        )
    return totp.enrolment(secret, name=member.name)


def begin_staff_sign_in(
    vault: Vault, *, name: str, password: str, client: str, known_client: str | None = None
) -> Challenge:
    """Check name and password; a challenge (valid ``CHALLENGE_TTL_S``) then takes the code.

    A member without a second factor gets a secret to enrol with the challenge.
    """
    member_id, _, _ = _check_staff_password(
        vault, name=name, password=password, client=client, known_client=known_client
    )
    now = utcnow()
    with vault.transaction() as session:
        member = session.get(StaffMember, member_id, with_for_update=True)
        if member is None or member.disabled_at is not None:
            raise _signin_failed()
        session.execute(
            delete(SigninChallenge).where(
                SigninChallenge.staff_id == member_id, SigninChallenge.expires_at <= now
            )
        )
        issued = credentials.issue(credentials.SIGNIN_CHALLENGE)
        expires = now + timedelta(seconds=CHALLENGE_TTL_S)
        session.add(
            SigninChallenge(
                id=issued.id,
                staff_id=member_id,
                secret_hash=issued.secret_hash,
                created_at=now,
                expires_at=expires,
            )
        )
        enrol = None
        if member.totp_secret_ct is None:
            enrol = _pending_enrolment(vault, session, member)
        return Challenge(token=issued.value, expires_at=expires, enrolment=enrol)


class ChallengeOver(Unauthorized):
    """The step between password and code has expired, was used, or never existed."""

    code = "signin_expired"


def _challenge_over() -> ChallengeOver:
    return ChallengeOver(
        "This sign-in has expired or was finished already.",
        hint="Sign in again with your name and password.",
    )


def _live_challenge(session: Session, token: str) -> SigninChallenge:
    presented = credentials.parse(token, credentials.SIGNIN_CHALLENGE)
    row = session.get(SigninChallenge, presented.id) if presented is not None else None
    if (
        presented is None
        or row is None
        or not presented.matches(row.secret_hash)
        or row.used_at is not None
        or row.expires_at <= utcnow()
    ):
        raise _challenge_over()
    return row


def challenge_enrolment(vault: Vault, *, challenge: str) -> totp.Enrolment | None:
    """The secret being enrolled with this challenge (to show it again), or None."""
    with vault.transaction() as session:
        row = _live_challenge(session, challenge)
        member = session.get(StaffMember, row.staff_id, with_for_update=True)
        if member is None or member.totp_secret_ct is not None:
            return None
        return _pending_enrolment(vault, session, member)


def finish_staff_sign_in(
    vault: Vault, *, challenge: str, code: str, client: str, known_client: str | None = None
) -> SignedInStaff:
    """The code for a challenge: the session starts (and a pending secret is enrolled)."""
    with vault.reading() as session:
        row = _live_challenge(session, challenge)
        member = session.get(StaffMember, row.staff_id)
        if member is None:
            raise _challenge_over()
        attempt = throttle.attempt(
            vault,
            session,
            throttle.STAFF_SIGNIN,
            owner=member.id,
            named=member.name,
            client=client,
            cookie=known_client,
        )
        member_id, challenge_id = member.id, row.id
    attempt = throttle.admit(vault, attempt)
    return _finish_sign_in(vault, member_id, attempt, code=code or "-", challenge_id=challenge_id)


def start_enrolment(
    vault: Vault, *, name: str, password: str, client: str, known_client: str | None = None
) -> totp.Enrolment:
    """The secret to enrol (for an API client): its first code, given as ``totp`` to
    staff_sign_in, confirms it. Refused once a secret is enrolled (an admin resets it)."""
    member_id, _, _ = _check_staff_password(
        vault, name=name, password=password, client=client, known_client=known_client
    )
    with vault.transaction() as session:
        member = session.get(StaffMember, member_id, with_for_update=True)
        if member is None or member.disabled_at is not None:
            raise _signin_failed()
        if member.totp_secret_ct is not None:
            raise Conflict(
                "This staff member has an authenticator app set up already.",
                hint="An admin can reset it (`voxkeep staff reset-totp NAME`).",
            )
        return _pending_enrolment(vault, session, member)


def enrol_totp_unsafe(vault: Vault, *, ref: str, actor: str) -> str:
    """Give a staff member a new, already confirmed TOTP secret and return it.

    Unsafe: nobody proved they hold it, and it leaves the server in clear. Only the
    demo uses it, so that its printed staff sign-ins work at once.
    """
    secret = totp.new_secret()
    with vault.transaction() as session:
        row = _find(session, ref)
        row.totp_secret_ct = totp.seal(vault, session, row.id, secret, what="totp")
        row.totp_pending_ct = None
        row.totp_enrolled_at = utcnow()
        row.totp_last_step = None
        record(session, AuditAction.STAFF_TOTP_ENROLLED, actor=actor, objects={"staff": row.id})
    return secret


def reset_totp(vault: Vault, *, ref: str, actor: str) -> StaffInfo:
    """Forget a staff member's second factor (a lost phone): every session ends and the
    next sign-in enrols a new one."""
    with vault.transaction() as session:
        row = _find(session, ref)
        now = utcnow()
        row.totp_secret_ct = row.totp_pending_ct = None
        row.totp_enrolled_at = row.totp_last_step = None
        ended = sessions.STAFF.end_all(session, row.id, now=now)
        record(
            session,
            AuditAction.STAFF_TOTP_RESET,
            actor=actor,
            objects={"staff": row.id},
            counts={"sessions_ended": ended},
        )
        return _info(session, row)


def _record_failure(
    vault: Vault, attempt: throttle.Attempt, member: StaffMember | None, action: AuditAction
) -> None:
    with vault.transaction() as session:
        throttle.record_failure(session, vault.settings, attempt)
        objects = {"staff": member.id} if member is not None else {}
        actor = SYSTEM
        if action is AuditAction.STAFF_REAUTH_FAILED and member is not None:
            actor = f"staff:{member.id}"
        record(session, action, actor=actor, objects=objects)
    log.info("%s", action.value)


def _not_signed_in(message: str = "You are not signed in as staff.") -> Unauthorized:
    return Unauthorized(
        message,
        hint="Sign in with POST /api/v1/staff/sessions and send `Authorization: Bearer vst_...`.",
    )


def current_staff(vault: Vault, session: Session, *, token: str) -> StaffSession:
    """The live staff session a token names, with the member's roles as of now."""
    row = sessions.STAFF.live(
        session, token, idle_s=vault.settings.staff_session_idle_s, refused=_not_signed_in
    )
    member = session.get(StaffMember, row.staff_id)
    if member is None or member.disabled_at is not None:
        raise _not_signed_in("This staff account is disabled.")
    return _view(session, row, member)


def touch_staff_session(vault: Vault, staff: StaffSession) -> None:
    """Note that the session is in use (sessions.Kind.touch)."""
    sessions.STAFF.touch(vault, staff.id, seen=staff.last_seen_at)


def staff_reauthenticate(
    vault: Vault,
    *,
    staff: StaffSession,
    password: str,
    client: str,
    known_client: str | None = None,
) -> StaffSession:
    """A fresh password check recorded on the staff session; rate-limited like sign-in."""
    settings = vault.settings
    with vault.reading() as session:
        member = session.get(StaffMember, staff.staff_id)
        gate, owner = throttle.STAFF_REAUTH, staff.staff_id
        attempt = throttle.attempt(
            vault, session, gate, owner=owner, named=owner, client=client, cookie=known_client
        )
        stored = member.password_hash if member is not None else None
    attempt = throttle.admit(vault, attempt)
    try:
        check_password(settings, stored, password)
    except WrongPassword:
        _record_failure(vault, attempt, member, AuditAction.STAFF_REAUTH_FAILED)
        raise ReauthRequired(
            "The password is wrong; nothing was confirmed.",
            hint="Try again; after several failures, confirming pauses for a while.",
        ) from None
    with vault.transaction() as session:
        row = session.get(StaffSessionRow, staff.id, with_for_update=True)
        current = session.get(StaffMember, staff.staff_id)
        if (
            row is None
            or current is None
            or current.disabled_at is not None
            or row.revoked_at is not None
            or row.expires_at <= utcnow()
        ):
            raise _not_signed_in("This staff session has ended.")
        row.reauth_at = utcnow()
        throttle.record_success(session, attempt)
        record(
            session,
            AuditAction.STAFF_REAUTHENTICATED,
            actor=staff.actor,
            objects={"staff": staff.staff_id, "session": row.id},
        )
        return _view(session, row, current)


def staff_sign_out(vault: Vault, *, staff: StaffSession) -> None:
    with vault.transaction() as session:
        row = session.get(StaffSessionRow, staff.id, with_for_update=True)
        if row is None or row.revoked_at is not None:
            return
        row.revoked_at = utcnow()
        record(
            session,
            AuditAction.STAFF_SIGNED_OUT,
            actor=staff.actor,
            objects={"staff": staff.staff_id, "session": row.id},
        )
