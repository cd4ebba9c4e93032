"""Importing the area's population margins: the real export's quirks, clear problems, all or nothing."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engage.extensions import db
from engage.population.models import PopulationMargin
from engage.population.service import (
    PopulationFileProblem,
    import_population,
    parse_population_csv,
    population_margins,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "population.csv"


def test_the_sample_file_imports(app):
    report = import_population(SAMPLE.read_text(encoding="utf-8"))
    assert report.dimensions == {"age_band": (7, 346600), "sex": (2, 346600), "ward": (5, 346600)}
    margins = population_margins()
    assert margins["sex"] == {"Female": 175300, "Male": 171300}


def test_bom_semicolons_quoting_column_order_and_blank_rows(app):
    text = '\ufeffPopulation;"Category";Dimension\n"1,000";Female;sex\n1000;Male;sex\n;;\n\n2000;All;area\n'
    assert parse_population_csv(text) == {"sex": {"Female": 1000, "Male": 1000}, "area": {"All": 2000}}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("dimension,category\nsex,Female\n", "no column called 'population'"),
        ("dimension,category,population\nsex,Female,lots\n", "'lots' is not a whole number"),
        ("dimension,category,population\nsex,Female,-3\n", "cannot be negative"),
        ("dimension,category,population\nsex,Female,1\nsex,Female,2\n", "appears twice"),
        ("dimension,category,population\n,Female,1\n", "cannot be blank"),
        ("dimension,category,population\nsex,F,10\nsex,M,10\nward,N,15\n", "sex 20, ward 15"),
        ("", "The file is empty."),
    ],
)
def test_problems_are_named_and_nothing_is_written(app, text, problem):
    import_population(SAMPLE.read_text(encoding="utf-8"))
    with pytest.raises(PopulationFileProblem) as error:
        import_population(text)
    assert any(problem in message for message in error.value.problems)
    assert db.session.scalar(select(func.count()).select_from(PopulationMargin)) == 14  # the old figures stay


def test_cli(runner, tmp_path):
    ok = runner.invoke(args=["import-population", str(SAMPLE)])
    assert ok.exit_code == 0, ok.output
    assert "ward: 5 categories, 346,600 people" in ok.output
    bad = tmp_path / "bad.csv"
    bad.write_text("dimension,category,population\nsex,F,1\nward,N,2\n", encoding="utf-8")
    refused = runner.invoke(args=["import-population", str(bad)])
    assert refused.exit_code != 0 and "Nothing was imported." in refused.output
    assert "Each dimension must add up to the same total" in refused.output
