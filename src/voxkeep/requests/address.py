"""A changed e-mail address, and the requests it must not silently redirect.

A staff-entered request is verified by a code mailed to the account's
verified address (Art. 12(6)). If the operator changes that address after
the request came in, whoever controls the new address could answer a request
someone else made, or the other way round. So, when the operator changes it:

- the old address is told that it changed, when, and whom to contact (a job
  queued in the same transaction, mailed after the commit; the old address is
  kept sealed under the account's key only until then);
- every unfinished request of the account records the change in its timeline
  (a step the person sees too; no address in it);
- a code for a request received before the change goes to the new address
  only after a staff member confirmed the change on that request
  (``confirm`` in verification.py); until then sending one is a 409.

A request received after the change is unaffected. An address set where the
account had none is not a change: there was nobody to redirect from.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.audit.events import AuditAction, record
from voxkeep.crypto import aead
from voxkeep.errors import Conflict
from voxkeep.jobs.queue import enqueue
from voxkeep.requests.models import (
    STAFF_CHANNELS,
    AddressChange,
    DataRequest,
    RequestState,
    RequestStep,
    Said,
)
from voxkeep.requests.states import VERIFIABLE, append_step, says, unfinished_requests
from voxkeep.vault import Vault

# Job kind (handler in requests/tasks.py). The payload holds the change id only.
ADDRESS_NOTICE = "address.notice"


def _ad(change_id: str, account_id: str) -> bytes:
    return aead.associated_data(kind="old_email", owner=account_id, object_id=change_id)


def seal_old_address(key: bytes, change: AddressChange, address: str) -> bytes:
    return aead.seal(key, address.encode(), ad=_ad(change.id, change.account_id))


def open_old_address(key: bytes, change: AddressChange, sealed: bytes) -> str:
    ad = _ad(change.id, change.account_id)
    return aead.open_sealed(key, sealed, ad=ad, kind="old e-mail address").decode()


def note_change(
    vault: Vault,
    session: Session,
    *,
    account_id: str,
    key: bytes,
    old_address: str,
    actor: str,
    now: datetime,
) -> AddressChange:
    """Record that the account's verified address changed from ``old_address``, in the
    caller's transaction: the change, the notice job, a timeline step on each unfinished
    request, an audit event."""
    change = AddressChange(id=secrets.token_hex(16), account_id=account_id, changed_at=now)
    change.old_email_ct = seal_old_address(key, change, old_address)
    session.add(change)
    enqueue(session, ADDRESS_NOTICE, {"change_id": change.id}, ref=change.id)
    requests = unfinished_requests(session, account_id)
    for request in requests:
        append_step(
            vault,
            session,
            request,
            actor=actor,
            now=now,
            params=says(Said.ADDRESS_CHANGED),
            step=RequestStep.ADDRESS_CHANGED,
        )
    record(
        session,
        AuditAction.ACCOUNT_EMAIL_CHANGED,
        actor=actor,
        objects={"account": vault.keyring.pseudonym(session, kind="account", object_id=account_id)},
        counts={"open_requests": len(requests)},
    )
    return change


def unconfirmed_change(session: Session, request: DataRequest) -> AddressChange | None:
    """The latest change of the account's address since the request was received and
    since a staff member last confirmed one for it; None if there is none."""
    since = request.received_at
    if request.address_confirmed_at is not None and request.address_confirmed_at > since:
        since = request.address_confirmed_at
    return session.scalars(
        select(AddressChange)
        .where(AddressChange.account_id == request.account_id, AddressChange.changed_at > since)
        .order_by(AddressChange.changed_at.desc())
        .limit(1)
    ).first()


def confirmation_pending(session: Session, request: DataRequest) -> bool:
    """Whether a code for this request waits for a staff member to confirm a change."""
    return (
        request.channel in STAFF_CHANNELS
        and RequestState(request.state) in VERIFIABLE
        and unconfirmed_change(session, request) is not None
    )


def require_confirmed(session: Session, request: DataRequest) -> None:
    """Refuse to mail a code while the address changed after the request was received
    and no staff member confirmed the change on it."""
    change = unconfirmed_change(session, request)
    if change is not None:
        raise Conflict(
            f"The account's e-mail address was changed on {change.changed_at:%Y-%m-%d} "
            "(UTC), after this request was received, so the code would go to an address "
            "the request did not come with.",
            hint="Make sure the new address is the person's (e.g. ask them through a "
            "channel you already know), then confirm the change on this request: "
            "`voxkeep requests confirm-address ID` (POST /api/v1/requests/{id}/"
            "verification/confirm-address), and send the code.",
        )
