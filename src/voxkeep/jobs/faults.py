"""Which failures of a job are transient faults, and how a failure is written down.

A transient fault is one the job cannot fix and time usually does: the disk or
bucket is full or failing (``storage``), the database does not answer
(``database``), the mail server does not take mail (``mail``). A job failing
for one of these is retried for a span of time (queue.fail), not a count of
attempts. Anything else is a bug or a refusal and keeps today's rules.

What the job row keeps of a failure is the operation (the innermost voxkeep
function it happened in) and the error's code, class or errno: never an
exception's message, which may carry an address or a file name.
"""

from __future__ import annotations

import enum
import errno
import traceback
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from voxkeep.db.faults import DATABASE_FAULTS, database_fault
from voxkeep.errors import VoxkeepError

LIMIT = 500


class Fault(enum.StrEnum):
    STORAGE = "storage"
    DATABASE = "database"
    MAIL = "mail"


# errnos that say the disk, not the program, is at fault.
STORAGE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG, errno.EMFILE, errno.ENFILE}
)
# Codes other modules give errors of a fault (errors.py may name them later).
FAULT_CODES = {
    "storage_failed": Fault.STORAGE,
    "database_unavailable": Fault.DATABASE,
    "mail_failed": Fault.MAIL,
}


@dataclass(frozen=True)
class Failure:
    """One failed attempt: the text the job row keeps and the fault, when transient."""

    error: str
    fault: Fault | None


def fault_of(exc: BaseException) -> Fault | None:
    """The transient fault behind ``exc``, or None when retrying later would not help.

    A database error is read as the web layer reads it (db/faults.py): a full disk under
    the database is a storage fault, a lost or refused connection a database fault."""
    if isinstance(exc, DATABASE_FAULTS):
        exc = database_fault(exc, during="a job")
    if isinstance(exc, VoxkeepError):
        return FAULT_CODES.get(exc.code)
    if isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS:
        return Fault.STORAGE
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return Fault.DATABASE
    return None


def describe(exc: BaseException) -> Failure:
    """What the job row keeps of ``exc``: ``<operation>: <code or class>[ <errno>]``."""
    if isinstance(exc, VoxkeepError) and exc.status < 500:
        # A refusal's own message is written for people and carries no personal data.
        return Failure(f"{exc.code}: {exc.message}"[:LIMIT], fault_of(exc))
    cause = getattr(exc, "cause", None)
    if isinstance(exc, VoxkeepError) and isinstance(cause, str) and cause:
        # The error already names its operation, errno and what to check, for the log.
        return Failure(f"{exc.code}: {cause}"[:LIMIT], fault_of(exc))
    what = exc.code if isinstance(exc, VoxkeepError) else type(exc).__name__
    number = _errno(exc)
    if number is not None:
        what += f" {errno.errorcode.get(number, str(number))}"
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        what += f" ({type(exc.orig).__name__})"
    return Failure(f"{operation_of(exc)}: {what}"[:LIMIT], fault_of(exc))


def _errno(exc: BaseException) -> int | None:
    seen: BaseException | None = exc
    while seen is not None:  # StorageFailed raised from an OSError keeps it as its cause
        if isinstance(seen, OSError) and seen.errno is not None:
            return seen.errno
        seen = seen.__cause__ or seen.__context__
    return None


def operation_of(exc: BaseException) -> str:
    """The innermost voxkeep function the error passed through, e.g. ``storage.blobs.put``."""
    found = "job"
    for frame in traceback.extract_tb(exc.__traceback__):
        path = frame.filename.replace("\\", "/")
        if "/voxkeep/" not in path or path.endswith("/voxkeep/jobs/worker.py"):
            continue
        module = path.rsplit("/voxkeep/", 1)[1].removesuffix(".py").replace("/", ".")
        found = f"{module}.{frame.name}"
    return found
