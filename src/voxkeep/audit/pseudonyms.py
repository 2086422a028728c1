"""How the audit log names an account and its objects: pseudonyms that die with its keys.

Operators choose the ids of devices, household members and recordings (the
demo once used family names), so those ids can be personal data and never
enter an event. An event names them by pseudonym: a kind prefix (``dev:``,
``mem:``, ``rec:``) and 96 bits of HMAC-SHA-256 under the account's *object
pseudonym key*, which is derived from the account's data key
(``keyring.object_pseudonym_key``). Erasure destroys the data key, and with it
the only way to compute these pseudonyms: afterwards nobody can tell which id
a pseudonym stood for, although the event's bytes, and so every proof, stay as
they were.

The account itself is named ``account:…`` under the vault's instance
pseudonym key over its internal id, a random id the server made, never the
operator's. That pseudonym must outlive the data key: the erasure's own
events, the signed receipt and the purge name the account by it after the key
is gone, and they must match the events before. Once the purge deleted the
account row, no id of the operator's leads to it.

While the account exists, the vault computes every pseudonym from the ids, so
staff can find an account's events (``account_events``; ``voxkeep audit
find``). Callers that write many events (batches, bulk imports, sweeps) build
one ``AccountNames`` per account and reuse it: one key fetch per account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from voxkeep.accounts.models import Device, HouseholdMember
from voxkeep.crypto.keyring import keyed_name, object_pseudonym_key
from voxkeep.recordings.models import Recording

if TYPE_CHECKING:
    from voxkeep.vault import Vault

ObjectKind = Literal["device", "member", "recording"]
PREFIX: Mapping[ObjectKind, str] = {"device": "dev", "member": "mem", "recording": "rec"}


@dataclass(frozen=True)
class AccountNames:
    """The audit log's names for one account and its objects."""

    account: str
    key: bytes = field(repr=False)

    def of(self, kind: ObjectKind, object_id: str) -> str:
        return keyed_name(self.key, kind=kind, object_id=object_id, prefix=PREFIX[kind])

    def device(self, device_id: str) -> str:
        return self.of("device", device_id)

    def member(self, member_id: str) -> str:
        return self.of("member", member_id)

    def recording(self, recording_id: str) -> str:
        return self.of("recording", recording_id)

    def recordings(self, recording_ids: Iterable[str]) -> list[str]:
        return [self.recording(rid) for rid in recording_ids]


def account_pseudonym(vault: Vault, session: Session, account_id: str) -> str:
    """``account:…`` for an account's internal id; computable until the purge."""
    return vault.keyring.pseudonym(session, kind="account", object_id=account_id)


def names_for(
    vault: Vault, session: Session, account_id: str, *, data_key: bytes | None = None
) -> AccountNames:
    """The names of one account's objects; pass its data key when it is already at hand.

    Raises KeyDestroyed once the account is erased.
    """
    key = data_key if data_key is not None else vault.keyring.data_key(session, account_id)
    return AccountNames(account_pseudonym(vault, session, account_id), object_pseudonym_key(key))


def names_for_many(
    vault: Vault, session: Session, account_ids: Iterable[str]
) -> dict[str, AccountNames]:
    """names_for of several accounts with one key query; erased accounts are left out."""
    keys = vault.keyring.object_pseudonym_keys(session, account_ids)
    return {
        account_id: AccountNames(account_pseudonym(vault, session, account_id), key)
        for account_id, key in keys.items()
    }


def pseudonyms_of(
    vault: Vault,
    session: Session,
    account_id: str,
    *,
    extra: Sequence[tuple[ObjectKind, str]] = (),
) -> set[str]:
    """The account's pseudonym, those of its current objects, and those of `extra` ids.

    `extra` names objects that no longer exist (a deleted recording), which the
    account's key still names.
    """
    names = names_for(vault, session, account_id)
    found = {names.account}
    found.update(names.device(i) for i in _ids(session, Device.id, Device.account_id, account_id))
    found.update(
        names.member(i)
        for i in _ids(session, HouseholdMember.id, HouseholdMember.account_id, account_id)
    )
    found.update(
        names.recording(i) for i in _ids(session, Recording.id, Recording.account_id, account_id)
    )
    found.update(names.of(kind, object_id) for kind, object_id in extra)
    return found


def _ids(
    session: Session,
    column: InstrumentedAttribute[str],
    owner: InstrumentedAttribute[str],
    account_id: str,
) -> list[str]:
    return list(session.scalars(select(column).where(owner == account_id)))
