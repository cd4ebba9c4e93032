"""Pages with hidden figures (issue 18, findings 2 and 3): read as staff read them, axe-clean."""

import secrets

from engage.extensions import db
from engage.prioritise.models import Outcome, RespondentProfile
from engage.respondents import find_respondent
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.surveys.test_results_themes_crosstab import _store, survey  # noqa: F401 (a fixture)


def test_a_breakdown_with_hidden_cells_reads_hidden_with_its_note(page, survey, officer):  # noqa: F811
    _store(survey, True, "agree", 7, None, sex="Female", n=12)
    _store(survey, False, "agree", 7, None, sex="Female", n=3)
    _store(survey, True, "agree", 7, None, sex="Male", n=9)
    _store(survey, False, "agree", 7, None, sex="Male", n=8)
    _store(survey, True, "agree", 7, None, n=2)
    sign_in_as(page, officer)
    page.goto(f"/manage/consultations/{survey.id}/crosstab?question={survey.questions[0].id}&dimension=sex")
    table = page.locator("table.govuk-table")
    assert "hidden" in table.inner_text() and "<5" not in table.inner_text()
    assert "A hidden figure can be any size" in page.locator("main").inner_text()
    assert_accessible(page, "breakdown with hidden cells")
    screenshot(page, "disclosure-crosstab.png")


def test_exercise_breakdowns_show_other_not_shown(page, officer, make_exercise, cast):
    exercise = make_exercise()
    a, b = exercise.items[:2]
    for k in range(21):
        token = secrets.token_urlsafe(32)
        cast(exercise, a, b, Outcome.LEFT if k % 3 else Outcome.RIGHT, token=token)
        respondent = find_respondent(exercise, token).id
        sex = "Female" if k < 12 else ("Male" if k < 20 else None)
        if sex:
            db.session.add(RespondentProfile(respondent_id=respondent, dimension="sex", category=sex))
    db.session.commit()
    sign_in_as(page, officer)
    page.goto(f"/manage/exercises/{exercise.id}/results")
    main = page.locator("main").inner_text()
    assert "Other / not shown" in main and "1 person" not in main
    assert_accessible(page, "exercise results with a hidden group")
    screenshot(page, "disclosure-exercise.png")
