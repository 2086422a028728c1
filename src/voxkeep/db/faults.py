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
