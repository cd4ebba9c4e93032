"""Residents putting the priorities in order: numbered places, with move up and move down buttons."""

from __future__ import annotations

import random
from collections.abc import Mapping

from flask import make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engage.content import local_text
from engage.extensions import htmx
from engage.forms import form_page
from engage.prioritise import bp
from engage.prioritise.models import Exercise, ExerciseKind
from engage.prioritise.submissions.access import already_answered, answering_exercise_or_404
from engage.prioritise.submissions.drafts import load_draft, save_draft
from engage.prioritise.submissions.forms import RankingForm
from engage.prioritise.submissions.submitting import check_ranking
from engage.respondents import respondent_hash, set_token_cookie, token_or_new
from engage.urls import row_id


def personal_order(exercise: Exercise, token: str) -> list[int]:
    """The items in this person's own order, the same on every visit: listing them in one order for
    everyone favours whatever comes first (issue 21, item 6)."""
    listed = [item.id for item in exercise.active_items]
    random.Random(respondent_hash(token, f"ranking-order:{exercise.id}")).shuffle(listed)  # not for security
    return listed


def order_from_places(
    exercise: Exercise, places: Mapping[int, int | None], base: list[int] | None = None
) -> list[int]:
    """Item ids in the order the places say: placed items by place, then the rest in ``base`` order (the
    person's own order; the listed order if none)."""
    listed = [item.id for item in exercise.active_items]
    base = [item_id for item_id in (base or listed) if item_id in listed]
    return sorted(base, key=lambda item_id: (places.get(item_id) or len(listed) + 1, base.index(item_id)))


def apply_move(
    order: list[int], places: dict[int, int | None], move: str, limit: int
) -> tuple[dict[int, int | None], int | None]:
    """One press of a move button ('up-12', 'down-12'), changing only places the resident has set: a placed
    item swaps places with its placed neighbour; "down" on the last placed item takes it out of the ranking;
    "up" on an unplaced item gives it the first free place (or the last place, whose item leaves). Returns the
    new places and the item moved (None for a button that does not exist)."""
    direction, _sep, raw_id = move.partition("-")
    item_id = row_id(raw_id)
    if direction not in {"up", "down"} or item_id not in order:
        return places, None
    places = dict(places)
    ranked = [other for other in order if places.get(other)]
    if places.get(item_id):
        position = ranked.index(item_id)
        neighbour = position - 1 if direction == "up" else position + 1
        if 0 <= neighbour < len(ranked):
            other = ranked[neighbour]
            places[item_id], places[other] = places[other], places[item_id]
        elif direction == "down":
            places[item_id] = None
    elif direction == "up":
        free = [place for place in range(1, limit + 1) if place not in places.values()]
        if free:
            places[item_id] = free[0]
        elif ranked:
            places[item_id], places[ranked[-1]] = places[ranked[-1]], None
    return places, item_id


def button_to_focus(
    order: list[int], places: dict[int, int | None], item_id: int, pressed: str
) -> str | None:
    """The same button on the moved item if it is still there, else its other button."""
    placed = bool(places.get(item_id))
    position = order.index(item_id)
    buttons = {"up": not placed or position > 0, "down": placed and position < len(order) - 1}
    for direction in (pressed, "down" if pressed == "up" else "up"):
        if buttons[direction]:
            return f"{direction}-{item_id}"
    return None


def _render(
    exercise: Exercise,
    form: RankingForm,
    order: list[int],
    focus: str | None = None,
    moving=False,
    status=200,
):
    items = {item.id: item for item in exercise.active_items}
    moved = None
    if focus:
        item_id = int(focus.partition("-")[2])
        place = form.places().get(item_id)
        moved = (
            _("%(item)s is now in place %(place)s", item=local_text(items[item_id], "title"), place=place)
            if place
            else _("%(item)s has no place now", item=local_text(items[item_id], "title"))
        )
    context = {
        "exercise": exercise,
        "form": form,
        "ordered": [items[item_id] for item_id in order],
        "focus": focus,
        "moved": moved,
    }
    template = "prioritise/_partials/_ranking_list.html" if htmx and moving else "prioritise/rank.html"
    return render_template(template, **context), status


@bp.route("/exercises/<int:exercise_id>/rank", methods=["GET", "POST"])
@form_page
def rank(exercise_id: int):
    exercise, closed = answering_exercise_or_404(exercise_id, ExerciseKind.RANKING)
    if closed is not None:
        return closed
    if already_answered(exercise):
        return redirect(url_for(".answered", exercise_id=exercise.id))
    form = RankingForm.build(exercise)
    token, new_token = token_or_new()
    base = personal_order(exercise, token)
    if not form.is_submitted():
        draft = load_draft(exercise) or {}
        order = order_from_places(exercise, draft, base)
        form.set_places(draft)  # nothing is placed until the resident places it
        return _with_cookie(_render(exercise, form, order), token, new_token)
    valid = form.validate()
    places = form.places()
    order = order_from_places(exercise, places, base)
    move = request.form.get("move_item")
    if move:
        places, item_id = apply_move(order, places, move, exercise.ranked_places)
        form.set_places(places)
        order = order_from_places(exercise, places, base)
        focus = button_to_focus(order, places, item_id, move.partition("-")[0]) if item_id else None
        return _with_cookie(_render(exercise, form, order, focus=focus, moving=True), token, new_token)
    if valid:
        for problem in check_ranking(exercise, places):
            form.add_error(problem.field, problem.message)
        if not form.errors:
            save_draft(exercise, places)
            return redirect(url_for(".check_answers", exercise_id=exercise.id))
    return _with_cookie(_render(exercise, form, order, status=400), token, new_token)


def _with_cookie(rendered: tuple[str, int], token: str, new_token: bool):
    """The page, giving a first-time visitor the cookie their own order of items comes from."""
    response = make_response(rendered)
    return set_token_cookie(response, token) if new_token else response
