"""Kept data: a journal of each write's changes, added in when reports read and folded later

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 04:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SUMS = (
    "children",
    "goals",
    "ratings",
    "active_goals",
    "reviewed_on_time",
    "child_voice",
    "reassessed",
    "baseline_performance",
    "latest_performance",
    "baseline_satisfaction",
    "latest_satisfaction",
    "improved_performance",
    "improved_satisfaction",
)


def upgrade():
    op.create_table(
        "outcome_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rater", sa.String(length=20), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("age_band", sa.String(length=8), nullable=False),
        sa.Column("primary_need", sa.String(length=8), nullable=False),
        sa.Column("ehcp", sa.String(length=3), nullable=False),
        sa.Column("grain", sa.SmallInteger(), server_default="5", nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in SUMS),
        sa.Column("record_keys", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_outcome_journal_area_id_area")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_journal")),
    )
    with op.batch_alter_table("outcome_journal", schema=None) as batch_op:
        batch_op.create_index("ix_outcome_journal_area_id", ["area_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("outcome_journal", schema=None) as batch_op:
        batch_op.drop_index("ix_outcome_journal_area_id")
    op.drop_table("outcome_journal")
