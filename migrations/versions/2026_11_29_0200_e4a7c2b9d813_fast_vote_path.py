"""The fast vote path: each respondent counts their own choices (the per-person cap reads one locked row,
not a COUNT of their votes), and items no longer carry running comparisons and ratings updated by every
vote (the pair chooser reads the pair counts instead)

Revision ID: e4a7c2b9d813
Revises: d2f6a8c4e1b9
Create Date: 2026-11-29 02:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e4a7c2b9d813"
down_revision = "d2f6a8c4e1b9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("respondents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("choices", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE respondents SET choices = (SELECT count(*) FROM pairwise_votes"
        " WHERE pairwise_votes.respondent_id = respondents.id)"
    )
    with op.batch_alter_table("exercise_items", schema=None) as batch_op:
        batch_op.drop_column("selection_rating")
        batch_op.drop_column("comparisons")


def downgrade():
    with op.batch_alter_table("exercise_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comparisons", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("selection_rating", sa.Float(), nullable=False, server_default="0"))
    # Decisive comparisons back from the pair counts; the ratings start again at 0 (`rebuild-counts`
    # recomputes them).
    op.execute(
        "UPDATE exercise_items SET comparisons = COALESCE((SELECT sum(low_wins + high_wins) FROM pair_counts"
        " WHERE pair_counts.low_item_id = exercise_items.id OR pair_counts.high_item_id = exercise_items.id),"
        " 0)"
    )
    with op.batch_alter_table("respondents", schema=None) as batch_op:
        batch_op.drop_column("choices")
