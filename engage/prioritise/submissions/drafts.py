"""A resident's unsubmitted allocation or ranking, kept in their session between 'continue' and 'submit'."""

from __future__ import annotations

from flask import session

from engage.prioritise.models import Exercise

_KEY = "answer_drafts"


def load_draft(exercise: Exercise) -> dict[int, int] | None:
    """{item id: amount or place} saved for this exercise, or None."""
    saved = session.get(_KEY, {}).get(str(exercise.id))
    if saved is None:
        return None
    active = {item.id for item in exercise.active_items}
    return {int(item_id): int(value) for item_id, value in saved.items() if int(item_id) in active}


def save_draft(exercise: Exercise, values: dict[int, int | None]) -> None:
    drafts = dict(session.get(_KEY, {}))
    drafts[str(exercise.id)] = {str(k): v for k, v in values.items() if v is not None}
    session[_KEY] = drafts


def clear_draft(exercise: Exercise) -> None:
    drafts = dict(session.get(_KEY, {}))
    if drafts.pop(str(exercise.id), None) is not None:
        session[_KEY] = drafts
