"""GOV.UK HTML kept per worker (engage/kept_html.py): the same HTML as rendering afresh, never a resident's
answer or an error, never a stale officer's text, never staff's CSRF token, and bounded."""

from __future__ import annotations

import pytest
from flask import render_template
from flask_babel import refresh
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectChoice, StringField, TextAreaField

from engage import kept_html
from engage.equality.forms import ProfileForm
from engage.forms import EngageForm


@pytest.fixture(autouse=True)
def _no_copies():
    kept_html.forget_all()
    yield
    kept_html.forget_all()


def _afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every call renders (the copies switched off), for comparing against."""
    monkeypatch.setattr(kept_html, "kept", lambda name, params, render: kept_html.rendered(render()))


def _equality_form_html() -> str:
    return render_template(
        "_partials/_equality_form.html", profile_form=ProfileForm.build(formdata=None), action="/a"
    )


def _without_csrf(html: str) -> str:
    return "\n".join(line for line in html.splitlines() if "csrf_token" not in line)


def test_kept_fields_are_the_html_rendering_gives(app, monkeypatch):
    with app.test_request_context("/"):
        first, second = _equality_form_html(), _equality_form_html()
        assert len(kept_html._copies) > 5  # the questions' radios and the postcode box were kept
        with monkeypatch.context() as patched:
            _afresh(patched)
            fresh = _equality_form_html()
    assert _without_csrf(first) == _without_csrf(second) == _without_csrf(fresh)
    assert "Prefer not to say" in fresh


def test_a_kept_field_is_not_shown_in_another_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "cy"}):
        welsh = _equality_form_html()
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        refresh()  # the test's app context outlives the request's; a real request has its own
        english = _equality_form_html()
    welsh_words = "Mae'n well gennyf beidio â dweud"
    assert welsh_words in welsh and welsh_words not in english
    assert welsh.count(welsh_words) == english.count("Prefer not to say") > 5


class _Question(EngageForm):
    name = StringField("Your name")
    story = TextAreaField("Tell us more")
    choice = RadioField("Pick one", choices=[SelectChoice("a", "Apples"), SelectChoice("b", "Pears")])


def test_a_residents_answer_or_an_error_is_never_kept(app):
    with app.test_request_context("/", method="POST"):
        form = _Question(MultiDict({"name": "Ada Lovelace", "story": "My street floods", "choice": "b"}))
        html = str(form.name()) + str(form.story()) + str(form.choice())
        form.name.errors = ["Enter a shorter name"]
        html += str(form.name())
        html += str(_Question(MultiDict({"name": "07700900123"})).name())  # digits typed in a text box
    assert "Ada Lovelace" in html and "My street floods" in html and "Enter a shorter name" in html
    assert "07700900123" in html
    kept = "".join(kept_html._copies.values())
    assert (
        "Ada Lovelace" not in kept and "My street floods" not in kept and "Enter a shorter name" not in kept
    )
    assert "checked" not in kept and "07700900123" not in kept
    assert kept_html._copies == {}


def test_an_amount_in_a_numeric_box_is_kept(app):
    with app.test_request_context("/", method="POST"):
        html = str(_Question(MultiDict({"name": "25,000"})).name(params={"inputmode": "numeric"}))
    assert 'value="25,000"' in html
    assert any('value="25,000"' in kept for kept in kept_html._copies.values())


def test_an_officers_new_words_are_shown_not_the_kept_ones(app):
    with app.test_request_context("/"):
        before = str(_Question().choice())
        _Question.choice.kwargs["choices"] = [SelectChoice("a", "Apples"), SelectChoice("b", "Plums")]
        try:
            after = str(_Question().choice())
        finally:
            _Question.choice.kwargs["choices"] = [SelectChoice("a", "Apples"), SelectChoice("b", "Pears")]
    assert "Pears" in before and "Plums" in after and "Pears" not in after


def test_the_kept_copies_are_bounded(app, monkeypatch):
    monkeypatch.setattr(kept_html._kept, "limit", 3)
    with app.test_request_context("/"):
        for n in range(10):
            kept_html.govuk_component("skip-link", {"href": f"#part-{n}", "text": "Skip"})
    assert len(kept_html._copies) == 3
    assert all("#part-" in html for html in kept_html._copies.values())
    assert '"#part-9"' in list(kept_html._copies.values())[-1]


def test_params_a_copy_cannot_be_keyed_by_are_rendered_each_time(app):
    with app.test_request_context("/"):
        html = kept_html.govuk_component("skip-link", {"href": "#main", "text": "Skip", "odd": object()})
    assert 'href="#main"' in html and kept_html._copies == {}


def test_text_and_markup_are_kept_apart(app):
    with app.test_request_context("/"):
        text = kept_html.govuk_component("skip-link", {"href": "#main", "text": "<b>Skip</b>"})
        markup = kept_html.govuk_component("skip-link", {"href": "#main", "text": Markup("<b>Skip</b>")})
    assert "&lt;b&gt;Skip" in text and "<b>Skip</b>" in markup


def test_a_residents_page_furniture_is_kept_but_staffs_navigation_is_not(client, signed_in):
    page = client.get("/").get_data(as_text=True)
    assert "govuk-service-navigation" in page and "Skip to main content" in page
    kept = "".join(kept_html._copies.values())
    assert "govuk-service-navigation" in kept and "govuk-skip-link" in kept
    signed_in()
    kept_html.forget_all()
    page = client.get("/").get_data(as_text=True)
    assert "Sign out" in page
    kept = "".join(kept_html._copies.values())
    assert "govuk-service-navigation" not in kept and "csrf_token" not in kept
