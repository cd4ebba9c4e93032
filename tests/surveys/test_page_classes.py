"""A consultation page's form class is kept per worker (engage.surveys.page_classes), and what a resident
sees still follows every change: a question or option edited, a priority renamed, a translation saved or
taken away, another language."""

from collections import OrderedDict

from engage import content
from engage.boards.models import Priority
from engage.extensions import db
from engage.surveys.page_classes import page_class
from tests.surveys.test_conditions_ranking_paper import branching  # noqa: F401 (a fixture)


def _page(client, consultation, number=1):
    return client.get(f"/consultations/{consultation.id}/sections/{number}").get_data(as_text=True)


def _kept(app):
    return app.extensions.get("engage_page_classes", {})


def test_the_same_page_uses_the_class_made_the_first_time(app, make_consultation):
    consultation = make_consultation()
    first, second = app.test_client(), app.test_client()
    before = len(_kept(app))  # the app is shared between tests: so are its classes
    _page(first, consultation)
    kept = dict(_kept(app))
    assert len(kept) == before + 1
    assert "How do you usually see a GP?" in _page(second, consultation)
    assert dict(_kept(app)) == kept  # the same class: none made again


def test_an_edited_question_or_option_shows_at_once(app, make_consultation):
    consultation = make_consultation()
    resident = app.test_client()
    assert "How do you usually see a GP?" in _page(resident, consultation)
    single = consultation.questions[0]
    single.label = "How do you most often see a GP?"
    single.options[1].label = "On the telephone"
    db.session.commit()
    page = _page(resident, consultation)
    assert "How do you most often see a GP?" in page and "On the telephone" in page
    assert "How do you usually see a GP?" not in page and "By phone" not in page


def test_a_renamed_priority_shows_in_the_importance_grid(app, make_consultation, hwb):
    consultation = make_consultation()
    resident = app.test_client()
    priority = db.session.scalars(db.select(Priority).where(Priority.board_id == hwb.id)).first()
    assert priority.title in _page(resident, consultation, 2)
    priority.title = "Fewer people waiting for care at home"
    db.session.commit()
    assert "Fewer people waiting for care at home" in _page(resident, consultation, 2)


def test_a_translation_saved_changed_or_removed_shows_at_once(app, make_consultation, hwb):
    """The options' words and the importance grid's rows come from the page's class; so do the question's
    words in its error message."""
    consultation = make_consultation()
    single = consultation.questions[0]
    priority = db.session.scalars(db.select(Priority).where(Priority.board_id == hwb.id)).first()
    welsh, english = app.test_client(), app.test_client()
    welsh.get(f"/language/cy?next=/consultations/{consultation.id}")
    assert "By phone" in _page(welsh, consultation) and priority.title in _page(welsh, consultation, 2)
    assert "By phone" in _page(english, consultation)
    option = f"option:{single.options[1].id}:label"
    for words in ("Dros y ffôn", "Ar y ffôn"):
        content.save(consultation, "cy", {option: words, f"question:{single.id}:label": f"Cwestiwn {words}"})
        content.save(hwb, "cy", {f"priority:{priority.id}:title": f"Blaenoriaeth {words}"})
        db.session.commit()
        page = _page(welsh, consultation)
        assert words in page and "By phone" not in page
        assert f"Blaenoriaeth {words}" in _page(welsh, consultation, 2)
        refused = welsh.post(f"/consultations/{consultation.id}/sections/1", data={}).get_data(as_text=True)
        assert "govuk-error-summary" in refused and f"Cwestiwn {words}" in refused
        # The English page never borrows the Welsh class, nor the Welsh page the English one.
        page = _page(english, consultation)
        assert "By phone" in page and words not in page
        assert f"Blaenoriaeth {words}" not in _page(english, consultation, 2)
    content.save(consultation, "cy", {option: ""})  # taken away: the English again
    db.session.commit()
    page = _page(welsh, consultation)
    assert "By phone" in page and page.count("Ar y ffôn") == page.count("Cwestiwn Ar y ffôn")


def test_residents_on_different_paths_each_get_their_own_page(app, branching):  # noqa: F811
    """Page 2 asks about parking only of drivers: its class is made for the questions asked."""
    drive = branching.sections[0].questions[0]
    before = len(_kept(app))
    answers = {"driver": drive.options[0].id, "non-driver": drive.options[1].id}
    residents = {who: app.test_client() for who in answers}
    for who, option in answers.items():
        residents[who].post(f"/consultations/{branching.id}/sections/1", data={f"q{drive.id}": option})
    for who in ("driver", "non-driver", "driver"):
        asked = "How easy is it to park?" in _page(residents[who], branching, 2)
        assert asked is (who == "driver"), who
    assert len(_kept(app)) == before + 3  # page 1, and page 2 for each path


def test_the_kept_classes_are_bounded(app, monkeypatch):
    monkeypatch.setattr("engage.surveys.page_classes.CLASSES", 3)
    monkeypatch.setitem(app.extensions, "engage_page_classes", OrderedDict())
    with app.test_request_context("/"):
        made = [page_class(object, n, lambda n=n: (type(f"Page{n}", (), {}), n)) for n in range(5)]
        assert [key for _, key in _kept(app)] == [2, 3, 4]
        assert page_class(object, 4, lambda: (None, None)) == made[4]  # kept: not made again
