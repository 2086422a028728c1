"""A download records when it ended, so expiry waits for one in progress.

``export_downloads.ended_at`` is set when a response's last byte left or it
was cut off; while it is None the download is being sent, and the answer's
key and ciphertext stay until it ends (at most ``export_download_grace_s``
from its start). Downloads recorded before this revision have ended: their
``ended_at`` is their start.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from voxkeep.db.base import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("export_downloads") as batch:
        batch.add_column(sa.Column("ended_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE export_downloads SET ended_at = at")


def downgrade() -> None:
    with op.batch_alter_table("export_downloads") as batch:
        batch.drop_column("ended_at")
