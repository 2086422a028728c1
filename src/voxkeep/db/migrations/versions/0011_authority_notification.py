"""The notification to the authority (Art. 33): its reference and the documents' hashes.

``incidents.authority_reference_ct`` keeps the reference the supervisory
authority gave the notification, sealed like every staff-typed text.
``incident_events.sha256`` keeps, on the timeline entry that recorded a
notification or a follow-up (Art. 33(4)), the SHA-256 of the document sent, so
what was sent can be proven later.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("authority_reference_ct", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("incident_events") as batch:
        batch.add_column(sa.Column("sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incident_events") as batch:
        batch.drop_column("sha256")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("authority_reference_ct")
