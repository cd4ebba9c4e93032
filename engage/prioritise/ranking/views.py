"""Residents putting the priorities in order: numbered places, with move up and move down buttons."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from engage.extensions import htmx
from engage.forms import form_page
from engage.prioritise import bp
from engage.prioritise.models import Exercise, ExerciseKind
from engage.prioritise.submissions.access import already_answered, answering_exercise_or_404
from engage.prioritise.submissions.drafts import load_draft, save_draft
from engage.prioritise.submissions.forms import RankingForm
from engage.prioritise.submissions.submitting import check_ranking


def order_from_places(exercise: Exercise, places: dict[int, int | None]) -> list[int]:
    """Item ids in the order the places say: placed items by place, then the rest as they were listed."""
    listed = [item.id for item in exercise.active_items]
    return sorted(listed, key=lambda item_id: (places.get(item_id) or len(listed) + 1, listed.index(item_id)))


def apply_move(order: list[int], move: str) -> tuple[list[int], str | None]:
    """Move one item up or down ('up-12', 'down-12'); returns the new order and the button to focus."""
    direction, _, raw_id = move.partition("-")
    if direction not in {"up", "down"} or not raw_id.isdigit() or int(raw_id) not in order:
        return order, None
    item_id = int(raw_id)
    position = order.index(item_id)
    target = position - 1 if direction == "up" else position + 1
    if 0 <= target < len(order):
        order = list(order)
        order[position], order[target] = order[target], order[position]
        position = target
    # Keep focus on the same button unless it has gone (the item reached the top or bottom).
    if direction == "up" and position == 0:
        direction = "down"
    elif direction == "down" and position == len(order) - 1:
        direction = "up"
    return order, f"{direction}-{item_id}"


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
        moved = _(
            "%(item)s is now in place %(place)s", item=items[item_id].title, place=order.index(item_id) + 1
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
    if not form.is_submitted():
        draft = load_draft(exercise) or {}
        order = order_from_places(exercise, draft)
        form.fill(order if draft else [])
        return _render(exercise, form, order)
    valid = form.validate()
    places = form.places()
    order = order_from_places(exercise, places)
    move = request.form.get("move_item")
    if move:
        order, focus = apply_move(order, move)
        form.fill(order)
        return _render(exercise, form, order, focus=focus, moving=True)
    if valid:
        for problem in check_ranking(exercise, places):
            form.add_error(problem.field, problem.message)
        if not form.errors:
            save_draft(exercise, places)
            return redirect(url_for(".check_answers", exercise_id=exercise.id))
    return _render(exercise, form, order, status=400)
