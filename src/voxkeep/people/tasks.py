"""The people domain's background jobs: mails that go out after the commit that needs them
(the notice of a password locked by containment; a password-reset code, enqueued by
reset.request_reset with the code, so the asker's answer never waits for the mail server)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from voxkeep.accounts.service import account_actor_pseudonym
from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.errors import Conflict, InvalidInput
from voxkeep.jobs.registry import handles
from voxkeep.mail import get_mailer
from voxkeep.people import reset
from voxkeep.people.mails import locked_mail
from voxkeep.people.service import PASSWORD_LOCKED_NOTICE
from voxkeep.requests.notices import language_of, verified_address
from voxkeep.vault import Vault

log = logging.getLogger("voxkeep.people")
RESET_PAGE = "/reset"


@handles(PASSWORD_LOCKED_NOTICE)
def password_locked_notice(vault: Vault, payload: Mapping[str, Any]) -> None:
    """Tell the person their sessions ended and how to choose a new password."""
    account_id = payload.get("account_id")
    if not isinstance(account_id, str):
        raise InvalidInput("The job has no account id.")
    with vault.reading() as session:
        try:
            address = verified_address(vault, session, account_id)
        except Conflict:
            # Erased, or no verified address: nobody to write to; the console shows the
            # event without its "notified" follow-up.
            log.info(
                "no address to tell of a password reset for a job of %s", PASSWORD_LOCKED_NOTICE
            )
            return
        language = language_of(session, account_id)
    subject, body = locked_mail(language, link=vault.settings.base_url + RESET_PAGE)
    get_mailer(vault).send(to=address, subject=subject, body=body)
    with vault.transaction() as session:
        pseudonym = account_actor_pseudonym(vault, session, account_id)
        record(
            session,
            AuditAction.PERSON_PASSWORD_LOCKED_NOTIFIED,
            actor=SYSTEM,
            objects={"account": pseudonym},
        )


@handles(reset.MAIL_CODE)
def mail_reset_code(vault: Vault, payload: Mapping[str, Any]) -> None:
    code_id = payload.get("code_id")
    if not isinstance(code_id, str):
        raise InvalidInput("The job has no reset code id.")
    reset.mail_code(vault, code_id)
