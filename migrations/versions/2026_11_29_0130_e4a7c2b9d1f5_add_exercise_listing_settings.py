"""Exercises: show current standings after a resident finishes (off by default), workshop only (kept off
the public lists and the results archive) and an officer-set "about N minutes"

Revision ID: e4a7c2b9d1f5
Revises: e4a7c2b9d815
Create Date: 2026-11-29 01:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e4a7c2b9d1f5"
down_revision = "e4a7c2b9d815"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("show_standings", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("workshop_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("minutes_to_answer", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            "minutes_to_answer_range", "minutes_to_answer IS NULL OR (minutes_to_answer BETWEEN 1 AND 120)"
        )
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.alter_column("show_standings", server_default=None)
        batch_op.alter_column("workshop_only", server_default=None)


def downgrade():
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_constraint("minutes_to_answer_range", type_="check")
        batch_op.drop_column("minutes_to_answer")
        batch_op.drop_column("workshop_only")
        batch_op.drop_column("show_standings")
