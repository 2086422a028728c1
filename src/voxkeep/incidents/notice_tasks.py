"""The background work of a notice to an affected person: its mail (incidents.notices).

The job is enqueued in the transaction that writes the notice, so it exists
exactly when the notice does; it carries the notice's id only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voxkeep.errors import InvalidInput
from voxkeep.incidents import notices
from voxkeep.jobs.registry import handles
from voxkeep.vault import Vault


@handles(notices.NOTICE_MAIL)
def mail_notice(vault: Vault, payload: Mapping[str, Any]) -> None:
    """Mail the notice; a mail server that refuses raises MailFailed, and the job retries."""
    notice_id = payload.get("notice_id")
    if not isinstance(notice_id, str):
        raise InvalidInput("The job has no notice id.")
    notices.mail_notice(vault, notice_id)
