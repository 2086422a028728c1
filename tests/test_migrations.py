"""Alembic migrations on the test backend match the models, and go down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, inspect

from helpers import fresh_database
from voxkeep.config import Settings
from voxkeep.db import migrate
from voxkeep.db.engine import make_engine
from voxkeep.db.models import metadata


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database of the test backend, made the way voxkeep makes it."""
    with fresh_database() as url:
        engine = make_engine(Settings(data_dir=tmp_path / "data", database_url=url))
        try:
            yield engine
        finally:
            engine.dispose()


def differences(engine: Engine, target: MetaData = metadata) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "target_metadata": target}
        )
        return list(compare_metadata(context, target))


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_head_matches_the_models(empty_engine: Engine) -> None:
    assert tables(empty_engine) == set()
    assert migrate.current_revision(empty_engine) is None
    migrate.upgrade(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    assert tables(empty_engine) == set(metadata.tables)
    assert differences(empty_engine) == []


def test_head_constant_is_the_newest_migration() -> None:
    """open_vault compares with migrate.HEAD; it must name the newest revision."""
    assert migrate.head_revision() == migrate.HEAD


def test_downgrade_to_base_and_upgrade_again(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    migrate.downgrade(empty_engine, "base")
    assert migrate.current_revision(empty_engine) is None
    assert tables(empty_engine) == set()
    migrate.upgrade(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    assert tables(empty_engine) == set(metadata.tables)
    assert differences(empty_engine) == []


def test_every_revision_steps_down_and_up(empty_engine: Engine) -> None:
    """Each revision's downgrade undoes exactly its upgrade (one step at a time)."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions, "no migrations"
    assert len(script.get_heads()) == 1, "the migrations have more than one head"
    seen: list[set[str]] = [tables(empty_engine)]
    for revision in revisions:
        migrate.upgrade(empty_engine, revision)
        assert migrate.current_revision(empty_engine) == revision
        seen.append(tables(empty_engine))
    for index in range(len(revisions) - 1, -1, -1):
        target = revisions[index - 1] if index else "base"
        migrate.downgrade(empty_engine, target)
        assert tables(empty_engine) == seen[index], target
    migrate.upgrade(empty_engine)
    assert differences(empty_engine) == []


def test_the_comparison_is_not_blind(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    Table("recordings", changed, Column("extra", Integer), extend_existing=True)
    Table("not_migrated", changed, Column("id", String(8), primary_key=True))
    found = {(d[0], getattr(d[-1], "name", None)) for d in differences(empty_engine, changed)}
    assert ("add_column", "extra") in found
    assert ("add_table", "not_migrated") in found


def test_0002_keeps_recordings_and_older_rows_still_answer(vault: Any) -> None:
    """A vault stored at 0001 and upgraded: its recordings stay, readable and re-uploadable."""
    import hashlib
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from helpers import make_wav
    from voxkeep.accounts import service as accounts
    from voxkeep.accounts.models import DeviceKind, Language
    from voxkeep.recordings import service as recordings
    from voxkeep.recordings.models import Recording

    with vault.transaction() as session:
        account, _ = accounts.upsert_account(
            vault,
            session,
            external_id="old",
            changes=accounts.AccountChanges(language=Language.DE),
            actor="tests",
        )
        accounts.upsert_device(
            vault,
            session,
            account=account,
            device_id="old-dev",
            kind=DeviceKind.SPEAKER,
            name="Küche",
            registered_at=datetime.now(UTC) - timedelta(days=9),
            actor="tests",
        )
    audio = make_wav(0.2, seed=3)
    meta = recordings.NewRecording(
        id="old-1",
        account="old",
        device="old-dev",
        captured_at=datetime.now(UTC) - timedelta(days=1),
        language=Language.DE,
        transcript="Guten Morgen",
    )
    assert recordings.ingest(vault, meta, audio, actor="tests") is recordings.Ingested.STORED
    migrate.downgrade(vault.engine, "0001")
    migrate.upgrade(vault.engine)
    with vault.reading() as session:
        row = session.get(Recording, "old-1")
        assert row is not None and row.audio_sha256 is None  # as if stored before 0002
        key = vault.keyring.data_key(session, row.account_id)
        found = recordings.stored_sha256(
            vault, key, row.account_id, row.id, row.audio_sha256, row.audio_blob
        )
        assert session.scalar(select(Recording.transcript_ct).where(Recording.id == "old-1"))
    assert found == hashlib.sha256(audio).digest()
    repeat = recordings.ingest(vault, meta, audio, actor="tests")
    assert repeat is recordings.Ingested.ALREADY_STORED
