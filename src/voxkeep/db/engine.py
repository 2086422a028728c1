"""Engines and sessions for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from voxkeep.config import Settings
from voxkeep.db.faults import READ_ONLY as READ_ONLY
from voxkeep.db.faults import driver_error
from voxkeep.errors import CommitUnknown

log = logging.getLogger("voxkeep.db")
T = TypeVar("T")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the writer; secure_delete overwrites freed
    # pages so deleted personal data does not linger in the file (invariant 6).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock at BEGIN: a deferred transaction that later
    # upgrades to a writer fails with SQLITE_BUSY instead of waiting. Readers
    # (sessions from read_sessionmaker) stay deferred so they never block.
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(settings: Settings) -> Engine:
    url = settings.sqlalchemy_url
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            max_overflow=16,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling is switched off so BEGIN is ours.
        event.listen(
            engine, "connect", lambda dbapi_conn, _r: setattr(dbapi_conn, "isolation_level", None)
        )
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # pool_pre_ping: a pooled connection is tested as it is taken, so one that a database
    # restart (or a network cut) broke is replaced instead of failing the next request.
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def read_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions for transactions that only read (no write lock on SQLite)."""
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    A connection that breaks while the COMMIT is under way leaves the outcome
    unknown: the database may have applied the transaction or not. That raises
    CommitUnknown, so a caller keeps what the transaction named (a blob stays;
    gc removes it when no row names it) instead of undoing what may be committed.
    """
    with factory() as session:
        unit = session.begin()
        try:
            yield session
            session.flush()  # the statements' failures are known failures: nothing committed
        except BaseException:
            unit.rollback()
            raise
        try:
            unit.commit()
        except DBAPIError as exc:
            if not exc.connection_invalidated or _reads_only(session):
                raise  # a known failure, or a reader's: nothing of it needs keeping
            raise CommitUnknown(
                "The database's connection broke while the change was being saved.",
                hint="It may have been saved or not: send the same call again (repeating it "
                "is safe) once the database answers.",
                cause=f"database: the connection broke during a COMMIT: {driver_error(exc)} — "
                "check that the database server is up and reachable from this node",
            ) from exc


def _reads_only(session: Session) -> bool:
    bind = session.get_bind()
    return bool(bind.get_execution_options().get(READ_ONLY))


RETRY_PAUSES_S = (0.2, 1.0, 2.0)


def retried(work: Callable[[], T]) -> T:
    """Run a unit of work (its own transaction); run it again when its connection broke
    before it committed (nothing of it was applied), after a pause in which a restarting
    database may come back; pool pre-ping gives each attempt a live connection.

    Never again after CommitUnknown: the first attempt may have been applied.
    """
    for pause in RETRY_PAUSES_S:
        try:
            return work()
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            log.warning(
                "database: a unit of work lost its connection (%s); trying again in %.1f s",
                driver_error(exc),
                pause,
            )
        time.sleep(pause)
    return work()


TURN_WAIT_S = 30.0  # as long as SQLite's busy timeout; then SQLite decides


@contextmanager
def writer_turn(settings: Settings) -> Iterator[None]:
    """Wait for the other batch writers of this vault, in any process, then write (SQLite).

    A SQLite writer that finds the database locked sleeps and retries with
    growing pauses (up to 100 ms), so two processes that both write batches
    leave the database idle between their transactions. Batch writers take
    turns on a lock file instead, polled every fraction of a millisecond, and
    find the database free when they begin. Other writers are unaffected.
    """
    if not settings.is_sqlite:
        yield
        return
    # Each turn opens the file anew: flock excludes other open files, so
    # threads of one process take turns as processes do; closing releases it.
    fd = os.open(settings.data_dir / "writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _take_file_lock(fd)
        yield
    finally:
        os.close(fd)


def _take_file_lock(fd: int) -> None:
    """Lock fd, or give up after TURN_WAIT_S and let SQLite's own locking decide."""
    deadline = time.monotonic() + TURN_WAIT_S
    pause = 0.0001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                return
            time.sleep(pause)
            pause = min(pause * 2, 0.001)
