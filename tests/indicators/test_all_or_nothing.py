"""An indicator import is all or nothing: when the database refuses its 40th row (another import stored the
same indicator a moment before), none of its rows, its history entry or its remembered columns remain, and
the analyst is told why on the form (or by the command).

Both tests fail on the code before "one transaction per action": the clash was not caught, so the page was
a 500 and the command ended with a database traceback instead of saying what happened.
"""

import io

import pytest
from sqlalchemy import select

from engage.accounts.models import Organisation, Role
from engage.extensions import db
from engage.indicators.models import (
    ColumnMapping,
    ImportStatus,
    Indicator,
    IndicatorImport,
    IndicatorValue,
    Polarity,
)
from tests.all_or_nothing import another_writer_stores, count
from tests.conftest import sign_in

HEADERS = "Indicator Ref,Indicator Name,Board,Priority Code,Period,Actual,Target,Polarity,Unit,Status"
CODES = ["HWB-ALCOHOL", "HWB-SMOKING", "HWB-ACTIVE", "HWB-LONELINESS"]
#: 45 good rows, each a new indicator: the 40th is the one another import stores first.
FILE = "\n".join(
    [HEADERS]
    + [
        f"LOCAL {n},Local measure {n},HWB,{CODES[n % 4]},2025/26 Q3,{n},{n + 1},Higher is better,%,Green"
        for n in range(1, 46)
    ]
).encode()
COLUMNS = {
    "column_reference": "Indicator Ref",
    "column_name": "Indicator Name",
    "column_board": "Board",
    "column_priority_code": "Priority Code",
    "column_period": "Period",
    "column_actual": "Actual",
    "column_target": "Target",
    "column_polarity": "Polarity",
    "column_unit": "Unit",
    "column_status": "Status",
}


def the_40th_row_is_stored_first():
    """Another import stores indicator LOCAL 40 after this import looked for it, before it inserts it."""
    return another_writer_stores(
        lambda obj: isinstance(obj, Indicator) and obj.reference == "LOCAL 40",
        lambda obj: {
            "priority_id": obj.priority.id,
            "reference": obj.reference,
            "name": "Stored by another import",
            "polarity": Polarity.HIGHER,
        },
    )


@pytest.fixture
def held(demo, app):
    """What the database holds before the import: (indicators, values, history entries, mappings)."""
    return lambda: (count(Indicator), count(IndicatorValue), count(IndicatorImport), count(ColumnMapping))


def test_an_upload_whose_40th_row_clashes_imports_nothing_and_says_why(client, held, make_user):
    nhs = db.session.scalar(select(Organisation).where(Organisation.name.like("%Integrated Care%")))
    sign_in(client, make_user(Role.ANALYST, organisation=nhs))
    staged = client.post(
        "/manage/indicators",
        data={"file": (io.BytesIO(FILE), "local.csv")},
        content_type="multipart/form-data",
    )
    record = db.session.scalars(select(IndicatorImport).order_by(IndicatorImport.id.desc())).first()
    kept = record.content
    before = held()

    with the_40th_row_is_stored_first() as fired:
        response = client.post(staged.headers["Location"], data={**COLUMNS, "submit": "Import"})

    assert fired  # the clash happened, at the 40th row
    assert response.status_code == 400
    assert "Another import was saving the same indicators at the same moment" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert held() == before
    assert db.session.scalar(select(Indicator).where(Indicator.reference == "LOCAL 39")) is None
    record = db.session.get(IndicatorImport, record.id)
    assert record.status is ImportStatus.STAGED and record.content == kept  # kept, to import again
    assert db.session.scalar(select(ColumnMapping).where(ColumnMapping.organisation_id == nhs.id)) is None

    again = client.post(
        staged.headers["Location"], data={**COLUMNS, "submit": "Import"}, follow_redirects=True
    )
    assert "Imported 45 new and 0 updated figures; 0 rows were left out." in again.get_data(as_text=True)


def test_the_command_imports_nothing_when_the_40th_row_clashes(runner, held, tmp_path):
    path = tmp_path / "local.csv"
    path.write_bytes(FILE)
    before = held()

    with the_40th_row_is_stored_first() as fired:
        result = runner.invoke(args=["import-indicators", str(path)])

    assert fired
    assert result.exit_code == 1
    assert "Another import was saving the same indicators at the same moment" in result.output
    db.session.expire_all()
    assert held() == before
