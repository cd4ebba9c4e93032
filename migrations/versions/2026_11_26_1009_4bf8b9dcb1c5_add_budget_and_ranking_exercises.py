"""Budget and ranking exercises: budget settings, item amounts and consequences, submissions, comments

Revision ID: 4bf8b9dcb1c5
Revises: 531ba3474ed1
Create Date: 2026-11-26 10:09:33.107408

"""

from alembic import op
import sqlalchemy as sa

import engage.database  # custom column types such as engage.database.UTCDateTime


# revision identifiers, used by Alembic.
revision = "4bf8b9dcb1c5"
down_revision = "531ba3474ed1"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('pairwise')"
NEW_KINDS = "kind IN ('pairwise', 'budget', 'ranking')"


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", engage.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_comments_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondents.id"],
            name=op.f("fk_comments_respondent_id_respondents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index(op.f("ix_comments_exercise_id"), "comments", ["exercise_id"], unique=False)

    op.create_table(
        "item_consequences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("direction", _enum("threshold", "below", "above"), nullable=False),
        sa.Column("threshold", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["exercise_items.id"],
            name=op.f("fk_item_consequences_item_id_exercise_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_consequences")),
    )
    op.create_index(op.f("ix_item_consequences_item_id"), "item_consequences", ["item_id"], unique=False)

    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("channel", _enum("channel", "online", "workshop", "paper"), nullable=False),
        sa.Column("workshop_session_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("created_at", engage.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_submissions_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondents.id"],
            name=op.f("fk_submissions_respondent_id_respondents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint(
            "exercise_id", "idempotency_key", name=op.f("uq_submissions_exercise_id_idempotency_key")
        ),
        sa.UniqueConstraint(
            "exercise_id", "respondent_id", name=op.f("uq_submissions_exercise_id_respondent_id")
        ),
    )
    op.create_table(
        "submission_entries",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("value >= 0", name=op.f("ck_submission_entries_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["exercise_items.id"],
            name=op.f("fk_submission_entries_item_id_exercise_items"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_submission_entries_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("submission_id", "item_id", name=op.f("pk_submission_entries")),
    )

    with op.batch_alter_table("exercise_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_amount", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("minimum", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("maximum", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("step", sa.BigInteger(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("buys", sa.Text(), nullable=False, server_default=""))
        batch_op.create_check_constraint("step_positive", "step > 0")
        batch_op.create_check_constraint("minimum_not_negative", "minimum IS NULL OR minimum >= 0")
        batch_op.create_check_constraint(
            "range_order", "minimum IS NULL OR maximum IS NULL OR minimum <= maximum"
        )
        batch_op.create_check_constraint(
            "current_not_negative", "current_amount IS NULL OR current_amount >= 0"
        )
    with op.batch_alter_table("exercise_items", schema=None) as batch_op:
        batch_op.alter_column("step", server_default=None)
        batch_op.alter_column("buys", server_default=None)

    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("budget_mode", _enum("budget_mode", "share", "rebalance"), nullable=True)
        )
        batch_op.add_column(sa.Column("unit", _enum("budget_unit", "money", "points", "dots"), nullable=True))
        batch_op.add_column(sa.Column("budget_total", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("total_min", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("total_max", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("band_d_households", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("require_full", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(
            sa.Column("show_comparison", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("rank_top_n", sa.Integer(), nullable=True))
        batch_op.drop_constraint(op.f("ck_exercises_exercise_kind"), type_="check")
        batch_op.create_check_constraint("exercise_kind", NEW_KINDS)
        batch_op.create_check_constraint("budget_positive", "budget_total IS NULL OR budget_total > 0")
        batch_op.create_check_constraint(
            "total_range_order", "total_min IS NULL OR total_max IS NULL OR total_min <= total_max"
        )
        batch_op.create_check_constraint("top_n_positive", "rank_top_n IS NULL OR rank_top_n > 0")
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.alter_column("require_full", server_default=None)
        batch_op.alter_column("show_comparison", server_default=None)


def downgrade():
    # Budget and ranking exercises cannot exist under the old schema: remove them (their rows cascade).
    op.execute("DELETE FROM exercises WHERE kind <> 'pairwise'")
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_exercises_budget_unit"), type_="check")
        batch_op.drop_constraint(op.f("ck_exercises_budget_mode"), type_="check")
        batch_op.drop_constraint(op.f("ck_exercises_top_n_positive"), type_="check")
        batch_op.drop_constraint(op.f("ck_exercises_total_range_order"), type_="check")
        batch_op.drop_constraint(op.f("ck_exercises_budget_positive"), type_="check")
        batch_op.drop_constraint(op.f("ck_exercises_exercise_kind"), type_="check")
        batch_op.create_check_constraint("exercise_kind", OLD_KINDS)
        for column in (
            "rank_top_n",
            "show_comparison",
            "require_full",
            "band_d_households",
            "total_max",
            "total_min",
            "budget_total",
            "unit",
            "budget_mode",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("exercise_items", schema=None) as batch_op:
        for name in ("current_not_negative", "range_order", "minimum_not_negative", "step_positive"):
            batch_op.drop_constraint(op.f(f"ck_exercise_items_{name}"), type_="check")
        for column in ("buys", "step", "maximum", "minimum", "current_amount"):
            batch_op.drop_column(column)

    op.drop_table("submission_entries")
    op.drop_table("submissions")
    op.drop_index(op.f("ix_item_consequences_item_id"), table_name="item_consequences")
    op.drop_table("item_consequences")
    op.drop_index(op.f("ix_comments_exercise_id"), table_name="comments")
    op.drop_table("comments")
