"""Consultations: ranking and conditional questions, paper responses with a second-person check, and themes
tagged on written answers

Revision ID: b8fe79c29ce5
Revises: 41c50d5cd767
Create Date: 2026-11-26 19:24:52.987878

"""

from alembic import op
import sqlalchemy as sa

import engage.database  # custom column types such as engage.database.UTCDateTime


# revision identifiers, used by Alembic.
revision = "b8fe79c29ce5"
down_revision = "41c50d5cd767"
branch_labels = None
depends_on = None

KINDS = (
    "'single', 'multiple', 'agreement', 'rating', 'short_text', 'long_text', 'number', 'date', 'importance'"
)
OLD_KINDS = f"kind IN ({KINDS})"
NEW_KINDS = f"kind IN ({KINDS}, 'ranking')"


def upgrade():
    op.create_table(
        "consultation_paper_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", engage.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("differences", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checked_by_id"],
            ["users.id"],
            name=op.f("fk_consultation_paper_checks_checked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["consultation_responses.id"],
            name=op.f("fk_consultation_paper_checks_response_id_consultation_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_paper_checks")),
        sa.UniqueConstraint("response_id", name=op.f("uq_consultation_paper_checks_response_id")),
    )
    op.create_table(
        "consultation_text_themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["consultation_questions.id"],
            name=op.f("fk_consultation_text_themes_question_id_consultation_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_text_themes")),
        sa.UniqueConstraint("question_id", "name", name=op.f("uq_consultation_text_themes_question_id_name")),
    )
    op.create_index(
        op.f("ix_consultation_text_themes_question_id"), "consultation_text_themes", ["question_id"]
    )
    op.create_table(
        "consultation_answer_themes",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["consultation_answers.id"],
            name=op.f("fk_consultation_answer_themes_answer_id_consultation_answers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["consultation_text_themes.id"],
            name=op.f("fk_consultation_answer_themes_theme_id_consultation_text_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("answer_id", "theme_id", name=op.f("pk_consultation_answer_themes")),
    )
    op.create_index(
        op.f("ix_consultation_answer_themes_theme_id"), "consultation_answer_themes", ["theme_id"]
    )
    with op.batch_alter_table("consultation_questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("show_if_option_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_consultation_questions_show_if_option_id_consultation_options"),
            "consultation_options",
            ["show_if_option_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(op.f("ck_consultation_questions_question_kind"), type_="check")
        batch_op.create_check_constraint("question_kind", NEW_KINDS)
    with op.batch_alter_table("consultation_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paper_sheet", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("entered_by_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_consultation_responses_consultation_id_paper_sheet"),
            ["consultation_id", "paper_sheet"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_consultation_responses_entered_by_id_users"),
            "users",
            ["entered_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    # Ranking questions cannot exist under the old schema: remove them (their answers first).
    op.execute(
        "DELETE FROM consultation_answers WHERE question_id IN "
        "(SELECT id FROM consultation_questions WHERE kind = 'ranking')"
    )
    op.execute("DELETE FROM consultation_questions WHERE kind = 'ranking'")
    with op.batch_alter_table("consultation_responses", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_consultation_responses_entered_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_consultation_responses_consultation_id_paper_sheet"), type_="unique"
        )
        batch_op.drop_column("entered_by_id")
        batch_op.drop_column("paper_sheet")
    with op.batch_alter_table("consultation_questions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_consultation_questions_question_kind"), type_="check")
        batch_op.create_check_constraint("question_kind", OLD_KINDS)
        batch_op.drop_constraint(
            batch_op.f("fk_consultation_questions_show_if_option_id_consultation_options"), type_="foreignkey"
        )
        batch_op.drop_column("show_if_option_id")
    op.drop_index(op.f("ix_consultation_answer_themes_theme_id"), table_name="consultation_answer_themes")
    op.drop_table("consultation_answer_themes")
    op.drop_index(op.f("ix_consultation_text_themes_question_id"), table_name="consultation_text_themes")
    op.drop_table("consultation_text_themes")
    op.drop_table("consultation_paper_checks")
