"""The breach register (Art. 33(5)): incident states, awareness, assessment, timeline, affected.

``incidents`` gains its state (open → assessed → authority_notified →
people_notified → closed), the DPO's awareness time, the risk assessment with
its sealed words, and who notified the authority and the people when.
``incident_events`` is each incident's timeline; ``incident_affected`` the
people its data concerns. Incidents that exist before this revision are open.

The sealed words are under the instance's ``notes`` key, which `voxkeep init`
adds to a vault that lacks it (it must run anyway to reach this revision).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

STATES = ("open", "assessed", "authority_notified", "people_notified", "closed")
RISKS = ("unlikely", "risk", "high")
SOURCES = ("manifest", "downloads", "added")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("state", sa.String(24), nullable=False, server_default="open"))
        batch.add_column(sa.Column("aware_at", ts, nullable=True))
        batch.add_column(sa.Column("risk", sa.String(16), nullable=True))
        batch.add_column(sa.Column("assessed_at", ts, nullable=True))
        for name in (
            "risk_reason",
            "nature",
            "consequences",
            "measures_taken",
            "measures_proposed",
        ):
            batch.add_column(sa.Column(f"{name}_ct", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("authority_notified_at", ts, nullable=True))
        batch.add_column(sa.Column("authority_notified_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("people_notified_at", ts, nullable=True))
        batch.add_column(sa.Column("people_notified_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("closed_at", ts, nullable=True))
        batch.create_check_constraint("state", _in("state", STATES))
        batch.create_check_constraint("risk", f"risk IS NULL OR {_in('risk', RISKS)}")
        batch.create_index(op.f("ix_incidents_state"), ["state"])
    with op.batch_alter_table("incidents") as batch:
        batch.alter_column("state", server_default=None)
    op.create_table(
        "incident_events",
        sa.Column("incident_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", ts, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("note_ct", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_events_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "seq", name=op.f("pk_incident_events")),
    )
    op.create_table(
        "incident_affected",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("incident_id", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("recordings", sa.Integer(), nullable=False),
        sa.Column("first_at", ts, nullable=True),
        sa.Column("last_at", ts, nullable=True),
        sa.Column("devices", sa.JSON(), nullable=False),
        sa.Column("reason_ct", sa.LargeBinary(), nullable=True),
        sa.Column("added_at", ts, nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.CheckConstraint(_in("source", SOURCES), name=op.f("ck_incident_affected_source")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_incident_affected_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_affected_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_affected")),
        sa.UniqueConstraint(
            "incident_id", "account", name=op.f("uq_incident_affected_incident_id_account")
        ),
    )
    op.create_index(op.f("ix_incident_affected_account_id"), "incident_affected", ["account_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_incident_affected_account_id"), table_name="incident_affected")
    op.drop_table("incident_affected")
    op.drop_table("incident_events")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_index(op.f("ix_incidents_state"))
        batch.drop_constraint(op.f("ck_incidents_risk"), type_="check")
        batch.drop_constraint(op.f("ck_incidents_state"), type_="check")
        for name in (
            "closed_at",
            "people_notified_by",
            "people_notified_at",
            "authority_notified_by",
            "authority_notified_at",
            "measures_proposed_ct",
            "measures_taken_ct",
            "consequences_ct",
            "nature_ct",
            "risk_reason_ct",
            "assessed_at",
            "risk",
            "aware_at",
            "state",
        ):
            batch.drop_column(name)
