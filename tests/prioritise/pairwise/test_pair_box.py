"""The pair's box is rendered once per pair, language and texts and kept
(engage.prioritise.pairwise.pair_box): what a resident sees must still be their own form and the pair's
texts as they are now."""

import re
from collections import OrderedDict

from sqlalchemy import func, select

from engage import content
from engage.extensions import db
from engage.prioritise.models import PairwiseVote
from engage.prioritise.pairwise import pair_box

HTMX = {"HX-Request": "true"}


def fields(html):
    found = {
        name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
        for name in ("left", "right", "key", "csrf_token")
    }
    assert pair_box._FORM_TOKEN not in html and pair_box._PAIR_KEY not in html
    return found


def votes():
    return db.session.scalar(select(func.count()).select_from(PairwiseVote))


def titles(html):
    return re.findall(r'<span class="app-choice__title"[^>]*>([^<]*)</span>', html)


def test_each_resident_gets_their_own_form_token_and_key_and_not_another_persons(app_factory, make_exercise):
    """Two residents shown boxes from the same kept copy: each one's form works for them only."""
    exercise = make_exercise()
    app = app_factory(WTF_CSRF_ENABLED=True)
    ann, bob = app.test_client(), app.test_client()
    url = f"/exercises/{exercise.id}/vote"
    forms = {}
    for name, client in (("ann", ann), ("bob", bob)):
        form = fields(client.get(url).get_data(as_text=True))
        html = client.post(url, data={**form, "choice": "left"}, headers=HTMX).get_data(as_text=True)
        assert "You've made 1 choice" in html
        forms[name] = fields(html)
    assert votes() == 2
    ann_form, bob_form = forms["ann"], forms["bob"]
    assert ann_form["key"] != bob_form["key"] and ann_form["csrf_token"] != bob_form["csrf_token"]
    # Ann's next pair sent by Bob (his own form token, her key): refused, nothing stored.
    stolen = {**ann_form, "csrf_token": bob_form["csrf_token"], "choice": "left"}
    html = bob.post(url, data=stolen, headers=HTMX).get_data(as_text=True)
    assert "Here is a new pair" in html and votes() == 2
    # Each person's own next form is accepted.
    for client, form in ((ann, ann_form), (bob, bob_form)):
        html = client.post(url, data={**form, "choice": "right"}, headers=HTMX).get_data(as_text=True)
        assert "You've made 2 choices" in html
    assert votes() == 4


def test_undo_is_offered_once_a_choice_is_made(client, make_exercise):
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    page = client.get(url).get_data(as_text=True)
    assert "Undo my last choice" not in page
    html = client.post(url, data={**fields(page), "choice": "left"}, headers=HTMX).get_data(as_text=True)
    undo = re.search(r'action="([^"]+)" class="app-undo">\s*<input[^>]*value="([^"]+)"', html)
    assert undo.group(1) == f"/exercises/{exercise.id}/undo"
    assert undo.group(2) == fields(html)["csrf_token"]


def _few_pairs(make_exercise, hwb):
    """An exercise of three items (the fewest allowed): three pairs, so boxes shown before a change are
    shown again after it."""
    return make_exercise(priorities=hwb.active_priorities[:3])


def test_an_officers_edit_shows_on_the_next_pair_not_a_kept_copy(client, make_exercise, hwb):
    exercise = _few_pairs(make_exercise, hwb)
    url = f"/exercises/{exercise.id}/vote"
    for _ in range(12):  # boxes kept for the pairs, in both orders
        html = client.get(url).get_data(as_text=True)
        assert not any(title.startswith("Renamed") for title in titles(html))
    for item in exercise.active_items:
        item.title = f"Renamed {item.id}"
    exercise.question = "Which comes first for you?"
    db.session.commit()
    for _ in range(12):
        html = client.get(url).get_data(as_text=True)
        form = fields(html)
        assert titles(html) == [f"Renamed {form['left']}", f"Renamed {form['right']}"]
        assert "Which comes first for you?" in html


def test_a_translation_shows_on_the_next_pair_and_english_stays_marked(app, client, make_exercise, hwb):
    exercise = _few_pairs(make_exercise, hwb)
    url = f"/exercises/{exercise.id}/vote"
    client.get(f"{url}?lang=cy")  # Welsh from here on (kept in the session)
    for _ in range(12):
        html = client.get(url).get_data(as_text=True)
        assert "Ni allaf benderfynu" in html  # the service's own words in Welsh
        assert re.search(r'<span class="app-choice__title" lang="en"', html)  # the officer's English, marked
    with app.test_request_context("/"):
        content.save(
            exercise,
            "cy",
            {f"item:{item.id}:title": f"{item.title} (cy)" for item in exercise.active_items}
            | {f"exercise:{exercise.id}:question": "Beth ddylai ddod gyntaf?"},
        )
    db.session.commit()
    for _ in range(12):
        html = client.get(url).get_data(as_text=True)
        assert len(titles(html)) == 2 and all(title.endswith("(cy)") for title in titles(html))
        assert not re.search(r'<span class="app-choice__title" lang="en"', html)
        assert "Beth ddylai ddod gyntaf?" in html
    # After a choice (htmx), the same.
    html = client.post(url, data={**fields(html), "choice": "left"}, headers=HTMX).get_data(as_text=True)
    assert all(title.endswith("(cy)") for title in titles(html)) and "Beth ddylai ddod gyntaf?" in html


def test_boxes_are_kept_apart_from_the_page_furniture_and_bounded(client, make_exercise, monkeypatch):
    """An exercise with many items makes a box per pair: they have their own bounded set, so they never push
    out the header and form fields every page keeps (engage.kept_html)."""
    from engage import kept_html

    monkeypatch.setattr(pair_box._boxes, "limit", 2)
    # From empty: the test app is shared, and an earlier test's boxes for the same ids and texts would be
    # found kept, so none would be added (the set is trimmed as a box is added).
    monkeypatch.setattr(pair_box._boxes, "copies", OrderedDict())
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    html = client.get(url).get_data(as_text=True)
    furniture = dict(kept_html._copies)
    for _ in range(4):
        html = client.post(url, data={**fields(html), "choice": "left"}, headers=HTMX).get_data(as_text=True)
    assert len(pair_box._boxes.copies) == 2
    assert not any(name == "pair-box" for name, _ in kept_html._copies)
    assert all(key in kept_html._copies for key in furniture)
