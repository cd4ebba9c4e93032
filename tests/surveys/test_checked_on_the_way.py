"""Issue 23, consultation send: the answers are checked once, on the resident's way to "check your answers",
and the send stores the rows kept from that (engage.surveys.checked) instead of loading every page and
checking it again; but only while the answers and the pages are what they were checked as. Anything
changed since (the answers, a question, the board's priorities) is checked again at the send, as before."""

from types import SimpleNamespace

from sqlalchemy import select, update

from engage.extensions import db
from engage.surveys import authoring, checked, views_resident
from engage.surveys.models import Answer, ConsultationResponse, QuestionKind, ResponseDraft
from tests.prioritise.test_all_or_nothing import count
from tests.surveys.test_consultations import first_page
from tests.surveys.test_response_fast_path import _answers, _ready, _same_as_counting_every_row


def _send(client, consultation, key):
    return client.post(f"/consultations/{consultation.id}/check", data={"key": key})


def _checks_made(monkeypatch) -> list[int]:
    """How many times the send path checks every page again (``_checked_pages`` calls at the send)."""
    calls: list[int] = []
    real = views_resident._checked_pages

    def spy(consultation, answers):
        calls.append(1)
        return real(consultation, answers)

    monkeypatch.setattr(views_resident, "_checked_pages", spy)
    return calls


def test_the_send_stores_the_rows_kept_on_the_way_and_they_match_checking_again(
    client, app, make_consultation, hwb, monkeypatch
):
    consultation = make_consultation()
    kept_key = _ready(client, consultation, hwb)
    draft = db.session.scalar(select(ResponseDraft))
    assert draft.checked is not None  # kept when the last page went on to check your answers
    checks = _checks_made(monkeypatch)
    assert _send(client, consultation, kept_key).headers["Location"].endswith("/confirmation")
    assert checks == []  # stored without checking every page again
    kept_answers = _answers()

    # The same answers from another resident whose kept rows are gone: checked again at the send.
    other = app.test_client()
    other_key = _ready(other, consultation, hwb)
    db.session.execute(update(ResponseDraft).values(checked=None))
    db.session.commit()
    checks.clear()  # (opening check your answers checks every page, as it always has)
    assert _send(other, consultation, other_key).headers["Location"].endswith("/confirmation")
    assert checks == [1]
    first, second = db.session.scalars(select(ConsultationResponse.id).order_by(ConsultationResponse.id))
    assert _answers(first) == _answers(second) and len(kept_answers) == 13
    assert _same_as_counting_every_row(consultation)
    assert count(ResponseDraft) == 0


def test_a_question_added_after_the_answers_were_checked_is_asked_before_anything_is_stored(
    client, make_consultation, hwb, monkeypatch
):
    """The officer's edit moves the consultation's stamp: the kept rows no longer match, the send checks
    every page, and the resident is sent to answer the new required question."""
    consultation = make_consultation()
    key = _ready(client, consultation, hwb)
    authoring.save_question(
        consultation.sections[1], None, kind=QuestionKind.SHORT_TEXT, label="Your street", required=True
    )
    db.session.commit()
    checks = _checks_made(monkeypatch)
    answer = _send(client, consultation, key)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/sections/2")
    assert checks == [1] and count(ConsultationResponse) == 0 and count(Answer) == 0


def test_answers_changed_since_they_were_checked_are_checked_again(client, make_consultation, hwb):
    """Kept rows are for the answers they were checked from: the draft's answers changed underneath them
    (here a rating out of range written straight into the draft) are checked, and refused, at the send."""
    consultation = make_consultation()
    key = _ready(client, consultation, hwb)
    draft = db.session.scalar(select(ResponseDraft))
    rating = consultation.sections[0].questions[3]
    draft.data = draft.data.replace(f'"q{rating.id}": ["8"]', f'"q{rating.id}": ["99"]')
    assert '"99"' in draft.data
    db.session.commit()
    answer = _send(client, consultation, key)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/sections/1")
    assert count(ConsultationResponse) == 0


def test_a_page_saved_for_later_after_check_stores_its_new_answer(client, make_consultation, hwb):
    """Going back from check your answers and saving a changed page for later drops the kept rows; the send
    stores the answer as it now is."""
    consultation = make_consultation()
    key = _ready(client, consultation, hwb)
    single = consultation.sections[0].questions[0]
    online = str(single.options[2].id)
    data = {**first_page(consultation, **{f"q{single.id}": online}), "later": "1"}
    client.post(f"/consultations/{consultation.id}/sections/1", data=data)
    assert db.session.scalar(select(ResponseDraft.checked)) is None
    assert _send(client, consultation, key).headers["Location"].endswith("/confirmation")
    chosen = db.session.scalar(select(Answer.option_id).where(Answer.question_id == single.id))
    assert chosen == single.options[2].id


def test_kept_rows_are_used_only_for_the_answers_and_pages_they_were_checked_against():
    questions = [
        SimpleNamespace(id=7, kind=QuestionKind.NUMBER),
        SimpleNamespace(id=8, kind=QuestionKind.RATING),
    ]
    consultation = SimpleNamespace(structure_version=41, board_id=3, questions=questions)
    rows = [{"question_id": 7, "option_id": None, "priority_id": None, "text": None, "number": 2.5}]
    data = '{"q7": ["2.5"]}'
    kept = checked.kept(consultation, data, rows)
    found = checked.usable(consultation, data, kept)
    assert found == checked.Checked(rows, {7: QuestionKind.NUMBER})
    assert checked.usable(consultation, '{"q7": ["3"]}', kept) is None  # other answers
    assert (
        checked.usable(SimpleNamespace(**{**vars(consultation), "structure_version": 42}), data, kept) is None
    )
    assert checked.usable(SimpleNamespace(**{**vars(consultation), "board_id": 4}), data, kept) is None
    assert (
        checked.usable(consultation, data, None) is None and checked.usable(consultation, None, kept) is None
    )
    assert checked.usable(consultation, "{}", checked.kept(consultation, "{}", [])) is None  # nothing to send
