"""Registering and updating accounts, devices and household members.

Identifying values are sealed under the account's own data key, bound to the
account and the field, so they vanish with the key.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import (
    Account,
    DataKey,
    Device,
    DeviceKind,
    HouseholdMember,
    Language,
    Retention,
)
from voxkeep.audit.events import AuditAction, record
from voxkeep.audit.pseudonyms import account_pseudonym, names_for
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.errors import AccountErased, Conflict, InvalidInput, NotFound
from voxkeep.ids import check_id
from voxkeep.requests import address
from voxkeep.retention import policy
from voxkeep.vault import Vault

# One rule for addresses, used here and published in the API's schemas: one @,
# something before it, a dot after it, no spaces; at most 254 characters.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]*\.[^@\s]*$"
EMAIL_MAX = 254
_EMAIL = re.compile(EMAIL_PATTERN)


def normalize_email(email: str) -> str:
    value = email.strip().lower()
    if not _EMAIL.fullmatch(value) or len(value) > EMAIL_MAX:
        raise InvalidInput(
            "The e-mail address is not valid.", hint="Send an address like name@example.org."
        )
    return value


def seal_field(key: bytes, account_id: str, field: str, value: str) -> bytes:
    return aead.seal(
        key, value.encode(), ad=aead.associated_data(kind=field, owner=account_id, object_id=field)
    )


def open_field(key: bytes, account_id: str, field: str, sealed: bytes) -> str:
    ad = aead.associated_data(kind=field, owner=account_id, object_id=field)
    return aead.open_sealed(key, sealed, ad=ad, kind=field).decode()


def _seal_name(key: bytes, account_id: str, kind: str, object_id: str, name: str) -> bytes:
    ad = aead.associated_data(kind=kind, owner=account_id, object_id=object_id)
    return aead.seal(key, name.encode(), ad=ad)


def open_name(key: bytes, account_id: str, kind: str, object_id: str, sealed: bytes) -> str:
    ad = aead.associated_data(kind=kind, owner=account_id, object_id=object_id)
    return aead.open_sealed(key, sealed, ad=ad, kind=kind).decode()


def _check_name(name: str, *, what: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 100:
        raise InvalidInput(f"The {what} name must be 1–100 characters.")
    return cleaned


def account_actor_pseudonym(vault: Vault, session: Session, account_id: str) -> str:
    return account_pseudonym(vault, session, account_id)


def find_account(vault: Vault, session: Session, external_id: str) -> Account:
    check_id(external_id, what="account")
    digest = vault.keyring.lookup_hash(session, kind="external_id", value=external_id)
    account = session.scalars(select(Account).where(Account.external_id_hash == digest)).first()
    if account is None:
        raise NotFound(
            "There is no account with this id.",
            hint="Register it first. An erased account is forgotten once its purge is "
            "done (nothing of it is kept), so its id answers this too.",
        )
    if account.erased_at is not None:  # until the purge is done; then it is forgotten
        raise AccountErased()
    return account


@dataclass(frozen=True)
class AccountChanges:
    email: str | None = None
    language: Language | None = None
    retention: Retention | None = None


def upsert_account(
    vault: Vault, session: Session, *, external_id: str, changes: AccountChanges, actor: str
) -> tuple[Account, bool]:
    """Create the account or apply the given changes; returns (account, created)."""
    check_id(external_id, what="account")
    id_hash = vault.keyring.lookup_hash(session, kind="external_id", value=external_id)
    existing = session.scalars(select(Account).where(Account.external_id_hash == id_hash)).first()
    account, _, created = apply_account(
        vault,
        session,
        external_id=external_id,
        id_hash=id_hash,
        existing=existing,
        key=None,
        changes=changes,
        actor=actor,
    )
    session.flush()
    return account, created


def apply_account(
    vault: Vault,
    session: Session,
    *,
    external_id: str,
    id_hash: bytes,
    existing: Account | None,
    key: bytes | None,
    changes: AccountChanges,
    actor: str,
) -> tuple[Account, bytes, bool]:
    """upsert_account once the account row (or None) and maybe its data key are at hand.

    Returns (account, its data key, created).
    """
    keyring = vault.keyring
    account = existing
    if account is not None and account.erased_at is not None:
        raise AccountErased()  # until its purge is done, see docs/retention.md
    created = account is None
    if account is None:
        account_id = secrets.token_hex(16)
        key = keyring.create_data_key(session, account_id)
        account = Account(
            id=account_id,
            external_id_hash=id_hash,
            external_id_ct=seal_field(key, account_id, "external_id", external_id),
            language=(changes.language or Language.EN).value,
            retention=(changes.retention or vault.settings.retention_default).value,
        )
        session.add(account)
    else:
        if key is None:
            key = keyring.data_key(session, account.id)
        if changes.language is not None:
            account.language = changes.language.value
        if changes.retention is not None and changes.retention.value != account.retention:
            account.retention = changes.retention.value
            policy.reexpire_account(vault, session, account.id, changes.retention)
    if changes.email is not None:
        _set_email(vault, session, account, key, changes.email, actor=actor)
    record(
        session,
        AuditAction.ACCOUNT_REGISTERED if created else AuditAction.ACCOUNT_UPDATED,
        actor=actor,
        objects={"account": account_actor_pseudonym(vault, session, account.id)},
    )
    return account, key, created


def _set_email(
    vault: Vault, session: Session, account: Account, key: bytes, email: str, *, actor: str
) -> None:
    email = normalize_email(email)
    digest = vault.keyring.lookup_hash(session, kind="email", value=email)
    if account.email_hash == digest:
        return
    with session.no_autoflush:  # a new account is inserted once, with its address
        holder = session.scalars(select(Account.id).where(Account.email_hash == digest)).first()
    if holder is not None and holder != account.id:
        raise Conflict("This e-mail address belongs to another account.")
    old = open_field(key, account.id, "email", account.email_ct) if account.email_ct else None
    now = utcnow()
    account.email_hash = digest
    account.email_ct = seal_field(key, account.id, "email", email)
    # The operator vouches for the address it sends (it verified it at sign-up).
    account.email_verified_at = now
    if old is not None:
        # A change must not silently redirect a request's verification: the old
        # address is told, and the account's open requests record it.
        address.note_change(
            vault, session, account_id=account.id, key=key, old_address=old, actor=actor, now=now
        )


def upsert_device(
    vault: Vault,
    session: Session,
    *,
    account: Account,
    device_id: str,
    kind: DeviceKind,
    name: str,
    registered_at: datetime | None,
    actor: str,
) -> tuple[Device, bool]:
    check_id(device_id, what="device")
    key = vault.keyring.data_key(session, account.id)
    device, created = apply_device(
        vault,
        session,
        account=account,
        key=key,
        existing=session.get(Device, device_id),
        device_id=device_id,
        kind=kind,
        name=name,
        registered_at=registered_at,
        actor=actor,
    )
    session.flush()
    return device, created


def apply_device(
    vault: Vault,
    session: Session,
    *,
    account: Account,
    key: bytes,
    existing: Device | None,
    device_id: str,
    kind: DeviceKind,
    name: str,
    registered_at: datetime | None,
    actor: str,
) -> tuple[Device, bool]:
    """upsert_device once the device row (or None) and the account's data key are at hand."""
    name = _check_name(name, what="device")
    device = existing
    if device is not None and device.account_id != account.id:
        raise Conflict(
            "This device id is registered to another account.",
            hint="Device ids are unique across the vault; a device belongs to one account.",
        )
    created = device is None
    if device is None:
        device = Device(
            id=device_id,
            account_id=account.id,
            registered_at=registered_at or utcnow(),
            kind=kind.value,
            name_ct=b"",
        )
        session.add(device)
    elif registered_at is not None:
        device.registered_at = registered_at
    device.kind = kind.value
    device.name_ct = _seal_name(key, account.id, "device_name", device_id, name)
    device.removed_at = None
    names = names_for(vault, session, account.id, data_key=key)
    record(
        session,
        AuditAction.DEVICE_REGISTERED if created else AuditAction.DEVICE_UPDATED,
        actor=actor,
        objects={"account": names.account, "device": names.device(device_id)},
    )
    return device, created


def get_device(session: Session, account: Account, device_id: str) -> Device:
    check_id(device_id, what="device")
    device = session.get(Device, device_id)
    if device is None or device.account_id != account.id:
        raise NotFound("This account has no device with this id.")
    return device


def remove_device(
    vault: Vault, session: Session, *, account: Account, device_id: str, actor: str
) -> Device:
    """Mark a device removed; its recordings stay until deleted or expired."""
    device = get_device(session, account, device_id)
    if device.removed_at is None:
        device.removed_at = utcnow()
        names = names_for(vault, session, account.id)
        record(
            session,
            AuditAction.DEVICE_REMOVED,
            actor=actor,
            objects={"account": names.account, "device": names.device(device_id)},
        )
    return device


def upsert_member(
    vault: Vault, session: Session, *, account: Account, member_id: str, name: str, actor: str
) -> tuple[HouseholdMember, bool]:
    check_id(member_id, what="household member")
    key = vault.keyring.data_key(session, account.id)
    member, created = apply_member(
        vault,
        session,
        account=account,
        key=key,
        existing=session.get(HouseholdMember, member_id),
        member_id=member_id,
        name=name,
        actor=actor,
    )
    session.flush()
    return member, created


def apply_member(
    vault: Vault,
    session: Session,
    *,
    account: Account,
    key: bytes,
    existing: HouseholdMember | None,
    member_id: str,
    name: str,
    actor: str,
) -> tuple[HouseholdMember, bool]:
    """upsert_member once the member row (or None) and the account's data key are at hand."""
    name = _check_name(name, what="household member")
    member = existing
    if member is not None and member.account_id != account.id:
        raise Conflict("This household member id belongs to another account.")
    created = member is None
    sealed = _seal_name(key, account.id, "member_name", member_id, name)
    if member is None:
        member = HouseholdMember(id=member_id, account_id=account.id, name_ct=sealed)
        session.add(member)
    else:
        member.name_ct = sealed
    if created:
        names = names_for(vault, session, account.id, data_key=key)
        record(
            session,
            AuditAction.MEMBER_REGISTERED,
            actor=actor,
            objects={"account": names.account, "member": names.member(member_id)},
        )
    return member, created


def devices_of(session: Session, account: Account) -> list[Device]:
    return list(
        session.scalars(select(Device).where(Device.account_id == account.id).order_by(Device.id))
    )


def members_of(session: Session, account: Account) -> list[HouseholdMember]:
    return list(
        session.scalars(
            select(HouseholdMember)
            .where(HouseholdMember.account_id == account.id)
            .order_by(HouseholdMember.id)
        )
    )


def language_of(vault: Vault, account_id: str) -> str:
    """The account's language (en, de or fr): for its mails and its pages."""
    with vault.reading() as session:
        found = session.scalar(select(Account.language).where(Account.id == account_id))
    return found or Language.EN.value


def has_data_key(session: Session, account_id: str) -> bool:
    # FOR SHARE (PostgreSQL): an erasure deleting the key waits for this
    # transaction, so its inventory sees what this transaction stores.
    query = select(DataKey.id).where(DataKey.account_id == account_id)
    return session.scalars(query.with_for_update(read=True)).first() is not None
