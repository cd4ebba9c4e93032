"""Officers' translations of a consultation's resident-facing texts, per language; residents' "save and
come back later" links

Revision ID: 1ddcc31245e6
Revises: b8fe79c29ce5
Create Date: 2026-11-26 19:51:01.775000

"""

from alembic import op
import sqlalchemy as sa

import engage.database  # noqa: F401  custom column types such as engage.database.UTCDateTime


# revision identifiers, used by Alembic.
revision = "1ddcc31245e6"
down_revision = "b8fe79c29ce5"
branch_labels = None
depends_on = None


def upgrade():
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
    with op.batch_alter_table("consultation_drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resume_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_consultation_drafts_resume_hash"), ["resume_hash"])


def downgrade():
    with op.batch_alter_table("consultation_drafts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_consultation_drafts_resume_hash"), type_="unique")
        batch_op.drop_column("resume_hash")
    with op.batch_alter_table("consultation_translations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_translations_consultation_id"))

    op.drop_table("consultation_translations")
