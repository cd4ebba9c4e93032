"""The keys of votes taken back (undo), so that a late copy of an undone vote is not stored again; and on
each respondent's row how many choices they have taken back, for a copy already waiting for that row

Revision ID: c3d9e7a1f5b2
Revises: b7e2c4a91f30
Create Date: 2026-11-30 20:40:00

"""

import sqlalchemy as sa
from alembic import op

import engage.database  # custom column types such as engage.database.UTCDateTime

# revision identifiers, used by Alembic.
revision = "c3d9e7a1f5b2"
down_revision = "b7e2c4a91f30"
branch_labels = None
depends_on = None


def upgrade():
    # Votes undone before this revision left no key behind: nothing to fill in.
    op.create_table(
        "undone_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("undone_at", engage.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_undone_votes_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_undone_votes")),
        sa.UniqueConstraint(
            "exercise_id", "idempotency_key", name=op.f("uq_undone_votes_exercise_id_idempotency_key")
        ),
    )

    # Plain ALTER TABLE on both databases (see b7e2c4a91f30): batch mode would copy respondents and drop the
    # old table, deleting every vote and profile that cascades from it.
    op.add_column("respondents", sa.Column("undos", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    op.drop_column("respondents", "undos")
    op.drop_table("undone_votes")
