"""A structure stamp on each exercise and consultation, changed with every edit of its items (and their
consequences) or of its pages, questions and options: a worker keeps a copy of them under it
(engage.kept_structure)

Revision ID: b7e2c4a91f30
Revises: e41a7c2b9d05
Create Date: 2026-11-30 00:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e2c4a91f30"
down_revision = "e41a7c2b9d05"
branch_labels = None
depends_on = None

TABLES = ("exercises", "consultations")


# Plain ALTER TABLE on both databases, not batch mode: SQLite (3.35 and later) adds and drops such a column in
# place, whereas batch mode would copy the table and drop the old one, and with foreign keys on, dropping
# consultations or exercises deletes every row that cascades from them (pages, questions, responses).


def upgrade():
    # Every existing row starts at 0; no worker holds a copy yet (they restart with the upgrade).
    for table in TABLES:
        op.add_column(
            table, sa.Column("structure_version", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade():
    for table in TABLES:
        op.drop_column(table, "structure_version")
