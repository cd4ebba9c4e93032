"""Consultations can publish their results with what was decided ("we did")

Revision ID: 019647dcda06
Revises: 877b27ea4300
Create Date: 2026-11-26 11:45:20.163459

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "019647dcda06"
down_revision = "877b27ea4300"
branch_labels = None
depends_on = None


OLD_STATUSES = "status IN ('draft', 'open', 'closed')"
NEW_STATUSES = "status IN ('draft', 'open', 'closed', 'published')"


def upgrade():
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("we_did", sa.Text(), nullable=False, server_default=""))
        batch_op.drop_constraint(op.f("ck_consultations_consultation_status"), type_="check")
        batch_op.create_check_constraint("consultation_status", NEW_STATUSES)
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.alter_column("we_did", server_default=None)


def downgrade():
    op.execute("UPDATE consultations SET status = 'closed' WHERE status = 'published'")
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_consultations_consultation_status"), type_="check")
        batch_op.create_check_constraint("consultation_status", OLD_STATUSES)
        batch_op.drop_column("we_did")
