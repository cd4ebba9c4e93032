"""The resident's journey through the test client: start, vote (with and without htmx), finish, about you."""

import re

import pytest
from sqlalchemy import func, select

from engage.extensions import db
from engage.prioritise.models import (
    ExerciseStatus,
    Outcome,
    PairwiseVote,
    RespondentProfile,
    SkipReason,
    Suggestion,
)
from engage.respondents import COOKIE_NAME


def pair_form(html):
    fields = {
        name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1) for name in ("left", "right", "key")
    }
    return fields


def csrf_token(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def votes():
    return db.session.scalar(select(func.count()).select_from(PairwiseVote))


def test_start_page_explains_the_exercise(client, make_exercise):
    exercise = make_exercise()
    html = client.get(f"/exercises/{exercise.id}").get_data(as_text=True)
    assert "Health priorities" in html and "Tell us what matters." in html
    assert "about 2 minutes" in html and "privacy notice" in html
    assert f'href="/exercises/{exercise.id}/vote"' in html


def test_start_page_gives_the_same_time_as_the_home_page(client, make_exercise):
    """The officer's own estimate, not a fixed "about 2 minutes", on the start page as on the home page."""
    exercise = make_exercise()
    exercise.minutes_to_answer = 12
    db.session.commit()
    start = client.get(f"/exercises/{exercise.id}").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "Most people take about 12 minutes." in start and "about 2 minutes" not in start
    assert "about 12 minutes" in home
    exercise.minutes_to_answer = 1
    db.session.commit()
    start = client.get(f"/exercises/{exercise.id}").get_data(as_text=True)
    assert "Most people take about 1 minute." in start


def test_draft_exercises_are_not_public(client, make_exercise):
    exercise = make_exercise(ExerciseStatus.DRAFT)
    assert client.get(f"/exercises/{exercise.id}").status_code == 404
    assert client.get(f"/exercises/{exercise.id}/vote").status_code == 404


def test_home_page_lists_open_exercises_only(client, make_exercise):
    make_exercise(title="Open one")
    make_exercise(ExerciseStatus.DRAFT, title="Draft one")
    make_exercise(ExerciseStatus.CLOSED, title="Closed one")
    html = client.get("/").get_data(as_text=True)
    open_list = re.search(r'<ul class="govuk-list app-exercise-list">(.*?)</ul>', html, re.S).group(1)
    assert "Open one" in open_list and "Draft one" not in html and "Closed one" not in open_list
    assert "There are no open exercises" not in html
    # The closed one (its results public) is under past results instead.
    assert "Closed one" in html.split('id="all-past-results"')[0].split("Past results")[1]


def test_vote_page_shows_two_priorities_and_cant_decide_and_sets_a_cookie(client, make_exercise):
    exercise = make_exercise()
    response = client.get(f"/exercises/{exercise.id}/vote")
    html = response.get_data(as_text=True)
    assert "Which should the board focus on first?" in html
    assert html.count('class="app-choice"') == 2
    assert "I can&#39;t decide" in html or "I can't decide" in html
    assert "They are equally important" in html
    assert COOKIE_NAME in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]


def test_voting_without_javascript_posts_and_redirects_and_counts_progress(client, make_exercise):
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    for made in (1, 2):
        form = pair_form(client.get(url).get_data(as_text=True))
        response = client.post(url, data={**form, "choice": "left"})
        assert response.status_code == 302 and response.headers["Location"] == url
        html = client.get(url).get_data(as_text=True)
        noun = "choice" if made == 1 else "choices"
        assert f"You've made {made} {noun}. Stop whenever you like." in html.replace("&#39;", "'")
    assert votes() == 2


def test_double_click_is_stored_once(client, make_exercise):
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    form = pair_form(client.get(url).get_data(as_text=True))
    client.post(url, data={**form, "choice": "right"})
    client.post(url, data={**form, "choice": "right"})
    assert votes() == 1


def test_htmx_vote_returns_the_next_pair_and_an_out_of_band_status(client, make_exercise):
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    form = pair_form(client.get(url).get_data(as_text=True))
    response = client.post(
        url, data={**form, "choice": "skip", "skip_reason": "equal"}, headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'id="pair"' in html
    assert 'id="vote-status" hx-swap-oob="innerHTML"' in html and "made 1 choice" in html
    vote = db.session.scalar(select(PairwiseVote))
    assert vote.outcome is Outcome.SKIP and vote.skip_reason is SkipReason.EQUAL


def test_with_htmx_each_next_pair_is_one_the_person_has_not_answered(client, make_exercise):
    """The pairs answered are read with the vote on PostgreSQL (one statement) and before it on SQLite:
    either way the next pair is a fresh one until every pair is answered, and a repeat changes nothing."""
    exercise = make_exercise()
    items = len(exercise.active_items)
    url = f"/exercises/{exercise.id}/vote"
    html = client.get(url).get_data(as_text=True)
    answered = []
    for n in range(min(items * (items - 1) // 2, exercise.max_votes_per_respondent - 1)):
        form = pair_form(html)
        pair = frozenset((int(form["left"]), int(form["right"])))
        assert pair not in answered
        answered.append(pair)
        html = client.post(url, data={**form, "choice": "left"}, headers={"HX-Request": "true"}).get_data(
            as_text=True
        )
        if n == 0:  # the same form again: stored once, and the next pair still a fresh one
            html = client.post(url, data={**form, "choice": "left"}, headers={"HX-Request": "true"}).get_data(
                as_text=True
            )
    assert votes() == len(answered)


def test_tampered_pair_gets_a_message_and_a_new_pair(client, make_exercise):
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    form = pair_form(client.get(url).get_data(as_text=True))
    response = client.post(
        url, data={**form, "right": form["left"], "choice": "left"}, headers={"HX-Request": "1"}
    )
    assert "Here is a new pair" in response.get_data(as_text=True)
    assert votes() == 0


def test_expired_form_says_so_and_records_nothing(app_factory, make_exercise):
    exercise = make_exercise()
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    url = f"/exercises/{exercise.id}/vote"
    form = pair_form(client.get(url).get_data(as_text=True))
    html = client.post(url, data={**form, "choice": "left", "csrf_token": "old"}).get_data(as_text=True)
    assert "This form was open too long" in html
    assert votes() == 0


def test_closed_exercise_says_it_is_not_taking_votes(client, make_exercise):
    exercise = make_exercise(ExerciseStatus.CLOSED)
    html = client.get(f"/exercises/{exercise.id}/vote").get_data(as_text=True)
    assert "This exercise is not taking votes at the moment" in html
    assert f"/exercises/{exercise.id}/results" in html


def test_reaching_the_cap_goes_to_the_finish_page(client, make_exercise):
    exercise = make_exercise(max_votes_per_respondent=10)
    url = f"/exercises/{exercise.id}/vote"
    for _ in range(9):
        client.post(url, data={**pair_form(client.get(url).get_data(as_text=True)), "choice": "left"})
    last_page = client.get(url).get_data(as_text=True)
    client.post(url, data={**pair_form(last_page), "choice": "left"})
    # A pair from a page opened before the last choice: refused, and on to the finish page.
    response = client.post(url, data={**pair_form(last_page), "choice": "right"})
    assert response.headers["Location"] == f"/exercises/{exercise.id}/finish"
    assert votes() == 10


def test_the_vote_page_at_the_cap_shows_the_finish_page_not_a_pair(client, make_exercise):
    exercise = make_exercise(max_votes_per_respondent=1)
    url, finish = f"/exercises/{exercise.id}/vote", f"/exercises/{exercise.id}/finish"
    client.post(url, data={**pair_form(client.get(url).get_data(as_text=True)), "choice": "left"})
    opened = client.get(url, follow_redirects=True)
    assert opened.request.path == finish
    html = opened.get_data(as_text=True).replace("&#39;", "'")
    assert "You have made the most choices this exercise takes" in html
    assert "Your top priorities" in html and 'name="left"' not in html
    htmx = client.get(url, headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == finish and 'name="left"' not in htmx.get_data(as_text=True)
    assert votes() == 1


def test_the_finish_page_offers_more_choices_only_below_the_cap(client, make_exercise):
    exercise = make_exercise(max_votes_per_respondent=2)
    url, finish = f"/exercises/{exercise.id}/vote", f"/exercises/{exercise.id}/finish"
    client.post(url, data={**pair_form(client.get(url).get_data(as_text=True)), "choice": "left"})
    assert "Make more choices" in client.get(finish).get_data(as_text=True)
    client.post(url, data={**pair_form(client.get(url).get_data(as_text=True)), "choice": "left"})
    html = client.get(finish).get_data(as_text=True)
    assert "From your 2 choices" in html and "Make more choices" not in html


def test_htmx_vote_after_the_exercise_closed_loads_the_closed_page(client, make_exercise):
    from engage.prioritise.service import set_status

    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    form = pair_form(client.get(url).get_data(as_text=True))
    set_status(exercise, ExerciseStatus.CLOSED)
    db.session.flush()
    response = client.post(url, data={**form, "choice": "left"}, headers={"HX-Request": "true"})
    # The browser loads the page the form would have shown without JavaScript, instead of htmx swapping a
    # whole page (a second header, main and footer) into the pair area.
    assert response.headers["HX-Redirect"] == url
    html = response.get_data(as_text=True)
    assert "<main" not in html and 'id="pair"' not in html
    assert "This exercise is not taking votes at the moment" in client.get(url).get_data(as_text=True)
    assert votes() == 0


def test_htmx_vote_at_the_cap_sends_the_browser_to_the_finish_page(client, make_exercise):
    exercise = make_exercise(max_votes_per_respondent=2)
    url, finish = f"/exercises/{exercise.id}/vote", f"/exercises/{exercise.id}/finish"
    htmx = {"HX-Request": "true"}
    html = client.get(url).get_data(as_text=True)
    response = client.post(url, data={**pair_form(html), "choice": "left"}, headers=htmx)
    assert "HX-Redirect" not in response.headers and "made 1 choice" in response.get_data(as_text=True)
    # The last choice allowed: no pair that could only be refused, the finish page instead.
    fragment = response.get_data(as_text=True)
    last = client.post(url, data={**pair_form(fragment), "choice": "left"}, headers=htmx)
    assert last.headers["HX-Redirect"] == finish and "<main" not in last.get_data(as_text=True)
    assert votes() == 2
    # One more (a pair from an older page): refused, and the browser sent to the finish page, not shown it.
    refused = client.post(url, data={**pair_form(html), "choice": "right"}, headers=htmx)
    assert refused.status_code == 204 and refused.headers["HX-Redirect"] == finish
    assert refused.get_data(as_text=True) == ""
    assert votes() == 2
    page = client.get(finish).get_data(as_text=True).replace("&#39;", "'")
    assert "You have made the most choices this exercise takes" in page


def test_the_last_choice_allowed_goes_to_the_finish_page_without_javascript(client, make_exercise):
    exercise = make_exercise(max_votes_per_respondent=1)
    url = f"/exercises/{exercise.id}/vote"
    response = client.post(url, data={**pair_form(client.get(url).get_data(as_text=True)), "choice": "left"})
    assert response.headers["Location"] == f"/exercises/{exercise.id}/finish"
    assert votes() == 1


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["no-javascript", "htmx"])
def test_after_a_lost_session_cookie_the_refreshed_form_is_accepted(app_factory, make_exercise, headers):
    exercise = make_exercise()
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    url = f"/exercises/{exercise.id}/vote"
    html = client.get(url).get_data(as_text=True)
    vote = {**pair_form(html), "csrf_token": csrf_token(html), "choice": "left"}
    client.post(url, data=vote, headers=headers)
    html = client.get(url).get_data(as_text=True)
    # A browser restoring its tabs keeps the long-lived respondent cookie but not the session cookie.
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    assert client.get_cookie(app.config["SESSION_COOKIE_NAME"]) is None
    assert client.get_cookie(COOKIE_NAME) is not None
    refused = client.post(
        url, data={**pair_form(html), "csrf_token": csrf_token(html), "choice": "left"}, headers=headers
    )
    html = refused.get_data(as_text=True)
    assert "This form was open too long" in html and votes() == 1
    again = client.post(
        url, data={**pair_form(html), "csrf_token": csrf_token(html), "choice": "right"}, headers=headers
    )
    assert "This form was open too long" not in again.get_data(as_text=True)
    assert again.status_code == (200 if headers else 302)
    assert votes() == 2


def test_votes_are_rate_limited_per_respondent(app_factory, make_exercise):
    exercise = make_exercise()
    client = app_factory(RATELIMIT_ENABLED=True, ENGAGE_VOTE_LIMIT="3 per minute").test_client()
    url = f"/exercises/{exercise.id}/vote"
    statuses = [
        client.post(
            url, data={**pair_form(client.get(url).get_data(as_text=True)), "choice": "left"}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [302, 302, 302, 429]


def test_finish_shows_the_residents_own_top_priorities(client, make_exercise):
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    loneliness = next(item for item in exercise.items if item.title == "Tackling loneliness")
    for _ in range(8):
        form = pair_form(client.get(url).get_data(as_text=True))
        ids = (int(form["left"]), int(form["right"]))
        choice = "right" if ids[1] == loneliness.id else "left"
        client.post(url, data={**form, "choice": choice})
    html = client.get(f"/exercises/{exercise.id}/finish").get_data(as_text=True)
    assert "Your top priorities" in html
    top = re.search(r'<ol class="govuk-list govuk-list--number app-top-list">(.*?)</ol>', html, re.S).group(1)
    assert "Tackling loneliness" in top or "You have not" in html


def test_finish_before_voting_says_so(client, make_exercise):
    exercise = make_exercise()
    assert "You have not made any choices yet." in client.get(f"/exercises/{exercise.id}/finish").get_data(
        as_text=True
    )


def test_suggestion_is_stored_for_moderation(client, make_exercise):
    exercise = make_exercise()
    response = client.post(f"/exercises/{exercise.id}/suggest", data={"text": " <b>More buses</b> "})
    assert response.status_code == 302
    assert db.session.scalar(select(Suggestion.text)) == "<b>More buses</b>"


def test_empty_suggestion_gets_an_error_summary(client, make_exercise):
    exercise = make_exercise()
    response = client.post(f"/exercises/{exercise.id}/suggest", data={"text": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html and "Enter your suggestion" in html


def test_suggestions_can_be_switched_off(client, make_exercise):
    exercise = make_exercise(allow_suggestions=False)
    assert client.post(f"/exercises/{exercise.id}/suggest", data={"text": "x"}).status_code == 404
    assert "Is something missing?" not in client.get(f"/exercises/{exercise.id}/finish").get_data(
        as_text=True
    )


def test_about_you_answers_are_kept_apart_from_votes(client, make_exercise):
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    client.post(url, data={**pair_form(client.get(url).get_data(as_text=True)), "choice": "left"})
    response = client.post(
        f"/exercises/{exercise.id}/about-you",
        data={"age_band": "25-34", "sex": "prefer_not_to_say", "ward": ""},
    )
    assert response.headers["Location"] == f"/exercises/{exercise.id}/thank-you"
    answers = dict(db.session.execute(select(RespondentProfile.dimension, RespondentProfile.category)).all())
    assert answers == {"age_band": "25-34", "sex": "prefer_not_to_say"}
    assert "Thank you for taking part" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_about_you_refuses_an_answer_that_is_not_offered(client, make_exercise):
    exercise = make_exercise()
    response = client.post(f"/exercises/{exercise.id}/about-you", data={"ward": "Atlantis"})
    assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("status", "public", "visible"),
    [
        (ExerciseStatus.OPEN, True, False),
        (ExerciseStatus.CLOSED, False, False),
        (ExerciseStatus.CLOSED, True, True),
    ],
)
def test_public_results_only_once_closed_and_only_when_allowed(
    client, make_exercise, cast, status, public, visible
):
    exercise = make_exercise(results_public=public)
    cast(exercise, *exercise.items[:2])
    if status is ExerciseStatus.CLOSED:
        from engage.prioritise.service import set_status

        set_status(exercise, ExerciseStatus.CLOSED)
    response = client.get(f"/exercises/{exercise.id}/results")
    assert response.status_code == (200 if visible else 404)
    if visible:
        html = response.get_data(as_text=True)
        assert "What residents told us" in html and "Scores with 95% intervals" in html
        assert "data-plotly=" in html


def test_vote_page_in_welsh(client, make_exercise):
    exercise = make_exercise()
    html = client.get(f"/exercises/{exercise.id}/vote?lang=cy").get_data(as_text=True)
    assert '<html lang="cy"' in html
    assert "Ni allaf benderfynu" in html
    assert 'lang="en"' in html  # the officer's English text is marked as English


def test_every_equality_question_is_asked_above_its_answers(client, make_exercise):
    """Radios rendered with a styled fieldset still carry their question as the legend."""
    from engage.equality.questions import dimensions

    exercise = make_exercise()
    html = client.get(f"/exercises/{exercise.id}/finish").get_data(as_text=True)
    legends = [" ".join(text.split()) for text in re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S)]
    assert legends == [str(d.question) for d in dimensions()]


def test_undo_my_last_choice_takes_back_my_own_last_choice_only(app, client, make_exercise):
    """Issue 21, item 5: no undo. The button appears after a choice and takes back that choice only."""
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    assert "Undo my last choice" not in client.get(url).get_data(as_text=True)
    other = app.test_client()
    form = pair_form(other.get(url).get_data(as_text=True))
    other.post(url, data={**form, "choice": "left"})
    for _ in range(2):
        form = pair_form(client.get(url).get_data(as_text=True))
        client.post(url, data={**form, "choice": "right"})
    mine = db.session.scalars(select(PairwiseVote.id).order_by(PairwiseVote.id)).all()[1:]
    assert "Undo my last choice" in client.get(url).get_data(as_text=True)

    response = client.post(f"/exercises/{exercise.id}/undo")
    assert response.status_code == 302 and response.headers["Location"] == url
    assert "Your last choice has been taken back." in client.get(url).get_data(as_text=True)
    remaining = db.session.scalars(select(PairwiseVote.id).order_by(PairwiseVote.id)).all()
    assert remaining == [remaining[0], mine[0]] and remaining[0] not in mine

    stranger = app.test_client()  # no cookie: nothing of anyone's is taken back
    stranger.post(f"/exercises/{exercise.id}/undo")
    assert votes() == 2
