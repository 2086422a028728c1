"""The person's own retention choice: what each choice means for them, and changing it.

The choices are those of accounts.models.Retention, capped by the operator's
``retention_max`` (policy.py): a choice longer than the maximum is not
offered. For each offered choice the person sees what it would do to the
recordings already stored: how many are older than the new period and go at
the next sweep (at once, when the vault's sweeper runs in this process).

Changing the choice needs a fresh re-authentication; the service checks it,
so every caller (the portal page, the person API) gets the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account, Retention
from voxkeep.accounts.service import account_actor_pseudonym
from voxkeep.audit.events import AuditAction, record
from voxkeep.db.base import utcnow
from voxkeep.errors import InvalidInput, KeyDestroyed, NotFound
from voxkeep.people.service import DEFAULT_REAUTH_WINDOW_S, Reauthenticated, require_recent_reauth
from voxkeep.recordings.models import Recording
from voxkeep.retention import policy
from voxkeep.vault import Vault


@dataclass(frozen=True)
class Choice:
    """One choice as the person would have it, and its effect on what is stored now."""

    retention: Retention
    months: int | None  # None: until the person deletes them
    current: bool  # the account's choice now
    would_delete: int  # stored recordings already past this period


@dataclass(frozen=True)
class RetentionView:
    choice: Retention  # what the person chose
    effective: Retention  # what applies: the choice capped by the maximum
    maximum: Retention  # the operator's maximum
    recordings: int  # stored now
    choices: list[Choice]  # the offered ones, shortest first

    @property
    def capped(self) -> bool:
        """Whether the maximum leaves some choices out."""
        return len(self.choices) < len(policy.ORDER)


def _account(session: Session, account_id: str) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("There is no account with this id.")
    if account.erased_at is not None:
        raise KeyDestroyed("This account has been erased; its data can no longer be read.")
    return account


def offered(vault: Vault) -> list[Retention]:
    """The choices a person may make: every one no longer than the operator maximum."""
    maximum = vault.settings.retention_max
    return [c for c in policy.ORDER if policy.ORDER.index(c) <= policy.ORDER.index(maximum)]


def _past(months: int | None, now: datetime) -> datetime | None:
    """Recordings captured before this are past a period of months (None: never)."""
    return None if months is None else policy.add_months(now, -months)


def view(vault: Vault, *, account_id: str) -> RetentionView:
    """The account's choice, what applies, and each offered choice with its effect now."""
    now = utcnow()
    with vault.reading() as session:
        account = _account(session, account_id)
        choice = Retention(account.retention)
        options = offered(vault)
        cutoffs = {option: _past(policy.MONTHS[option], now) for option in options}
        # One query: the recordings stored, and for each period how many it has passed.
        past = {
            option: func.coalesce(func.sum(case((Recording.captured_at <= cutoff, 1), else_=0)), 0)
            for option, cutoff in cutoffs.items()
            if cutoff is not None
        }
        counts = session.execute(
            select(func.count(), *past.values()).where(Recording.account_id == account_id)
        ).one()
        total = int(counts[0])
        doomed = dict(zip(past, (int(n) for n in counts[1:]), strict=True))
        choices = [
            Choice(
                retention=option,
                months=policy.MONTHS[option],
                current=option == choice,
                would_delete=doomed.get(option, 0),
            )
            for option in options
        ]
    return RetentionView(
        choice=choice,
        effective=policy.account_retention(vault, choice.value),
        maximum=vault.settings.retention_max,
        recordings=total,
        choices=choices,
    )


def choose(vault: Vault, *, person: Reauthenticated, account_id: str, choice: str) -> RetentionView:
    """Change the person's retention: needs a fresh re-authentication and an offered choice.

    Every stored recording's expiry is recomputed in the same transaction
    (policy.reexpire_account), so a shorter period reaches them at once.
    """
    require_recent_reauth(person, within_s=DEFAULT_REAUTH_WINDOW_S)
    try:
        wanted = Retention(choice)
    except ValueError:
        raise InvalidInput(
            "This is not a retention choice.",
            hint="Choose one of: " + ", ".join(c.value for c in offered(vault)) + ".",
        ) from None
    if wanted not in offered(vault):
        raise InvalidInput(
            "This retention is longer than the service keeps recordings.",
            hint="Choose one of: " + ", ".join(c.value for c in offered(vault)) + ".",
        )
    with vault.transaction() as session:
        account = _account(session, account_id)
        before = account.retention
        if before != wanted.value:
            account.retention = wanted.value
            changed = policy.reexpire_account(vault, session, account.id, wanted)
            pseudonym = account_actor_pseudonym(vault, session, account.id)
            record(
                session,
                AuditAction.RETENTION_CHOSEN,
                actor=pseudonym,
                objects={"account": pseudonym, "from": before, "to": wanted.value},
                counts={"recordings": changed},
            )
    return view(vault, account_id=account_id)
