"""Partners enter their own indicator values: each indicator has an owner organisation, each value a
commentary and a history of every entry and correction; API tokens read or write

Owners are backfilled from the organisation of the import that last wrote one of the indicator's values
(left empty when it was imported from the command line: an administrator gives it one). Each value held
before gets one history row saying so, so every value's history starts with its figures. Tokens issued
before this can only read, as they could before.

Revision ID: 7c3e91d4a2b6
Revises: b7e3c1d9a2f4
Create Date: 2026-11-28 23:40:00

"""

import json

import sqlalchemy as sa
from alembic import op

import engage.database  # custom column types such as engage.database.UTCDateTime

# revision identifiers, used by Alembic.
revision = "7c3e91d4a2b6"
down_revision = "b7e3c1d9a2f4"
branch_labels = None
depends_on = None


def _enum(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    # SQLite's batch mode rebuilds a table (copy, drop the old one, rename), and with foreign keys on,
    # dropping "indicators" deletes every value through ON DELETE CASCADE: the values are kept aside and put
    # back. "api_tokens" is not rebuilt (that would empty the call log's token column): its new column is
    # added with ALTER TABLE, keeping its server default.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMPORARY TABLE kept_indicator_values AS SELECT * FROM indicator_values")
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_indicators_owner_organisation_id_organisations"),
            "organisations",
            ["owner_organisation_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    if sqlite:
        op.execute(
            "INSERT INTO indicator_values SELECT * FROM kept_indicator_values"
            " WHERE id NOT IN (SELECT id FROM indicator_values)"
        )
        op.execute("DROP TABLE kept_indicator_values")
    op.create_index(op.f("ix_indicators_owner_organisation_id"), "indicators", ["owner_organisation_id"])
    op.add_column("indicator_values", sa.Column("commentary", sa.Text(), nullable=False, server_default=""))
    if sqlite:
        op.execute(
            "ALTER TABLE api_tokens ADD COLUMN scope VARCHAR(20) NOT NULL DEFAULT 'read' "
            "CONSTRAINT ck_api_tokens_token_scope CHECK (scope IN ('read', 'write'))"
        )
    else:
        op.add_column("api_tokens", sa.Column("scope", sa.String(20), nullable=False, server_default="read"))
        op.create_check_constraint(
            op.f("ck_api_tokens_token_scope"), "api_tokens", "scope IN ('read', 'write')"
        )
    op.create_table(
        "indicator_value_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value_id", sa.Integer(), nullable=False),
        sa.Column("at", engage.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=300), nullable=False),
        sa.Column("source", _enum("form", "api", "import", name="value_source"), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_indicator_value_changes_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["value_id"],
            ["indicator_values.id"],
            name=op.f("fk_indicator_value_changes_value_id_indicator_values"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value_changes")),
    )
    op.create_index(op.f("ix_indicator_value_changes_value_id"), "indicator_value_changes", ["value_id"])

    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE indicators SET owner_organisation_id = ("
            " SELECT ii.organisation_id FROM indicator_values iv"
            " JOIN indicator_imports ii ON ii.id = iv.import_id"
            " WHERE iv.indicator_id = indicators.id AND ii.organisation_id IS NOT NULL"
            " ORDER BY ii.imported_at DESC, ii.id DESC LIMIT 1)"
        )
    )
    values = sa.table(
        "indicator_values",
        sa.column("id", sa.Integer),
        sa.column("indicator_id", sa.Integer),
        sa.column("period", sa.String),
        sa.column("actual", sa.Float),
        sa.column("target", sa.Float),
        sa.column("status", sa.String),
        sa.column("updated_at", engage.database.UTCDateTime(timezone=True)),
    )
    indicators = sa.table("indicators", sa.column("id", sa.Integer), sa.column("polarity", sa.String))
    held = bind.execute(
        sa.select(
            values.c.id,
            values.c.period,
            values.c.actual,
            values.c.target,
            values.c.status,
            values.c.updated_at,
            indicators.c.polarity,
        ).join_from(values, indicators, indicators.c.id == values.c.indicator_id)
    ).all()
    changes = sa.table(
        "indicator_value_changes",
        sa.column("value_id", sa.Integer),
        sa.column("at", engage.database.UTCDateTime(timezone=True)),
        sa.column("actor", sa.String),
        sa.column("source", sa.String),
        sa.column("before", sa.Text),
        sa.column("after", sa.Text),
    )
    rows = [
        {
            "value_id": value_id,
            "at": updated_at,
            "actor": "Held before the history was kept",
            "source": "import",
            "before": None,
            "after": json.dumps(
                {
                    "period": period,
                    "actual": actual,
                    "target": target,
                    "polarity": polarity,
                    "status": status,
                    "commentary": "",
                },
                sort_keys=True,
            ),
        }
        for value_id, period, actual, target, status, updated_at, polarity in held
    ]
    if rows:
        op.bulk_insert(changes, rows)


def downgrade():
    op.drop_index(op.f("ix_indicator_value_changes_value_id"), table_name="indicator_value_changes")
    op.drop_table("indicator_value_changes")
    bind = op.get_bind()
    # On SQLite this rebuilds api_tokens, and dropping it empties the call log's token column (ON DELETE SET
    # NULL): keep the links and put them back.
    kept = (
        [{"row": r, "token": t} for r, t in bind.execute(sa.text("SELECT id, token_id FROM api_calls"))]
        if bind.dialect.name == "sqlite"
        else []
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_api_tokens_token_scope"), type_="check")
        batch_op.drop_column("scope")
    if kept:
        bind.execute(sa.text("UPDATE api_calls SET token_id = :token WHERE id = :row"), kept)
    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.drop_column("commentary")
    op.drop_index(op.f("ix_indicators_owner_organisation_id"), table_name="indicators")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # as in upgrade: the rebuild of "indicators" would delete every value
        op.execute("CREATE TEMPORARY TABLE kept_indicator_values AS SELECT * FROM indicator_values")
    with op.batch_alter_table("indicators", recreate="always" if sqlite else "auto") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_indicators_owner_organisation_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_column("owner_organisation_id")
    if sqlite:
        op.execute(
            "INSERT INTO indicator_values SELECT * FROM kept_indicator_values"
            " WHERE id NOT IN (SELECT id FROM indicator_values)"
        )
        op.execute("DROP TABLE kept_indicator_values")
