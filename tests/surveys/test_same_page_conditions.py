"""A question that depends on an answer earlier on its own page: without scripts it is shown with a note and
the server decides whether it counts; with htmx it appears and goes as the answer changes, and a changed
answer is checked as soon as it is given."""

import pytest
from flask import g

from engage.extensions import db
from engage.surveys import authoring
from engage.surveys.models import ConsultationStatus, QuestionKind
from tests.conftest import sign_in

HTMX = {"HX-Request": "true"}


@pytest.fixture
def travel(hwb, officer):
    consultation = authoring.save_consultation(
        None, board=hwb, organisation_id=officer.organisation_id, user=officer, title="Travel"
    )
    page = authoring.save_section(consultation, None, title="How you travel")
    how = authoring.save_question(
        page,
        None,
        kind=QuestionKind.SINGLE,
        label="How do you travel?",
        required=True,
        options=["Car", "Bus"],
    )
    car, bus = how.options
    authoring.save_question(
        page,
        None,
        kind=QuestionKind.SHORT_TEXT,
        label="Where do you park?",
        required=True,
        show_if_option_id=car.id,
    )
    authoring.save_question(
        page, None, kind=QuestionKind.RATING, label="Rate the buses", show_if_option_id=bus.id
    )
    authoring.save_question(
        page, None, kind=QuestionKind.NUMBER, label="How many trips a week?", min_value=0, max_value=50
    )
    last = authoring.save_section(consultation, None, title="Anything else")
    authoring.save_question(last, None, kind=QuestionKind.LONG_TEXT, label="Anything else?")
    authoring.set_status(consultation, ConsultationStatus.OPEN)
    db.session.commit()  # services only flush (the browser test's live server reads it too)
    return consultation


def _ids(consultation):
    how, park, rate, trips = consultation.sections[0].questions
    return how, park, rate, trips


def test_without_scripts_every_question_shows_and_the_answer_decides_what_counts(client, travel):
    how, park, rate, trips = _ids(travel)
    car, bus = how.options
    url = f"/consultations/{travel.id}/sections/1"
    html = client.get(url).get_data(as_text=True)
    assert "Where do you park?" in html and "Answer this if you chose “Car” above." in html
    assert "Answer this if you chose “Bus” above." in html
    assert f'id="question-{park.id}" class="app-question" data-not-asked' in html

    # Car needs the parking answer; the bus rating is not asked, so a made-up answer to it is not kept.
    missing = client.post(url, data={f"q{how.id}": str(car.id), f"q{rate.id}": "4"})
    assert missing.status_code == 400 and "There is a problem" in missing.get_data(as_text=True)
    assert f'href="#q{park.id}">Enter an answer to ‘Where do you park?’</a>' in missing.get_data(as_text=True)
    sent = client.post(url, data={f"q{how.id}": str(car.id), f"q{park.id}": "Station", f"q{rate.id}": "4"})
    assert sent.status_code == 302 and sent.location.endswith("/sections/2")
    check = client.get(f"/consultations/{travel.id}/check").get_data(as_text=True)
    assert "Station" in check and "Rate the buses" not in check
    # Changing to the bus: the parking answer stops applying and goes, and it is no longer required.
    again = client.post(url, data={f"q{how.id}": str(bus.id), f"q{park.id}": "Station"})
    assert again.status_code == 302
    check = client.get(f"/consultations/{travel.id}/check").get_data(as_text=True)
    assert "Station" not in check and "Where do you park?" not in check
    page = client.get(url).get_data(as_text=True)
    assert f'id="question-{park.id}" class="app-question" data-not-asked' in page
    assert f'id="question-{rate.id}" class="app-question" hx-post' in page  # the bus rating applies


def test_htmx_shows_and_hides_questions_and_checks_a_changed_answer(client, travel):
    how, park, rate, trips = _ids(travel)
    car, bus = how.options
    url = f"/consultations/{travel.id}/sections/1/changed"
    chose_car = client.post(
        url, data={f"q{how.id}": str(car.id)}, headers=HTMX | {"HX-Trigger": f"question-{how.id}"}
    )
    html = chose_car.get_data(as_text=True)
    assert chose_car.status_code == 200
    assert f'<div id="question-{park.id}" class="app-question" hx-swap-oob="true"' in html
    assert f'name="_shown" value="{park.id}"' in html
    assert "Another question has appeared: Where do you park?" in html
    assert "govuk-error-message" not in html  # nothing typed yet, so no complaint about the parking answer
    # Only what changed is swapped: the bus rating stays hidden, the trips box and the choice itself stay as
    # they are on the page (so nothing typed meanwhile is replaced).
    for untouched in (rate, trips, how):
        assert f'id="question-{untouched.id}"' not in html

    chose_bus = client.post(
        url,
        data={f"q{how.id}": str(bus.id), "_shown": str(park.id)},
        headers=HTMX | {"HX-Trigger": f"question-{how.id}"},
    ).get_data(as_text=True)
    assert f'<div id="question-{park.id}" class="app-question" data-not-asked hx-swap-oob="true"' in chose_bus
    assert f'<div id="question-{rate.id}" class="app-question" hx-swap-oob="true"' in chose_bus
    assert "Another question has appeared: Rate the buses" in chose_bus

    unchanged = client.post(
        url,
        data={f"q{how.id}": str(bus.id), "_shown": str(rate.id)},
        headers=HTMX | {"HX-Trigger": f"question-{how.id}"},
    ).get_data(as_text=True)
    assert 'role="status" hx-swap-oob="true"></div>' in unchanged and "app-question" not in unchanged

    def trips_changed(value, **extra):
        data = {f"q{trips.id}": value, **extra}
        return client.post(url, data=data, headers=HTMX | {"HX-Trigger": f"question-{trips.id}"}).get_data(
            as_text=True
        )

    too_many = trips_changed("90")
    assert "must be 50 or less" in too_many and "govuk-error-message" in too_many
    assert f'name="_problem" value="{trips.id}"' in too_many
    mended = trips_changed("9", _problem=str(trips.id))
    assert f'id="question-{trips.id}"' in mended and "govuk-error-message" not in mended
    assert f'id="question-{trips.id}"' not in trips_changed("9")  # fine before and after: left alone
    assert f'id="question-{trips.id}"' not in trips_changed("")  # blank: checked on Continue

    assert client.post(url, data={}, headers=HTMX | {"HX-Trigger": "something-else"}).status_code == 400
    assert client.post(url, data={f"q{how.id}": str(car.id)}).status_code == 404  # not htmx
    assert client.post(f"/consultations/{travel.id}/sections/9/changed", headers=HTMX).status_code == 404


def test_a_question_cannot_move_above_the_answer_it_depends_on(client, travel, officer):
    how, park, rate, trips = _ids(travel)
    travel.status = ConsultationStatus.DRAFT  # questions move while nobody has answered
    db.session.commit()
    g.pop("_login_user", None)
    sign_in(client, officer)
    moved = client.post(f"/manage/questions/{park.id}/move/up", follow_redirects=True)
    assert "“Where do you park?” depends on the answer to “How do you travel?”" in moved.get_data(
        as_text=True
    )
    assert [q.id for q in travel.sections[0].questions] == [how.id, park.id, rate.id, trips.id]
    client.post(f"/manage/questions/{rate.id}/move/up")
    db.session.expire_all()
    assert [q.id for q in travel.sections[0].questions][:3] == [how.id, rate.id, park.id]
