"""Exercises (create, change, open, close), suggestions and moderation, and respondents' profiles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from engage.accounts.models import User
from engage.boards.models import Board, Priority
from engage.boards.service import save_priority
from engage.database import utcnow
from engage.equality.questions import store_answers
from engage.extensions import db
from engage.jobs.cache import forget
from engage.prioritise import logger
from engage.prioritise.budget.setup import budget_not_ready, has_submissions
from engage.prioritise.models import (
    Exercise,
    ExerciseItem,
    ExerciseKind,
    ExerciseStatus,
    PairwiseVote,
    Respondent,
    RespondentProfile,
    Submission,
    Suggestion,
    SuggestionStatus,
)
from engage.service_errors import FieldConflict, StateError
from engage.transactions import atomic

MIN_ITEMS = 3


def exercises_for_board(board: Board) -> list[Exercise]:
    """A board's exercises, newest first."""
    return list(
        db.session.scalars(select(Exercise).where(Exercise.board_id == board.id).order_by(Exercise.id.desc()))
    )


def open_exercises(now: datetime | None = None) -> list[Exercise]:
    """Exercises residents can take part in now, for the home page."""
    candidates = db.session.scalars(
        select(Exercise)
        .where(Exercise.status == ExerciseStatus.OPEN, Exercise.workshop_only.is_(False))
        .options(selectinload(Exercise.items), selectinload(Exercise.board))
        .order_by(Exercise.closes_at, Exercise.id)
    )
    return [exercise for exercise in candidates if exercise.accepting_votes(now)]


def _item_for(priority: Priority) -> ExerciseItem:
    return ExerciseItem(
        priority=priority, title=priority.title, description=priority.description, active=True
    )


def save_exercise(
    exercise: Exercise | None,
    *,
    board: Board,
    organisation_id: int,
    user: User | None,
    title: str,
    question: str,
    introduction: str,
    priorities: Iterable[Priority],
    opens_at: datetime | None,
    closes_at: datetime | None,
    allow_suggestions: bool,
    results_public: bool,
    workshop_only: bool = False,
    minutes_to_answer: int | None = None,
    show_standings: bool = False,
    max_votes_per_respondent: int = 200,
    kind: ExerciseKind = ExerciseKind.PAIRWISE,
    **kind_settings,
) -> Exercise:
    """Create an exercise, or change one. Once open, items can be added but never removed.

    ``kind`` is set when the exercise is created and never changes; ``kind_settings`` are the budget or
    ranking settings (columns of Exercise such as ``budget_mode`` or ``rank_top_n``).
    """
    chosen = {priority.id: priority for priority in priorities}
    if any(priority.board_id != board.id for priority in chosen.values()):
        raise FieldConflict("priorities", str(_l("Choose priorities from this board only")))
    unknown = set(kind_settings) - KIND_SETTINGS
    if unknown:
        raise TypeError(f"not exercise settings: {sorted(unknown)}")
    # Some refusals need the exercise as changed (its items after the change): when one comes, nothing of
    # the change (a new exercise, its items, new titles) remains, though the view shows the form again.
    with atomic():
        if exercise is None:
            exercise = Exercise(
                board=board,
                organisation_id=organisation_id,
                kind=kind,
                created_by=user,
                items=[],
            )
            db.session.add(exercise)
        current = {item.priority_id: item for item in exercise.items if item.priority_id is not None}
        if exercise.status is not ExerciseStatus.DRAFT:
            dropped = [item for pid, item in current.items() if item.active and pid not in chosen]
            if dropped:
                raise FieldConflict(
                    "priorities",
                    str(_l("An open or closed exercise cannot lose items: residents have compared them")),
                )
        for priority_id, item in current.items():
            item.active = priority_id in chosen
        exercise.items.extend(_item_for(p) for pid, p in chosen.items() if pid not in current)
        exercise.title, exercise.question, exercise.introduction = (
            title.strip(),
            question.strip(),
            introduction.strip(),
        )
        exercise.opens_at, exercise.closes_at = opens_at, closes_at
        exercise.allow_suggestions, exercise.results_public = allow_suggestions, results_public
        exercise.workshop_only, exercise.minutes_to_answer = workshop_only, minutes_to_answer
        exercise.show_standings = show_standings and kind is ExerciseKind.PAIRWISE
        exercise.max_votes_per_respondent = max_votes_per_respondent
        if kind_settings and has_submissions(exercise) and _changes(exercise, kind_settings, BUDGET_LOCKED):
            raise FieldConflict(
                "budget_total", str(_l("People have already answered, so the budget can no longer change"))
            )
        for name, value in kind_settings.items():
            setattr(exercise, name, value)
        if len(exercise.active_items) < MIN_ITEMS:
            raise FieldConflict("priorities", str(_l("Choose at least %(n)s priorities", n=MIN_ITEMS)))
    logger.info("saved exercise %s on board %s", exercise.id, board.slug)
    return exercise


#: Settings of budget and ranking exercises that save_exercise accepts.
KIND_SETTINGS = {
    "budget_mode",
    "unit",
    "budget_total",
    "total_min",
    "total_max",
    "band_d_households",
    "require_full",
    "show_comparison",
    "rank_top_n",
}
#: Settings that would change the meaning of answers already given.
BUDGET_LOCKED = {"budget_mode", "unit", "budget_total", "total_min", "total_max", "rank_top_n"}


def _changes(exercise: Exercise, settings: Mapping, names: set[str]) -> bool:
    return any(name in settings and getattr(exercise, name) != settings[name] for name in names)


def set_status(exercise: Exercise, status: ExerciseStatus) -> Exercise:
    """Open, close or reopen an exercise. Opening needs at least three items; a draft cannot be closed."""
    if status is ExerciseStatus.OPEN and len(exercise.active_items) < MIN_ITEMS:
        raise StateError(str(_l("An exercise needs at least %(n)s items before it can open", n=MIN_ITEMS)))
    if status is ExerciseStatus.OPEN and exercise.kind is ExerciseKind.BUDGET:
        problem = budget_not_ready(exercise)
        if problem:
            raise StateError(problem)
    if status is ExerciseStatus.CLOSED and exercise.status is ExerciseStatus.DRAFT:
        raise StateError(str(_l("A draft exercise has not opened, so it cannot close")))
    if status is ExerciseStatus.DRAFT and exercise.status is not ExerciseStatus.DRAFT:
        raise StateError(str(_l("An exercise that has opened cannot go back to draft")))
    exercise.status = status
    logger.info("exercise %s is now %s", exercise.id, status.value)
    return exercise


def exercise_totals(exercise: Exercise) -> dict[str, int]:
    """Votes (or submissions) and respondents so far, and suggestions waiting for moderation."""
    answers = PairwiseVote if exercise.kind is ExerciseKind.PAIRWISE else Submission
    votes = db.session.execute(
        select(func.count()).select_from(answers).where(answers.exercise_id == exercise.id)
    ).scalar_one()
    respondents = db.session.execute(
        select(func.count()).select_from(Respondent).where(Respondent.exercise_id == exercise.id)
    ).scalar_one()
    pending = db.session.execute(
        select(func.count())
        .select_from(Suggestion)
        .where(Suggestion.exercise_id == exercise.id, Suggestion.status == SuggestionStatus.PENDING)
    ).scalar_one()
    return {"votes": votes, "respondents": respondents, "pending_suggestions": pending}


# -- suggestions ------------------------------------------------------------------------------------


def add_suggestion(exercise: Exercise, respondent: Respondent | None, text: str) -> Suggestion:
    """Store a resident's suggested priority for moderation (stored as text; shown escaped)."""
    if not exercise.allow_suggestions:
        raise StateError(str(_l("This exercise does not take suggestions")))
    suggestion = Suggestion(
        exercise_id=exercise.id, respondent_id=respondent.id if respondent else None, text=text.strip()
    )
    db.session.add(suggestion)
    db.session.flush()
    return suggestion


def suggestions(exercise: Exercise) -> list[Suggestion]:
    """All suggestions, waiting ones first."""
    waiting_first = (Suggestion.status != SuggestionStatus.PENDING, Suggestion.id)
    return list(
        db.session.scalars(
            select(Suggestion).where(Suggestion.exercise_id == exercise.id).order_by(*waiting_first)
        )
    )


def _require_pending(suggestion: Suggestion) -> None:
    if suggestion.status is not SuggestionStatus.PENDING:
        raise StateError(str(_l("This suggestion has already been moderated")))


def _moderated(suggestion: Suggestion, user: User, status: SuggestionStatus) -> None:
    _require_pending(suggestion)
    suggestion.status, suggestion.moderated_by_id, suggestion.moderated_at = status, user.id, utcnow()


def approve_suggestion(
    suggestion: Suggestion, user: User, *, title: str, description: str, board_code: str | None = None
) -> ExerciseItem:
    """Make a suggestion an item of the exercise; with ``board_code`` it also becomes a board priority.

    Every refusal (answered already, moderated already, the board code taken) comes before anything is
    written, so a refused approval leaves the suggestion waiting.
    """
    exercise = db.session.get_one(Exercise, suggestion.exercise_id)
    if exercise.kind is not ExerciseKind.PAIRWISE and has_submissions(exercise):
        # A new item would change the question under everyone who has already shared out or ordered.
        raise StateError(
            str(
                _l(
                    "People have already answered this exercise, so it cannot take a new item. Merge the "
                    "suggestion, or reject it saying it will be considered for the board's next exercise."
                )
            )
        )
    _require_pending(suggestion)
    priority = None
    if board_code:
        priority = save_priority(exercise.board, None, code=board_code, title=title, description=description)
    _moderated(suggestion, user, SuggestionStatus.APPROVED)
    item = ExerciseItem(
        exercise=exercise,
        priority=priority,
        title=title.strip(),
        description=description.strip(),
        active=True,
    )
    # A new item starts at the middle of the field and with no comparisons, so it is shown often at first.
    db.session.add(item)
    suggestion.item = item
    db.session.flush()
    logger.info("suggestion %s approved as item %s", suggestion.id, item.id)
    return item


def merge_suggestion(suggestion: Suggestion, user: User, item: ExerciseItem) -> None:
    """Record that a suggestion is already covered by an existing item."""
    if item.exercise_id != suggestion.exercise_id:
        raise StateError(str(_l("Choose an item from this exercise")))
    _moderated(suggestion, user, SuggestionStatus.MERGED)
    suggestion.item = item


def reject_suggestion(suggestion: Suggestion, user: User, reason: str) -> None:
    """Turn a suggestion down, saying why."""
    _moderated(suggestion, user, SuggestionStatus.REJECTED)
    suggestion.reason = reason.strip()


# -- equality monitoring ----------------------------------------------------------------------------


def save_profile(respondent: Respondent, answers: Mapping[str, str]) -> None:
    """Store (or replace) a respondent's optional equality answers; blank answers are not stored."""
    store_answers(RespondentProfile, "respondent_id", respondent.id, answers)
    forget("exercise", respondent.exercise_id)  # an answer may have changed in place
