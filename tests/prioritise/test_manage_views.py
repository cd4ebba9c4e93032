"""Officers build, open and close exercises, moderate suggestions and read results; others cannot."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.boards.models import Priority
from engage.extensions import db
from engage.prioritise.models import (
    Exercise,
    ExerciseItem,
    ExerciseStatus,
    Outcome,
    Suggestion,
    SuggestionStatus,
)
from tests.conftest import sign_in


def exercise_form(board, **changes):
    data = {
        "title": "Health priorities 2026",
        "question": "Which should the board focus on first?",
        "introduction": "Tell us.",
        "priorities": [str(p.id) for p in board.active_priorities],
        "allow_suggestions": "y",
        "results_public": "y",
        "max_votes_per_respondent": "200",
    }
    data.update(changes)
    return data


def test_officer_of_a_member_organisation_creates_a_draft_exercise(client, hwb, officer):
    sign_in(client, officer)
    page = client.get("/manage/boards/health-and-wellbeing/exercises/new").get_data(as_text=True)
    assert page.count("checked") >= 4  # the board's active priorities are chosen by default
    response = client.post("/manage/boards/health-and-wellbeing/exercises/new", data=exercise_form(hwb))
    assert response.status_code == 302
    exercise = db.session.scalar(select(Exercise))
    assert exercise.status is ExerciseStatus.DRAFT
    assert exercise.organisation_id == officer.organisation_id
    assert len(exercise.active_items) == 4


def test_exercise_dates_are_whole_uk_days(client, hwb, officer):
    sign_in(client, officer)
    data = exercise_form(hwb, opens_on=["1", "4", "2026"], closes_on=["30", "4", "2026"])
    client.post("/manage/boards/health-and-wellbeing/exercises/new", data=data)
    exercise = db.session.scalar(select(Exercise))
    assert exercise.opens_at.isoformat() == "2026-03-31T23:00:00+00:00"  # midnight BST
    assert exercise.last_day.isoformat() == "2026-04-30"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"priorities": []}, "Choose at least 3 priorities"),
        ({"title": " "}, "Enter a title"),
        ({"question": ""}, "Enter the question residents answer"),
        ({"max_votes_per_respondent": "3"}, "Number must be between 10 and 2000"),
        (
            {"opens_on": ["2", "5", "2026"], "closes_on": ["1", "5", "2026"]},
            "closing date must be on or after",
        ),
        ({"opens_on": ["31", "2", "2026"]}, "Not a valid date value"),
    ],
)
def test_bad_exercise_details_get_clear_messages_and_nothing_is_written(
    client, hwb, officer, changes, message
):
    sign_in(client, officer)
    response = client.post(
        "/manage/boards/health-and-wellbeing/exercises/new", data=exercise_form(hwb, **changes)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Exercise)) == 0


def test_officer_from_outside_the_board_cannot_create(client, hwb, signed_in):
    signed_in(Role.BOARD_OFFICER)
    assert client.get("/manage/boards/health-and-wellbeing/exercises/new").status_code == 403


def test_analyst_on_the_board_cannot_create_but_can_read_results(
    client, hwb, council, signed_in, make_exercise
):
    exercise = make_exercise()
    signed_in(Role.ANALYST, organisation=council)
    assert client.get("/manage/boards/health-and-wellbeing/exercises/new").status_code == 403
    assert client.get(f"/manage/exercises/{exercise.id}/results").status_code == 200
    assert client.post(f"/manage/exercises/{exercise.id}/close").status_code == 403


def test_another_partner_on_the_board_reads_but_does_not_manage(
    client, hwb, make_organisation, make_exercise, signed_in
):
    police = make_organisation("Police")
    hwb.members.append(police)
    db.session.commit()
    exercise = make_exercise()
    signed_in(Role.BOARD_OFFICER, organisation=police)
    assert client.get(f"/manage/exercises/{exercise.id}").status_code == 200
    assert client.get(f"/manage/exercises/{exercise.id}/edit").status_code == 403
    assert client.get(f"/manage/exercises/{exercise.id}/suggestions").status_code == 403


def test_outsiders_cannot_read_results(client, make_exercise, signed_in):
    exercise = make_exercise()
    signed_in(Role.ANALYST)
    assert client.get(f"/manage/exercises/{exercise.id}/results").status_code == 403
    assert client.get(f"/manage/exercises/{exercise.id}/votes.csv").status_code == 403


def test_open_and_close(client, officer, make_exercise):
    exercise = make_exercise(ExerciseStatus.DRAFT)
    sign_in(client, officer)
    client.post(f"/manage/exercises/{exercise.id}/open")
    db.session.refresh(exercise)
    assert exercise.status is ExerciseStatus.OPEN
    html = client.post(f"/manage/exercises/{exercise.id}/close", follow_redirects=True).get_data(as_text=True)
    assert "No more votes will be taken" in html
    db.session.refresh(exercise)
    assert exercise.status is ExerciseStatus.CLOSED


def test_open_exercise_can_gain_but_not_lose_items(client, hwb, officer, make_exercise, make_priority):
    exercise = make_exercise(priorities=hwb.active_priorities[:3])
    sign_in(client, officer)
    swapped = [hwb.active_priorities[i] for i in (0, 1, 3)]  # drops the third, adds the fourth
    response = client.post(
        f"/manage/exercises/{exercise.id}/edit",
        data=exercise_form(hwb, priorities=[str(p.id) for p in swapped]),
    )
    assert "cannot lose items" in response.get_data(as_text=True)
    more = exercise_form(hwb)  # all four
    assert client.post(f"/manage/exercises/{exercise.id}/edit", data=more).status_code == 302
    db.session.refresh(exercise)
    assert len(exercise.active_items) == 4


def _suggest(exercise, text="More buses to the hospital"):
    suggestion = Suggestion(exercise_id=exercise.id, text=text)
    db.session.add(suggestion)
    db.session.commit()
    return suggestion


def test_suggested_text_is_shown_escaped(client, officer, make_exercise):
    exercise = make_exercise()
    _suggest(exercise, "<script>alert('x')</script>")
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/suggestions").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_approving_a_suggestion_adds_an_item_and_optionally_a_priority(client, hwb, officer, make_exercise):
    exercise = make_exercise()
    suggestion = _suggest(exercise)
    sign_in(client, officer)
    response = client.post(
        f"/manage/suggestions/{suggestion.id}/approve",
        data={
            "title": "Transport to health services",
            "description": "Buses.",
            "board_code": "HWB-TRANSPORT",
        },
    )
    assert response.status_code == 302
    db.session.refresh(suggestion)
    assert suggestion.status is SuggestionStatus.APPROVED
    assert suggestion.item.title == "Transport to health services" and suggestion.item.active
    priority = db.session.scalar(select(Priority).where(Priority.code == "HWB-TRANSPORT"))
    assert priority.board_id == hwb.id and suggestion.item.priority_id == priority.id
    again = client.post(
        f"/manage/suggestions/{suggestion.id}/reject", data={"reason": "x"}, follow_redirects=True
    )
    assert "already been moderated" in again.get_data(as_text=True)


def test_merging_and_rejecting(client, officer, make_exercise):
    exercise = make_exercise()
    merge, reject = _suggest(exercise), _suggest(exercise, "Something else")
    sign_in(client, officer)
    client.post(f"/manage/suggestions/{merge.id}/merge", data={"item": str(exercise.items[0].id)})
    no_reason = client.post(
        f"/manage/suggestions/{reject.id}/reject", data={"reason": ""}, follow_redirects=True
    )
    assert "Say why the suggestion is rejected" in no_reason.get_data(as_text=True)
    client.post(f"/manage/suggestions/{reject.id}/reject", data={"reason": "Outside the board's remit"})
    db.session.refresh(merge)
    db.session.refresh(reject)
    assert merge.status is SuggestionStatus.MERGED and merge.item_id == exercise.items[0].id
    assert reject.status is SuggestionStatus.REJECTED and reject.reason == "Outside the board's remit"
    assert db.session.scalar(select(func.count()).select_from(ExerciseItem)) == 4


def test_results_page_shows_scores_stability_and_the_weighting_caveat(client, officer, make_exercise, cast):
    exercise = make_exercise()
    a, b, c, d = exercise.items
    for _ in range(15):
        cast(exercise, a, b)
        cast(exercise, b, c)
        cast(exercise, c, d)
        cast(exercise, a, d, Outcome.RIGHT)
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "60 choices and 0 skips from 60 people" in html
    assert "Scores with 95% intervals" in html and "data-plotly=" in html
    assert "No population figures have been loaded yet" in html
    assert "The top 3 is" in html
    assert "Head to head" in html and "Votes per day" in html


def test_downloads(client, officer, make_exercise, cast):
    exercise = make_exercise()
    a, b = exercise.items[:2]
    cast(exercise, a, b)
    cast(exercise, a, b, Outcome.SKIP)
    sign_in(client, officer)
    votes = client.get(f"/manage/exercises/{exercise.id}/votes.csv").get_data(as_text=True).splitlines()
    assert votes[0] == (
        "vote_id,recorded_at,respondent,left_code,left_title,right_code,right_title,outcome,"
        "skip_reason,channel,workshop_session,locale"
    )
    assert len(votes) == 3 and f",{a.priority.code},{a.title}," in votes[1] and ",skip," in votes[2]
    scores = client.get(f"/manage/exercises/{exercise.id}/scores.csv").get_data(as_text=True).splitlines()
    assert (
        scores[0] == "rank,code,title,score,score_low,score_high,wins,comparisons,title_cy,title_ur,title_pl"
    )
    assert len(scores) == 5
    xlsx = client.get(f"/manage/exercises/{exercise.id}/scores.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A1"].value == "rank" and sheet.max_row == 5
    assert client.get(f"/manage/exercises/{exercise.id}/votes.xlsx").status_code == 404


def test_board_page_lists_its_exercises(client, officer, make_exercise):
    make_exercise(title="Listed exercise")
    sign_in(client, officer)
    html = client.get("/manage/boards/health-and-wellbeing").get_data(as_text=True)
    assert "Listed exercise" in html and "New pairwise exercise" in html


def test_large_exercises_use_the_sandwich_intervals(client, officer, make_exercise, cast, monkeypatch):
    from engage.jobs.cache import forget
    from engage.prioritise.pairwise import results

    exercise = make_exercise()
    a, b, c = exercise.items[:3]
    for _ in range(4):
        cast(exercise, a, b)
        cast(exercise, b, c)
        cast(exercise, c, a, Outcome.RIGHT)
    sign_in(client, officer)
    assert "bootstrap over respondents" in client.get(f"/manage/exercises/{exercise.id}/results").get_data(
        as_text=True
    )
    monkeypatch.setattr(results, "BOOTSTRAP_MAX_VOTES", 5)
    forget("exercise", exercise.id)  # kept results follow the data, not a setting changed by the test
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "cluster-robust (sandwich)" in html and "Scores with 95% intervals" in html


def _people_with_profiles(exercise, cast, count, women_share):
    """``count`` respondents who each make a few choices and say their sex; women prefer the first item."""
    import secrets

    from engage.prioritise.models import Respondent, RespondentProfile
    from engage.respondents import find_respondent

    a, b, c = exercise.items[:3]
    for person in range(count):
        token = secrets.token_urlsafe(32)
        woman = person < count * women_share
        cast(exercise, a, b, Outcome.LEFT if woman else Outcome.RIGHT, token=token)
        cast(exercise, b, c, token=token)
        respondent = find_respondent(exercise, token)
        db.session.add(
            RespondentProfile(
                respondent_id=respondent.id, dimension="sex", category="Female" if woman else "Male"
            )
        )
    db.session.commit()
    return Respondent


def test_results_are_weighted_to_the_population_when_margins_are_loaded(client, officer, make_exercise, cast):
    from engage.population.service import import_population

    import_population("dimension,category,population\nsex,Female,500\nsex,Male,500\n")
    exercise = make_exercise()
    _people_with_profiles(exercise, cast, 40, women_share=0.75)  # women over-represented: 30 of 40
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "Weighted to the area&#39;s population" in html or "Weighted to the area's population" in html
    assert "Population-weighted scores with 95% intervals" in html
    assert "40 people answered at least one of those questions" in html
    # weights of 2/3 for 30 women and 2 for 10 men: effective sample size (40)^2 / (30*(2/3)^2 + 10*4) = 30
    assert "as much information as 30 people" in html
    assert "wins and comparisons are counts of choices, not weighted" in html


def test_too_few_answers_leave_results_unweighted_and_say_why(client, officer, make_exercise, cast):
    from engage.population.service import import_population

    import_population("dimension,category,population\nsex,Female,500\nsex,Male,500\n")
    exercise = make_exercise()
    _people_with_profiles(exercise, cast, 5, women_share=0.5)
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "too few to weight the results" in html


def test_an_item_nobody_compared_says_so_instead_of_scoring_fifty(client, officer, make_exercise, cast):
    exercise = make_exercise()
    a, b, c, d = exercise.items
    for _ in range(6):
        cast(exercise, a, b)
        cast(exercise, b, c)
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "1 priority has not been compared yet" in html
    row = html[html.index(d.title, html.index("Scores with 95% intervals")) :]
    assert row.index("Not enough comparisons") < row.index("</tr>")
    scores = client.get(f"/manage/exercises/{exercise.id}/scores.csv").get_data(as_text=True).splitlines()
    assert scores[-1].startswith(f",{d.priority.code},{d.title},,,,0,0")


def test_disconnected_comparisons_publish_no_common_scale(client, officer, make_exercise, cast):
    exercise = make_exercise()
    a, b, c, d = exercise.items
    for _ in range(5):
        cast(exercise, a, b)
        cast(exercise, c, d)
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "split into 2 separate groups" in html and "no scores are published" in html
    assert html.count("Group 1: no common scale") == 2 and html.count("Group 2: no common scale") == 2
    assert "The top" not in html  # no stability claim without a scale


def test_a_group_nobody_in_the_sample_belongs_to_stops_the_weighting(client, officer, make_exercise, cast):
    from engage.population.service import import_population

    # 11% of the area is in a group nobody who took part belongs to: raking used to give it weight 0 and
    # spread its share over the others, and the page still said the results matched the population.
    import_population("dimension,category,population\nsex,Female,445\nsex,Male,445\nsex,Other,110\n")
    exercise = make_exercise()
    _people_with_profiles(exercise, cast, 40, women_share=0.75)
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "Population-weighted scores" not in html
    assert "Nobody who took part is in these groups" in html
    assert "Sex: Other (11% of the area)" in html


def test_one_heavy_voter_does_not_outweigh_many_light_ones(client, officer, make_exercise, cast):
    import secrets

    exercise = make_exercise()
    a, b, c, _ = exercise.items
    for _ in range(8):  # eight people, one vote each: a over b, and b over c
        token = secrets.token_urlsafe(32)
        cast(exercise, a, b, token=token)
        cast(exercise, b, c, token=token)
    keen = secrets.token_urlsafe(32)
    for _ in range(20):  # one person, forty votes: b over a, and b over c
        cast(exercise, b, a, token=keen)
        cast(exercise, b, c, token=keen)
    from engage.prioritise.pairwise.results import pairwise_results

    outcome = pairwise_results(exercise, resamples=20)
    scores = {row.item.id: row.score for row in outcome.items}
    # One person, one voice: a beats b 8 to 1 in people, so a leads; counting every vote, b leads.
    assert scores[a.id] > scores[b.id]
    assert outcome.per_vote[b.id] > outcome.per_vote[a.id]
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "one person, one voice" in html and "Counting every vote the same" in html
