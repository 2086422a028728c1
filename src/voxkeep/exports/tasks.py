"""Background work of an answer: the "ready" mail, and destroying the key at expiry.

Both jobs are enqueued by the release gate in the transaction that releases
the archive, so they exist exactly when a release committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voxkeep.errors import InvalidInput
from voxkeep.exports.delivery import expire_export
from voxkeep.exports.models import Export
from voxkeep.jobs.registry import handles
from voxkeep.mail import get_mailer
from voxkeep.requests import notices
from voxkeep.vault import Vault

NOTIFY_READY = "export.notify_ready"
EXPIRE = "export.expire"


def _export_id(payload: Mapping[str, Any]) -> str:
    value = payload.get("export_id")
    if not isinstance(value, str):
        raise InvalidInput("The job has no export id.")
    return value


@handles(NOTIFY_READY)
def notify_ready(vault: Vault, payload: Mapping[str, Any]) -> None:
    """Tell the person that their answer is ready: no data and no link in the mail."""
    with vault.reading() as session:
        export = session.get(Export, _export_id(payload))
        if export is None or export.expires_at is None:
            return
        language = notices.language_of(session, export.account_id)
        address = notices.verified_address(vault, session, export.account_id)
        subject, body = notices.render(
            notices.Notice.READY,
            language,
            ref=export.request_id,
            expires=notices.minute(export.expires_at),
        )
    get_mailer(vault).send(to=address, subject=subject, body=body)


@handles(EXPIRE)
def expire(vault: Vault, payload: Mapping[str, Any]) -> None:
    """Runs at the export's expiry: destroys its key and deletes its ciphertext."""
    expire_export(vault, _export_id(payload))
