"""Recordings keep a sealed SHA-256 of their audio instead of a keyed digest.

The SHA-256 (sealed under the owner's data key, bound to owner and id) serves
re-upload checks as the keyed digest did, and also goes straight into an
answer's manifest and the release gate's comparison, so an answer no longer
hashes every recording twice. Rows stored before this revision have none; the
code recomputes their hash from the blob when it needs it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("recordings", sa.Column("audio_sha256", sa.LargeBinary(), nullable=True))
    op.drop_column("recordings", "audio_digest")


def downgrade() -> None:
    # The keyed digests cannot be rebuilt without the keys; the column comes back
    # empty (0.1's re-upload check then treats those recordings as changed).
    op.add_column("recordings", sa.Column("audio_digest", sa.LargeBinary(length=32), nullable=True))
    op.drop_column("recordings", "audio_sha256")
