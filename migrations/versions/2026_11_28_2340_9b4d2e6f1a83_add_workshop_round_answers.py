"""Who in the room has answered each round (not what they answered), for the facilitator's list of names

Revision ID: 9b4d2e6f1a83
Revises: 7a3c9e2f4b61
Create Date: 2026-11-28 23:40:00

"""

import sqlalchemy as sa
from alembic import op

import engage.database  # custom column types such as engage.database.UTCDateTime

# revision identifiers, used by Alembic.
revision = "9b4d2e6f1a83"
down_revision = "7a3c9e2f4b61"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "workshop_round_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", engage.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["workshop_rounds.id"],
            name=op.f("fk_workshop_round_answers_round_id_workshop_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["workshop_participants.id"],
            name=op.f("fk_workshop_round_answers_participant_id_workshop_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_round_answers")),
        sa.UniqueConstraint(
            "round_id", "participant_id", name=op.f("uq_workshop_round_answers_round_id_participant_id")
        ),
    )


def downgrade():
    op.drop_table("workshop_round_answers")
