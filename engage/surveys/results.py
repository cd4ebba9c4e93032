"""Results per question: counts and percentages (multiple choice counted per option, never per combination),
agreement, ratings and numbers with their mean, importance per priority, ranking places, and free text.

Counts come from the derived count tables (engage.surveys.counts), kept per equality cell, so the population
weighting rakes cells (with how many are in each) and sums weight times count cell by cell.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from engage.extensions import db
from engage.stats.disclosure import protect_counts, suppress_groups
from engage.stats.spread import median_and_quartiles
from engage.surveys import counts
from engage.surveys.authoring import priorities_for
from engage.surveys.models import (
    Answer,
    AnswerCount,
    Consultation,
    Question,
    QuestionCount,
    QuestionKind,
    ResponseCount,
)
from engage.surveys.questions import AGREEMENT, IMPORTANCE
from engage.surveys.themes import written_query
from engage.surveys.weighting import Weighting, cell_weights, who_we_heard_from

#: The newest written answers listed per question on the results page (all are in the export and the
#: written-answers page).
TEXTS_SHOWN = 200
WRITTEN = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.DATE)


@dataclass
class QuestionResult:
    question: Question
    #: People who answered this question.
    answered: int
    #: [(label, count, share of those who answered)] in the question's order.
    counts: list[tuple[str, int | None, float | None]] = field(default_factory=list)
    mean: float | None = None
    #: Number questions: (lower quartile, median, upper quartile) of the answers given.
    quartiles: tuple[float, float, float] | None = None
    #: Free text (and "Other" answers), newest first, at most TEXTS_SHOWN of them.
    texts: list[str] = field(default_factory=list)
    #: How many written answers there are in all.
    text_count: int = 0
    #: Importance grid: [(priority, people, mean level 1-5, share rating it important or very important)].
    priorities: list[tuple[object, int, float, float]] = field(default_factory=list)
    #: Ranking: [(option label, mean place, share placing it first)], best mean place first.
    ranks: list[tuple[str, float, float]] = field(default_factory=list)
    #: Population-weighted shares beside ``counts`` (same order), when the responses could be weighted;
    #: None where the count is hidden.
    weighted: list[float | None] = field(default_factory=list)
    #: Which of ``counts`` are hidden (small, or enough others to protect a small one: see
    #: engage.stats.disclosure); their count and share are None.
    hidden: list[bool] = field(default_factory=list)

    @property
    def one_answer_each(self) -> bool:
        return self.question.kind is not QuestionKind.MULTIPLE


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


def consultation_results(consultation: Consultation) -> ConsultationResults:
    """Every question's results, from the derived counts (a few thousand rows however many responses)."""
    counts.ensure(consultation)  # the request (or job) that asked commits any rebuild with its work
    cells: Counter = Counter()
    channels: Counter = Counter()
    for cell, channel, n in db.session.execute(
        select(ResponseCount.cell, ResponseCount.channel, ResponseCount.responses).where(
            ResponseCount.consultation_id == consultation.id
        )
    ):
        cells[cell] += n
        channels[channel] += n
    people: dict[int, Counter] = defaultdict(Counter)  # question id -> {cell: people who answered}
    totals: defaultdict[int, float] = defaultdict(float)
    for qid, cell, n, total in db.session.execute(
        select(
            QuestionCount.question_id, QuestionCount.cell, QuestionCount.people, QuestionCount.total
        ).where(QuestionCount.consultation_id == consultation.id)
    ):
        people[qid][cell] += n
        totals[qid] += total
    given: dict[int, list] = defaultdict(list)  # question id -> [(cell, option, priority, number, code, n)]
    for qid, *answer in db.session.execute(
        select(
            AnswerCount.question_id,
            AnswerCount.cell,
            AnswerCount.option_id,
            AnswerCount.priority_id,
            AnswerCount.number,
            AnswerCount.code,
            AnswerCount.count,
        ).where(AnswerCount.consultation_id == consultation.id)
    ):
        given[qid].append(answer)
    priorities = priorities_for(consultation)
    results = ConsultationResults(consultation, sum(channels.values()), [], channels=dict(channels))
    for question in consultation.questions:
        answered = sum(people[question.id].values())
        result = QuestionResult(question, answered)
        counted = [
            (option or None, priority or None, number, n)
            for _, option, priority, number, _, n in given[question.id]
        ]
        agreement: Counter[str] = Counter()
        for _cell, _option, _priority, _number, code, n in given[question.id]:
            agreement[code] += n
        mean = totals[question.id] / answered if answered else None
        _fill(result, counted, agreement, mean, priorities)
        if question.kind is QuestionKind.NUMBER and answered:
            result.quartiles = median_and_quartiles(number_answers(question))
        if question.kind in WRITTEN or question.allow_other:
            # Written answers are never blank, so there are as many as people answering (or choosing
            # "Other", which needs its text).
            others = sum(n for option, _priority, _number, n in counted if option is None)
            result.text_count = answered if question.kind in WRITTEN else others
            result.texts = newest_written(question, TEXTS_SHOWN)
        results.questions.append(result)
    results.heard_from = who_we_heard_from(cells)
    if results.responses:
        results.weighting, results.unweighted_reason = cell_weights(cells)
    if results.weighting is not None:
        _add_weighted(results.questions, results.weighting.weights, people, given)
    return results


def published_results(consultation: Consultation) -> ConsultationResults:
    """The results as any page shows them: :func:`consultation_results` with small counts and groups hidden
    (``ENGAGE_SMALL_CELL``), and enough others that none can be worked out (engage.stats.disclosure)."""
    results = consultation_results(consultation)
    threshold = current_app.config["ENGAGE_SMALL_CELL"]
    results.heard_from = hide_small_groups(results.heard_from, threshold)[0]
    for result in results.questions:
        hide_small_counts(result, threshold)
    return results


#: Questions whose answers' counts are protected as a table (and broken down by equality questions).
PROTECTED_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.AGREEMENT, QuestionKind.RATING)


def hidden_counts(result: QuestionResult, threshold: int) -> list[bool]:
    """Which of a question's overall counts to hide: the small ones and enough others that none can be
    worked out from the number answering (and, for a rating, its mean)."""
    if result.question.kind not in PROTECTED_KINDS or not result.counts:
        return [False] * len(result.counts)
    figures = [count for _label, count, _share in result.counts]
    rating = result.question.kind is QuestionKind.RATING
    hidden = protect_counts(
        figures,
        result.answered,
        threshold,
        one_answer_each=result.one_answer_each,
        scores=list(range(len(figures))) if rating else None,
        mean=result.mean if rating else None,
    )
    return hidden.tolist()


def hide_small_counts(result: QuestionResult, threshold: int) -> None:
    """Blank the hidden counts, their shares and the weighted shares made from them."""
    result.hidden = hidden_counts(result, threshold)
    result.counts = [
        (label, None, None) if hide else (label, count, share)
        for (label, count, share), hide in zip(result.counts, result.hidden, strict=True)
    ]
    if result.weighted:
        result.weighted = [
            None if hide else share for share, hide in zip(result.weighted, result.hidden, strict=True)
        ]
    if result.question.kind is QuestionKind.RATING and 0 < result.answered < threshold:
        result.mean = None


def hide_small_groups(heard_from: dict[str, list], threshold: int) -> tuple[dict[str, list], dict]:
    """ "Who we heard from" with small groups hidden, and enough others that the number who said (which their
    shares give away) never leaves a hidden group to subtraction; and {dimension: hidden mask}."""
    protected, masks = {}, {}
    for dimension, rows in heard_from.items():
        hide = suppress_groups(np.array([row.respondents for row in rows]), threshold)
        protected[dimension] = [row.hidden_copy() if h else row for row, h in zip(rows, hide, strict=True)]
        masks[dimension] = hide
    return protected, masks


def number_answers(question: Question) -> list[float]:
    """Every number given in answer to a number question (one column of one question's answers)."""
    return list(
        db.session.scalars(
            select(Answer.number).where(Answer.question_id == question.id, Answer.number.is_not(None))
        )
    )


def newest_written(question: Question, limit: int) -> list[str]:
    """The newest ``limit`` written answers (or "Other" texts) of a question: the same answers the
    written-answers page searches and tags."""
    texts = written_query(question).with_only_columns(Answer.text).order_by(Answer.id.desc()).limit(limit)
    return list(db.session.scalars(texts))


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _fill(result: QuestionResult, counted: list, agreement: Counter, mean, priorities: list) -> None:
    question, people, kind = result.question, result.answered, result.question.kind
    if kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
        counts: Counter[int | None] = Counter()
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
        scores: Counter[int] = Counter()
        for _option, _priority, number, n in counted:
            scores[int(number)] += n
        result.counts = [(str(k), scores[k], _share(scores[k], people)) for k in range(11)]
        result.mean = sum(k * n for k, n in scores.items()) / people if people else None
    elif kind is QuestionKind.NUMBER:
        result.mean = float(mean) if mean is not None else None
    elif kind is QuestionKind.IMPORTANCE:
        by_priority: defaultdict[int, Counter[int]] = defaultdict(Counter)
        levels: Counter[int] = Counter()
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
        places: defaultdict[int, Counter[int]] = defaultdict(Counter)
        for option_id, _priority, number, n in counted:
            places[option_id][int(number)] += n
        for option in question.options:
            spread = places.get(option.id)
            if spread:
                total = sum(spread.values())
                mean_place = sum(place * n for place, n in spread.items()) / total
                result.ranks.append((option.label, mean_place, _share(spread[1], people)))
        result.ranks.sort(key=lambda entry: entry[1])


def _add_weighted(
    results: list[QuestionResult], weights: dict[str, float], people: dict, given: dict
) -> None:
    """Weighted shares of people choosing each answer of a closed question (single, multiple, agreement):
    the weights of those choosing it over the weights of those answering, summed cell by cell."""
    for result in results:
        question = result.question
        if question.kind not in {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.AGREEMENT}:
            continue
        total = sum(weights.get(cell, 0.0) * n for cell, n in people[question.id].items())
        if not total:
            continue
        sums: Counter = Counter()
        for cell, option, _priority, _number, code, n in given[question.id]:
            key = code if question.kind is QuestionKind.AGREEMENT else option
            sums[key] += weights.get(cell, 0.0) * n
        keys: Sequence[str | int]
        if question.kind is QuestionKind.AGREEMENT:
            keys = [code for code, _ in AGREEMENT]
        else:
            keys = [o.id for o in question.options] + ([0] if question.allow_other else [])
        result.weighted = [sums[key] / total for key in keys]


def agreement_shares(result: QuestionResult) -> list[float]:
    """Strongly agree .. strongly disagree as shares of those who gave a view ("don't know" left out);
    all zero when nobody did."""
    counts = [count for _label, count, _share in result.counts[:5] if count is not None]
    if len(counts) < len(result.counts[:5]):
        raise ValueError("a hidden agreement count has no share (callers check result.hidden first)")
    total = sum(counts)
    return [count / total if total else 0.0 for count in counts]


def agreement_balance(result: QuestionResult) -> tuple[float, float] | None:
    """(share agreeing, share disagreeing) of those who gave a view, for the diverging chart's summary
    line; None when nobody gave one, or when one of those counts is hidden (the shares would give it away)."""
    if any(result.hidden[:5]):
        return None
    shares = agreement_shares(result)
    if not any(shares):
        return None
    return shares[0] + shares[1], shares[3] + shares[4]
