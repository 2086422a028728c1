"""The sweeper deletes exactly what expired, in batches, idempotently, at a cost set by that."""

from __future__ import annotations

import json
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import event, select, text

from audit.audit_helpers import recording_names
from helpers import TEST_BACKEND, _pg_admin, _pg_url
from retention.seeding import days_ago, register, seed
from voxkeep.accounts.models import Retention
from voxkeep.audit.events import AuditEvent
from voxkeep.config import Settings
from voxkeep.errors import NotFound
from voxkeep.recordings.models import Recording
from voxkeep.recordings.service import open_audio
from voxkeep.retention import purge, sweeper
from voxkeep.retention.sweeper import run_retention, sweep
from voxkeep.vault import Vault, open_vault


def stored(vault: Vault) -> dict[str, str]:
    with vault.reading() as session:
        return dict(session.execute(select(Recording.id, Recording.audio_blob)).all())


def swept_events(vault: Vault) -> list[dict[str, Any]]:
    with vault.reading() as session:
        rows = session.scalars(
            select(AuditEvent.data)
            .where(AuditEvent.action == "retention:swept")
            .order_by(AuditEvent.seq)
        )
        return [json.loads(data) for data in rows]


def test_the_sweep_deletes_exactly_the_expired(vault: Vault) -> None:
    register(vault, "short")  # 3 months
    register(vault, "forever", retention=Retention.UNTIL_DELETED)
    register(vault, "long", retention=Retention.MONTHS_18)
    short = seed(vault, "short", days_ago(10, 50, 89, 95, 100, 400), prefix="s")
    forever = seed(vault, "forever", days_ago(5, 400, 2000), prefix="f")
    long = seed(vault, "long", days_ago(400, 600), prefix="l")
    before = stored(vault)

    run = run_retention(vault)

    expired = {short[3], short[4], short[5], long[1]}
    after = stored(vault)
    assert set(after) == set(before) - expired
    assert run.sweep.counts.as_dict() == {"recordings": 4, "audio_blobs": 4, "transcripts": 4}
    for rid, blob in before.items():
        with pytest.raises(NotFound) if rid in expired else _nothing():
            vault.blobs.size(blob)
    # What stays is intact: its audio still decrypts.
    for rid in (short[0], forever[2], long[0]):
        account = {"s": "short", "f": "forever", "l": "long"}[rid[0]]
        audio = open_audio(vault, account=account, recording_id=rid, actor="tests")
        assert b"".join(audio.chunks)[:4] == b"RIFF"
    events = swept_events(vault)
    names = [
        *recording_names(vault, "short", [short[3], short[4], short[5]]),
        *recording_names(vault, "long", [long[1]]),
    ]
    assert [sorted(e["objects"]["recordings"]) for e in events] == [sorted(names)]
    assert events[0]["counts"]["recordings"] == 4 and events[0]["actor"] == sweeper.ACTOR
    # Idempotent: nothing more to do.
    assert run_retention(vault).sweep.counts.recordings == 0
    assert len(swept_events(vault)) == 1


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def test_batches_and_limit(settings: Settings) -> None:
    vault = open_vault(settings.model_copy(update={"retention_batch": 4}))
    try:
        register(vault, "many")
        seed(vault, "many", days_ago(*range(100, 111)), prefix="m")  # 11 expired
        seed(vault, "many", days_ago(1, 2), prefix="n")
        first = sweep(vault, limit=5)
        assert (first.counts.recordings, first.batches) == (5, 2)
        rest = sweep(vault)
        assert (rest.counts.recordings, rest.batches) == (6, 2)
        assert sorted(stored(vault)) == ["n-000000", "n-000001"]
        assert [e["counts"]["recordings"] for e in swept_events(vault)] == [4, 1, 4, 2]
    finally:
        vault.close()


def test_a_rerun_finishes_rows_whose_blobs_a_crash_already_deleted(vault: Vault) -> None:
    register(vault, "crashy")
    ids = seed(vault, "crashy", days_ago(100, 101, 102, 1), prefix="c")
    # As if killed between the blob unlinks and the row delete of a batch.
    for rid, blob in stored(vault).items():
        if rid != ids[3]:
            vault.blobs.delete(blob)
    assert run_retention(vault).sweep.counts.recordings == 3
    assert list(stored(vault)) == [ids[3]]


def test_progress_and_stop(vault: Vault) -> None:
    register(vault, "progress")
    seed(vault, "progress", days_ago(*range(100, 110)), prefix="p")
    totals: list[int] = []
    done: list[int] = []
    vault.settings = vault.settings.model_copy(update={"retention_batch": 3})
    run = run_retention(
        vault, on_total=totals.append, on_done=done.append, should_stop=lambda: len(done) >= 2
    )
    assert totals == [10]
    # Stopping lets the batch in flight finish, and no other.
    assert done == [3, 3, 3] and run.sweep.counts.recordings == 9
    assert run_retention(vault).sweep.counts.recordings == 1


# --- cost follows the number of expired recordings, not the vault's size ---------


@dataclass
class Work:
    statements: list[str]
    vm_steps: int  # SQLite virtual-machine instructions (in hundreds); 0 on PostgreSQL


@contextmanager
def measured(vault: Vault) -> Iterator[Work]:
    work = Work(statements=[], vm_steps=0)

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        work.statements.append(sql.split()[0].upper())

    def step() -> int:
        work.vm_steps += 1
        return 0

    def checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        dbapi_conn.set_progress_handler(step, 100)

    event.listen(vault.engine, "before_cursor_execute", statement)
    if vault.settings.is_sqlite:
        vault.engine.pool.dispose()  # so every connection is checked out fresh
        event.listen(vault.engine, "checkout", checkout)
    try:
        yield work
    finally:
        event.remove(vault.engine, "before_cursor_execute", statement)
        if vault.settings.is_sqlite:
            event.remove(vault.engine, "checkout", checkout)
            vault.engine.pool.dispose()


def _vault_with(vault: Vault, *, expired: int, unexpired: int) -> None:
    register(vault, "big")
    seed(vault, "big", days_ago(*[100 + n / 100 for n in range(expired)]), prefix="e")
    seed(vault, "big", days_ago(*[n / 100 for n in range(unexpired)]), prefix="u", batch=1000)
    purge.checkpoint_wal(vault)
    with vault.transaction() as session:
        session.execute(text("ANALYZE"))


def _sweep_work(settings: Settings, *, unexpired: int) -> Work:
    vault = open_vault(settings)
    try:
        _vault_with(vault, expired=60, unexpired=unexpired)
        with measured(vault) as work:
            assert sweep(vault).counts.recordings == 60
        return work
    finally:
        vault.close()


@pytest.fixture
def second_settings(
    settings: Settings, template: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Another fresh vault from the session template, beside the test's own."""
    data_dir = tmp_path_factory.mktemp("second") / "data"
    shutil.copytree(template.data_dir, data_dir)
    if TEST_BACKEND != "postgresql":
        yield settings.model_copy(update={"data_dir": data_dir})
        return
    assert template.database_url is not None
    source = template.database_url.get_secret_value().rsplit("/", 1)[1]
    name = f"voxkeep_t_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    yield settings.model_copy(
        update={"data_dir": data_dir, "database_url": SecretStr(_pg_url(name))}
    )
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_sweep_cost_follows_the_expired_count(
    settings: Settings, second_settings: Settings
) -> None:
    small = _sweep_work(settings.model_copy(update={"retention_batch": 25}), unexpired=50)
    big = _sweep_work(second_settings.model_copy(update={"retention_batch": 25}), unexpired=4000)
    # The same statements, whether 50 or 4,000 other recordings are stored...
    assert Counter(big.statements) == Counter(small.statements)
    # ...and (SQLite, where the engine counts its own work) the same work, give or take.
    if small.vm_steps:
        assert big.vm_steps < small.vm_steps * 1.3, (small.vm_steps, big.vm_steps)


def test_the_sweep_reads_through_the_expiry_index(vault: Vault) -> None:
    _vault_with(vault, expired=20, unexpired=3000)
    query = purge.select_doomed(
        [Recording.expires_at <= sweeper.utcnow()], order=Recording.expires_at, limit=2000
    )
    with vault.reading() as session:
        compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        if vault.settings.is_sqlite:
            plan = " ".join(
                str(r[-1]) for r in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
            )
            assert "USING INDEX ix_recordings_expires_at" in plan, plan
            assert "SCAN recordings" not in plan, plan
        else:
            plan = session.execute(text(f"EXPLAIN (FORMAT JSON) {compiled}")).scalar_one()
            nodes = json.dumps(plan)
            assert "ix_recordings_expires_at" in nodes, nodes
            assert "Seq Scan" not in nodes, nodes
