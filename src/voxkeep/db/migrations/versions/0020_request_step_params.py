"""A step of a request's timeline keeps what voxkeep says of it as codes and figures.

``request_events.params`` holds, for a step voxkeep writes itself (the code
mailed, awaited, expired or wrong; the request withdrawn; its answer expired,
withdrawn as not the person's or contained; the account erased; a notice or
the erasure receipt mailed; a failed check), a code (``said``) and its
figures: counts, ids, times, check names, never what staff typed. The pages
word it in their language when they show it. Steps recorded before this
revision have none: their sealed note keeps the English words.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("request_events") as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("request_events") as batch:
        batch.drop_column("params")
