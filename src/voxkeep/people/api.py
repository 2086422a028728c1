"""Routes for people's and staff's credentials and sessions, and the dependencies that
other routes use to know who is asking: ``person_session`` and ``staff_session``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from voxkeep.people import credentials, reset, staff, staff_admin, two_step
from voxkeep.people.models import StaffRole
from voxkeep.people.schemas import (
    CodeIn,
    InviteOut,
    PasswordLinkIn,
    PasswordLinkOut,
    PasswordSetIn,
    PasswordTokenOut,
    ReauthIn,
    ResetConfirmIn,
    ResetIn,
    ResetOut,
    RolesIn,
    SessionOut,
    SignedInOut,
    SignInIn,
    StaffAddedOut,
    StaffEnrolIn,
    StaffIn,
    StaffInvitationIn,
    StaffInvitedOut,
    StaffOut,
    StaffSessionOut,
    StaffSignedInOut,
    StaffSignInIn,
    TotpEnrolmentOut,
    TwoStepOut,
)
from voxkeep.people.service import (
    PersonSession,
    SignedIn,
    StaffSession,
    current_person,
    current_staff,
    invite_person,
    reauthenticate,
    require_role,
    set_password,
    sign_in,
    sign_out,
    touch_person_session,
)
from voxkeep.vault import Vault
from voxkeep.web.deps import (
    ERRORS,
    PERSON_BEARER,
    PERSON_COOKIE,
    PERSON_COOKIE_AUTH,
    STAFF_BEARER,
    STAFF_COOKIE,
    STAFF_COOKIE_AUTH,
    AccountId,
    Documented,
    IngestToken,
    StaffRef,
    VaultDep,
    actor,
    vault_of,
)

# Known-client cookies (people/known_clients.py): outlive sign-out, so a browser that
# signed in before keeps getting in while its account is under attack from elsewhere.
PERSON_KNOWN_COOKIE = "voxkeep_known_client"
STAFF_KNOWN_COOKIE = "voxkeep_staff_known_client"
NO_STORE = {"Cache-Control": "no-store"}

api = APIRouter(prefix="/api/v1", responses={**ERRORS, 429: ERRORS[401]})


# Dependencies -----------------------------------------------------------------


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else ""


def client_address(request: Request) -> str:
    """The client's address, only ever used under a keyed hash (rate limiting)."""
    return request.client.host if request.client else "unknown"


def person_session(
    request: Request,
    _bearer_doc: Annotated[Documented, Depends(PERSON_BEARER)] = None,
    _cookie_doc: Annotated[Documented, Depends(PERSON_COOKIE_AUTH)] = None,
) -> PersonSession:
    """The signed-in person: `Authorization: Bearer vs_...` or the `voxkeep_session` cookie."""
    bearer = _bearer(request)
    token = bearer if bearer.startswith(credentials.PERSON_SESSION) else ""
    token = token or request.cookies.get(PERSON_COOKIE, "")
    vault = vault_of(request)
    with vault.reading() as session:
        person = current_person(vault, session, token=token)
    touch_person_session(vault, person)
    return person


def staff_session(
    request: Request,
    _bearer_doc: Annotated[Documented, Depends(STAFF_BEARER)] = None,
    _cookie_doc: Annotated[Documented, Depends(STAFF_COOKIE_AUTH)] = None,
) -> StaffSession:
    """The signed-in staff member: `Authorization: Bearer vst_...` or the staff cookie."""
    bearer = _bearer(request)
    token = bearer if bearer.startswith(credentials.STAFF_SESSION) else ""
    token = token or request.cookies.get(STAFF_COOKIE, "")
    vault = vault_of(request)
    with vault.reading() as session:
        member = current_staff(vault, session, token=token)
    staff.touch_staff_session(vault, member)
    return member


PersonDep = Annotated[PersonSession, Depends(person_session)]
StaffDep = Annotated[StaffSession, Depends(staff_session)]


def staff_with(*roles: StaffRole) -> Callable[[StaffSession], StaffSession]:
    """A dependency: the signed-in staff member, who must hold one of roles (else 403)."""

    def dependency(member: StaffDep) -> StaffSession:
        require_role(member, *roles)
        return member

    return dependency


AdminDep = Annotated[StaffSession, Depends(staff_with(StaffRole.ADMIN))]
StaffReaderDep = Annotated[StaffSession, Depends(staff_with(StaffRole.ADMIN, StaffRole.DPO))]


def set_session_cookie(
    request: Request, response: Response, name: str, token: str, seconds: float
) -> None:
    response.set_cookie(
        name,
        token,
        max_age=max(1, int(seconds)),
        path="/",
        httponly=True,
        samesite="strict",
        # Secure whenever the request came over HTTPS; plain http only works on a
        # loopback development set-up, where a Secure cookie would never be sent.
        secure=request.url.scheme == "https",
    )


def set_sign_in_cookies(
    request: Request,
    response: Response,
    cookies: tuple[str, str],
    signed: SignedIn | staff.SignedInStaff,
    session_ttl_s: float,
) -> None:
    """Set the session cookie and the known-client cookie of a sign-in; never cache it."""
    session_cookie, known_cookie = cookies
    ttl_s = vault_of(request).settings.signin_known_client_ttl_s
    set_session_cookie(request, response, session_cookie, signed.token, session_ttl_s)
    set_session_cookie(request, response, known_cookie, signed.known_client, ttl_s)
    response.headers.update(NO_STORE)


def _session_out(person: PersonSession) -> SessionOut:
    return SessionOut(
        session_id=person.id,
        created_at=person.created_at,
        expires_at=person.expires_at,
        reauth_at=person.reauth_at,
    )


# People -------------------------------------------------------------------------


@api.post(
    "/accounts/{account_id}/invite", response_model=InviteOut, status_code=202, tags=["people"]
)
def invite(account_id: AccountId, vault: VaultDep, token: IngestToken) -> InviteOut:
    """Mail the account's verified address a single-use link to set a password.

    Needs the `ingest` scope. A new invitation replaces an unused one; the
    link expires after `VOXKEEP_INVITE_TTL_S`. 503 `mail_failed` when the
    mail server refuses the mail (inviting again is safe).
    """
    sent = invite_person(vault, external_id=account_id, actor=actor(token))
    return InviteOut(invite_id=sent.id, expires_at=sent.expires_at)


@api.post("/people/password", status_code=204, tags=["people"])
def people_password(body: PasswordSetIn, vault: VaultDep) -> Response:
    """Set (or reset) a password with the token from an invitation link (used once).

    Every session of the account ends.
    """
    set_password(
        vault, token=body.token.get_secret_value(), password=body.password.get_secret_value()
    )
    return Response(status_code=204)


RESET_SENT = (
    "If an account has this e-mail address, a code to reset its password was mailed to it; "
    "it works once, for a short while."
)


@api.post("/people/password-reset", response_model=ResetOut, status_code=202, tags=["people"])
def people_password_reset(body: ResetIn, vault: VaultDep) -> ResetOut:
    """Ask for a password-reset code by mail.

    Always the same answer, whether or not an account has the address (a
    malformed address is 422). The code goes to the account's verified address,
    at most once a minute, and expires after `VOXKEEP_PASSWORD_RESET_TTL_S`.
    """
    reset.request_reset(vault, email=body.email)
    return ResetOut(message=RESET_SENT)


@api.post("/people/password-reset/confirm", status_code=204, tags=["people"])
def people_password_reset_confirm(
    body: ResetConfirmIn, request: Request, vault: VaultDep
) -> Response:
    """Set a new password with the mailed code (works once); every session of the account ends.

    401 for an unknown address or a wrong, used or expired code (which, is not
    said); 429 with `Retry-After` when entries are paused, as for sign-in.
    """
    reset.confirm_reset(
        vault,
        email=body.email,
        code=body.code.get_secret_value(),
        password=body.password.get_secret_value(),
        client=client_address(request),
        known_client=request.cookies.get(PERSON_KNOWN_COOKIE),
    )
    return Response(status_code=204, headers=NO_STORE)


@api.post("/people/sessions", response_model=SignedInOut, status_code=201, tags=["people"])
def people_sign_in(
    body: SignInIn, request: Request, response: Response, vault: VaultDep
) -> SignedInOut:
    """Sign in with e-mail address and password.

    Sets the `voxkeep_session` cookie (HttpOnly, SameSite=Strict, Secure over
    HTTPS) and returns the same token for API clients; also sets the
    `voxkeep_known_client` cookie, which lets this browser keep signing in
    while the account is under attack from elsewhere. 401 for a wrong
    address or password (which of the two is not said), `totp_required`
    when the person turned two-step sign-in on and sent no `totp` code,
    `totp_wrong` for a wrong or used code; 429 with
    `Retry-After` when the account is paused after too many failures, or
    when the client's network address is slowed down.
    """
    signed = sign_in(
        vault,
        email=body.email,
        password=body.password.get_secret_value(),
        client=client_address(request),
        known_client=request.cookies.get(PERSON_KNOWN_COOKIE),
        totp_code=body.totp,
    )
    person = signed.session
    cookies = (PERSON_COOKIE, PERSON_KNOWN_COOKIE)
    set_sign_in_cookies(request, response, cookies, signed, vault.settings.session_ttl_s)
    return SignedInOut(**_session_out(person).model_dump(), token=signed.token)


@api.get("/people/sessions/current", response_model=SessionOut, tags=["people"])
def people_current(person: PersonDep) -> SessionOut:
    """The current session: when it started, expires and was last re-authenticated."""
    return _session_out(person)


@api.post("/people/sessions/current/reauth", response_model=SessionOut, tags=["people"])
def people_reauth(
    body: ReauthIn, request: Request, person: PersonDep, vault: VaultDep
) -> SessionOut:
    """Re-enter the password; recorded on the session for actions that need fresh proof
    (a download of an answer needs one within the last 10 minutes)."""
    renewed = reauthenticate(
        vault,
        person=person,
        password=body.password.get_secret_value(),
        client=client_address(request),
        known_client=request.cookies.get(PERSON_KNOWN_COOKIE),
    )
    return _session_out(renewed)


@api.delete("/people/sessions/current", status_code=204, tags=["people"])
def people_sign_out(person: PersonDep, vault: VaultDep) -> Response:
    """Sign out: the session ends at once, for the cookie and the bearer token alike."""
    sign_out(vault, person=person)
    response = Response(status_code=204)
    response.delete_cookie(PERSON_COOKIE, path="/", httponly=True, samesite="strict")
    return response


TWO_STEP_NAME = "portal"  # the label an authenticator app shows beside "voxkeep"


@api.get("/people/two-step", response_model=TwoStepOut, tags=["people"])
def people_two_step(person: PersonDep, vault: VaultDep) -> TwoStepOut:
    """Whether signing in asks this person for a code from an authenticator app."""
    return TwoStepOut(on=two_step.is_on(vault, person=person))


@api.post("/people/two-step", response_model=TotpEnrolmentOut, status_code=201, tags=["people"])
def people_two_step_start(
    person: PersonDep, vault: VaultDep, response: Response
) -> TotpEnrolmentOut:
    """Start turning two-step sign-in on: a new secret to add to an app (shown once).
    It is on once `POST /api/v1/people/two-step/confirm` gets its first code."""
    enrolment = two_step.start(vault, person=person, name=TWO_STEP_NAME)
    response.headers.update(NO_STORE)
    return TotpEnrolmentOut(secret=enrolment.secret, uri=enrolment.uri)


@api.post("/people/two-step/confirm", status_code=204, tags=["people"])
def people_two_step_confirm(
    body: CodeIn, request: Request, person: PersonDep, vault: VaultDep
) -> Response:
    """Turn two-step sign-in on with the first code from the app (422 when wrong). Wrong
    codes count as failed sign-ins of the account: 429 while it is paused."""
    two_step.confirm(vault, person=person, code=body.code, client=client_address(request))
    return Response(status_code=204)


@api.post("/people/two-step/off", status_code=204, tags=["people"])
def people_two_step_off(
    body: CodeIn, request: Request, person: PersonDep, vault: VaultDep
) -> Response:
    """Turn two-step sign-in off; a current code from the app is needed (422 when wrong).
    Wrong codes count as failed sign-ins of the account: 429 while it is paused."""
    two_step.turn_off(vault, person=person, code=body.code, client=client_address(request))
    return Response(status_code=204)


# Staff --------------------------------------------------------------------------


def _staff_session_out(member: StaffSession) -> StaffSessionOut:
    return StaffSessionOut(
        session_id=member.id,
        staff_id=member.staff_id,
        name=member.name,
        roles=sorted(member.roles, key=list(StaffRole).index),
        created_at=member.created_at,
        expires_at=member.expires_at,
        reauth_at=member.reauth_at,
    )


def _staff_out(info: staff.StaffInfo) -> StaffOut:
    return StaffOut(
        id=info.id,
        name=info.name,
        roles=list(info.roles),
        created_at=info.created_at,
        disabled_at=info.disabled_at,
        has_password=info.has_password,
        has_totp=info.has_totp,
    )


def _token_out(vault: Vault, token: staff.PasswordToken) -> PasswordTokenOut:
    return PasswordTokenOut(
        staff_id=token.staff_id,
        expires_at=token.expires_at,
        token=token.token,
        link=staff.password_link(vault, token),
    )


@api.post("/staff/sessions", response_model=StaffSignedInOut, status_code=201, tags=["staff"])
def staff_sign_in(
    body: StaffSignInIn, request: Request, response: Response, vault: VaultDep
) -> StaffSignedInOut:
    """Staff sign-in with login name, password and the code from an authenticator app
    (`totp`); rate-limited like people's, with counters of their own (and the
    `voxkeep_staff_known_client` cookie).

    401 `totp_required` when the code is missing; 401 `totp_enrolment_required`
    when the staff member has no authenticator app yet: get a secret from
    `POST /api/v1/staff/totp/enrolment` and sign in with its first code. A code
    is accepted once; a wrong one counts as a failed sign-in.
    """
    signed = staff.staff_sign_in(
        vault,
        name=body.name,
        password=body.password.get_secret_value(),
        client=client_address(request),
        known_client=request.cookies.get(STAFF_KNOWN_COOKIE),
        totp_code=body.totp,
    )
    cookies = (STAFF_COOKIE, STAFF_KNOWN_COOKIE)
    set_sign_in_cookies(request, response, cookies, signed, vault.settings.staff_session_ttl_s)
    return StaffSignedInOut(**_staff_session_out(signed.session).model_dump(), token=signed.token)


@api.post("/staff/totp/enrolment", response_model=TotpEnrolmentOut, status_code=201, tags=["staff"])
def staff_totp_enrolment(
    body: StaffEnrolIn, request: Request, response: Response, vault: VaultDep
) -> TotpEnrolmentOut:
    """The TOTP secret to enrol, for a staff member without one (name and password, rate-
    limited like sign-in). It is confirmed by signing in with its first code as `totp`;
    409 once an app is enrolled (an admin resets it: `voxkeep staff reset-totp NAME`)."""
    enrolment = staff.start_enrolment(
        vault,
        name=body.name,
        password=body.password.get_secret_value(),
        client=client_address(request),
        known_client=request.cookies.get(STAFF_KNOWN_COOKIE),
    )
    response.headers.update(NO_STORE)
    return TotpEnrolmentOut(secret=enrolment.secret, uri=enrolment.uri)


@api.get("/staff/sessions/current", response_model=StaffSessionOut, tags=["staff"])
def staff_current(member: StaffDep) -> StaffSessionOut:
    """Who is signed in, with the roles they hold now."""
    return _staff_session_out(member)


@api.post("/staff/sessions/current/reauth", response_model=StaffSessionOut, tags=["staff"])
def staff_reauth(
    body: ReauthIn, request: Request, member: StaffDep, vault: VaultDep
) -> StaffSessionOut:
    """Re-enter the password; recorded on the staff session."""
    renewed = staff.staff_reauthenticate(
        vault,
        staff=member,
        password=body.password.get_secret_value(),
        client=client_address(request),
        known_client=request.cookies.get(STAFF_KNOWN_COOKIE),
    )
    return _staff_session_out(renewed)


@api.delete("/staff/sessions/current", status_code=204, tags=["staff"])
def staff_sign_out(member: StaffDep, vault: VaultDep) -> Response:
    """Staff sign-out."""
    staff.staff_sign_out(vault, staff=member)
    response = Response(status_code=204)
    response.delete_cookie(STAFF_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@api.post("/staff/password", status_code=204, tags=["staff"])
def staff_password(body: PasswordSetIn, vault: VaultDep) -> Response:
    """Set a staff password with a single-use token from `voxkeep staff add` (or an admin)."""
    staff.use_password_token(
        vault, token=body.token.get_secret_value(), password=body.password.get_secret_value()
    )
    return Response(status_code=204)


@api.get("/staff", response_model=list[StaffOut], tags=["staff"])
def staff_list(member: StaffReaderDep, vault: VaultDep) -> list[StaffOut]:
    """Every staff member with roles (admin or dpo)."""
    return [_staff_out(info) for info in staff.list_staff(vault)]


@api.post("/staff", response_model=StaffAddedOut, status_code=201, tags=["staff"])
def staff_add(
    body: StaffIn, member: AdminDep, vault: VaultDep, response: Response
) -> StaffAddedOut:
    """Add a staff member (admin). Returns a single-use password token, shown once."""
    info, token = staff.add_staff(
        vault, name=body.name, roles=[r.value for r in body.roles], actor=member.actor
    )
    assert token is not None  # no password given, so a token was issued
    response.headers.update(NO_STORE)
    return StaffAddedOut(staff=_staff_out(info), password=_token_out(vault, token))


@api.put("/staff/{staff_id}/roles", response_model=StaffOut, tags=["staff"])
def staff_roles(staff_id: StaffRef, body: RolesIn, member: AdminDep, vault: VaultDep) -> StaffOut:
    """Replace a staff member's roles (admin); effective at the next request."""
    info = staff.set_roles(
        vault,
        ref=staff_id,
        roles=[r.value for r in body.roles],
        actor=member.actor,
        acting=member.staff_id,
    )
    return _staff_out(info)


@api.post("/staff/{staff_id}/disable", response_model=StaffOut, tags=["staff"])
def staff_disable(staff_id: StaffRef, member: AdminDep, vault: VaultDep) -> StaffOut:
    """Disable a staff member (admin): their sessions end at once."""
    info = staff.disable_staff(vault, ref=staff_id, actor=member.actor, acting=member.staff_id)
    return _staff_out(info)


@api.post("/staff/{staff_id}/enable", response_model=StaffOut, tags=["staff"])
def staff_enable(staff_id: StaffRef, member: AdminDep, vault: VaultDep) -> StaffOut:
    """Enable a disabled staff member again (admin)."""
    return _staff_out(staff.enable_staff(vault, ref=staff_id, actor=member.actor))


@api.post("/staff/{staff_id}/password-token", response_model=PasswordTokenOut, tags=["staff"])
def staff_password_token(
    staff_id: StaffRef, member: AdminDep, vault: VaultDep, response: Response
) -> PasswordTokenOut:
    """A new single-use password token for a staff member (admin), e.g. a forgotten password."""
    token = staff.issue_password_token(vault, ref=staff_id, actor=member.actor)
    response.headers.update(NO_STORE)
    return _token_out(vault, token)


@api.post("/staff/invitations", response_model=StaffInvitedOut, status_code=201, tags=["staff"])
def staff_invite(body: StaffInvitationIn, member: AdminDep, vault: VaultDep) -> StaffInvitedOut:
    """Add a staff member and mail them the link to set a password (admin); the address
    is used for the mail and not kept. The console's "Add a staff member" does this."""
    invited = staff_admin.invite_staff(
        vault,
        name=body.name,
        roles=[r.value for r in body.roles],
        email=body.email,
        language=body.language,
        actor=member.actor,
    )
    return StaffInvitedOut(staff=_staff_out(invited.staff), link_expires_at=invited.link_expires_at)


@api.post("/staff/{staff_id}/password-link", response_model=PasswordLinkOut, tags=["staff"])
def staff_password_link(
    staff_id: str, body: PasswordLinkIn, member: AdminDep, vault: VaultDep
) -> PasswordLinkOut:
    """Mail a staff member a new single-use password link (admin); the address is not kept."""
    expires_at = staff_admin.send_password_link(
        vault, ref=staff_id, email=body.email, language=body.language, actor=member.actor
    )
    return PasswordLinkOut(expires_at=expires_at)


@api.post("/staff/{staff_id}/totp/reset", response_model=StaffOut, tags=["staff"])
def staff_totp_reset(staff_id: str, member: AdminDep, vault: VaultDep) -> StaffOut:
    """Forget a staff member's code app (admin): sessions end, the next sign-in enrols anew."""
    return _staff_out(staff.reset_totp(vault, ref=staff_id, actor=member.actor))


# One router for app.py (the pages are in people/pages.py).
router = APIRouter()
router.include_router(api)
