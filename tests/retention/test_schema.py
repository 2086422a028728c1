"""The migration creates retention's tables exactly as the models declare them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from voxkeep.db.models import metadata
from voxkeep.vault import Vault

TABLES = {"discarded_uploads", "erasure_receipts", "retention_state", "recordings"}


def _table_of(diff: object) -> str | None:
    while isinstance(diff, list):  # column-level differences come as lists of tuples
        diff = diff[0]
    for item in diff if isinstance(diff, tuple) else ():
        name = getattr(item, "name", None) if not isinstance(item, str) else None
        table = getattr(item, "table", None)
        if table is not None:
            return str(table.name)
        if name in TABLES:
            return str(name)
    return None


def test_the_migration_matches_the_models(vault: Vault) -> None:
    with vault.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, metadata)
    ours = [d for d in diffs if _table_of(d) in TABLES or "retention" in repr(d)]
    assert ours == []
