"""Consultation actions are all or nothing: a response with its counts and its draft, equality answers with
the counts they move, a paper sheet and its check, a copy of a consultation, a theme. A step refused
part-way leaves nothing of the action and undoes nothing else the unit of work did."""

import pytest
from sqlalchemy import select

from engage.accounts.models import Role
from engage.channels import Channel
from engage.extensions import db
from engage.population.service import import_population
from engage.respondents import COOKIE_NAME, current_token
from engage.service_errors import StateError
from engage.surveys import authoring, paper, responses, themes
from engage.surveys.models import (
    Answer,
    Consultation,
    ConsultationProfile,
    ConsultationResponse,
    PaperCheck,
    Question,
    QuestionKind,
    ResponseCount,
    ResponseDraft,
    TextTheme,
)
from tests.conftest import sign_in
from tests.prioritise.test_all_or_nothing import count, earlier_write, missed_once, still_there
from tests.surveys.test_consultations import first_page, respond


def stored_counts():
    return sorted(
        db.session.execute(select(ResponseCount.cell, ResponseCount.channel, ResponseCount.responses))
    )


def a_theme(consultation):
    return TextTheme(question_id=consultation.questions[-1].id, name="Written before the action")


def counting_fails(monkeypatch, module, error: Exception | None = None):
    """Make counting (the last step of storing a response: ``counts.add``, or ``counts.add_new`` for one
    counted from the rows in hand) fail, after the response was written."""
    error = error or StateError("The counts could not be kept")

    def refuse(consultation, response_ids):
        assert count(ConsultationResponse, ConsultationResponse.id.in_(response_ids)) == len(response_ids)
        raise error

    def refuse_new(consultation, channel, answers, kinds=None):
        assert count(ConsultationResponse) >= 1 and count(Answer) >= len(answers)
        raise error

    monkeypatch.setattr(module.counts, "add", refuse)
    monkeypatch.setattr(module.counts, "add_new", refuse_new)


def test_a_response_whose_counting_fails_is_not_kept_and_the_draft_stays(
    client, make_consultation, hwb, monkeypatch
):
    """Before: the page caught the refusal and the request kept the response, uncounted, its draft gone."""
    consultation = make_consultation()
    counting_fails(monkeypatch, responses)
    sent, _key = respond(client, consultation, hwb)
    assert "not taking responses" in sent.get_data(as_text=True)
    db.session.expire_all()
    assert count(ConsultationResponse) == 0 and count(Answer) == 0
    assert count(ResponseDraft) == 1 and stored_counts() == []


def test_a_raced_response_undoes_only_its_own_insert(client, make_consultation, hwb):
    consultation = make_consultation()
    first, key = respond(client, consultation, hwb)
    assert first.status_code == 302
    before = earlier_write(a_theme(consultation))
    cookie = client.get_cookie(COOKIE_NAME).value
    with client.application.test_request_context("/", headers={"Cookie": f"{COOKIE_NAME}={cookie}"}):
        # The same resident's retry (their own token): a key only ever finds its sender's response. There is
        # no lookup first to miss: the insert's unique key refuses the copy, and nothing is undone.
        again = responses.submit_response(consultation, current_token(), [], idempotency_key=key)
    assert again.id == db.session.scalar(select(ConsultationResponse.id))
    assert still_there(before)  # before: the race's rollback took the theme with it
    assert count(ConsultationResponse) == 1


def test_equality_answers_whose_counting_fails_are_not_kept(app, make_consultation, monkeypatch):
    """Taking the response out of its cell, storing the answers, counting it in its new cell: all or none."""
    import_population("dimension,category,population\nsex,Female,500\nsex,Male,500\n")
    consultation = make_consultation()
    single = consultation.questions[0]
    response = responses.record_one_answer(
        single, str(single.options[0].id), idempotency_key="one", channel=Channel.ONLINE
    )
    db.session.commit()
    before = stored_counts()
    counting_fails(monkeypatch, responses, RuntimeError("the counts could not be kept"))
    with pytest.raises(RuntimeError):
        responses.save_profile(response, {"sex": "Female"})
    db.session.expire_all()
    assert count(ConsultationProfile) == 0
    assert stored_counts() == before == [("{}", Channel.ONLINE.value, 1)]


def test_a_closed_answer_whose_counting_fails_is_not_kept(make_consultation, monkeypatch):
    consultation = make_consultation()
    single = consultation.questions[0]
    counting_fails(monkeypatch, responses)
    with pytest.raises(StateError):
        responses.record_one_answer(
            single, str(single.options[0].id), idempotency_key="k", channel=Channel.WORKSHOP
        )
    db.session.expire_all()
    assert count(ConsultationResponse) == 0 and stored_counts() == []


def test_a_closed_answer_sent_twice_at_once_is_stored_once(make_consultation, monkeypatch):
    """A double tap in a workshop: the second copy finds the first's key taken and returns the first."""
    consultation = make_consultation()
    single = consultation.questions[0]
    first = responses.record_one_answer(
        single, str(single.options[0].id), idempotency_key="tap", channel=Channel.WORKSHOP
    )
    before = earlier_write(a_theme(consultation))
    monkeypatch.setattr(responses, "response_with_key", missed_once(responses.response_with_key))
    again = responses.record_one_answer(
        single, str(single.options[1].id), idempotency_key="tap", channel=Channel.WORKSHOP
    )
    assert again.id == first.id and still_there(before)
    assert count(ConsultationResponse) == 1 and stored_counts() == [("{}", "workshop", 1)]


def test_a_paper_sheet_whose_counting_fails_is_not_kept(client, make_consultation, officer, monkeypatch):
    """Before: the page showed the refusal and the request kept the sheet, uncounted."""
    consultation = make_consultation()
    counting_fails(monkeypatch, paper)
    sign_in(client, officer)
    refused = client.post(
        f"/manage/consultations/{consultation.id}/paper", data={"sheet": "0001", **first_page(consultation)}
    )
    assert refused.status_code == 400 and "The counts could not be kept" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert count(ConsultationResponse) == 0 and count(Answer) == 0 and stored_counts() == []


def test_a_sheet_typed_in_twice_at_once_keeps_the_first_and_undoes_nothing_else(
    client, make_consultation, officer, monkeypatch
):
    consultation = make_consultation()
    sign_in(client, officer)
    data = {"sheet": "0002", **first_page(consultation)}
    assert client.post(f"/manage/consultations/{consultation.id}/paper", data=data).status_code == 302
    first = paper.sheet_response(consultation, "0002")
    before = earlier_write(a_theme(consultation))
    monkeypatch.setattr(paper, "sheet_response", lambda consultation, sheet: None)  # not seen yet
    from engage.surveys.forms import PageForm

    pages = [
        PageForm.build(section, [], formdata=None, meta={"csrf": False}) for section in consultation.sections
    ]
    with (
        client.application.test_request_context("/"),
        pytest.raises(StateError, match="already been typed in"),
    ):
        paper.enter(consultation, pages, sheet="0002", user=officer)
    assert still_there(before)  # before: the clash's rollback took the theme with it
    assert count(ConsultationResponse) == 1 and db.session.get(ConsultationResponse, first.id) is not None
    assert stored_counts() == [("{}", "paper", 1)]


def test_a_sheet_checked_by_two_people_at_once_keeps_one_check(
    app, make_consultation, officer, make_user, monkeypatch
):
    """Before: the second check broke the unique constraint at commit (a server error)."""
    consultation = make_consultation()
    checkers = [make_user(Role.BOARD_OFFICER, organisation=officer.organisation) for _ in range(2)]
    with app.test_request_context("/"):
        typed = paper.enter(consultation, [], sheet="0003", user=officer)

        def the_other_check_lands_first(response, pages):
            # The first checker's check is stored while the second's typing is being compared.
            db.session.add(
                PaperCheck(response_id=response.id, checked_by_id=checkers[0].id, differences="[]")
            )
            db.session.flush()
            return []

        monkeypatch.setattr(paper, "differences", the_other_check_lands_first)
        with pytest.raises(StateError, match="already been checked"):
            paper.check(typed, [], user=checkers[1])
    db.session.expire_all()
    checks = db.session.scalars(select(PaperCheck)).all()
    assert [c.checked_by_id for c in checks] == [checkers[0].id]


def test_a_copy_that_fails_part_way_leaves_no_copy(make_consultation, make_user, officer):
    """The pages and questions are written before the conditions are mapped: a failure there leaves none."""
    consultation = make_consultation()
    elsewhere = make_consultation()
    question = consultation.questions[1]
    # A condition on an option the copy does not have (only possible by writing to the database directly).
    question.show_if_option_id = elsewhere.questions[0].options[0].id
    db.session.commit()
    consultations, questions = count(Consultation), count(Question)
    with pytest.raises(KeyError):
        authoring.duplicate(consultation, officer, officer.organisation_id)
    db.session.expire_all()
    assert count(Consultation) == consultations and count(Question) == questions


def test_a_theme_named_twice_is_refused_without_undoing_anything_else(make_consultation):
    consultation = make_consultation()
    text = next(q for q in consultation.questions if q.kind is QuestionKind.LONG_TEXT)
    themes.add_theme(text, "Opening hours")
    before = earlier_write(a_theme(consultation))
    with pytest.raises(StateError, match="already has a theme called"):
        themes.add_theme(text, "Opening  hours ")
    assert still_there(before)  # before: the clash's rollback took the other theme with it
    assert count(TextTheme, TextTheme.question_id == text.id) == 2


def test_a_response_is_stored_with_its_counts_and_its_draft_forgotten(client, make_consultation, hwb):
    consultation = make_consultation()
    sent, _key = respond(client, consultation, hwb)
    assert sent.status_code == 302
    db.session.expire_all()
    assert count(ConsultationResponse) == 1 and count(ResponseDraft) == 0
    assert stored_counts() == [("{}", "online", 1)]
