"""PostgreSQL databases copied from the template vault once and reused, one test at a time.

CREATE DATABASE ... TEMPLATE and DROP DATABASE ... WITH (FORCE) cost 0.2-4 s a test
under load (both write and sync the whole database); putting one back costs a few
milliseconds. Each xdist worker has a pool of its own, from its own template.

A database given back (`checkin`) is reused only when nothing a test can leave
behind survives:

- Other sessions are ended and the database is renamed, so a URL an earlier test
  handed out (a process it started, a relay) never reaches the next test: every
  checkout gets a name no test has seen, as a fresh copy does.
- Its schema must be the template's, compared by a fingerprint of the catalogs
  (tables, columns, constraints, indexes, triggers, functions, types, sequences'
  definitions, privileges, large objects, the database's settings). A test that
  changed any of them (a migration run, a planted table) gets its database dropped.
- Every table then holds exactly the template's rows (each table that holds any
  row is emptied, the template's rows are copied back) and every sequence the
  template's value.

Commits on these databases do not wait for the disk (synchronous_commit = off,
see `_no_sync_wait`).

When any of that fails, or the role may not switch off foreign keys for the reset
(not a superuser), the database is dropped, and the next checkout copies the
template afresh, as every test did before.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

# One line per catalog object a test could add, change or remove; the md5 of them all.
FINGERPRINT = """
SELECT md5(string_agg(x, E'\\n' ORDER BY x)) FROM (
  SELECT 'class ' || c.oid::regclass::text || ' ' || c.relkind::text || ' '
         || c.relpersistence::text || ' ' || c.relowner::regrole::text || ' '
         || coalesce(c.relacl::text, '') || ' ' || c.relrowsecurity::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  UNION ALL
  SELECT 'column ' || a.attrelid::regclass::text || ' ' || a.attname || ' '
         || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text || ' '
         || a.attidentity::text || ' ' || a.attgenerated::text || ' '
         || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' ' || coalesce(a.attacl::text, '')
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' '
         || pg_get_constraintdef(oid)
    FROM pg_constraint
    WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  UNION ALL
  SELECT 'index ' || indexdef FROM pg_indexes
    WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
  UNION ALL
  SELECT 'trigger ' || pg_get_triggerdef(oid) || ' ' || tgenabled::text
    FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL
  SELECT 'event trigger ' || evtname FROM pg_event_trigger
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(coalesce(p.prosrc, ''))
    FROM pg_proc p
    WHERE pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  UNION ALL
  SELECT 'type ' || t.oid::regtype::text FROM pg_type t
    WHERE typnamespace NOT IN (
        'pg_catalog'::regnamespace, 'information_schema'::regnamespace, 'pg_toast'::regnamespace
      )
  UNION ALL
  SELECT 'enum ' || enumtypid::regtype::text || ' ' || enumlabel FROM pg_enum
  UNION ALL
  SELECT 'rule ' || ev_class::regclass::text || ' ' || rulename FROM pg_rewrite
    WHERE ev_class NOT IN (SELECT oid FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace)
      AND ev_class NOT IN (
        SELECT oid FROM pg_class WHERE relnamespace = 'information_schema'::regnamespace
      )
  UNION ALL
  SELECT 'policy ' || polrelid::regclass::text || ' ' || polname FROM pg_policy
  UNION ALL
  SELECT 'schema ' || nspname || ' ' || nspowner::regrole::text || ' ' || coalesce(nspacl::text, '')
    FROM pg_namespace
  UNION ALL
  SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
  UNION ALL
  SELECT 'sequence ' || schemaname || '.' || sequencename || ' ' || data_type::text || ' '
         || start_value || ' ' || increment_by || ' ' || min_value || ' ' || max_value || ' '
         || cycle::text
    FROM pg_sequences
  UNION ALL
  SELECT 'large objects ' || count(*) FROM pg_largeobject_metadata
  UNION ALL
  SELECT 'settings ' || coalesce(array_to_string(setconfig, ','), '') || ' ' || setrole::text
    FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
) AS f(x)
"""

TABLES = """
SELECT schemaname, tablename FROM pg_tables
  WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
  ORDER BY schemaname, tablename
"""

SEQUENCES = """
SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), start_value, last_value
  FROM pg_sequences
  ORDER BY schemaname, sequencename
"""

# How long the sessions a test left on its database get to end once told to.
END_SESSIONS_S = 10.0


@dataclass
class _Template:
    """What a reset restores: the template's schema fingerprint, rows and sequences."""

    fingerprint: str
    tables: list[sql.Identifier]
    rows: dict[int, bytes]  # index into tables -> the table's rows (COPY, binary)
    sequences: list[tuple[str, int, int | None]]  # (quoted name, start, last value or None)


@dataclass
class DatabasePool:
    """Databases holding exactly the template's schema and rows, under names no test has seen."""

    admin_url: str
    template: str
    _free: list[str] = field(default_factory=list)
    _snapshot: _Template | None = None
    reused: int = 0
    dropped: int = 0

    def __post_init__(self) -> None:
        self._no_sync_wait(self.template)
        with psycopg.connect(self.url(self.template)) as conn:
            superuser = conn.execute(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
            if not (superuser and superuser[0]):
                return  # no reset without session_replication_role: a fresh copy each time
            self._snapshot = _capture(conn)

    def url(self, name: str) -> str:
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    def _admin(self, statement: sql.Composable) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(statement)

    def _new_name(self) -> str:
        return f"voxkeep_t_{uuid.uuid4().hex[:12]}"

    def checkout(self) -> str:
        """The name of a database holding the template's schema and rows, and nothing else."""
        if self._free:
            return self._free.pop()
        name = self._new_name()
        self._admin(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(self.template)
            )
        )
        self._no_sync_wait(name)
        return name

    def _no_sync_wait(self, name: str) -> None:
        """Commits on the database return before their WAL reaches the disk (about 1 ms each
        here). Only a crash of the PostgreSQL server could tell, and no test crashes it:
        every session still sees every commit at once, and a killed client loses nothing
        it saw committed. A copy does not inherit the setting, so each database gets it."""
        self._admin(
            sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(name))
        )

    def checkin(self, name: str) -> None:
        """Take a database back from a test: reset for the next one, or drop it."""
        fresh = self._reset(name) if self._snapshot is not None else None
        if fresh is None:
            self._drop(name)
            self.dropped += 1
        else:
            self._free.append(fresh)
            self.reused += 1

    def close(self) -> None:
        while self._free:
            self._drop(self._free.pop())

    def _drop(self, name: str) -> None:
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def _reset(self, name: str) -> str | None:
        """The database's new name once it holds the template's rows again; None if it cannot."""
        assert self._snapshot is not None
        fresh = self._new_name()
        try:
            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                if not _end_sessions(admin, name):
                    return None
                admin.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                        sql.Identifier(name), sql.Identifier(fresh)
                    )
                )
        except psycopg.Error:
            return None  # a session came back before the rename: drop the old name
        try:
            with psycopg.connect(self.url(fresh), autocommit=True) as conn:
                if not _restore(conn, self._snapshot):
                    self._drop(fresh)
                    return None
        except psycopg.Error:
            self._drop(fresh)
            return None
        return fresh


def _capture(conn: psycopg.Connection[tuple[object, ...]]) -> _Template:
    row = conn.execute(FINGERPRINT).fetchone()
    assert row is not None
    tables = [sql.Identifier(schema, table) for schema, table in conn.execute(TABLES).fetchall()]
    rows: dict[int, bytes] = {}
    for index, table in enumerate(tables):
        with conn.cursor().copy(sql.SQL("COPY {} TO STDOUT (FORMAT binary)").format(table)) as copy:
            data = b"".join(bytes(chunk) for chunk in copy)
        present = conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(table))
        if (present.fetchone() or (False,))[0]:
            rows[index] = data
    sequences = [
        (str(name), int(str(start)), None if last is None else int(str(last)))
        for name, start, last in conn.execute(SEQUENCES).fetchall()
    ]
    return _Template(fingerprint=str(row[0]), tables=tables, rows=rows, sequences=sequences)


def _end_sessions(admin: psycopg.Connection[tuple[object, ...]], name: str) -> bool:
    """End every session on the database; False if one outlives END_SESSIONS_S."""
    deadline = time.monotonic() + END_SESSIONS_S
    while True:
        alive = admin.execute(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (name,),
        ).fetchall()
        if not alive:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


def _restore(conn: psycopg.Connection[tuple[object, ...]], template: _Template) -> bool:
    """Put the template's rows and sequence values back; False if the schema is not its own."""
    row = conn.execute(FINGERPRINT).fetchone()
    if row is None or row[0] != template.fingerprint:
        return False
    holds = sql.SQL("SELECT ") + sql.SQL(", ").join(
        sql.SQL("EXISTS (SELECT 1 FROM {})").format(table) for table in template.tables
    )
    flags = conn.execute(holds).fetchone()
    assert flags is not None
    with conn.transaction():
        # Nobody else can reach the database under its new name: no lock, no durability wait,
        # and foreign keys off while every table is emptied whatever order they refer in.
        conn.execute("SET LOCAL synchronous_commit = off")
        conn.execute("SET LOCAL session_replication_role = replica")
        for index, table in enumerate(template.tables):
            if flags[index] or index in template.rows:
                conn.execute(sql.SQL("DELETE FROM {}").format(table))
        for index, data in template.rows.items():
            with conn.cursor().copy(
                sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(template.tables[index])
            ) as copy:
                copy.write(data)
        for sequence, start, last in template.sequences:
            conn.execute(
                "SELECT setval(%s::regclass, %s, %s)",
                (sequence, start if last is None else last, last is not None),
            )
    return True
