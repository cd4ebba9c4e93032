"""The migration that gives indicators an owner: each indicator gets the organisation of the import that last
wrote one of its values (none from the command line), and each value held gets its first history row."""

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from engage import create_app
from engage.extensions import db
from tests.test_migrations import scratch_database_url  # noqa: F401 - the fixture

pytestmark = pytest.mark.real_commits
BEFORE = "5e1f0c2a9b7d"


def test_owners_and_first_history_rows_are_backfilled(scratch_database_url):  # noqa: F811
    app = create_app({"ENGAGE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": scratch_database_url})
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with app.app_context():
        upgrade(revision=BEFORE)
        meta = sa.MetaData()
        meta.reflect(db.engine)
        t = meta.tables
        with db.engine.begin() as c:
            c.execute(
                t["organisations"].insert(),
                [
                    {"id": 1, "name": "Westmarch Police", "kind": "police", "created_at": now},
                ],
            )
            c.execute(
                t["boards"].insert(),
                [
                    {
                        "id": 1,
                        "name": "Safer",
                        "slug": "safer",
                        "short_code": "SSC",
                        "remit": "",
                        "kind": "partnership",
                        "created_at": now,
                    }
                ],
            )
            c.execute(
                t["priorities"].insert(),
                [
                    {
                        "id": 1,
                        "board_id": 1,
                        "code": "SSC-ASB",
                        "title": "ASB",
                        "description": "",
                        "status": "active",
                        "created_at": now,
                        "updated_at": now,
                    }
                ],
            )
            c.execute(
                t["indicator_imports"].insert(),
                [
                    {
                        "id": 1,
                        "organisation_id": 1,
                        "filename": "police.csv",
                        "status": "imported",
                        "created_at": now,
                        "imported_at": now,
                        "rows_total": 1,
                        "rows_added": 1,
                        "rows_updated": 0,
                        "rows_rejected": 0,
                    },
                    {
                        "id": 2,
                        "organisation_id": None,
                        "filename": "cli.csv",
                        "status": "imported",
                        "created_at": now,
                        "imported_at": now,
                        "rows_total": 1,
                        "rows_added": 1,
                        "rows_updated": 0,
                        "rows_rejected": 0,
                    },
                ],
            )
            c.execute(
                t["indicators"].insert(),
                [
                    {
                        "id": 1,
                        "priority_id": 1,
                        "reference": "NI 17",
                        "name": "ASB",
                        "unit": "",
                        "polarity": "lower",
                    },
                    {
                        "id": 2,
                        "priority_id": 1,
                        "reference": "NI 1",
                        "name": "Cohesion",
                        "unit": "",
                        "polarity": "higher",
                    },
                ],
            )
            c.execute(
                t["indicator_values"].insert(),
                [
                    {
                        "id": 1,
                        "indicator_id": 1,
                        "period": "2025/26 Q2",
                        "actual": 18.0,
                        "target": 17.0,
                        "status": "amber",
                        "import_id": 1,
                        "updated_at": now,
                    },
                    {
                        "id": 2,
                        "indicator_id": 2,
                        "period": "2025/26 Q2",
                        "actual": 70.0,
                        "target": None,
                        "status": None,
                        "import_id": 2,
                        "updated_at": now,
                    },
                ],
            )
        upgrade()
        with db.engine.connect() as c:
            owners = dict(c.execute(sa.text("SELECT id, owner_organisation_id FROM indicators")).all())
            history = c.execute(
                sa.text(
                    "SELECT value_id, before, after, source FROM indicator_value_changes ORDER BY value_id"
                )
            ).all()
            scopes = c.execute(sa.text("SELECT count(*) FROM api_tokens")).scalar()
            # SQLite rebuilds "indicators" to add the foreign key: its values must survive (ON DELETE CASCADE)
            kept = c.execute(sa.text("SELECT count(*) FROM indicator_values")).scalar()
        db.engine.dispose()  # its pooled connections would otherwise be closed by the garbage collector
        assert kept == 2
        assert owners == {1: 1, 2: None}
        assert [(row[0], row[1], row[3]) for row in history] == [(1, None, "import"), (2, None, "import")]
        assert json.loads(history[0][2]) == {
            "period": "2025/26 Q2",
            "actual": 18.0,
            "target": 17.0,
            "polarity": "lower",
            "status": "amber",
            "commentary": "",
        }
        assert scopes == 0
