"""Partnership boards decide, networks advise: a board's accountable members (given per board by an
administrator) and the sign-off of a partnership board's weight sets

No existing table changes: a published set's standing (decided or advisory) is read from its approved
sign-off, so every set published before this reads as advisory, which is what it was (nobody signed it off).

Revision ID: e4a7c2b9d815
Revises: 7c3e91d4a2b6
Create Date: 2026-11-29 01:30:00

"""

import sqlalchemy as sa
from alembic import op

import engage.database  # custom column types such as engage.database.UTCDateTime

# revision identifiers, used by Alembic.
revision = "e4a7c2b9d815"
down_revision = "7c3e91d4a2b6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "board_accountable_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", engage.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(trim(title)) > 0", name=op.f("ck_board_accountable_members_title_not_blank")
        ),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["boards.id"],
            name=op.f("fk_board_accountable_members_board_id_boards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_board_accountable_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["users.id"],
            name=op.f("fk_board_accountable_members_granted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_accountable_members")),
        sa.UniqueConstraint(
            "board_id", "user_id", name=op.f("uq_board_accountable_members_board_id_user_id")
        ),
    )
    op.create_index(op.f("ix_board_accountable_members_board_id"), "board_accountable_members", ["board_id"])
    op.create_index(op.f("ix_board_accountable_members_user_id"), "board_accountable_members", ["user_id"])
    op.create_table(
        "weight_sign_offs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weight_set_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "pending",
                "approved",
                "sent_back",
                "withdrawn",
                name="sign_off_outcome",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", engage.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", engage.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_name", sa.String(length=200), nullable=False),
        sa.Column("decided_by_title", sa.String(length=120), nullable=False),
        sa.Column("minute_reference", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "(outcome = 'approved') = (length(trim(minute_reference)) > 0)",
            name=op.f("ck_weight_sign_offs_minute_when_approved"),
        ),
        sa.ForeignKeyConstraint(
            ["weight_set_id"],
            ["weight_sets.id"],
            name=op.f("fk_weight_sign_offs_weight_set_id_weight_sets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_weight_sign_offs_submitted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_weight_sign_offs_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weight_sign_offs")),
    )
    op.create_index(op.f("ix_weight_sign_offs_weight_set_id"), "weight_sign_offs", ["weight_set_id"])
    for name, outcome in (("one_pending", "pending"), ("one_decision", "approved")):
        op.create_index(
            f"uq_weight_sign_offs_{name}",
            "weight_sign_offs",
            ["weight_set_id"],
            unique=True,
            sqlite_where=sa.text(f"outcome = '{outcome}'"),
            postgresql_where=sa.text(f"outcome = '{outcome}'"),
        )


def downgrade():
    op.drop_index("uq_weight_sign_offs_one_decision", table_name="weight_sign_offs")
    op.drop_index("uq_weight_sign_offs_one_pending", table_name="weight_sign_offs")
    op.drop_index(op.f("ix_weight_sign_offs_weight_set_id"), table_name="weight_sign_offs")
    op.drop_table("weight_sign_offs")
    op.drop_index(op.f("ix_board_accountable_members_user_id"), table_name="board_accountable_members")
    op.drop_index(op.f("ix_board_accountable_members_board_id"), table_name="board_accountable_members")
    op.drop_table("board_accountable_members")
