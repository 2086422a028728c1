"""Routes of /api/v1/accounts: the operator's backend registers accounts, devices and members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import Language, Retention
from voxkeep.accounts.schemas import AccountIn, AccountOut, DeviceIn, DeviceOut, MemberIn, MemberOut
from voxkeep.web.deps import ERRORS, AccountId, DeviceId, IngestToken, MemberId, VaultDep, actor

router = APIRouter(prefix="/api/v1", responses=ERRORS)


def _account_out(external_id: str, account: Any) -> AccountOut:
    return AccountOut(
        id=external_id,
        language=Language(account.language),
        retention=Retention(account.retention),
        has_email=account.email_hash is not None,
        created_at=account.created_at,
    )


@router.put(
    "/accounts/{account_id}",
    response_model=AccountOut,
    responses={201: {"model": AccountOut, "description": "Registered."}},
    tags=["accounts"],
)
def put_account(
    account_id: AccountId, body: AccountIn, vault: VaultDep, token: IngestToken, response: Response
) -> AccountOut:
    """Register an account, or update its e-mail, language or retention choice."""
    changes = accounts.AccountChanges(
        email=body.email, language=body.language, retention=body.retention
    )
    with vault.transaction() as session:
        account, created = accounts.upsert_account(
            vault, session, external_id=account_id, changes=changes, actor=actor(token)
        )
        response.status_code = 201 if created else 200
        return _account_out(account_id, account)


@router.put(
    "/accounts/{account_id}/devices/{device_id}",
    response_model=DeviceOut,
    responses={201: {"model": DeviceOut, "description": "Registered."}},
    tags=["accounts"],
)
def put_device(
    account_id: AccountId,
    device_id: DeviceId,
    body: DeviceIn,
    vault: VaultDep,
    token: IngestToken,
    response: Response,
) -> DeviceOut:
    """Register a device for an account, or update it."""
    with vault.transaction() as session:
        account = accounts.find_account(vault, session, account_id)
        device, created = accounts.upsert_device(
            vault,
            session,
            account=account,
            device_id=device_id,
            kind=body.kind,
            name=body.name,
            registered_at=body.registered_at,
            actor=actor(token),
        )
        response.status_code = 201 if created else 200
        return DeviceOut.model_validate(device, from_attributes=True)


@router.delete(
    "/accounts/{account_id}/devices/{device_id}", response_model=DeviceOut, tags=["accounts"]
)
def delete_device(
    account_id: AccountId, device_id: DeviceId, vault: VaultDep, token: IngestToken
) -> DeviceOut:
    """Mark a device removed (its recordings stay until deleted or expired)."""
    with vault.transaction() as session:
        account = accounts.find_account(vault, session, account_id)
        device = accounts.remove_device(
            vault, session, account=account, device_id=device_id, actor=actor(token)
        )
        return DeviceOut.model_validate(device, from_attributes=True)


@router.put(
    "/accounts/{account_id}/members/{member_id}",
    response_model=MemberOut,
    responses={201: {"model": MemberOut, "description": "Registered."}},
    tags=["accounts"],
)
def put_member(
    account_id: AccountId,
    member_id: MemberId,
    body: MemberIn,
    vault: VaultDep,
    token: IngestToken,
    response: Response,
) -> MemberOut:
    """Register a household member (a named voice profile), or rename one."""
    with vault.transaction() as session:
        account = accounts.find_account(vault, session, account_id)
        _, created = accounts.upsert_member(
            vault, session, account=account, member_id=member_id, name=body.name, actor=actor(token)
        )
        response.status_code = 201 if created else 200
        return MemberOut(id=member_id)
