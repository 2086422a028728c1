"""Many writers at once: leaf indexes stay gap-free in commit order and the log verifies."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import select

from voxkeep.audit.events import AuditAction, AuditEvent, record
from voxkeep.audit.log import verify_log, write_checkpoint
from voxkeep.tokens.service import Scope, create_token
from voxkeep.vault import Vault

THREADS = 8
ROUNDS = 12


class Boom(Exception):
    pass


def _writer(vault: Vault, n: int, start: threading.Barrier) -> None:
    start.wait()
    for r in range(ROUNDS):
        if r % 5 == 4:
            # A transaction that rolls back takes its events with it and leaves no gap.
            try:
                with vault.transaction() as session:
                    record(session, AuditAction.RECORDING_DELETED, actor=f"token:t{n}")
                    raise Boom
            except Boom:
                pass
            continue
        with vault.transaction() as session:
            for k in range(1 + (n + r) % 3):
                record(
                    session,
                    AuditAction.RECORDING_READ,
                    actor=f"token:t{n}",
                    objects={"recording": f"rec-{n}-{r}-{k}"},
                )
            if r == 0:
                create_token(session, name=f"t{n}", scopes=[Scope.READ], actor=f"token:t{n}")
        if n == 0 and r % 4 == 1:
            write_checkpoint(vault)  # at least a few checkpoints land between the writes


def _checkpointer(vault: Vault, start: threading.Barrier, done: threading.Event) -> None:
    start.wait()
    while not done.wait(0.005):
        write_checkpoint(vault)


def _verifier(vault: Vault, start: threading.Barrier, done: threading.Event) -> None:
    # Verifying while others append must never see a half-written state (a
    # checkpoint without its events would look like a truncated log).
    start.wait()
    while not done.wait(0.01):
        verify_log(vault)


def test_concurrent_appends_are_gap_free_and_verify(vault: Vault) -> None:
    start = threading.Barrier(THREADS + 2)
    done = threading.Event()
    failures: list[BaseException] = []

    def guarded(target: object, *args: object) -> threading.Thread:
        def run() -> None:
            try:
                target(*args)  # type: ignore[operator]
            except BaseException as exc:
                failures.append(exc)

        return threading.Thread(target=run)

    writers = [guarded(_writer, vault, n, start) for n in range(THREADS)]
    readers = [guarded(_checkpointer, vault, start, done), guarded(_verifier, vault, start, done)]
    for thread in [*writers, *readers]:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    done.set()
    for thread in readers:
        thread.join(timeout=60)
    assert failures == []

    with vault.reading() as session:
        seqs = list(session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))
        actions = Counter(session.scalars(select(AuditEvent.action)))
    assert seqs == list(range(len(seqs)))
    reads = sum(1 + (n + r) % 3 for n in range(THREADS) for r in range(ROUNDS) if r % 5 != 4)
    assert actions[AuditAction.RECORDING_READ] == reads
    assert actions[AuditAction.RECORDING_DELETED] == 0
    assert actions[AuditAction.TOKEN_CREATED] >= THREADS

    write_checkpoint(vault)  # a no-op if the checkpointer already signed the last writes
    report = verify_log(vault)
    with vault.reading() as session:
        actions = Counter(session.scalars(select(AuditEvent.action)))
    assert report.events == actions.total() >= len(seqs)
    assert report.checkpoints == actions[AuditAction.AUDIT_CHECKPOINT] >= 2
    assert report.unsigned_events == 0
