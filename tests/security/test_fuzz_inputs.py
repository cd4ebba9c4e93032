"""Property-based tests (Hypothesis) for bad input: random strings, huge values, Unicode edge cases, wrong
types and repeated fields sent to every form a resident or officer uses, and random bytes to the importers.
The app must answer with a clear 4xx (or accept valid input), never a 5xx, and never store half of it."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from engage.extensions import db
from engage.indicators.reading import FileProblem, read_table
from engage.population.models import PopulationMargin
from engage.population.service import PopulationFileProblem, import_population
from engage.prioritise.models import BudgetMode, PairwiseVote, Submission
from engage.surveys.models import ConsultationResponse
from tests.conftest import sign_in

#: Text that has broken web apps: control characters, lone surrogates' neighbours, right-to-left marks,
#: combining marks, emoji, numbers in other scripts, SQL and HTML fragments, and very long strings.
NASTY = st.one_of(
    st.text(max_size=50),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\u202e\u202d",
            "e\u0301" * 40,
            "𝟙𝟚𝟛",
            "١٢٣",
            "1e309",
            "-0",
            "NaN",
            "9" * 400,
            "'; DROP TABLE boards; --",
            "<script>alert(1)</script>",
            "%(total)s",
            "{{ 7*7 }}",
            "🏳️‍🌈" * 30,
        ]
    ),
    st.text(min_size=2000, max_size=20_000, alphabet=st.characters(codec="utf-8")),
)
FIELD_VALUES = st.lists(NASTY, min_size=1, max_size=3)  # a list = the same field sent more than once
#: 25 examples per test in `make test`; ENGAGE_FUZZ_EXAMPLES=2000 for a long hunt before a release.
FUZZ = settings(
    max_examples=int(os.environ.get("ENGAGE_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def form_data(names: list[str]):
    """Any of the form's own field names (and some it does not have), each with nasty values."""
    keys = st.sampled_from([*names, "csrf_token", "unexpected", "choice[]"])
    return st.dictionaries(keys, FIELD_VALUES, max_size=len(names) + 2)


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (PairwiseVote, Submission, ConsultationResponse)
    )


def assert_answered_well(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code in (400, 422):
        body = response.get_data(as_text=True)
        assert "govuk-error-summary" in body or "error" in body.lower()


@pytest.fixture
def resident_forms(make_exercise, make_budget, make_ranking, make_consultation):
    exercise, budget, ranking = make_exercise(), make_budget(BudgetMode.SHARE), make_ranking()
    consultation = make_consultation()
    budget_fields = [f"item-{item.id}" for item in budget.active_items]
    rank_fields = [f"place-{item.id}" for item in ranking.active_items]
    first = consultation.sections[0]
    question_fields = [f"q{q.id}" for q in first.questions] + [f"q{first.questions[0].id}-other"]
    return [
        (f"/exercises/{exercise.id}/vote", ["left", "right", "choice", "reason", "key"]),
        (f"/exercises/{exercise.id}/suggest", ["text"]),
        (f"/exercises/{budget.id}/allocate", [*budget_fields, "recalculate"]),
        (f"/exercises/{ranking.id}/rank", [*rank_fields, "move_item"]),
        (f"/consultations/{consultation.id}/sections/1", question_fields),
        (f"/consultations/{consultation.id}/delete-response", ["reference"]),
        ("/join", ["code"]),
    ]


@FUZZ
@given(data=st.data())
def test_resident_forms_answer_bad_input_with_4xx_and_store_nothing_half_done(client, resident_forms, data):
    path, names = data.draw(st.sampled_from(resident_forms))
    before = counts()
    response = client.post(path, data=data.draw(form_data(names)))
    assert_answered_well(response)
    after = counts()
    # A vote may be stored when the random input happens to be a valid vote; a whole budget or response
    # cannot be (they need check answers first), and nothing is ever stored in part.
    assert after[1:] == before[1:]
    assert after[0] - before[0] in (0, 1)


@pytest.fixture
def officer_forms(client, officer, hwb, make_exercise, make_consultation):
    sign_in(client, officer)
    exercise, consultation = make_exercise(), make_consultation()
    section = consultation.sections[0]
    return [
        (f"/manage/boards/{hwb.slug}/exercises/new", ["title", "question", "introduction", "opens_at-day"]),
        (f"/manage/exercises/{exercise.id}/edit", ["title", "question", "max_votes", "priorities"]),
        (f"/manage/boards/{hwb.slug}/priorities/new", ["code", "title", "description"]),
        (f"/manage/boards/{hwb.slug}/consultations/new", ["title", "summary", "retain_until-year"]),
        (
            f"/manage/sections/{section.id}/questions/new",
            ["kind", "label", "options", "min_value", "max_value"],
        ),
    ]


@FUZZ
@given(data=st.data())
def test_officer_forms_answer_bad_input_without_a_5xx(client, officer_forms, data):
    path, names = data.draw(st.sampled_from(officer_forms))
    assert_answered_well(client.post(path, data=data.draw(form_data(names))))


@FUZZ
@given(raw=st.one_of(st.binary(max_size=3000), st.text(max_size=3000).map(str.encode)))
def test_the_indicator_reader_takes_any_bytes_calmly(raw):
    """Any file gives a table or a FileProblem with a message, never another exception."""
    try:
        table = read_table(raw, "upload.csv")
    except FileProblem as problem:
        assert str(problem)
    else:
        assert len(table.headers) >= 2


@FUZZ
@given(
    text=st.one_of(st.text(max_size=2000), st.sampled_from(["dimension,category,population\nage,16-24,x"]))
)
def test_a_bad_population_file_changes_nothing(app, text):
    before = db.session.scalar(select(func.count()).select_from(PopulationMargin))
    try:
        import_population(text)
    except PopulationFileProblem as problem:
        assert problem.problems and all(problem.problems)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(PopulationMargin)) == before


def test_a_nul_character_is_dropped_not_a_500(client, make_exercise):
    """Hypothesis found this on PostgreSQL (text cannot hold NUL): every form field now drops it."""
    from engage.prioritise.models import Suggestion

    exercise = make_exercise()
    response = client.post(f"/exercises/{exercise.id}/suggest", data={"text": "Better\x00 buses"})
    assert response.status_code < 500
    assert db.session.scalar(select(Suggestion.text)) == "Better buses"
