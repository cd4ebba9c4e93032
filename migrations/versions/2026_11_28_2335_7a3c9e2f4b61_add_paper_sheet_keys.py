"""Paper sheets keep the key of the form they were typed into, so the same form sent twice stores one sheet

Revision ID: 7a3c9e2f4b61
Revises: 5e1f0c2a9b7d
Create Date: 2026-11-28 23:35:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7a3c9e2f4b61"
down_revision = "5e1f0c2a9b7d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workshop_paper_sheets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sheet_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            "uq_workshop_paper_sheets_round_id_sheet_key", ["round_id", "sheet_key"]
        )


def downgrade():
    with op.batch_alter_table("workshop_paper_sheets", schema=None) as batch_op:
        batch_op.drop_constraint("uq_workshop_paper_sheets_round_id_sheet_key", type_="unique")
        batch_op.drop_column("sheet_key")
