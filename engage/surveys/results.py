"""Results per question: counts and percentages (multiple choice counted per option, never per combination),
agreement, ratings and numbers with their mean, importance per priority, and free text as a list."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from engage.extensions import db
from engage.surveys.models import Answer, Consultation, ConsultationResponse, Question, QuestionKind
from engage.surveys.questions import AGREEMENT, IMPORTANCE
from engage.surveys.service import priorities_for
from engage.surveys.weighting import Weighting, response_weights, who_we_heard_from


@dataclass
class QuestionResult:
    question: Question
    #: People who answered this question.
    answered: int
    #: [(label, count, share of those who answered)] in the question's order.
    counts: list[tuple[str, int, float]] = field(default_factory=list)
    mean: float | None = None
    #: Free text (and "Other" answers), newest first.
    texts: list[str] = field(default_factory=list)
    #: Importance grid: [(priority, people, mean level 1-5, share rating it important or very important)].
    priorities: list[tuple[object, int, float, float]] = field(default_factory=list)
    #: Population-weighted shares beside ``counts`` (same order), when the responses could be weighted.
    weighted: list[float] = field(default_factory=list)


@dataclass
class ConsultationResults:
    consultation: Consultation
    responses: int
    questions: list[QuestionResult]
    weighting: Weighting | None = None
    #: Why the results are not weighted, in words for the officer.
    unweighted_reason: str | None = None
    heard_from: dict = field(default_factory=dict)


def consultation_results(consultation: Consultation) -> ConsultationResults:
    """Every question's results from one query over the answers."""
    rows = db.session.execute(
        select(
            Answer.response_id,
            Answer.question_id,
            Answer.option_id,
            Answer.priority_id,
            Answer.text,
            Answer.number,
        )
        .join(ConsultationResponse, ConsultationResponse.id == Answer.response_id)
        .where(ConsultationResponse.consultation_id == consultation.id)
        .order_by(Answer.response_id.desc())
    ).all()
    responses = len({row.response_id for row in rows})
    by_question = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    priorities = priorities_for(consultation)
    results = ConsultationResults(
        consultation,
        responses,
        [_question_result(q, by_question.get(q.id, []), priorities) for q in consultation.questions],
    )
    results.heard_from = who_we_heard_from(consultation)
    if responses:
        ids = sorted({row.response_id for row in rows})
        results.weighting, results.unweighted_reason = response_weights(consultation, ids)
    if results.weighting is not None:
        for result in results.questions:
            _add_weighted(result, by_question.get(result.question.id, []), results.weighting.weights)
    return results


def _add_weighted(result: QuestionResult, rows: list, weights: dict[int, float]) -> None:
    """Weighted shares of people choosing each answer of a closed question."""
    kind = result.question.kind
    if kind not in {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.AGREEMENT}:
        return
    answered = {row.response_id for row in rows}
    total = sum(weights[r] for r in answered)
    if not total:
        return
    if kind is QuestionKind.AGREEMENT:
        keys = [code for code, _ in AGREEMENT]
        chosen = [(row.response_id, row.text) for row in rows]
    else:
        keys = [o.id for o in result.question.options] + ([None] if result.question.allow_other else [])
        chosen = [(row.response_id, row.option_id) for row in rows]
    result.weighted = [sum(weights[r] for r, value in chosen if value == key) / total for key in keys]


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _question_result(question: Question, rows: list, priorities: list) -> QuestionResult:
    people = len({row.response_id for row in rows})
    result = QuestionResult(question, people)
    kind = question.kind
    if kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
        counts = Counter(row.option_id for row in rows if row.option_id is not None)
        result.counts = [(o.label, counts[o.id], _share(counts[o.id], people)) for o in question.options]
        others = [row.text for row in rows if row.option_id is None and row.text is not None]
        if question.allow_other:
            result.counts.append((str(_l("Other")), len(others), _share(len(others), people)))
        result.texts = others
    elif kind is QuestionKind.AGREEMENT:
        counts = Counter(row.text for row in rows)
        result.counts = [
            (str(label), counts[code], _share(counts[code], people)) for code, label in AGREEMENT
        ]
    elif kind is QuestionKind.RATING:
        counts = Counter(int(row.number) for row in rows)
        result.counts = [(str(n), counts[n], _share(counts[n], people)) for n in range(11)]
        result.mean = sum(row.number for row in rows) / people if people else None
    elif kind is QuestionKind.NUMBER:
        result.mean = sum(row.number for row in rows) / people if people else None
    elif kind is QuestionKind.IMPORTANCE:
        by_priority = defaultdict(list)
        for row in rows:
            by_priority[row.priority_id].append(row.number)
        for priority in priorities:
            levels = by_priority.get(priority.id, [])
            if levels:
                important = sum(1 for level in levels if level >= 4)
                result.priorities.append(
                    (priority, len(levels), sum(levels) / len(levels), important / len(levels))
                )
        result.priorities.sort(key=lambda entry: -entry[2])
        counts = Counter(int(row.number) for row in rows)
        result.counts = [
            (str(label), counts[level], _share(counts[level], len(rows))) for level, label in IMPORTANCE
        ]
    else:  # text and dates
        result.texts = [row.text for row in rows if row.text]
    return result
