"""Results per question: counts and percentages (multiple choice counted per option, never per combination),
agreement, ratings and numbers with their mean, importance per priority, ranking places, and free text.

Counting is done by the database (a handful of GROUP BY queries whatever the number of responses), and so is
the population weighting's summing (each response's weight in a temporary table).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Float, Integer, MetaData, Table, func, insert, select, text

from engage.extensions import db
from engage.surveys.models import Answer, Consultation, ConsultationResponse, Question, QuestionKind
from engage.surveys.questions import AGREEMENT, IMPORTANCE
from engage.surveys.service import priorities_for
from engage.surveys.themes import written_query
from engage.surveys.weighting import Weighting, profiles, response_weights, who_we_heard_from

#: The newest written answers listed per question on the results page (all are in the export and the
#: written-answers page).
TEXTS_SHOWN = 200
#: Kinds counted per option, priority or number.
COUNTED = (
    QuestionKind.SINGLE,
    QuestionKind.MULTIPLE,
    QuestionKind.RATING,
    QuestionKind.IMPORTANCE,
    QuestionKind.RANKING,
)
WRITTEN = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.DATE)


@dataclass
class QuestionResult:
    question: Question
    #: People who answered this question.
    answered: int
    #: [(label, count, share of those who answered)] in the question's order.
    counts: list[tuple[str, int, float]] = field(default_factory=list)
    mean: float | None = None
    #: Free text (and "Other" answers), newest first, at most TEXTS_SHOWN of them.
    texts: list[str] = field(default_factory=list)
    #: How many written answers there are in all.
    text_count: int = 0
    #: Importance grid: [(priority, people, mean level 1-5, share rating it important or very important)].
    priorities: list[tuple[object, int, float, float]] = field(default_factory=list)
    #: Ranking: [(option label, mean place, share placing it first)], best mean place first.
    ranks: list[tuple[str, float, float]] = field(default_factory=list)
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
    #: Responses per channel ("online", "paper", "workshop").
    channels: dict[str, int] = field(default_factory=dict)


def _of(consultation: Consultation, *columns):
    return (
        select(*columns)
        .select_from(Answer)
        # Its questions are the consultation's own: no join to the responses needed (a third faster).
        .where(Answer.question_id.in_([q.id for q in consultation.questions]))
    )


def consultation_results(consultation: Consultation) -> ConsultationResults:
    """Every question's results, counted by the database."""
    questions = consultation.questions
    kinds = {q.id: q.kind for q in questions}
    channels = {
        channel.value: n
        for channel, n in db.session.execute(
            select(ConsultationResponse.channel, func.count())
            .where(ConsultationResponse.consultation_id == consultation.id)
            .group_by(ConsultationResponse.channel)
        )
    }
    answered = dict(
        db.session.execute(
            _of(consultation, Answer.question_id, func.count(func.distinct(Answer.response_id))).group_by(
                Answer.question_id
            )
        ).all()
    )
    counted = defaultdict(list)  # question id -> [(option id, priority id, number, count)]
    counted_ids = [qid for qid, kind in kinds.items() if kind in COUNTED]
    if counted_ids:
        for qid, option_id, priority_id, number, n in db.session.execute(
            _of(
                consultation,
                Answer.question_id,
                Answer.option_id,
                Answer.priority_id,
                Answer.number,
                func.count(),
            )
            .where(Answer.question_id.in_(counted_ids))
            .group_by(Answer.question_id, Answer.option_id, Answer.priority_id, Answer.number)
        ):
            counted[qid].append((option_id, priority_id, number, n))
    agreement = defaultdict(Counter)
    agreement_ids = [qid for qid, kind in kinds.items() if kind is QuestionKind.AGREEMENT]
    if agreement_ids:
        for qid, code, n in db.session.execute(
            _of(consultation, Answer.question_id, Answer.text, func.count())
            .where(Answer.question_id.in_(agreement_ids))
            .group_by(Answer.question_id, Answer.text)
        ):
            agreement[qid][code] = n
    means = {}
    number_ids = [qid for qid, kind in kinds.items() if kind is QuestionKind.NUMBER]
    if number_ids:
        means = dict(
            db.session.execute(
                _of(consultation, Answer.question_id, func.avg(Answer.number))
                .where(Answer.question_id.in_(number_ids))
                .group_by(Answer.question_id)
            ).all()
        )
    priorities = priorities_for(consultation)
    results = ConsultationResults(consultation, sum(channels.values()), [], channels=channels)
    for question in questions:
        result = QuestionResult(question, answered.get(question.id, 0))
        _fill(result, counted[question.id], agreement[question.id], means.get(question.id), priorities)
        if question.kind in WRITTEN or question.allow_other:
            result.text_count, result.texts = written_answers(question, limit=TEXTS_SHOWN)
        results.questions.append(result)
    people = profiles(consultation)
    results.heard_from = who_we_heard_from(consultation, people)
    if results.responses:
        ids = db.session.scalars(
            select(ConsultationResponse.id)
            .where(ConsultationResponse.consultation_id == consultation.id)
            .order_by(ConsultationResponse.id)
        ).all()
        results.weighting, results.unweighted_reason = response_weights(consultation, ids, people)
    if results.weighting is not None:
        _add_weighted(consultation, results.questions, results.weighting.weights)
    return results


def written_answers(question: Question, *, limit: int | None = None) -> tuple[int, list[str]]:
    """How many written answers (or "Other" texts) a question has, and the newest ``limit`` of them (the
    same answers the written-answers page searches and tags)."""
    query = written_query(question)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    texts = query.with_only_columns(Answer.text).order_by(Answer.id.desc()).limit(limit)
    return total, list(db.session.scalars(texts))


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _fill(result: QuestionResult, counted: list, agreement: Counter, mean, priorities: list) -> None:
    question, people, kind = result.question, result.answered, result.question.kind
    if kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
        counts = Counter()
        for option_id, _priority, _number, n in counted:
            counts[option_id] += n
        result.counts = [(o.label, counts[o.id], _share(counts[o.id], people)) for o in question.options]
        if question.allow_other:
            result.counts.append((str(_l("Other")), counts[None], _share(counts[None], people)))
    elif kind is QuestionKind.AGREEMENT:
        result.counts = [
            (str(label), agreement[code], _share(agreement[code], people)) for code, label in AGREEMENT
        ]
    elif kind is QuestionKind.RATING:
        counts = Counter()
        for _option, _priority, number, n in counted:
            counts[int(number)] += n
        result.counts = [(str(k), counts[k], _share(counts[k], people)) for k in range(11)]
        result.mean = sum(k * n for k, n in counts.items()) / people if people else None
    elif kind is QuestionKind.NUMBER:
        result.mean = float(mean) if mean is not None else None
    elif kind is QuestionKind.IMPORTANCE:
        by_priority = defaultdict(Counter)
        levels = Counter()
        for _option, priority_id, number, n in counted:
            by_priority[priority_id][int(number)] += n
            levels[int(number)] += n
        for priority in priorities:
            spread = by_priority.get(priority.id)
            if spread:
                total = sum(spread.values())
                mean_level = sum(level * n for level, n in spread.items()) / total
                important = sum(n for level, n in spread.items() if level >= 4)
                result.priorities.append((priority, total, mean_level, important / total))
        result.priorities.sort(key=lambda entry: -entry[2])
        rows = sum(levels.values())
        result.counts = [
            (str(label), levels[level], _share(levels[level], rows)) for level, label in IMPORTANCE
        ]
    elif kind is QuestionKind.RANKING:
        places = defaultdict(Counter)
        for option_id, _priority, number, n in counted:
            places[option_id][int(number)] += n
        for option in question.options:
            spread = places.get(option.id)
            if spread:
                total = sum(spread.values())
                mean_place = sum(place * n for place, n in spread.items()) / total
                result.ranks.append((option.label, mean_place, _share(spread[1], people)))
        result.ranks.sort(key=lambda entry: entry[1])


#: Each response's population weight, for the database to sum (a temporary table: one per connection, dropped
#: after use), so weighted shares need no answer rows read into Python.
_WEIGHTS = Table(
    "engage_response_weights",
    MetaData(),
    Column("response_id", Integer, primary_key=True),
    Column("weight", Float, nullable=False),
    prefixes=["TEMPORARY"],
)


def _add_weighted(
    consultation: Consultation, results: list[QuestionResult], weights: dict[int, float]
) -> None:
    """Weighted shares of people choosing each answer of a closed question (single, multiple, agreement):
    the weights of those choosing it over the weights of those answering."""
    wanted = {
        r.question.id: r
        for r in results
        if r.question.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.AGREEMENT}
    }
    if not wanted:
        return
    connection = db.session.connection()
    connection.execute(text("DROP TABLE IF EXISTS engage_response_weights"))
    _WEIGHTS.create(connection)
    try:
        connection.execute(insert(_WEIGHTS), [{"response_id": r, "weight": w} for r, w in weights.items()])
        weight = _WEIGHTS.c.weight
        answering = (
            select(Answer.question_id, Answer.response_id)
            .where(Answer.question_id.in_(list(wanted)))
            .distinct()
            .subquery()
        )
        totals = dict(
            connection.execute(
                select(answering.c.question_id, func.sum(weight))
                .join(_WEIGHTS, _WEIGHTS.c.response_id == answering.c.response_id)
                .group_by(answering.c.question_id)
            ).all()
        )
        sums = defaultdict(float)
        for column in (Answer.option_id, Answer.text):
            for qid, value, total in connection.execute(
                select(Answer.question_id, column, func.sum(weight))
                .join(_WEIGHTS, _WEIGHTS.c.response_id == Answer.response_id)
                .where(Answer.question_id.in_(list(wanted)))
                .group_by(Answer.question_id, column)
            ):
                sums[(qid, column.key, value)] += total or 0.0
    finally:
        connection.execute(text("DROP TABLE IF EXISTS engage_response_weights"))
    for qid, result in wanted.items():
        total = totals.get(qid)
        if not total:
            continue
        question = result.question
        if question.kind is QuestionKind.AGREEMENT:
            keys = [("text", code) for code, _ in AGREEMENT]
        else:
            keys = [("option_id", o.id) for o in question.options]
            keys += [("option_id", None)] if question.allow_other else []
        result.weighted = [sums[(qid, column, value)] / total for column, value in keys]


def agreement_shares(result: QuestionResult) -> list[float]:
    """Strongly agree .. strongly disagree as shares of those who gave a view ("don't know" left out);
    all zero when nobody did."""
    counts = [count for _label, count, _share in result.counts[:5]]
    total = sum(counts)
    return [count / total if total else 0.0 for count in counts]


def agreement_balance(result: QuestionResult) -> tuple[float, float] | None:
    """(share agreeing, share disagreeing) of those who gave a view, for the diverging chart's summary
    line; None when nobody gave one."""
    shares = agreement_shares(result)
    if not any(shares):
        return None
    return shares[0] + shares[1], shares[3] + shares[4]
