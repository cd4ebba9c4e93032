"""Questions: whole numbers only (number questions), and a date range or "not after today" (date questions)

Revision ID: b7e3c1d9a2f4
Revises: c5e8a1d3f7b2
Create Date: 2026-11-28 23:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e3c1d9a2f4"
down_revision = "c5e8a1d3f7b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consultation_questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("whole_number", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("earliest_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("latest_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("not_in_future", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("consultation_questions", schema=None) as batch_op:
        batch_op.drop_column("not_in_future")
        batch_op.drop_column("latest_date")
        batch_op.drop_column("earliest_date")
        batch_op.drop_column("whole_number")
