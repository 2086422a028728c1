"""Admins look after the console's staff: invitations and new password links by mail.

The staff service (``people.staff``) keeps names, roles and passwords; this
module adds the mail. A staff member's e-mail address is used to send the one
mail and is not kept: the console needs no address to work, and an address
kept is one more piece of personal data to protect (invariant 5). To send a
new link later, the admin enters the address again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from voxkeep.accounts.service import normalize_email
from voxkeep.mail import get_mailer
from voxkeep.people import staff
from voxkeep.people.mails import STAFF_INVITE, STAFF_RESET, staff_password_mail
from voxkeep.vault import Vault

log = logging.getLogger("voxkeep.people")


@dataclass(frozen=True)
class Invited:
    staff: staff.StaffInfo
    link_expires_at: datetime


def invite_staff(
    vault: Vault,
    *,
    name: str,
    roles: Iterable[str],
    email: str,
    language: str,
    actor: str,
) -> Invited:
    """Add a staff member and mail them the single-use link to set a password.

    The member exists once this returns or raises MailFailed; after a mail
    failure, ``send_password_link`` sends a new link.
    """
    address = normalize_email(email)
    info, token = staff.add_staff(vault, name=name, roles=roles, actor=actor)
    assert token is not None  # no password given, so a token was issued
    _mail(vault, STAFF_INVITE, language, info.name, address, token)
    return Invited(info, token.expires_at)


def send_password_link(
    vault: Vault, *, ref: str, email: str, language: str, actor: str
) -> datetime:
    """Mail a staff member a new single-use password link (replacing unused ones).

    Their current password keeps working until they use it. Returns when it expires.
    """
    address = normalize_email(email)
    token = staff.issue_password_token(vault, ref=ref, actor=actor)
    info = staff.get_staff(vault, token.staff_id)
    _mail(vault, STAFF_RESET, language, info.name, address, token)
    return token.expires_at


def _mail(
    vault: Vault,
    texts: dict[str, tuple[str, str]],
    language: str,
    name: str,
    address: str,
    token: staff.PasswordToken,
) -> None:
    link = staff.password_link(vault, token)
    subject, body = staff_password_mail(
        texts, language, name=name, link=link, expires_at=token.expires_at
    )
    get_mailer(vault).send(to=address, subject=subject, body=body)
    log.info("staff password link sent for staff %s", token.staff_id)
