"""The notice to each person affected by an incident (Art. 34).

``incident_notices`` records who was told about which incident and when:
queued, mailed (the mail server took it), read (first opened in the portal).
The row names the person by the account id and its audit pseudonym; what the
notice says is in ``incident_notice_texts``, sealed under the person's data key
and removed with their account row by the erasure's purge.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_notices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("account_pseudonym", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_notices_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_notices")),
        sa.UniqueConstraint(
            "incident_id",
            "account_pseudonym",
            name=op.f("uq_incident_notices_incident_id_account_pseudonym"),
        ),
    )
    op.create_index(
        "ix_incident_notices_account_id_read_at",
        "incident_notices",
        ["account_id", "read_at"],
    )

    op.create_table(
        "incident_notice_texts",
        sa.Column("notice_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("content_ct", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_incident_notice_texts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["incident_notices.id"],
            name=op.f("fk_incident_notice_texts_notice_id_incident_notices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("notice_id", name=op.f("pk_incident_notice_texts")),
    )
    op.create_index("ix_incident_notice_texts_account_id", "incident_notice_texts", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_incident_notice_texts_account_id", table_name="incident_notice_texts")
    op.drop_table("incident_notice_texts")
    op.drop_index("ix_incident_notices_account_id_read_at", table_name="incident_notices")
    op.drop_table("incident_notices")
