"""Incident kinds for every automatic trigger, and one incident per cause.

``incidents.cause`` names what opened an incident (a kind and server-made ids);
repeated events of one cause join that incident (``occurrences``,
``last_seen_at``) instead of opening another. Incidents that exist before this
revision have no cause and stay as they are.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_KINDS = ("release_gate_failed", "not_my_data")
NEW_KINDS = (
    *OLD_KINDS,
    "build_failed",
    "key_failed",
    "delivery_failed",
    "audit_verify_failed",
    "foreign_download",
    "four_eyes_refused",
    "reported",
)


def _kinds(kinds: tuple[str, ...]) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_constraint(op.f("ck_incidents_kind"), type_="check")
        batch.create_check_constraint("kind", _kinds(NEW_KINDS))
        batch.add_column(sa.Column("cause", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("occurrences", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(op.f("uq_incidents_cause"), ["cause"])
    with op.batch_alter_table("incidents") as batch:
        batch.alter_column("occurrences", server_default=None)
    _name_earlier_causes()


def _name_earlier_causes() -> None:
    """Both earlier kinds had one incident per answer: name that cause, so a repeat joins."""
    incidents = sa.table(
        "incidents",
        sa.column("id", sa.String),
        sa.column("kind", sa.String),
        sa.column("details", sa.JSON),
        sa.column("cause", sa.String),
    )
    bind = op.get_bind()
    taken: set[str] = set()
    for row in bind.execute(sa.select(incidents.c.id, incidents.c.kind, incidents.c.details)):
        export = (row.details or {}).get("export")
        cause = f"{row.kind}:{export}" if isinstance(export, str) else None
        if cause is None or cause in taken:
            continue
        taken.add(cause)
        bind.execute(incidents.update().where(incidents.c.id == row.id).values(cause=cause))


def downgrade() -> None:
    op.execute(f"DELETE FROM incidents WHERE NOT ({_kinds(OLD_KINDS)})")  # noqa: S608 (constants)
    with op.batch_alter_table("incidents") as batch:
        batch.drop_constraint(op.f("uq_incidents_cause"), type_="unique")
        batch.drop_column("last_seen_at")
        batch.drop_column("occurrences")
        batch.drop_column("cause")
        batch.drop_constraint(op.f("ck_incidents_kind"), type_="check")
        batch.create_check_constraint("kind", _kinds(OLD_KINDS))
