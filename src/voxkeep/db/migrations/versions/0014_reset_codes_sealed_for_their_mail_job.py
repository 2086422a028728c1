"""A password-reset code sealed for the job that mails it.

``person_reset_codes.code_ct``: the code sealed under the account's data key
until it is used or void, so the mail goes out from a job committed with the
code and the asker's answer never waits for the mail server (which would tell
a registered address from an unknown one by the time it takes). Codes made
before this revision were mailed already and have none.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person_reset_codes") as batch:
        batch.add_column(sa.Column("code_ct", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person_reset_codes") as batch:
        batch.drop_column("code_ct")
