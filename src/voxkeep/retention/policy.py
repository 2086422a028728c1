"""Retention periods: what a choice means, when a recording expires, keeping expiry current.

A recording expires at ``captured_at`` plus its account's *effective* period:
the account's choice capped by the operator's ``retention_max`` (Art. 5(1)(e)
storage limitation; the default for new accounts, ``retention_default``, is the
shortest useful one, Art. 25(2)). Months are calendar months in UTC: add the
months and, when the day does not exist in the target month, take that month's
last day (31 August + 3 months = 30 November) — the same rule LAW.md gives for
deadlines. "Don't save" expires a recording the moment it was captured;
"until I delete" never expires.

Expiry is stored on each recording (``recordings.expires_at``, indexed) so the
sweeper reads only what is due. It is set at ingestion, recomputed for all of
an account's recordings in one UPDATE when the choice changes, and for the
whole vault (once) when the operator changes ``retention_max``.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, event, func, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from voxkeep.accounts.models import Account, Retention
from voxkeep.audit.events import SYSTEM, AuditAction, record
from voxkeep.db.base import utcnow
from voxkeep.recordings.models import Recording
from voxkeep.retention import wakeup
from voxkeep.retention.models import DiscardedUploads, RetentionState
from voxkeep.vault import Vault

# Shortest first: min() over this order is "the stricter of two".
ORDER = (Retention.DONT_SAVE, Retention.MONTHS_3, Retention.MONTHS_18, Retention.UNTIL_DELETED)
MONTHS: Mapping[Retention, int | None] = {
    Retention.DONT_SAVE: 0,
    Retention.MONTHS_3: 3,
    Retention.MONTHS_18: 18,
    Retention.UNTIL_DELETED: None,
}
_STATE_ID = 1


def effective(choice: Retention, maximum: Retention) -> Retention:
    """The period that applies: the choice, capped by the operator maximum."""
    return min(choice, maximum, key=ORDER.index)


def add_months(when: datetime, months: int) -> datetime:
    """Calendar months in UTC; a day missing from the target month becomes its last day."""
    when = when.astimezone(UTC)
    index = when.month - 1 + months
    year, month = when.year + index // 12, index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def expiry(captured_at: datetime, retention: Retention) -> datetime | None:
    """When a recording captured at ``captured_at`` expires under an effective period."""
    months = MONTHS[retention]
    return None if months is None else add_months(captured_at, months)


def expiry_sql(
    dialect: str, captured_at: InstrumentedAttribute[datetime], retention: Retention
) -> Any:
    """``expiry`` as an SQL expression over a column, equal to the Python result row by row."""
    months = MONTHS[retention]
    if months is None:
        return None
    if months == 0:
        return captured_at
    if dialect == "postgresql":
        # timestamp + interval clamps to the month's last day, as add_months does.
        interval: ColumnElement[Any] = literal_column(f"interval '{months:d} months'")
        return func.timezone("UTC", func.timezone("UTC", captured_at) + interval)
    # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC). Work on the date part
    # alone (SQLite's clock rounds to milliseconds, so 23:59:59.9999 would roll
    # into the next day). date(d, '+N months') rolls a missing day into the next
    # month: compare with the target month's last day and keep the smaller,
    # then re-attach the unchanged time of day.
    day = func.substr(captured_at, 1, 10)
    plain = func.date(day, f"+{months:d} months")
    last = func.date(day, "start of month", f"+{months + 1:d} months", "-1 day")
    return case((plain > last, last), else_=plain).op("||")(func.substr(captured_at, 11))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def account_retention(vault: Vault, choice: str) -> Retention:
    return effective(Retention(choice), vault.settings.retention_max)


# Ingestion hooks ---------------------------------------------------------------


def stamp_expiry(vault: Vault, session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Set expires_at in the column values of rows about to be inserted, in that transaction.

    On PostgreSQL the accounts are share-locked, so a retention change that
    commits meanwhile either waits for these rows (and re-expires them) or is
    seen here. Call it after has_data_key: an erasure locks the data key, then
    the account, and every writer takes the two in that order (no deadlock).
    """
    owners = {row["account_id"] for row in rows}
    if not owners:
        return
    query = select(Account.id, Account.retention).where(Account.id.in_(owners))
    choices: dict[str, str] = {
        account_id: choice
        for account_id, choice in session.execute(query.with_for_update(read=True))
    }
    for row in rows:
        retention = account_retention(vault, choices[row["account_id"]])
        row["expires_at"] = expiry(row["captured_at"], retention)


def dont_save_accounts(vault: Vault, session: Session, account_ids: Collection[str]) -> set[str]:
    """The accounts among account_ids whose effective retention is "don't save"."""
    if not account_ids:
        return set()
    rows = session.execute(
        select(Account.id, Account.retention).where(Account.id.in_(set(account_ids)))
    )
    return {
        account_id
        for account_id, choice in rows
        if account_retention(vault, choice) is Retention.DONT_SAVE
    }


def count_discarded(vault: Vault, per_account: Mapping[str, int], *, actor: str) -> None:
    """Record uploads dropped for "don't save": a daily count and a content-free audit event."""
    total = sum(per_account.values())
    if not total:
        return
    day = utcnow().date().isoformat()
    with vault.transaction() as session:
        _add_to_counter(session, day, total)
        for account_id, count in sorted(per_account.items()):
            record(
                session,
                AuditAction.RECORDING_DISCARDED,
                actor=actor,
                objects={
                    "account": vault.keyring.pseudonym(
                        session, kind="account", object_id=account_id
                    )
                },
                counts={"recordings": count},
            )


def _add_to_counter(session: Session, day: str, count: int) -> None:
    table = DiscardedUploads.__table__
    dialect = postgresql if _dialect(session) == "postgresql" else sqlite
    statement = dialect.insert(table).values(day=day, count=count)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["day"], set_={"count": table.c.count + statement.excluded.count}
        )
    )


def discarded_total(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(DiscardedUploads.count), 0))) or 0)


# Choice and maximum changes ----------------------------------------------------


def reexpire_account(vault: Vault, session: Session, account_id: str, choice: Retention) -> int:
    """Apply a new choice to every stored recording of the account, in one UPDATE.

    Called inside the transaction that changes the choice; when it commits,
    a sweeper running in this process is woken so a shorter period takes effect
    at once rather than at the next scheduled sweep.
    """
    period = effective(choice, vault.settings.retention_max)
    result = session.execute(
        update(Recording)
        .where(Recording.account_id == account_id)
        .values(expires_at=expiry_sql(_dialect(session), Recording.captured_at, period))
        .execution_options(synchronize_session=False)
    )
    event.listen(session, "after_commit", lambda _s: wakeup.request_sweep(), once=True)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def apply_max(vault: Vault) -> int:
    """Recompute expiry where the operator maximum changed since it was last applied.

    Cheap (one row read) when nothing changed. A vault that never recorded a
    maximum takes the configured one as applied: ingestion already used it.
    Returns the number of recordings re-expired.
    """
    maximum = vault.settings.retention_max
    try:
        with vault.transaction() as session:
            state = session.get(RetentionState, _STATE_ID, with_for_update=True)
            if state is None:
                session.add(RetentionState(id=_STATE_ID, applied_max=maximum.value))
                return 0
            if state.applied_max == maximum.value:
                return 0
            previous = Retention(state.applied_max)
            changed = _reexpire_all(session, previous, maximum)
            state.applied_max, state.applied_at = maximum.value, utcnow()
            record(
                session,
                AuditAction.RETENTION_REAPPLIED,
                actor=SYSTEM,
                objects={"from": previous.value, "to": maximum.value},
                counts={"recordings": changed},
            )
            return changed
    except IntegrityError:  # another process recorded the first state meanwhile
        return 0


def _reexpire_all(session: Session, previous: Retention, maximum: Retention) -> int:
    changed = 0
    dialect = _dialect(session)
    for choice in ORDER:
        period = effective(choice, maximum)
        if period == effective(choice, previous):
            continue
        owners = select(Account.id).where(Account.retention == choice.value)
        result = session.execute(
            update(Recording)
            .where(Recording.account_id.in_(owners))
            .values(expires_at=expiry_sql(dialect, Recording.captured_at, period))
            .execution_options(synchronize_session=False)
        )
        changed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return changed
