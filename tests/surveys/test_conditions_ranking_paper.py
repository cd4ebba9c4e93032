"""Conditional questions, ranking questions, reordering and copying a consultation, and paper sheets typed in
twice: through the test client, as the officer and the resident would use them."""

import re

import pytest
from flask import g
from sqlalchemy import select

from engage.accounts.models import Role
from engage.channels import Channel
from engage.extensions import db
from engage.forms import CSRF_EXPIRED
from engage.surveys import authoring, exports
from engage.surveys.models import (
    Answer,
    Consultation,
    ConsultationResponse,
    ConsultationStatus,
    PaperCheck,
    QuestionKind,
)
from engage.surveys.results import consultation_results
from tests.conftest import sign_in
from tests.security.csrf_sweep import writes_recorded


@pytest.fixture
def branching(hwb, officer):
    """Page 1: do you drive? Page 2: parking (only drivers) and a ranking. Page 3: only for non-drivers."""
    consultation = authoring.save_consultation(
        None, board=hwb, organisation_id=officer.organisation_id, user=officer, title="Getting about"
    )
    first = authoring.save_section(consultation, None, title="You")
    drive = authoring.save_question(
        first, None, kind=QuestionKind.SINGLE, label="Do you drive?", required=True, options=["Yes", "No"]
    )
    yes, no = drive.options
    second = authoring.save_section(consultation, None, title="Parking and buses")
    authoring.save_question(
        second,
        None,
        kind=QuestionKind.RATING,
        label="How easy is it to park?",
        required=True,
        show_if_option_id=yes.id,
    )
    authoring.save_question(
        second,
        None,
        kind=QuestionKind.RANKING,
        label="Put these in order",
        required=True,
        options=["More buses", "Cheaper fares", "Safer cycle lanes"],
    )
    third = authoring.save_section(consultation, None, title="Not driving")
    authoring.save_question(
        third, None, kind=QuestionKind.LONG_TEXT, label="What stops you driving?", show_if_option_id=no.id
    )
    authoring.set_status(consultation, ConsultationStatus.OPEN)
    return consultation


def _questions(consultation):
    drive = consultation.sections[0].questions[0]
    parking, ranking = consultation.sections[1].questions
    reason = consultation.sections[2].questions[0]
    return drive, parking, ranking, reason


def _send(client, consultation):
    html = client.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)
    return client.post(f"/consultations/{consultation.id}/check", data={"key": key}), html


def _ranking_data(ranking, places):
    return {
        f"q{ranking.id}-o{option.id}": str(place)
        for option, place in zip(ranking.options, places, strict=True)
    }


def test_a_driver_is_asked_about_parking_and_skips_the_non_driver_page(client, branching):
    drive, parking, ranking, reason = _questions(branching)
    response = client.post(
        f"/consultations/{branching.id}/sections/1", data={f"q{drive.id}": drive.options[0].id}
    )
    assert response.headers["Location"].endswith("/sections/2")
    html = client.get(f"/consultations/{branching.id}/sections/2").get_data(as_text=True)
    assert "How easy is it to park?" in html and "Page 2 of 2" in html
    data = {f"q{parking.id}": "4", **_ranking_data(ranking, [2, 1, 3])}
    response = client.post(f"/consultations/{branching.id}/sections/2", data=data)
    # Page 3 is for people who do not drive, so a driver goes straight to checking their answers.
    assert response.headers["Location"].endswith("/check")
    sent, check_html = _send(client, branching)
    assert sent.status_code == 302
    assert "1. Cheaper fares" in check_html and "3. Safer cycle lanes" in check_html
    assert "What stops you driving?" not in check_html
    stored = db.session.scalars(select(Answer).where(Answer.question_id == ranking.id)).all()
    assert {(a.option_id, a.number) for a in stored} == {
        (ranking.options[0].id, 2.0),
        (ranking.options[1].id, 1.0),
        (ranking.options[2].id, 3.0),
    }


def test_a_non_driver_is_not_asked_about_parking_even_if_they_post_an_answer(client, branching):
    drive, parking, ranking, reason = _questions(branching)
    client.post(f"/consultations/{branching.id}/sections/1", data={f"q{drive.id}": drive.options[1].id})
    html = client.get(f"/consultations/{branching.id}/sections/2").get_data(as_text=True)
    assert "How easy is it to park?" not in html and "Page 2 of 3" in html
    # A hand-made post of the hidden question is not required, not kept and not counted.
    data = {f"q{parking.id}": "9", **_ranking_data(ranking, [1, 2, 3])}
    response = client.post(f"/consultations/{branching.id}/sections/2", data=data)
    assert response.headers["Location"].endswith("/sections/3")
    html = client.get(f"/consultations/{branching.id}/sections/3").get_data(as_text=True)
    assert "What stops you driving?" in html and "Page 3 of 3" in html
    assert f'href="/consultations/{branching.id}/sections/2"' in html  # back goes to the page before
    client.post(f"/consultations/{branching.id}/sections/3", data={f"q{reason.id}": "No car"})
    sent, _html = _send(client, branching)
    assert sent.status_code == 302
    assert db.session.scalar(select(Answer).where(Answer.question_id == parking.id)) is None
    results = consultation_results(db.session.get(Consultation, branching.id))
    parking_result = next(r for r in results.questions if r.question.id == parking.id)
    assert parking_result.answered == 0


def test_a_post_without_its_token_to_a_page_not_asked_stores_nothing(app, client, branching):
    """Found by the CSRF sweep's rule that a form page changes nothing before its form is valid: a page with
    nothing to ask was stored (and passed over) before its form, and so its token, had been checked."""
    drive, parking, ranking, reason = _questions(branching)
    client.post(f"/consultations/{branching.id}/sections/1", data={f"q{drive.id}": drive.options[0].id})
    app.config["WTF_CSRF_ENABLED"] = True  # as in production
    with writes_recorded() as writes:
        response = client.post(
            f"/consultations/{branching.id}/sections/3", data={f"q{reason.id}": "I walk everywhere"}
        )
    assert writes == []
    assert str(CSRF_EXPIRED) in response.get_data(as_text=True)


def test_changing_an_earlier_answer_drops_answers_to_questions_no_longer_asked(client, branching):
    drive, parking, ranking, reason = _questions(branching)
    client.post(f"/consultations/{branching.id}/sections/1", data={f"q{drive.id}": drive.options[1].id})
    client.post(f"/consultations/{branching.id}/sections/2", data=_ranking_data(ranking, [1, 2, 3]))
    client.post(f"/consultations/{branching.id}/sections/3", data={f"q{reason.id}": "No car"})
    # They change their mind: they do drive. Page 3's answer must not be sent.
    client.post(f"/consultations/{branching.id}/sections/1", data={f"q{drive.id}": drive.options[0].id})
    response = client.get(f"/consultations/{branching.id}/check")
    assert response.headers["Location"].endswith("/sections/2")  # parking is now required and unanswered
    client.post(
        f"/consultations/{branching.id}/sections/2",
        data={f"q{parking.id}": "7", **_ranking_data(ranking, [3, 2, 1])},
    )
    sent, html = _send(client, branching)
    assert sent.status_code == 302 and "No car" not in html
    assert db.session.scalar(select(Answer).where(Answer.question_id == reason.id)) is None


@pytest.mark.parametrize(
    ("places", "message"),
    [
        ([1, 1, 2], "More buses has the same place as another option"),
        ([1, "", 2], "Choose a place for Cheaper fares"),
        (["", "", ""], "Put the options in order: give each one a place"),
        ([1, 2, 9], "Choose a place from the list"),
    ],
)
def test_a_ranking_with_a_problem_is_named_in_the_error_summary(client, branching, places, message):
    drive, parking, ranking, reason = _questions(branching)
    client.post(f"/consultations/{branching.id}/sections/1", data={f"q{drive.id}": drive.options[0].id})
    data = {f"q{parking.id}": "4", **_ranking_data(ranking, places)}
    response = client.post(f"/consultations/{branching.id}/sections/2", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and message.replace("'", "&#39;") in html


def test_ranking_results_and_export(client, branching, hwb):
    drive, parking, ranking, reason = _questions(branching)
    for places in ([1, 2, 3], [1, 3, 2], [2, 1, 3]):
        c = client.application.test_client()
        c.post(f"/consultations/{branching.id}/sections/1", data={f"q{drive.id}": drive.options[1].id})
        c.post(f"/consultations/{branching.id}/sections/2", data=_ranking_data(ranking, places))
        c.post(f"/consultations/{branching.id}/sections/3", data={})
        sent, _html = _send(c, branching)
        assert sent.status_code == 302
    results = consultation_results(db.session.get(Consultation, branching.id))
    result = next(r for r in results.questions if r.question.id == ranking.id)
    # Mean places: buses (1+1+2)/3, fares (2+3+1)/3, cycle lanes (3+2+3)/3; first-choice shares 2/3, 1/3, 0.
    assert [(label, round(mean, 3), round(first, 3)) for label, mean, first in result.ranks] == [
        ("More buses", 1.333, 0.667),
        ("Cheaper fares", 2.0, 0.333),
        ("Safer cycle lanes", 2.667, 0.0),
    ]
    rows = exports.response_rows(db.session.get(Consultation, branching.id))
    header = rows[0]
    number = [q.id for q in branching.questions].index(ranking.id) + 1
    columns = [f"q{number}_{option.code}" for option in ranking.options]
    assert all(name in header for name in columns)
    places = sorted(tuple(row[header.index(name)] for name in columns) for row in rows[1:])
    assert places == [(1, 2, 3), (1, 3, 2), (2, 1, 3)]
    codebook = exports.codebook_rows(db.session.get(Consultation, branching.id))
    assert any(row[0] == columns[0] and "place given to 'More buses'" in row[3] for row in codebook)


def test_officer_makes_a_question_conditional_only_on_one_before_it(client, branching, officer):
    sign_in(client, officer)
    parking_page = branching.sections[1]
    html = client.get(f"/manage/sections/{parking_page.id}/questions/new").get_data(as_text=True)
    assert "Do you drive?: Yes" in html and "Ask only some people (optional)" in html
    first_page = branching.sections[0]
    # A new question goes after "Do you drive?" on its page, so it may depend on it; the question itself
    # may not depend on its own answer.
    html = client.get(f"/manage/sections/{first_page.id}/questions/new").get_data(as_text=True)
    assert "Do you drive?: Yes" in html
    drive = first_page.questions[0]
    html = client.get(f"/manage/questions/{drive.id}/edit").get_data(as_text=True)
    assert "Do you drive?: Yes" not in html
    # A made-up post naming an option of a later question is refused with the reason.
    branching.status = ConsultationStatus.DRAFT
    db.session.commit()
    later = branching.sections[1].questions[1].options[0]
    response = client.post(
        f"/manage/questions/{drive.id}/edit",
        data={"kind": "single", "label": "Do you drive?", "options": "Yes\nNo", "show_if": str(later.id)},
    )
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    html = client.get(f"/manage/consultations/{branching.id}").get_data(as_text=True)
    assert "Asked only of people who chose “Yes” for “Do you drive?”" in html


def test_pages_move_but_not_ahead_of_the_answer_they_depend_on(client, branching, officer):
    sign_in(client, officer)
    branching.status = ConsultationStatus.DRAFT
    db.session.commit()
    first, second, third = (s.id for s in branching.sections)
    response = client.post(f"/manage/sections/{second}/move/up", follow_redirects=True)
    assert "depends on an answer on “You”" in response.get_data(as_text=True)
    assert [s.id for s in db.session.get(Consultation, branching.id).sections] == [first, second, third]
    client.post(f"/manage/sections/{third}/move/up")
    db.session.expire_all()
    assert [s.id for s in db.session.get(Consultation, branching.id).sections] == [first, third, second]


def test_copying_a_consultation_makes_a_draft_with_the_same_questions_and_conditions(
    client, branching, officer
):
    sign_in(client, officer)
    response = client.post(f"/manage/consultations/{branching.id}/duplicate")
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    copy = db.session.get(Consultation, copy_id)
    assert copy.status is ConsultationStatus.DRAFT and copy.title == "Copy of Getting about"
    assert [q.label for q in copy.questions] == [q.label for q in branching.questions]
    parking = copy.sections[1].questions[0]
    assert parking.show_if_option.question.section.consultation_id == copy.id
    assert parking.show_if_option.label == "Yes"
    assert [o.label for o in copy.sections[1].questions[1].options] == [
        "More buses",
        "Cheaper fares",
        "Safer cycle lanes",
    ]
    html = client.get(f"/manage/consultations/{copy_id}").get_data(as_text=True)
    assert "This is a new draft copied from Getting about" in html


def _as_another(app, user):
    """A second browser signed in as ``user`` (the test app's pushed context keeps the last user in g)."""
    g.pop("_login_user", None)
    other = app.test_client()
    sign_in(other, user)
    return other


def _paper(branching, drive_option, parking, ranking, places, sheet="17"):
    data = {"sheet": sheet, f"q{branching.questions[0].id}": drive_option}
    if parking is not None:
        data[f"q{branching.questions[1].id}"] = parking
    data |= _ranking_data(branching.questions[2], places)
    return data


def test_a_paper_sheet_is_typed_in_then_checked_by_a_second_person(
    client, app, branching, officer, make_user
):
    drive, parking, ranking, reason = _questions(branching)
    sign_in(client, officer)
    html = client.get(f"/manage/consultations/{branching.id}/paper").get_data(as_text=True)
    # Every question is on the one page, conditional ones too (the sheet has them all).
    assert all(
        label in html for label in ("Do you drive?", "How easy is it to park?", "What stops you driving?")
    )
    response = client.post(
        f"/manage/consultations/{branching.id}/paper",
        data=_paper(branching, drive.options[0].id, "6", ranking, [1, 2, 3]),
        follow_redirects=True,
    )
    assert "Saved sheet 17" in response.get_data(as_text=True)
    stored = db.session.scalar(select(ConsultationResponse).where(ConsultationResponse.paper_sheet == "17"))
    assert stored.channel is Channel.PAPER and stored.entered_by_id == officer.id
    again = client.post(
        f"/manage/consultations/{branching.id}/paper",
        data=_paper(branching, drive.options[0].id, "6", ranking, [1, 2, 3]),
    )
    assert again.status_code == 400 and "Sheet 17 has already been typed in" in again.get_data(as_text=True)
    # The person who typed it cannot check it.
    response = client.post(
        f"/manage/consultation-responses/{stored.id}/check",
        data=_paper(branching, drive.options[0].id, "6", ranking, [1, 2, 3]),
        follow_redirects=True,
    )
    assert "Someone other than the person who typed this sheet in must check it" in response.get_data(
        as_text=True
    )
    # A second officer types it differently: the rating and the ranking are flagged, the rest matches.
    second = make_user(Role.BOARD_OFFICER, organisation=officer.organisation)
    checker = _as_another(app, second)
    response = checker.post(
        f"/manage/consultation-responses/{stored.id}/check",
        data=_paper(branching, drive.options[0].id, "8", ranking, [2, 1, 3]),
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Sheet 17 differs from the first typing on 2 questions" in html
    assert "How easy is it to park?" in html and "First typing: 6" in html and "Second typing: 8" in html
    assert "Do you drive?</dt>" not in html
    check = db.session.scalar(select(PaperCheck).where(PaperCheck.response_id == stored.id))
    assert check.checked_by_id == second.id
    # Deleted to type in again: its answers go with it.
    checker.post(f"/manage/consultation-responses/{stored.id}/delete")
    assert db.session.get(ConsultationResponse, stored.id) is None
    assert db.session.scalar(select(Answer).where(Answer.response_id == stored.id)) is None


def test_a_matching_check_and_paper_counts_in_the_results(client, app, branching, officer, make_user):
    drive, parking, ranking, reason = _questions(branching)
    sign_in(client, officer)
    client.post(
        f"/manage/consultations/{branching.id}/paper",
        data=_paper(branching, drive.options[1].id, None, ranking, [3, 2, 1], sheet="A-2"),
    )
    stored = db.session.scalar(select(ConsultationResponse).where(ConsultationResponse.paper_sheet == "A-2"))
    checker = _as_another(app, make_user(Role.BOARD_OFFICER, organisation=officer.organisation))
    response = checker.post(
        f"/manage/consultation-responses/{stored.id}/check",
        data=_paper(branching, drive.options[1].id, None, ranking, [3, 2, 1], sheet="ignored"),
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Sheet A-2 matches the first typing" in html and "Matches" in html
    results = consultation_results(db.session.get(Consultation, branching.id))
    assert results.responses == 1
    assert results.channels == {"paper": 1}


def test_paper_entry_is_refused_for_a_draft(client, branching, officer):
    sign_in(client, officer)
    branching.status = ConsultationStatus.DRAFT
    db.session.commit()
    response = client.get(f"/manage/consultations/{branching.id}/paper", follow_redirects=True)
    assert "Paper responses can be typed in while the consultation is open or closed" in response.get_data(
        as_text=True
    )


def _typed_sheets(consultation, how_many: int) -> list[ConsultationResponse]:
    """Paper sheets as typed in (the rows the entry form writes; their answers do not matter to the list)."""
    sheets = [
        ConsultationResponse(
            consultation_id=consultation.id,
            reference=f"P{k:05d}",
            channel=Channel.PAPER,
            paper_sheet=f"{k:04d}",
            idempotency_key=f"sheet-{k}",
        )
        for k in range(1, how_many + 1)
    ]
    db.session.add_all(sheets)
    db.session.flush()
    return sheets


def _listed(html: str) -> list[str]:
    return re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', html)


def test_the_paper_sheets_list_comes_in_pages_with_a_tally_of_them_all(client, app, branching, officer):
    """A consultation with hundreds of sheets typed in lists 50 a page, newest first, and the tally above the
    list counts every sheet, check and difference, not just the page's."""
    sheets = _typed_sheets(branching, 53)
    differs = '[{"question": "Q"}]'
    db.session.add_all(
        [
            PaperCheck(response_id=sheets[0].id, checked_by_id=officer.id, differences="[]"),
            PaperCheck(response_id=sheets[1].id, checked_by_id=officer.id, differences=differs),
            PaperCheck(response_id=sheets[52].id, checked_by_id=officer.id, differences=differs),
        ]
    )
    db.session.commit()
    sign_in(client, officer)
    url = f"/manage/consultations/{branching.id}/paper/sheets"

    first = client.get(url).get_data(as_text=True)
    assert "53 sheets typed in; 3 checked, 2 with differences." in first
    assert _listed(first) == [f"{k:04d}" for k in range(53, 3, -1)]  # the newest 50
    assert "Page 1 of 2" in first and 'rel="next"' in first and 'rel="prev"' not in first
    assert f'href="{url}?page=2"' in first

    second = client.get(f"{url}?page=2").get_data(as_text=True)
    assert "53 sheets typed in; 3 checked, 2 with differences." in second
    assert _listed(second) == ["0003", "0002", "0001"]
    assert "Page 2 of 2" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert second.count("Differs") == 1 and second.count("Matches") == 1

    # Anything but a page number that exists: the first page, never an error.
    for page in ("abc", "0", "-1", "²", "99999999999999999999999"):
        response = client.get(url, query_string={"page": page})
        assert response.status_code == 200 and _listed(response.get_data(as_text=True))[0] == "0053", page
    past_the_end = client.get(f"{url}?page=7").get_data(as_text=True)  # a link kept from before deletions
    assert _listed(past_the_end) == ["0003", "0002", "0001"] and "Page 2 of 2" in past_the_end


def test_a_consultation_with_one_page_of_sheets_has_no_page_links(client, branching, officer):
    _typed_sheets(branching, 2)
    db.session.commit()
    sign_in(client, officer)
    html = client.get(f"/manage/consultations/{branching.id}/paper/sheets").get_data(as_text=True)
    assert _listed(html) == ["0002", "0001"] and "2 sheets typed in; 0 checked, 0 with differences." in html
    assert "govuk-pagination" not in html
