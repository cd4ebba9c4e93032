"""Loading population figures is all or nothing: when the database refuses a row half-way through (someone
else loaded figures a moment before), the old figures stay and the page or the command says why.

Both tests fail on the code before "one transaction per action": the clash was not caught (a 500 page, a
database traceback from the command).
"""

import io
from pathlib import Path

import pytest

from engage.accounts.models import Role
from engage.extensions import db
from engage.population.models import PopulationMargin
from engage.population.service import import_population, population_margins
from tests.all_or_nothing import another_writer_stores

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "population.csv"
#: New figures: two dimensions of five categories; the 7th row is the one someone else stores first.
NEW = "dimension,category,population\n" + "".join(
    f"{dimension},{category},200\n" for dimension in ("sex", "ward") for category in "ABCDE"
)


@pytest.fixture
def old_figures(app):
    import_population(SAMPLE.read_text(encoding="utf-8"))
    db.session.commit()
    return population_margins()


def the_7th_row_is_stored_first():
    return another_writer_stores(
        lambda obj: isinstance(obj, PopulationMargin) and (obj.dimension, obj.category) == ("ward", "B"),
        lambda obj: {"dimension": obj.dimension, "category": obj.category, "population": 1},
    )


def test_an_upload_failing_half_way_keeps_the_old_figures_and_says_why(client, signed_in, old_figures):
    signed_in(Role.ANALYST)
    with the_7th_row_is_stored_first() as fired:
        response = client.post(
            "/manage/population",
            data={"file": (io.BytesIO(NEW.encode()), "population.csv")},
            content_type="multipart/form-data",
        )
    assert fired
    assert response.status_code == 400
    assert "Someone else loaded population figures at the same moment" in response.get_data(as_text=True)
    db.session.expire_all()
    assert population_margins() == old_figures


def test_the_command_failing_half_way_keeps_the_old_figures(runner, old_figures, tmp_path):
    path = tmp_path / "population.csv"
    path.write_text(NEW, encoding="utf-8")
    with the_7th_row_is_stored_first() as fired:
        result = runner.invoke(args=["import-population", str(path)])
    assert fired
    assert result.exit_code == 1
    assert "Nothing was imported." in result.output and "at the same moment" in result.output
    db.session.expire_all()
    assert population_margins() == old_figures
