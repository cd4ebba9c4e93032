"""Building, publishing and withdrawing weight sets: what the views and the command line call."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from engage.accounts.models import User
from engage.boards.models import Board
from engage.database import utcnow
from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseKind, ExerciseStatus, PairwiseVote, Submission
from engage.service_errors import StateError
from engage.surveys.models import (
    Consultation,
    ConsultationResponse,
    ConsultationStatus,
    Question,
    QuestionKind,
    Section,
)
from engage.transactions import atomic
from engage.weights import logger
from engage.weights.method import method_parameters, method_statement
from engage.weights.models import SignOffOutcome, WeightEntry, WeightSet, WeightSetStatus, WeightSource
from engage.weights.preview import Preview, compute_preview, source_share_table

PRIORITISATION_KINDS = (ExerciseKind.PAIRWISE, ExerciseKind.BUDGET, ExerciseKind.RANKING)


@dataclass(frozen=True)
class Candidate:
    """A source an analyst may choose: ``key`` is "exercise-12" or "question-7"."""

    key: str
    title: str
    kind: str
    status: str
    responses: int


def _answer_counts() -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    votes = dict(
        db.session.execute(
            select(PairwiseVote.exercise_id, func.count(func.distinct(PairwiseVote.respondent_id))).group_by(
                PairwiseVote.exercise_id
            )
        ).all()
    )
    submissions = dict(
        db.session.execute(
            select(Submission.exercise_id, func.count()).group_by(Submission.exercise_id)
        ).all()
    )
    responses = dict(
        db.session.execute(
            select(ConsultationResponse.consultation_id, func.count()).group_by(
                ConsultationResponse.consultation_id
            )
        ).all()
    )
    return votes, submissions, responses


def candidate_sources(board: Board) -> list[Candidate]:
    """The board's prioritisation exercises and consultation importance grids that have been opened."""
    votes, submissions, responses = _answer_counts()
    exercises = db.session.scalars(
        select(Exercise)
        .where(
            Exercise.board_id == board.id,
            Exercise.kind.in_(PRIORITISATION_KINDS),
            Exercise.status != ExerciseStatus.DRAFT,
        )
        .order_by(Exercise.created_at.desc())
    )
    found = [
        Candidate(
            f"exercise-{e.id}",
            e.title,
            e.kind.value,
            e.status.value,
            (votes if e.kind is ExerciseKind.PAIRWISE else submissions).get(e.id, 0),
        )
        for e in exercises
    ]
    questions = db.session.execute(
        select(Question, Consultation)
        .join(Section, Section.id == Question.section_id)
        .join(Consultation, Consultation.id == Section.consultation_id)
        .where(
            Consultation.board_id == board.id,
            Consultation.status != ConsultationStatus.DRAFT,
            Question.kind == QuestionKind.IMPORTANCE,
        )
        .order_by(Consultation.created_at.desc(), Question.id)
    ).all()
    found += [
        Candidate(
            f"question-{q.id}",
            f"{c.title}: {q.label}",
            "importance grid",
            c.status.value,
            responses.get(c.id, 0),
        )
        for q, c in questions
    ]
    return found


def _require_draft(weight_set: WeightSet) -> None:
    if not weight_set.is_draft:
        raise StateError("A published weight set never changes. Build a new version instead.")


def require_changeable(weight_set: WeightSet) -> None:
    """A draft waiting for sign-off stays as the accountable members are reading it."""
    _require_draft(weight_set)
    if weight_set.pending_sign_off is not None:
        raise StateError(
            "This draft is waiting for sign-off, so it cannot change. Take the submission back first."
        )


def save_draft(
    board: Board,
    user: User,
    blends: dict[str, float],
    channels: list[str],
    population_weighting: bool,
    weight_set: WeightSet | None = None,
) -> WeightSet:
    """Create or update a draft from {candidate key: blend per cent}, channels and the weighting switch."""
    known = {c.key for c in candidate_sources(board)}
    unknown = set(blends) - known
    if unknown:
        raise StateError("A chosen source is not one of this board's exercises or importance grids.")
    if weight_set is not None:
        require_changeable(weight_set)
    with atomic():  # an edit replaces the sources: the old ones stay unless the new ones are all stored
        if weight_set is None:
            weight_set = WeightSet(board=board, created_by=user)
            db.session.add(weight_set)
        else:
            weight_set.sources.clear()
            db.session.flush()
        weight_set.channels = ",".join(channels)
        weight_set.population_weighting = population_weighting
        for key, blend in blends.items():
            kind, _, number = key.partition("-")
            if kind == "exercise":
                weight_set.sources.append(WeightSource(exercise_id=int(number), blend=blend))
            else:
                weight_set.sources.append(WeightSource(question_id=int(number), blend=blend))
        db.session.flush()
    logger.info("weight set draft %s saved for board %s by user %s", weight_set.id, board.slug, user.id)
    return weight_set


def delete_draft(weight_set: WeightSet) -> None:
    """Delete a draft and its sources (a published version is never deleted)."""
    require_changeable(weight_set)
    db.session.delete(weight_set)
    db.session.flush()


class ChangedSinceChecked(StateError):
    """The weights computed now differ from the ones the analyst confirmed."""


class NeedsSignOff(StateError):
    """A partnership board's weights are published only when an accountable member signs them off."""


def checked_preview(weight_set: WeightSet, confirmed: str | None) -> Preview:
    """The preview to publish, after the checks every way of publishing makes.

    ``confirmed`` is the fingerprint of the preview the person confirmed (the pages always give it): when the
    weights computed now differ (the draft was edited, or answers arrived, since), ChangedSinceChecked is
    raised. Raises StateError when the set is not a draft or its sources cannot give weights (the preview
    says why).
    """
    _require_draft(weight_set)
    preview = compute_preview(weight_set, weight_set.board.active_priorities)
    if not preview.can_publish:
        raise StateError("These weights cannot be published yet: " + "; ".join(preview.problems))
    if confirmed is not None and confirmed != preview.fingerprint():
        raise ChangedSinceChecked(
            "The weights have changed since you checked them (the draft was edited or new answers arrived). "
            "Check them again before publishing."
        )
    return preview


def freeze(weight_set: WeightSet, user: User | None, preview: Preview) -> None:
    """Number the set as the board's next version (so superseding the last), record its method and freeze
    its entries. Call it inside the caller's ``atomic()``: all of it, or (when a step fails) none of it."""
    priorities = weight_set.board.active_priorities
    latest = db.session.scalar(
        select(func.max(WeightSet.version)).where(WeightSet.board_id == weight_set.board_id)
    )
    parameters = method_parameters(weight_set, preview)
    weight_set.version = (latest or 0) + 1
    weight_set.status = WeightSetStatus.PUBLISHED
    weight_set.published_by = user
    weight_set.published_at = utcnow()
    weight_set.parameters = json.dumps(parameters, sort_keys=True)
    weight_set.method_statement = method_statement(parameters)
    for estimate in preview.estimates:
        estimate.source.respondents = estimate.respondents
        estimate.source.snapshot = json.dumps(source_share_table(estimate, priorities), sort_keys=True)
    for position, row in enumerate(preview.rows):
        weight_set.entries.append(
            WeightEntry(
                priority=row.priority,
                position=position,
                priority_code=row.priority.code,
                priority_title=row.priority.title,
                weight=row.weight,
                weight_low=row.low,
                weight_high=row.high,
                rank=row.rank,
                respondents=row.respondents,
            )
        )
    db.session.flush()
    logger.info(
        "weight set %s published as version %s of board %s",
        weight_set.id,
        weight_set.version,
        weight_set.board.slug,
    )


def publish(weight_set: WeightSet, user: User, confirmed: str | None = None) -> Preview:
    """Publish a network board's set as advisory: compute the weights, freeze them as the board's next
    version, and record how they were made.

    A partnership board's set is refused (NeedsSignOff): it is submitted for sign-off instead
    (``sign_off.submit``). A submission still waiting from when the board was a partnership is closed as
    withdrawn in the same transaction. See ``checked_preview`` for ``confirmed`` and the other refusals.
    """
    if weight_set.board.needs_political_oversight:
        raise NeedsSignOff(
            "This is a partnership board: its weights are a decision, published when an accountable member "
            "signs them off. Submit them for sign-off."
        )
    preview = checked_preview(weight_set, confirmed)
    with atomic():
        waiting = weight_set.pending_sign_off
        if waiting is not None:
            waiting.outcome = SignOffOutcome.WITHDRAWN
            waiting.comment = "Published as advisory: the board is now a network."
        freeze(weight_set, user, preview)
    logger.info("weight set %s published as advisory by user %s", weight_set.id, user.id)
    return preview


def withdraw(weight_set: WeightSet, user: User, reason: str) -> None:
    """Take a published version out of use; it stays visible, marked withdrawn, with the reason."""
    if weight_set.status is not WeightSetStatus.PUBLISHED:
        raise StateError("Only a published version can be withdrawn.")
    weight_set.status = WeightSetStatus.WITHDRAWN
    weight_set.withdrawn_by = user
    weight_set.withdrawn_at = utcnow()
    weight_set.withdrawn_reason = reason.strip()
    db.session.flush()
    logger.info("weight set %s (version %s) withdrawn by user %s", weight_set.id, weight_set.version, user.id)


def source_key(source: WeightSource) -> str:
    return f"exercise-{source.exercise_id}" if source.exercise_id else f"question-{source.question_id}"
