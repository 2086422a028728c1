"""Requests: pauses count in whole days; e-mail address changes are kept for verification.

``data_requests.paused_days`` holds the whole calendar days a pause stopped the
clock (the due date moves by these, docs/requests.md); the exact
``paused_seconds`` stays as the record. Rows stored before this revision get
the whole days their seconds make, and their due date is recomputed so that it
is again the end of a day.

``address_changes`` records each change of an account's verified e-mail
address (the old one sealed until it has been told); a request keeps who
confirmed such a change for it (``address_confirmed_by``/``_at``), and its
timeline steps carry a tag (``request_events.step``) so the person sees them.

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
        batch.add_column(sa.Column("address_confirmed_by", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("address_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("request_events") as batch:
        batch.add_column(sa.Column("step", sa.String(length=32), nullable=True))
    op.create_table(
        "address_changes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_email_ct", sa.LargeBinary(), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_address_changes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address_changes")),
    )
    op.create_index(
        "ix_address_changes_account_id_changed_at",
        "address_changes",
        ["account_id", "changed_at"],
    )
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
    op.drop_index("ix_address_changes_account_id_changed_at", table_name="address_changes")
    op.drop_table("address_changes")
    with op.batch_alter_table("request_events") as batch:
        batch.drop_column("step")
    with op.batch_alter_table("data_requests") as batch:
        batch.drop_column("address_confirmed_at")
        batch.drop_column("address_confirmed_by")
        batch.drop_column("paused_days")
