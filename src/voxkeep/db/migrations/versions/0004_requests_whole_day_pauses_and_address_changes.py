"""Requests: pauses count in whole days; e-mail address changes are kept for verification.

``data_requests.paused_days`` holds the whole calendar days a pause stopped the
clock (the due date moves by these, docs/requests.md); the exact
``paused_seconds`` stays as the record. Rows stored before this revision get
the whole days their seconds make, and their due date is recomputed so that it
is again the end of a day.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from voxkeep.db.base import UTCDateTime
from voxkeep.requests import deadlines

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_requests") as batch:
        batch.add_column(sa.Column("paused_days", sa.Integer(), nullable=False, server_default="0"))
    _recompute_due_dates()


def _recompute_due_dates() -> None:
    requests = sa.table(
        "data_requests",
        sa.column("id", sa.String()),
        sa.column("received_at", UTCDateTime()),
        sa.column("due_at", UTCDateTime()),
        sa.column("paused_seconds", sa.Integer()),
        sa.column("paused_days", sa.Integer()),
        sa.column("extension_months", sa.Integer()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            requests.c.id,
            requests.c.received_at,
            requests.c.paused_seconds,
            requests.c.extension_months,
        )
    ).all()
    for row in rows:
        days = (row.paused_seconds or 0) // 86400
        due = deadlines.due_at(
            row.received_at, extension_months=row.extension_months, paused_days=days
        )
        connection.execute(
            requests.update().where(requests.c.id == row.id).values(paused_days=days, due_at=due)
        )


def downgrade() -> None:
    with op.batch_alter_table("data_requests") as batch:
        batch.drop_column("paused_days")
