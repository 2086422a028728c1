"""Periodic work is claimed fleet-wide: a lease row per kind.

``periodic_runs`` holds, per kind of periodic work (the retention sweep), when
it is next due and which node holds it now. A node runs the work only after
claiming the row (jobs/periodic.py), so N worker nodes run each sweep once per
period, not N times, and another node takes over when one dies mid-run.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from voxkeep.db.base import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "periodic_runs",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("next_run_at", UTCDateTime(), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("last_run_by", sa.String(length=64), nullable=True),
        sa.Column("last_started_at", UTCDateTime(), nullable=True),
        sa.Column("last_finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_periodic_runs")),
    )


def downgrade() -> None:
    op.drop_table("periodic_runs")
