"""A step of an incident's timeline keeps what voxkeep says of it as codes and figures.

``incident_events.params`` holds, for a step voxkeep writes itself (people
told, notices sent, the Art. 34(3) case, a containment measure, the assessed
risk), its codes and figures: counts, pseudonyms, ids, times, never what staff
typed. The pages word it in their language when they show it. Steps recorded
before this revision have none: their sealed note keeps the English words.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incident_events") as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incident_events") as batch:
        batch.drop_column("params")
