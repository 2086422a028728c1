"""Background work of people: mailing a password-reset code.

The job is enqueued by reset.request_reset in the transaction that makes the
code, so the person's answer never waits for the mail server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voxkeep.errors import InvalidInput
from voxkeep.jobs.registry import handles
from voxkeep.people import reset
from voxkeep.vault import Vault


@handles(reset.MAIL_CODE)
def mail_reset_code(vault: Vault, payload: Mapping[str, Any]) -> None:
    code_id = payload.get("code_id")
    if not isinstance(code_id, str):
        raise InvalidInput("The job has no reset code id.")
    reset.mail_code(vault, code_id)
