"""Which texts residents see, of each kind of thing, and which translation screen holds them.

Imported once when the app is built (``engage.content.init_app``), so every kind is known before a page asks
for a text.
"""

from __future__ import annotations

from typing import Any

from engage.boards.models import Board, Priority
from engage.content import register, register_screen
from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseItem, ItemConsequence
from engage.prioritise.pairwise.chooser import PairExercise, PairItem
from engage.surveys.models import Consultation, Question, QuestionOption, Section
from engage.weights.models import WeightEntry, WeightSet

# -- consultations: their title, pages, questions and options, and "we did" --
register(
    Consultation,
    "consultation",
    {
        "title": "title",
        "summary": "summary",
        "audience": "audience",
        "purpose": "purpose",
        "privacy_notice": "privacy notice",
        "we_did": "we did",
    },
    lambda c: ("consultation_id", c.id),
)
register(
    Section,
    "section",
    {"title": "title", "introduction": "introduction"},
    lambda s: ("consultation_id", s.consultation_id),
)
register(
    Question,
    "question",
    {"label": "label", "hint": "hint"},
    lambda q: ("consultation_id", q.section.consultation_id),
)
register(
    QuestionOption,
    "option",
    {"label": "label"},
    lambda o: ("consultation_id", o.question.section.consultation_id),
)


def _consultation_parts(consultation: Consultation) -> list[tuple[Any, str]]:
    parts: list[tuple[Any, str]] = [(consultation, "Consultation")]
    for n, section in enumerate(consultation.sections, start=1):
        parts.append((section, f"Page {n}"))
        for k, question in enumerate(section.questions, start=1):
            parts.append((question, f"Page {n}, question {k}"))
            parts += [
                (option, f"Page {n}, question {k}, option {option.position}") for option in question.options
            ]
    return parts


register_screen(Consultation, "consultation_id", _consultation_parts)

# -- exercises: title, question and description; each item (pairwise options, budget lines, ranking items),
#    its "what this buys" and consequences --
register(
    Exercise,
    "exercise",
    {"title": "title", "question": "question", "introduction": "description"},
    lambda e: ("exercise_id", e.id),
)

#: The exercise as the pair pages keep it (engage.prioritise.pairwise.chooser): the exercise's own keys.
register(
    PairExercise, "exercise", {"title": "title", "question": "question"}, lambda e: ("exercise_id", e.id)
)


def _borrowed_words(priority: Priority | None, item: Any, field: str) -> tuple[Any, str] | None:
    """An item taken from a priority, still in the priority's words, borrows the priority's translation."""
    if (
        priority is not None
        and field in ("title", "description")
        and getattr(priority, field) == getattr(item, field)
    ):
        return priority, field
    return None


def _priority_words(item: ExerciseItem, field: str) -> tuple[Any, str] | None:
    return _borrowed_words(item.priority, item, field)


register(
    ExerciseItem,
    "item",
    {"title": "title", "description": "description", "buys": "what this buys"},
    lambda i: ("exercise_id", i.exercise_id),
    fallback=_priority_words,
)


def _pair_item_priority_words(item: PairItem, field: str) -> tuple[Any, str] | None:
    """The same borrowing for one side of a pair as the pair chooser keeps it (not an ORM row): its
    priority is loaded only when a translation is asked for and the item has none of its own."""
    priority = db.session.get(Priority, item.priority_id) if item.priority_id is not None else None
    return _borrowed_words(priority, item, field)


#: One side of a pair as the pair chooser keeps it: the item's own texts, under the item's keys.
register(
    PairItem,
    "item",
    {"title": "title", "description": "description"},
    lambda i: ("exercise_id", i.exercise_id),
    fallback=_pair_item_priority_words,
)
register(
    ItemConsequence, "consequence", {"text": "consequence"}, lambda c: ("exercise_id", c.item.exercise_id)
)


def _exercise_parts(exercise: Exercise) -> list[tuple[Any, str]]:
    parts: list[tuple[Any, str]] = [(exercise, "Exercise")]
    for n, item in enumerate(exercise.active_items, start=1):
        parts.append((item, f"Item {n}"))
        parts += [(consequence, f"Item {n}") for consequence in item.consequences]
    return parts


register_screen(Exercise, "exercise_id", _exercise_parts)

# -- boards: name and remit, and their priorities --
register(Board, "board", {"name": "name", "remit": "remit"}, lambda b: ("board_id", b.id))
register(
    Priority, "priority", {"title": "title", "description": "description"}, lambda p: ("board_id", p.board_id)
)


def _board_parts(board: Board) -> list[tuple[Any, str]]:
    return [(board, "Board")] + [
        (priority, f"Priority {priority.code}") for priority in board.active_priorities
    ]


register_screen(Board, "board_id", _board_parts)

# -- published weights: the method statement and, once withdrawn, the reason --
register(
    WeightSet,
    "weights",
    {"method_statement": "method statement", "withdrawn_reason": "why it was withdrawn"},
    lambda w: ("weight_set_id", w.id),
)
register_screen(WeightSet, "weight_set_id", lambda weight_set: [(weight_set, "Weights")])


def _priority_title(entry: WeightEntry, field: str) -> tuple[Any, str] | None:
    """A published priority title (frozen) still in the priority's words borrows the priority's
    translation."""
    return (entry.priority, "title") if entry.priority.title == entry.priority_title else None


# Entries are on no screen of their own: their titles are the priorities' (translated on the board's screen).
register(
    WeightEntry, "entry", {"title": "title"}, lambda e: ("weight_set_id", e.weight_set_id), _priority_title
)
