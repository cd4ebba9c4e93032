"""Derived consultation counts per equality cell, so results read counts instead of every answer

Consultations already holding responses are counted the first time their results are read (their
counted_basis starts empty), or at once with ``flask rebuild-answer-counts``.

Revision ID: 034516ac0930
Revises: 1ddcc31245e6
Create Date: 2026-11-26 22:42:11.353612

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "034516ac0930"
down_revision = "1ddcc31245e6"
branch_labels = None
depends_on = None


def _owned_by(table: str, *, question: bool) -> list:
    """The consultation (and question) a count belongs to, deleted with it."""
    keys = [
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f(f"fk_{table}_consultation_id_consultations"),
            ondelete="CASCADE",
        )
    ]
    if question:
        keys.append(
            sa.ForeignKeyConstraint(
                ["question_id"],
                ["consultation_questions.id"],
                name=op.f(f"fk_{table}_question_id_consultation_questions"),
                ondelete="CASCADE",
            )
        )
    return keys


def upgrade():
    op.create_table(
        "consultation_response_counts",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("cell", sa.String(length=1000), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        *_owned_by("consultation_response_counts", question=False),
        sa.PrimaryKeyConstraint(
            "consultation_id", "cell", "channel", name=op.f("pk_consultation_response_counts")
        ),
    )
    op.create_table(
        "consultation_answer_counts",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("cell", sa.String(length=1000), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        *_owned_by("consultation_answer_counts", question=True),
        sa.PrimaryKeyConstraint(
            "question_id",
            "cell",
            "option_id",
            "priority_id",
            "number",
            "code",
            name=op.f("pk_consultation_answer_counts"),
        ),
    )
    op.create_table(
        "consultation_question_counts",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("cell", sa.String(length=1000), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        *_owned_by("consultation_question_counts", question=True),
        sa.PrimaryKeyConstraint("question_id", "cell", name=op.f("pk_consultation_question_counts")),
    )
    for table in ("consultation_answer_counts", "consultation_question_counts"):
        op.create_index(op.f(f"ix_{table}_consultation_id"), table, ["consultation_id"], unique=False)
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counted_basis", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_column("counted_basis")
    for table in ("consultation_answer_counts", "consultation_question_counts"):
        op.drop_index(op.f(f"ix_{table}_consultation_id"), table_name=table)
    op.drop_table("consultation_question_counts")
    op.drop_table("consultation_answer_counts")
    op.drop_table("consultation_response_counts")
