"""Idle people's sessions.

``person_sessions.last_seen_at`` ends a person's session (API and portal) left
unused for ``VOXKEEP_SESSION_IDLE_S``, as ``staff_sessions.last_seen_at`` does
for staff. Sessions that exist before this revision have none and count as used
(their first use notes it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person_sessions") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person_sessions") as batch:
        batch.drop_column("last_seen_at")
