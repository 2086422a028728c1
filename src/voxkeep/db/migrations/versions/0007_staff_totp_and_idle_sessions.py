"""A TOTP second factor (required for staff, optional for people), sign-in challenges,
and idle staff sessions.

``staff`` gains its TOTP secret (sealed under the vault's ``totp`` instance key),
a secret being enrolled (shown once, confirmed by the first code), when it was
enrolled, and the last time step a code was accepted for (so a code cannot be
replayed within its window). ``signin_challenges`` holds the short-lived step
between a correct password and the code on the console's sign-in pages (only a
hash of its token). ``staff_sessions.last_seen_at`` ends a staff session left
unused for ``VOXKEEP_STAFF_SESSION_IDLE_S``. ``person_credentials`` gains the
same three TOTP columns for people who turn on two-step sign-in; theirs are
sealed under the account's data key, so they are shredded with the account.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("totp_secret_ct", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("totp_pending_ct", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("totp_enrolled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    with op.batch_alter_table("staff_sessions") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("person_credentials") as batch:
        batch.add_column(sa.Column("totp_secret_ct", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("totp_pending_ct", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.create_table(
        "signin_challenges",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_signin_challenges_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_challenges")),
    )
    op.create_index("ix_signin_challenges_staff_id", "signin_challenges", ["staff_id"])


def downgrade() -> None:
    op.drop_index("ix_signin_challenges_staff_id", table_name="signin_challenges")
    op.drop_table("signin_challenges")
    with op.batch_alter_table("person_credentials") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_pending_ct")
        batch.drop_column("totp_secret_ct")
    with op.batch_alter_table("staff_sessions") as batch:
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enrolled_at")
        batch.drop_column("totp_pending_ct")
        batch.drop_column("totp_secret_ct")
