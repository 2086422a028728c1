"""An erasure's receipt mail sealed for the job that sends it.

``erasure_receipts.mail_ct``: the address the account had, the salt of the receipt's
subject commitment, the person's language and the request's reference, sealed under
the instance's ``outbox`` key in the transaction that destroys the account's key (the
last moment the address can be read and the only one the salt exists). The mail job
reads it once the receipt is signed and retries a mail server that is down like every
other mail; the column is cleared when the mail was sent or finally failed. Erasures
before this revision mailed their receipt at once and have none.

The ``outbox`` key is added by `voxkeep init`, which runs anyway to reach this revision.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("erasure_receipts") as batch:
        batch.add_column(sa.Column("mail_ct", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("erasure_receipts") as batch:
        batch.drop_column("mail_ct")
