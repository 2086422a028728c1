"""A job waiting out a transient fault says which and since when.

``jobs.fault``: the cause of the job's current run of failures when it is
transient (``storage``, ``database``, ``mail``), kept while the job retries;
``jobs.fault_since``: when that run began. Retries of a transient fault are
limited by time from ``fault_since`` (and by the request's deadline), not by
attempts, and the console shows "waiting: storage full since …" from them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from voxkeep.db.base import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("fault", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("fault_since", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("fault_since")
        batch.drop_column("fault")
