"""Open-text rounds: phones send free text, the facilitator lets each answer onto the projector (a word
cloud and a list) or keeps it off; and the facilitator's own notes per round, on the control page only."""

import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.channels import Channel
from engage.extensions import db
from engage.surveys.models import Answer, ConsultationResponse
from engage.workshops import service, wall
from engage.workshops.models import WallEntry, WallState
from engage.workshops.report import session_report
from tests.conftest import sign_in

# The words and the list (hand-computed)


def test_cloud_counts_each_word_once_per_answer_drops_common_words_and_sizes_by_count():
    words = wall.cloud(["More buses at night", "buses buses please", "Night BUSES"])
    assert [(w.word, w.count, w.size) for w in words] == [
        ("buses", 3, 5),  # the most said: largest
        ("night", 2, 3),  # half way between 1 and 3: 1 + round(1 * 4 / 2)
        ("please", 1, 1),  # "more" and "at" are dropped (a common word; under three letters)
    ]
    assert wall.cloud([]) == [] and wall.cloud(["a an 12 345"]) == []


def test_cloud_keeps_letters_of_every_language_and_at_most_thirty_words():
    welsh_urdu = wall.cloud(["Mwy o fysiau gyda’r nos", "زیادہ بسیں رات کو"])
    assert {"mwy", "fysiau", "gyda’r", "nos", "زیادہ", "بسیں", "رات"} == {w.word for w in welsh_urdu}
    many = wall.cloud([f"word{'x' * n}" for n in range(40)] + ["alpha"] * 3)
    assert len(many) == wall.CLOUD_WORDS and "alpha" in {w.word for w in many}


def test_grouped_answers_merge_repeats_ignoring_case_spaces_and_a_full_stop():
    texts = ["Safer streets.", "More parks", "safer   STREETS", "Safer streets!"]
    assert wall.grouped(texts) == [("Safer streets.", 3), ("More parks", 1)]
    assert len(wall.grouped([f"answer {n}" for n in range(30)])) == wall.LIST_ANSWERS


# The round


@pytest.fixture
def facilitator(make_user, council):
    return make_user(Role.FACILITATOR, organisation=council)


@pytest.fixture
def text_round(hwb, facilitator, make_consultation):
    session = service.create_session(hwb, facilitator, "Ideas evening", date(2026, 12, 3), "Library")
    question = next(q for q in make_consultation().questions if q.kind.value == "long_text")
    round_ = service.add_round(session, question=question)
    service.start_next_round(session)
    db.session.commit()
    return round_


def _phone(app: Flask, code: str, label: str = ""):
    phone = app.test_client()
    phone.post(f"/join/{code}", data={"label": label})
    return phone


def _send(phone, code: str, text: str):
    return phone.post(f"/join/{code}/question", data={"answer": text})


def _projector(client, session) -> str:
    return client.get(f"/manage/workshops/{session.id}/projector/live").get_data(as_text=True)


def test_a_phone_sends_free_text_once_and_it_waits_for_the_facilitator(app, client, text_round, facilitator):
    session = text_round.session
    phone = _phone(app, session.join_code, "Table 4")
    page = phone.get(f"/join/{session.join_code}").get_data(as_text=True)
    assert "<textarea" in page and "The screen never shows who wrote it" in page
    refused = _send(phone, session.join_code, "   ")
    assert refused.status_code == 400 and "Enter your answer" in refused.get_data(as_text=True)
    for _ in range(2):  # a double tap stores one answer
        _send(phone, session.join_code, "More buses after 8pm")
    stored = db.session.scalars(select(ConsultationResponse)).all()
    assert len(stored) == 1 and stored[0].channel is Channel.WORKSHOP
    assert stored[0].workshop_session_id == session.id
    waiting = [(e.text, e.state) for e in wall.entries(text_round)]
    assert waiting == [("More buses after 8pm", WallState.WAITING)]
    done = phone.get(f"/join/{session.join_code}").get_data(as_text=True)
    assert "will read your answer before it can go on the screen" in done
    # Waiting answers never reach the projector, even with the results shown.
    sign_in(client, facilitator)
    service.set_round_state(session, "reveal")
    assert "More buses" not in _projector(client, session)
    assert "Answers will appear here once the facilitator has read them" in _projector(client, session)


def test_an_answer_longer_than_the_question_allows_is_refused(app, text_round):
    session = text_round.session
    phone = _phone(app, session.join_code)
    refused = _send(phone, session.join_code, "x" * 5001)
    assert refused.status_code == 400 and "5000 characters or fewer" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 0


def test_the_facilitator_lets_answers_through_and_the_projector_shows_only_those(
    app, client, text_round, facilitator
):
    session = text_round.session
    for n, text in enumerate(["Buses at night", "Safer parks", "buses at night", "Call me on 07700 900123"]):
        _send(_phone(app, session.join_code, f"Person {n}"), session.join_code, text)
    sign_in(client, facilitator)
    control = client.get(f"/manage/workshops/{session.id}").get_data(as_text=True)
    assert "Waiting for you (4)" in control and "Call me on 07700 900123" in control
    entries = {e.text: e for e in wall.entries(text_round)}
    keep_off = entries["Call me on 07700 900123"]
    assert client.post(f"/manage/workshops/{session.id}/wall/{keep_off.id}/hide").status_code == 302
    for text in ("Buses at night", "Safer parks", "buses at night"):
        client.post(f"/manage/workshops/{session.id}/wall/{entries[text].id}/show")
    client.post(f"/manage/workshops/{session.id}/reveal")
    screen = _projector(client, session)
    assert "07700" not in screen and "Call me" not in screen
    assert "Safer parks" in screen and "×2" in screen  # the two "buses at night" grouped
    assert 'app-cloud__word--5" data-count="2">buses<' in screen
    assert "Person 1" not in screen and "Person 1" in client.get(f"/manage/workshops/{session.id}").get_data(
        as_text=True
    )
    # Changing one's mind: the hidden answer can be shown later, and a shown one taken down.
    client.post(f"/manage/workshops/{session.id}/wall/{entries['Safer parks'].id}/hide")
    assert "Safer parks" not in _projector(client, session)
    # The projector-only link shows the same, no more.
    client.post(f"/manage/workshops/{session.id}/screen-link/new")
    token = service.screen_token(session)
    anonymous = app.test_client()
    by_link = anonymous.get(f"/screen/{token}/live").get_data(as_text=True)
    assert "buses at night" in by_link.lower() and "Safer parks" not in by_link and "07700" not in by_link


def test_show_all_lets_through_only_what_the_facilitator_had_on_screen(app, client, text_round, facilitator):
    session = text_round.session
    _send(_phone(app, session.join_code), session.join_code, "First idea")
    _send(_phone(app, session.join_code), session.join_code, "Second idea")
    seen = max(e.id for e in wall.entries(text_round))
    _send(_phone(app, session.join_code), session.join_code, "Arrived while the facilitator was reading")
    sign_in(client, facilitator)
    answer = client.post(
        f"/manage/workshops/{session.id}/rounds/{text_round.id}/wall/show-waiting",
        data={"up_to": seen},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200 and 'id="control-wall"' in answer.get_data(as_text=True)
    states = {e.text: e.state for e in wall.entries(text_round)}
    assert states == {
        "First idea": WallState.SHOWN,
        "Second idea": WallState.SHOWN,
        "Arrived while the facilitator was reading": WallState.WAITING,
    }
    without_what_was_seen = f"/manage/workshops/{session.id}/rounds/{text_round.id}/wall/show-waiting"
    assert client.post(without_what_was_seen).status_code == 400


def test_the_queue_is_redrawn_only_when_something_changed(app, client, text_round, facilitator):
    session = text_round.session
    sign_in(client, facilitator)
    first = client.get(f"/manage/workshops/{session.id}/wall")
    version = wall.version(text_round)
    assert first.status_code == 200 and f"v={version}" in first.get_data(as_text=True)
    assert client.get(f"/manage/workshops/{session.id}/wall?v={version}").status_code == 204
    _send(_phone(app, session.join_code), session.join_code, "New answer")
    changed = client.get(f"/manage/workshops/{session.id}/wall?v={version}")
    assert changed.status_code == 200 and "New answer" in changed.get_data(as_text=True)


def test_another_organisations_facilitator_and_another_sessions_entry_are_refused(
    app, client, text_round, facilitator, make_user, hwb, make_consultation
):
    session = text_round.session
    _send(_phone(app, session.join_code), session.join_code, "Mine")
    entry = wall.entries(text_round)[0]
    sign_in(client, make_user(Role.FACILITATOR))
    assert client.post(f"/manage/workshops/{session.id}/wall/{entry.id}/show").status_code == 403
    assert client.get(f"/manage/workshops/{session.id}/wall").status_code == 403
    assert client.get(f"/manage/workshops/{session.id}/rounds/{text_round.id}/notes").status_code == 403
    # The same facilitator's other workshop cannot reach this session's entry by its id.
    other = service.create_session(hwb, facilitator, "Another evening", date(2026, 12, 4), "")
    db.session.commit()
    client = app.test_client()
    sign_in(client, facilitator)
    assert client.post(f"/manage/workshops/{other.id}/wall/{entry.id}/show").status_code == 404
    assert (
        client.post(
            f"/manage/workshops/{other.id}/rounds/{text_round.id}/wall/show-waiting", data={"up_to": entry.id}
        ).status_code
        == 404
    )
    assert wall.entries(text_round)[0].state is WallState.WAITING


def test_an_answer_whose_wall_entry_fails_is_not_kept(app, text_round, monkeypatch):
    session = text_round.session
    phone = _phone(app, session.join_code)

    def broken(*args, **kwargs):
        raise RuntimeError("the wall is down")

    monkeypatch.setattr(wall, "add_entry", broken)
    with pytest.raises(RuntimeError):
        _send(phone, session.join_code, "Lost?")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    assert db.session.scalar(select(func.count()).select_from(WallEntry)) == 0


def test_a_deleted_response_leaves_the_wall(app, text_round, facilitator):
    from engage.surveys.responses import delete_response

    session = text_round.session
    _send(_phone(app, session.join_code), session.join_code, "Remove me later")
    response = db.session.scalars(select(ConsultationResponse)).one()
    assert delete_response(response.consultation, response.reference)
    db.session.flush()
    assert wall.entries(text_round) == []


def test_paper_for_a_free_text_round_points_to_the_consultations_paper_entry(client, text_round, facilitator):
    session = text_round.session
    sign_in(client, facilitator)
    page = client.get(f"/manage/workshops/{session.id}/paper?round={text_round.id}").get_data(as_text=True)
    consultation = text_round.question.section.consultation
    assert "free-text question" in page and f"/manage/consultations/{consultation.id}/paper" in page
    assert "<textarea" not in page
    client.post(f"/manage/workshops/{session.id}/paper?round={text_round.id}", data={"in_room": "5"})
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 0


def test_the_report_counts_the_round_and_invents_no_figures(app, client, text_round, facilitator):
    session = text_round.session
    _send(_phone(app, session.join_code), session.join_code, "An idea")
    (report,) = session_report(session)
    assert report.room.measure == "text" and report.room.respondents == 1
    assert report.rows() == [("", None, None)]
    assert report.paper_sheets is None and report.shows_of_hands is None
    sign_in(client, facilitator)
    assert client.get(f"/manage/workshops/{session.id}/report").status_code == 200
    csv_text = client.get(f"/manage/workshops/{session.id}/report.csv").get_data(as_text=True)
    assert "1,Anything else?,question,,text,,,1,0,1,,,\r\n" in csv_text


# The facilitator's notes


def test_notes_per_round_show_on_the_control_page_only(app, client, text_round, facilitator):
    session = text_round.session
    sign_in(client, facilitator)
    url = f"/manage/workshops/{session.id}/rounds/{text_round.id}/notes"
    form = client.get(url)
    assert form.status_code == 200 and "Your notes for this round" in form.get_data(as_text=True)
    too_long = client.post(url, data={"notes": "x" * 4001})
    assert too_long.status_code == 400 and "4,000 characters or fewer" in too_long.get_data(as_text=True)
    saved = client.post(url, data={"notes": "Ask the back tables first.\nRemind: no names."})
    assert saved.status_code == 302
    assert text_round.notes == "Ask the back tables first.\nRemind: no names."
    control = client.get(f"/manage/workshops/{session.id}").get_data(as_text=True)
    assert "Ask the back tables first." in control and "Change notes" in control
    service.set_round_state(session, "reveal")
    assert "back tables" not in _projector(client, session)
    phone = _phone(app, session.join_code)
    assert "back tables" not in phone.get(f"/join/{session.join_code}").get_data(as_text=True)
    assert "back tables" not in client.get(f"/manage/workshops/{session.id}/report").get_data(as_text=True)
    assert client.get(f"/manage/workshops/{session.id}/rounds/999999/notes").status_code == 404


def test_a_projector_link_that_is_not_a_number_is_not_found(client):
    for token in ("99999999999999999999999.aa", "%C2%B2.aa", "%D9%A1.aa", "1.", "."):
        assert client.get(f"/screen/{token}").status_code == 404, token
        assert client.get(f"/screen/{token}/live").status_code == 404, token


def test_who_answered_is_kept_to_the_minute_not_beside_the_answers_own_time(app, text_round):
    """The facilitator sees that a named person answered; the exact moment would tie them to the answer."""
    from engage.workshops.models import RoundAnswer

    session = text_round.session
    _send(_phone(app, session.join_code, "Alice"), session.join_code, "An idea of Alice's")
    (mark,) = db.session.scalars(select(RoundAnswer)).all()
    assert mark.answered_at.second == 0 and mark.answered_at.microsecond == 0


def test_in_a_free_text_round_the_control_page_does_not_say_who_answered(
    app, client, text_round, facilitator
):
    """The facilitator reads each answer as it arrives: a name turning to "Answered" in the same poll would
    tie the two. The table says nobody's status in a free-text round; the count says how many answered."""
    session = text_round.session
    writer = _phone(app, session.join_code, "Amira")
    _phone(app, session.join_code, "Table 2")
    _send(writer, session.join_code, "Longer library opening hours")
    sign_in(client, facilitator)
    live = client.get(f"/manage/workshops/{session.id}/live").get_data(as_text=True)
    rows = re.findall(r"<tr class=\"govuk-table__row\" data-person>(.*?)</tr>", live, re.S)
    assert len(rows) == 2 and "Amira" in rows[0] and "Table 2" in rows[1]
    assert not any("Answered" in row or "Not yet" in row for row in rows)
    assert "does not say who has answered" in live
    assert [e.text for e in wall.entries(text_round)] == ["Longer library opening hours"]
