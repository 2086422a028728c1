"""The pool of PostgreSQL test databases hands each test the template's rows and nothing else."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from helpers import TEST_BACKEND
from pg_pool import DatabasePool

pytestmark = pytest.mark.skipif(TEST_BACKEND != "postgresql", reason="PostgreSQL's pool")


@pytest.fixture
def pool(databases: DatabasePool) -> Iterator[DatabasePool]:
    """A pool of the test's own beside the worker's, from the same template."""
    own = DatabasePool(databases.admin_url, databases.template)
    yield own
    own.close()


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query).fetchall()  # type: ignore[arg-type]


def _databases(pool: DatabasePool) -> set[str]:
    return {str(name) for (name,) in _rows(pool.admin_url, "SELECT datname FROM pg_database")}


def test_a_reused_database_holds_the_templates_rows_under_a_new_name(
    pool: DatabasePool,
) -> None:
    first = pool.checkout()
    url = pool.url(first)
    template_rows = _rows(url, "SELECT seq, action, data FROM audit_events ORDER BY seq")
    keys = _rows(url, "SELECT count(*) FROM instance_keys")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM instance_keys")
        conn.execute("UPDATE alembic_version SET version_num = 'not-a-revision'")
        conn.execute("INSERT INTO signin_failures (key_hash, at) VALUES ('x', now())")
        # A session the test leaves open is ended, not waited for.
        lingering = psycopg.connect(url)
        lingering.execute("SELECT 1")
    pool.checkin(first)
    lingering.close()

    second = pool.checkout()
    assert pool.reused == 1
    assert second != first
    assert first not in _databases(pool)  # an earlier URL reaches nothing
    url = pool.url(second)
    assert _rows(url, "SELECT seq, action, data FROM audit_events ORDER BY seq") == template_rows
    assert _rows(url, "SELECT count(*) FROM instance_keys") == keys
    assert _rows(url, "SELECT version_num FROM alembic_version") != [("not-a-revision",)]
    assert _rows(url, "SELECT count(*) FROM signin_failures") == [(0,)]
    assert _rows(url, "SHOW synchronous_commit") == [("off",)]
    # The sequence starts over as in the template: the next row gets the template's first id.
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO signin_failures (key_hash, at) VALUES ('x', now()) RETURNING id"
        ).fetchone()
    assert row == (1,)
    pool.checkin(second)


def test_a_database_whose_schema_changed_is_dropped_not_reused(pool: DatabasePool) -> None:
    name = pool.checkout()
    with psycopg.connect(pool.url(name), autocommit=True) as conn:
        conn.execute("CREATE TABLE planted (t text)")
        conn.execute("INSERT INTO planted VALUES ('from an earlier test')")
    pool.checkin(name)
    assert (pool.reused, pool.dropped) == (0, 1)
    assert name not in _databases(pool)
    fresh = pool.checkout()
    assert _rows(pool.url(fresh), "SELECT count(*) FROM pg_tables WHERE tablename = 'planted'") == [
        (0,)
    ]
    pool.checkin(fresh)
