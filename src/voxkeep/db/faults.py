"""A failing database, in voxkeep's errors: the one mapping of driver errors, for the web
layer's handler, the pages and the CLI.

The database not answering, or its connection breaking (a restart, a network cut), is a
503 ``database_unavailable`` with ``Retry-After``: the client repeats the call. A full or
read-only disk under the database is a 507 ``storage_failed``, like the blob store's.
Each carries a cause for the log that names the driver's error class and what the
operator checks, never the statement, its values or a URL.
"""

from __future__ import annotations

import errno
import sqlite3
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import exc as sa

from voxkeep.errors import DatabaseUnavailable, StorageFailed, VoxkeepError

# The errors of SQLAlchemy and the drivers that mean the database failed, not the query.
DATABASE_FAULTS: tuple[type[Exception], ...] = (
    sa.OperationalError,
    sa.InterfaceError,
    sa.DisconnectionError,
    sa.TimeoutError,  # no pooled connection came free in time
)

_SQLITE_DISK = {
    sqlite3.SQLITE_FULL: "free space on the data directory's disk",
    sqlite3.SQLITE_IOERR: "the data directory's disk (kernel log, SMART): it may be failing",
    sqlite3.SQLITE_READONLY: "that the data directory is writable by voxkeep's user",
}
_PG_DISK_FULL = "53100"


def driver_error(exc: BaseException) -> str:
    """The driver's error class (and SQLSTATE or SQLite code), for the log: never its text,
    which may quote a statement's values."""
    orig = getattr(exc, "orig", None)
    if orig is None:
        return f"sqlalchemy {type(exc).__name__}"
    named = f"{type(orig).__module__.split('.')[0]} {type(orig).__name__}"
    state = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    return f"{named} ({state})" if state else named


def database_fault(exc: BaseException, *, during: str = "a request") -> VoxkeepError:
    """The VoxkeepError that one of DATABASE_FAULTS (raised during what) stands for."""
    if isinstance(exc, VoxkeepError):
        return exc
    orig = getattr(exc, "orig", None)
    cause = driver_error(exc)
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    check = _SQLITE_DISK.get(sqlite_code & 0xFF) if isinstance(sqlite_code, int) else None
    if check is None and getattr(orig, "sqlstate", None) == _PG_DISK_FULL:
        check = "free space on the database server's disk"
    if check is not None:
        return StorageFailed(
            "The vault's database could not be written: its disk is full or failing.",
            hint="Try again later: the operator finds the cause in the server's log.",
            cause=f"storage: a database write during {during} failed: {cause} — check {check}",
        )
    return DatabaseUnavailable(
        "The database is not available just now.",
        hint="Try again in a few seconds (see Retry-After): repeating the call is safe.",
        cause=f"database: {during} could not use the database: {cause} — check that the "
        "database server is up "
        "and reachable from this node (VOXKEEP_DATABASE_URL)",
    )


def cause_of(exc: BaseException, *, during: str) -> str:
    """One line for the log saying what exc was, for code that logs a failure it survives
    (a background thread): a fault's cause, else an errno's name, else the class's name."""
    if isinstance(exc, DATABASE_FAULTS):
        return database_fault(exc, during=during).log_line
    if isinstance(exc, VoxkeepError):
        return exc.log_line
    name = errno.errorcode.get(exc.errno or 0, "") if isinstance(exc, OSError) else ""
    return f"{type(exc).__name__} {name}".strip()


# A read-only HTTP request (GET, HEAD) whose connection broke is answered again, once, on a
# fresh connection (web/retry.py) when that is safe: nothing of it was written, no answer
# started. The engine's events tell what happened during the request: a lost connection
# (the dialect's own disconnect test) and any COMMIT of a read-write transaction, which
# may have written (a COMMIT whose connection broke may have been applied).
READ_ONLY = "voxkeep_read_only"  # the execution option of read-only sessions (db/engine.py)


@dataclass
class ReadAttempt:
    """What one attempt at a read-only request did to the database, so far."""

    may_repeat: bool  # a first attempt: it may be answered again
    lost: str | None = None  # the driver error of a connection that broke under it
    wrote: bool = False  # a read-write transaction committed (or tried to)

    @property
    def repeat(self) -> bool:
        """Whether this attempt's failure is answered by trying again instead."""
        return self.may_repeat and self.lost is not None and not self.wrote


ATTEMPT: ContextVar[ReadAttempt | None] = ContextVar("voxkeep_read_attempt", default=None)


def repeating() -> bool:
    """Whether the request running here failed on a lost connection and will be tried
    again: its failure is not logged as one (the retry's line says what happened)."""
    attempt = ATTEMPT.get()
    return attempt is not None and attempt.repeat


def _committing(conn: Any) -> None:
    attempt = ATTEMPT.get()
    if attempt is not None and not conn.get_execution_options().get(READ_ONLY):
        attempt.wrote = True


def _failed(context: Any) -> None:
    attempt = ATTEMPT.get()
    if context.is_pre_ping:  # the pool replaced a dead pooled connection: nothing was lost
        return
    if attempt is not None and context.is_disconnect and attempt.lost is None:
        attempt.lost = driver_error(context.sqlalchemy_exception or context.original_exception)


def watch_reads(engine: Engine) -> None:
    """Let ATTEMPT see the engine's lost connections and commits (once per engine)."""
    if not event.contains(engine, "commit", _committing):
        event.listen(engine, "commit", _committing)
        event.listen(engine, "handle_error", _failed)
