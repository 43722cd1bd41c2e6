"""Disclosure control: record keys, the threshold's range, a public outcomes page

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:00:00

Every existing child gets a secret random record key (0-255), drawn here by the database. Kept
aggregates are dropped, because they lack the record-key sums: reports are computed from the
records until `refresh-aggregates` keeps them again. Thresholds below 5 are raised to 5.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_key", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE child SET record_key = floor(random() * 256)::integer")
    else:
        op.execute("UPDATE child SET record_key = abs(random()) % 256")
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.alter_column("record_key", existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint("record_key_range", "record_key BETWEEN 0 AND 255")

    op.execute("UPDATE area SET suppression_threshold = 5 WHERE suppression_threshold < 5")
    op.execute("UPDATE area SET suppression_threshold = 50 WHERE suppression_threshold > 50")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_outcomes", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.drop_constraint(
            batch_op.f("ck_area_suppression_threshold_positive"), type_="check"
        )
        batch_op.create_check_constraint(
            "suppression_threshold_range", "suppression_threshold BETWEEN 5 AND 50"
        )

    op.execute("DELETE FROM outcome_aggregate")
    op.execute("DELETE FROM aggregate_snapshot")
    with op.batch_alter_table("outcome_aggregate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("record_keys", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("outcome_aggregate", schema=None) as batch_op:
        batch_op.drop_column("record_keys")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_area_suppression_threshold_range"), type_="check")
        batch_op.create_check_constraint(
            "suppression_threshold_positive", "suppression_threshold >= 1"
        )
        batch_op.drop_column("public_outcomes")
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_child_record_key_range"), type_="check")
        batch_op.drop_column("record_key")
