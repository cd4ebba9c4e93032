"""API tokens expire: each has a date after which it no longer works

Tokens issued before this get 90 days from the upgrade, so partners' systems keep working while new tokens
are issued.

Revision ID: 5e1f0c2a9b7d
Revises: da4be255583b
Create Date: 2026-11-28 23:00:00

"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import engage.database  # custom column types such as engage.database.UTCDateTime

# revision identifiers, used by Alembic.
revision = "5e1f0c2a9b7d"
down_revision = "da4be255583b"
branch_labels = None
depends_on = None


def _call_log_tokens() -> list:
    """On SQLite, batch mode rebuilds api_tokens (drop and re-create), and dropping it sets every call-log
    row's token to NULL (ON DELETE SET NULL): keep them to put back."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return []
    return [
        {"row": row_id, "token": token_id}
        for row_id, token_id in bind.execute(
            sa.text("SELECT id, token_id FROM api_calls WHERE token_id IS NOT NULL")
        )
    ]


def _restore_call_log_tokens(kept: list) -> None:
    if kept:
        op.get_bind().execute(sa.text("UPDATE api_calls SET token_id = :token WHERE id = :row"), kept)


def upgrade():
    kept = _call_log_tokens()
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", engage.database.UTCDateTime(timezone=True), nullable=True)
        )
    tokens = sa.table("api_tokens", sa.column("expires_at", engage.database.UTCDateTime(timezone=True)))
    op.execute(tokens.update().values(expires_at=datetime.now(UTC) + timedelta(days=90)))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at", existing_type=engage.database.UTCDateTime(timezone=True), nullable=False
        )
    _restore_call_log_tokens(kept)


def downgrade():
    kept = _call_log_tokens()
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    _restore_call_log_tokens(kept)
