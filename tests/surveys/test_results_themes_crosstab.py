"""Officers' results: charts beside tables, written answers searched and tagged with themes, and a question
broken down by an equality question with small cells hidden (on the page and in the download)."""

import csv
import io
import json
import re

import numpy as np
import pytest
from flask import g

from engage.accounts.models import Role
from engage.extensions import db
from engage.surveys import authoring, responses
from engage.surveys.models import ConsultationProfile, ConsultationResponse, ConsultationStatus, QuestionKind
from engage.surveys.questions import AnswerValue
from tests.conftest import sign_in


@pytest.fixture
def survey(hwb, officer):
    consultation = authoring.save_consultation(
        None, board=hwb, organisation_id=officer.organisation_id, user=officer, title="Libraries"
    )
    page = authoring.save_section(consultation, None, title="Your library")
    authoring.save_question(
        page, None, kind=QuestionKind.SINGLE, label="Do you use a library?", options=["Yes", "No"]
    )
    authoring.save_question(page, None, kind=QuestionKind.AGREEMENT, label="Opening hours suit me")
    authoring.save_question(page, None, kind=QuestionKind.RATING, label="Rate your library")
    authoring.save_question(page, None, kind=QuestionKind.LONG_TEXT, label="What would you change?")
    authoring.set_status(consultation, ConsultationStatus.OPEN)
    db.session.commit()
    return consultation


def _store(consultation, use, agree, rating, text, sex=None, n=1):
    """``n`` responses given straight to the database (as a workshop or import would)."""
    use_q, agree_q, rating_q, text_q = consultation.questions
    for _ in range(n):
        response = ConsultationResponse(
            consultation_id=consultation.id,
            reference=responses.new_reference(),
            idempotency_key=responses.new_reference(),
        )
        values = [
            (use_q, AnswerValue(option_id=use_q.options[0 if use else 1].id)),
            (agree_q, AnswerValue(text=agree)),
            (rating_q, AnswerValue(number=float(rating))),
        ]
        if text:
            values.append((text_q, AnswerValue(text=text)))
        from engage.surveys.models import Answer

        response.answers = [
            Answer(question_id=q.id, option_id=v.option_id, text=v.text, number=v.number) for q, v in values
        ]
        db.session.add(response)
        db.session.flush()
        if sex:
            db.session.add(ConsultationProfile(response_id=response.id, dimension="sex", category=sex))
    db.session.commit()


def test_results_page_has_a_diverging_agreement_chart_and_a_rating_distribution(client, survey, officer):
    _store(survey, True, "strongly_agree", 8, "Open on Sundays", n=15)
    _store(survey, False, "disagree", 3, "More computers", n=5)
    _store(survey, True, "dont_know", 10, None, n=5)
    sign_in(client, officer)
    html = client.get(f"/manage/consultations/{survey.id}/results").get_data(as_text=True)
    charts = [
        json.loads(m.replace("&#34;", '"').replace("&quot;", '"'))
        for m in re.findall(r'data-plotly="([^"]+)"', html)
    ]
    assert len(charts) == 3  # single choice, agreement, rating; none for written answers
    agreement = charts[1]["data"][0]
    # Strongly agree .. strongly disagree, don't know left out: 15 agree and 5 disagree of 20 with a view;
    # disagreement is drawn left of zero.
    assert agreement["y"][0] == "Strongly agree" and agreement["y"][4] == "Strongly disagree"
    assert agreement["x"] == [75.0, 0.0, 0.0, 25.0, 0.0] and agreement["base"][3] == -25.0
    assert "Of those with a view, 75% agree and 25% disagree." in html
    rating = charts[2]
    assert rating["data"][0]["y"][8] == 15 and rating["data"][0]["y"][10] == 5
    assert rating["layout"]["shapes"][0]["x0"] == pytest.approx(7.4)  # (15*8 + 5*3 + 5*10) / 25
    assert "with the mean (7.4) marked by a dashed line" in html
    assert "Search, filter and tag them with themes" in html and "20 written answers" in html


def test_a_chart_never_shows_what_its_table_hides(client, survey, officer):
    # 4 say yes and 1 says no: the 1 is hidden, and the 4 with it (5 answered): no bars to draw, and the
    # agreement chart's shares (4 of 5 with a view) would give the hidden counts away.
    _store(survey, True, "agree", 8, None, n=4)
    _store(survey, False, "disagree", 3, None, n=1)
    sign_in(client, officer)
    html = client.get(f"/manage/consultations/{survey.id}/results").get_data(as_text=True)
    assert "data-plotly" not in html
    assert html.count(">hidden</td>") >= 8  # yes, no (count and share), agree and disagree, 3 and 8
    assert "Of those with a view" not in html


def test_written_answers_are_searched_tagged_and_counted(client, app, survey, officer, make_user):
    _store(survey, True, "agree", 7, "Open on Sundays please", n=2)
    _store(survey, True, "agree", 7, "More computers")
    _store(survey, True, "agree", 7, "sunday opening and quiet space")
    text_q = survey.questions[3]
    sign_in(client, officer)
    page = f"/manage/questions/{text_q.id}/written-answers"
    html = client.get(page, query_string={"words": "SUNDAY"}).get_data(as_text=True)
    assert "3 answers found" in html and "More computers" not in html
    client.post(f"/manage/questions/{text_q.id}/themes", data={"name": "  Opening   hours "})
    response = client.post(
        f"/manage/questions/{text_q.id}/themes", data={"name": "Opening hours"}, follow_redirects=True
    )
    assert "already has a theme called Opening hours" in response.get_data(as_text=True)
    theme_id = re.search(
        r'<option value="(\d+)">Opening hours</option>', client.get(page).get_data(as_text=True)
    ).group(1)
    ids = re.findall(
        r'name="answer" type="checkbox" value="(\d+)"',
        client.get(page, query_string={"words": "sunday"}).get_data(as_text=True),
    )
    response = client.post(
        f"/manage/questions/{text_q.id}/written-answers/tag",
        data={"theme": theme_id, "answer": ids, "action": "add"},
        follow_redirects=True,
    )
    assert "Tagged 3 answers with Opening hours." in response.get_data(as_text=True)
    for strange in ("²", "99999999999999999999999"):  # each was a 500: int("²"), or a number no row can have
        assert client.get(page, query_string={"theme": strange, "page": strange}).status_code == 200
        refused = client.post(
            f"/manage/questions/{text_q.id}/written-answers/tag",
            data={"theme": strange, "answer": [strange], "action": "add"},
        )
        assert refused.status_code == 302
    html = client.get(page, query_string={"theme": "none"}).get_data(as_text=True)
    assert "1 answer found" in html and "More computers" in html
    results = client.get(f"/manage/consultations/{survey.id}/results").get_data(as_text=True)
    assert "Opening hours (3)" in results
    response = client.post(
        f"/manage/questions/{text_q.id}/written-answers/tag",
        data={"theme": theme_id, "answer": ids[:1], "action": "remove"},
        follow_redirects=True,
    )
    assert "Took the theme Opening hours off 1 answers." in response.get_data(as_text=True)
    # An analyst can read and search but not tag.
    g.pop("_login_user", None)
    reader = app.test_client()
    sign_in(reader, make_user(Role.ANALYST, organisation=officer.organisation))
    assert 'name="answer"' in reader.get(page).get_data(as_text=True)
    assert reader.post(f"/manage/questions/{text_q.id}/themes", data={"name": "X"}).status_code == 403


def attack_published(client, survey, question, dimension) -> dict[tuple[str, str], tuple[float, float]]:
    """What an attacker can work out from the breakdown's download and the results page's counts: the
    range of every hidden figure, by (group, answer) (answer "people" for a group's size)."""
    from engage.stats.disclosure import TableLayout, feasible_ranges, table_relations
    from engage.surveys.results import published_results

    args = {"question": question.id, "dimension": dimension}
    body = client.get(f"/manage/consultations/{survey.id}/crosstab.csv", query_string=args).get_data(
        as_text=True
    )
    header, *rows = [row for row in csv.reader(io.StringIO(body)) if len(row) > 1]
    answers = header[1:-1]
    result = next(r for r in published_results(survey).questions if r.question.id == question.id)
    layout = TableLayout(len(rows), len(answers))
    values, hidden, names = np.zeros(layout.size), np.zeros(layout.size, dtype=bool), {}
    for row, (label, *cells, people) in enumerate(rows):
        for a, cell in enumerate(cells):
            k = layout.cell(row, a)
            names[k] = (label, answers[a])
            hidden[k] = cell == "hidden"
            values[k] = 0 if hidden[k] else int(cell)
        k = layout.rows.start + row
        names[k], hidden[k] = (label, "people"), people == "hidden"
        values[k] = 0 if hidden[k] else int(people)
    for a, (_label, count, _share) in enumerate(result.counts):
        k = layout.columns.start + a
        names[k], hidden[k], values[k] = ("everyone", answers[a]), count is None, count or 0
    values[layout.total] = result.answered
    low, high = feasible_ranges(values, hidden, table_relations(layout))
    return {names[k]: (low[k], high[k]) for k in np.flatnonzero(hidden)}


def test_a_breakdown_hides_small_cells_so_that_nothing_published_gives_them_away(client, survey, officer):
    _store(survey, True, "agree", 7, None, sex="Female", n=12)
    _store(survey, False, "agree", 7, None, sex="Female", n=3)
    _store(survey, True, "agree", 7, None, sex="Male", n=9)
    _store(survey, False, "agree", 7, None, sex="Male", n=8)
    _store(survey, True, "agree", 7, None, n=2)  # did not say
    use_q = survey.questions[0]
    sign_in(client, officer)
    args = {"question": use_q.id, "dimension": "sex"}
    html = client.get(f"/manage/consultations/{survey.id}/crosstab", query_string=args).get_data(as_text=True)
    assert "fewer than 5 people is hidden" in html and "A hidden figure can be any size" in html
    assert "&lt;5" not in html
    body = client.get(f"/manage/consultations/{survey.id}/crosstab.csv", query_string=args).get_data(
        as_text=True
    )
    rows = [row for row in csv.reader(io.StringIO(body)) if row]
    assert rows[0] == ["sex", "Yes", "No", "people"]
    assert "<5" not in body and rows[-1][0].startswith("hidden: a figure not shown")
    table = {row[0]: row[1:] for row in rows[1:4]}
    # The old rule hid Female's 3 and 12 only: the results page's 11 saying No, less Male's 8 and "did not
    # say"'s 0, gave the 3 away. Now a second No is hidden, and "did not say" (2 people) whole.
    assert table["Female"][1] == "hidden" and table["Did not say"] == ["hidden", "0", "hidden"]
    assert [table[group][1] for group in table].count("hidden") >= 2
    ranges = attack_published(client, survey, use_q, "sex")
    assert ("Female", "No") in ranges
    assert all(high - low >= 5 - 1e-6 for low, high in ranges.values()), ranges
    assert (
        client.get(
            f"/manage/consultations/{survey.id}/crosstab", query_string={"question": "x", "dimension": "sex"}
        ).status_code
        == 400
    )
    assert client.get(f"/manage/consultations/{survey.id}/crosstab.csv").status_code == 400


def test_the_standard_equality_questions_are_asked_and_can_break_results_down(client, app, survey, officer):
    from engage.surveys.models import ConsultationProfile

    _store(survey, True, "agree", 7, None, n=6)
    responses = db.session.scalars(db.select(ConsultationResponse)).all()
    for response in responses:
        db.session.add(ConsultationProfile(response_id=response.id, dimension="religion", category="none"))
    db.session.commit()
    with app.test_request_context():
        from engage.equality.forms import ProfileForm

        form = ProfileForm.build(formdata=None)
        legends = [
            str(form[key].label.text) for key in ("gender_identity", "ethnicity", "disability", "religion")
        ]
        assert legends[1] == "What is your ethnic group?"
        assert [c.label for c in form["sexual_orientation"].choices][-1] == "Prefer not to say"
    sign_in(client, officer)
    args = {"question": survey.questions[0].id, "dimension": "religion"}
    body = client.get(f"/manage/consultations/{survey.id}/crosstab.csv", query_string=args).get_data(
        as_text=True
    )
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(body))}
    assert rows["No religion"] == ["6", "0", "6"] and rows["Muslim"] == ["0", "0", "0"]


def test_written_answers_keep_only_their_own_arguments_in_their_links(client, survey, officer):
    """A stray ``question_id`` (or ``_external``) in the query string once reached url_for as its own
    argument: the page and every theme post answered 500. Only words, theme and page are carried."""
    _store(survey, True, "agree", 7, "Open on Sundays please")
    text_q = survey.questions[3]
    sign_in(client, officer)
    stray = {"words": "sunday", "question_id": "999", "_external": "1"}
    page = client.get(f"/manage/questions/{text_q.id}/written-answers", query_string=stray)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'action="/manage/questions/{text_q.id}/themes?words=sunday"' in html
    response = client.post(
        f"/manage/questions/{text_q.id}/themes", query_string=stray, data={"name": "Hours"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/questions/{text_q.id}/written-answers?words=sunday"


def test_options_still_in_english_on_an_urdu_page_say_so(client, survey):
    """The question carried lang="en" but its options did not: a screen reader read "Yes" and "No" with
    the Urdu voice, and they sat at the wrong end (the reviewer's finding). Our own labels (the agreement
    scale) are translated and carry no lang."""
    html = client.get(f"/consultations/{survey.id}/sections/1", headers={"Accept-Language": "ur"}).text
    labels = re.findall(r'<label class="govuk-label govuk-radios__label"([^>]*)>\s*([^<]+?)\s*</label>', html)
    marked = {text: attributes for attributes, text in labels}
    assert ' lang="en" dir="ltr"' in marked["Yes"] and ' lang="en" dir="ltr"' in marked["No"]
    assert all("lang=" not in attributes for text, attributes in marked.items() if text not in {"Yes", "No"})
    english = client.get(f"/consultations/{survey.id}/sections/1", headers={"Accept-Language": "en"}).text
    assert "lang=" not in re.search(r'<label class="govuk-label govuk-radios__label"[^>]*>', english).group(0)


def test_written_answers_come_fifty_to_a_page_and_a_page_past_the_end_is_the_last(client, survey, officer):
    """An old link (answers since deleted) or a typed page number past the end shows the last page with
    its place in the list, not an empty list."""
    _store(survey, True, "agree", 7, "Newer", n=50)  # newest first: the 50 "Newer" fill page 1
    _store(survey, True, "agree", 7, "Newest")
    text_q = survey.questions[3]
    sign_in(client, officer)
    url = f"/manage/questions/{text_q.id}/written-answers"
    first = client.get(url).get_data(as_text=True)
    assert "Page 1 of 2" in first and first.count("Newest") == 1 and '&amp;page=2" rel="next"' in first
    last = client.get(url, query_string={"page": 2}).get_data(as_text=True)
    assert "Page 2 of 2" in last and last.count("Newer") == 1 and "Newest" not in last
    for past in ("3", "99999"):
        html = client.get(url, query_string={"page": past}).get_data(as_text=True)
        assert "Page 2 of 2" in html and html.count("Newer") == 1 and "Newest" not in html, past
