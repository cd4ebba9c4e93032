"""Open-text workshop rounds: each answer sent from a phone waits for the facilitator before it shows on the
projector (workshop_wall_entries); and the facilitator's notes per round

Revision ID: d2f6a8c4e1b9
Revises: e4a7c2b9d1f5
Create Date: 2026-11-29 01:40:00

"""

import sqlalchemy as sa
from alembic import op

import engage.database  # custom column types such as engage.database.UTCDateTime

# revision identifiers, used by Alembic.
revision = "d2f6a8c4e1b9"
down_revision = "e4a7c2b9d1f5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workshop_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notes", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "workshop_wall_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "waiting",
                "shown",
                "hidden",
                name="wall_state",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("moderated_by_id", sa.Integer(), nullable=True),
        sa.Column("moderated_at", engage.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["workshop_rounds.id"],
            name=op.f("fk_workshop_wall_entries_round_id_workshop_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["consultation_answers.id"],
            name=op.f("fk_workshop_wall_entries_answer_id_consultation_answers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["moderated_by_id"],
            ["users.id"],
            name=op.f("fk_workshop_wall_entries_moderated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_wall_entries")),
        sa.UniqueConstraint("answer_id", name=op.f("uq_workshop_wall_entries_answer_id")),
    )
    with op.batch_alter_table("workshop_wall_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workshop_wall_entries_round_id"), ["round_id"], unique=False)


def downgrade():
    with op.batch_alter_table("workshop_wall_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_wall_entries_round_id"))
    op.drop_table("workshop_wall_entries")
    with op.batch_alter_table("workshop_rounds", schema=None) as batch_op:
        batch_op.drop_column("notes")
