"""A draft keeps the answer rows its answers were last checked into, with what they were checked against,
so that sending it stores them without checking every page again (engage.surveys.checked)

Revision ID: f1c8d2a6b3e7
Revises: c3d9e7a1f5b2
Create Date: 2026-12-01 04:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f1c8d2a6b3e7"
down_revision = "c3d9e7a1f5b2"
branch_labels = None
depends_on = None


def upgrade():
    # NULL: not checked yet, and every draft saved before this revision (it is checked when sent, as before).
    # Plain ALTER TABLE on both databases (see b7e2c4a91f30).
    op.add_column("consultation_drafts", sa.Column("checked", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("consultation_drafts", "checked")
