"""A workshop's projector-only link: a random value per session that the link's token is made from
(revoked by clearing or replacing it)

Revision ID: c5e8a1d3f7b2
Revises: 9b4d2e6f1a83
Create Date: 2026-11-28 23:46:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5e8a1d3f7b2"
down_revision = "9b4d2e6f1a83"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workshop_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("screen_nonce", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("workshop_sessions", schema=None) as batch_op:
        batch_op.drop_column("screen_nonce")
