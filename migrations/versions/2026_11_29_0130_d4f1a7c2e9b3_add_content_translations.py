"""Officers' translations of every resident-facing text (exercises and their items, boards and priorities,
weight sets, consultations) in one table, content_translations, which takes over consultation_translations

Revision ID: d4f1a7c2e9b3
Revises: e4a7c2b9d813
Create Date: 2026-11-29 01:30:00.000000

"""

from alembic import op
import sqlalchemy as sa

import engage.database  # noqa: F401  custom column types such as engage.database.UTCDateTime


# revision identifiers, used by Alembic.
revision = "d4f1a7c2e9b3"
down_revision = "e4a7c2b9d813"
branch_labels = None
depends_on = None

OWNERS = (
    ("consultation_id", "consultations"),
    ("exercise_id", "exercises"),
    ("board_id", "boards"),
    ("weight_set_id", "weight_sets"),
)


def upgrade():
    op.create_table(
        "content_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        *(sa.Column(column, sa.Integer(), nullable=True) for column, _table in OWNERS),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            " + ".join(f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)" for column, _table in OWNERS)
            + " = 1",
            name=op.f("ck_content_translations_one_owner"),
        ),
        *(
            sa.ForeignKeyConstraint(
                [column],
                [f"{table}.id"],
                name=op.f(f"fk_content_translations_{column}_{table}"),
                ondelete="CASCADE",
            )
            for column, table in OWNERS
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_translations")),
        sa.UniqueConstraint("locale", "key", name=op.f("uq_content_translations_locale_key")),
    )
    with op.batch_alter_table("content_translations", schema=None) as batch_op:
        for column, _table in OWNERS:
            batch_op.create_index(batch_op.f(f"ix_content_translations_{column}"), [column], unique=False)
    op.execute(
        "INSERT INTO content_translations (consultation_id, locale, key, text) "
        "SELECT consultation_id, locale, key, text FROM consultation_translations"
    )
    with op.batch_alter_table("consultation_translations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_translations_consultation_id"))
    op.drop_table("consultation_translations")


def downgrade():
    op.create_table(
        "consultation_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_translations_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_translations")),
        sa.UniqueConstraint(
            "consultation_id",
            "locale",
            "key",
            name=op.f("uq_consultation_translations_consultation_id_locale_key"),
        ),
    )
    with op.batch_alter_table("consultation_translations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_translations_consultation_id"), ["consultation_id"], unique=False
        )
    # Only a consultation's texts had a table before; the rest are lost on the way down.
    op.execute(
        "INSERT INTO consultation_translations (consultation_id, locale, key, text) "
        "SELECT consultation_id, locale, key, text FROM content_translations "
        "WHERE consultation_id IS NOT NULL"
    )
    with op.batch_alter_table("content_translations", schema=None) as batch_op:
        for column, _table in OWNERS:
            batch_op.drop_index(batch_op.f(f"ix_content_translations_{column}"))
    op.drop_table("content_translations")
