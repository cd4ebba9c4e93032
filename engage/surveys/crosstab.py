"""A closed question's answers broken down by one equality question, with small cells hidden so that no hidden
figure can be worked out from this table together with everything else published about the consultation
(the answers' overall counts, the number answering, "who we heard from"): engage.stats.disclosure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from engage.equality.questions import PREFER_NOT_TO_SAY, dimensions
from engage.extensions import db
from engage.stats.disclosure import protect_table, suppress_groups
from engage.surveys.models import (
    Answer,
    Consultation,
    ConsultationProfile,
    ConsultationResponse,
    Question,
    QuestionKind,
)
from engage.surveys.questions import CLOSED_KINDS, OTHER, closed_choices
from engage.surveys.results import consultation_results, hidden_counts

#: Questions that can be broken down: one or more answers from a fixed list.
CROSSTAB_KINDS = (*CLOSED_KINDS, QuestionKind.MULTIPLE)
NOT_SAID = "not_said"


@dataclass
class Crosstab:
    question: Question
    dimension: str
    #: Column labels: the question's answers.
    answers: list[str]
    #: (group label, [count per answer or None where hidden], people in the group or None where hidden)
    rows: list[tuple[str, list[int | None], int | None]]
    threshold: int

    @property
    def any_hidden(self) -> bool:
        return any(people is None or None in cells for _label, cells, people in self.rows)


def answer_choices(question: Question) -> list[tuple[str, object]]:
    if question.kind is QuestionKind.MULTIPLE:
        return [(str(o.id), o.label) for o in question.options]
    choices = list(closed_choices(question))
    if question.kind is QuestionKind.SINGLE and question.allow_other:
        choices.append((OTHER, _l("Other")))
    return choices


def _value(question: Question, option_id, text, number) -> str:
    if question.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
        return str(option_id) if option_id is not None else OTHER
    if question.kind is QuestionKind.AGREEMENT:
        return text
    return str(int(number))


def crosstab(consultation: Consultation, question: Question, dimension: str, threshold: int) -> Crosstab:
    """People giving each answer in each group of ``dimension`` (those who did not say, or preferred not
    to, in a row of their own). Cells and groups of 1 to threshold-1 people are hidden, with enough other
    cells and group sizes that none of them can be narrowed below the threshold (see :func:`protection`)."""
    groups = next(d for d in dimensions() if d.key == dimension).categories
    profile = dict(
        db.session.execute(
            select(ConsultationProfile.response_id, ConsultationProfile.category)
            .join(ConsultationResponse, ConsultationResponse.id == ConsultationProfile.response_id)
            .where(
                ConsultationResponse.consultation_id == consultation.id,
                ConsultationProfile.dimension == dimension,
            )
        ).all()
    )
    choices = answer_choices(question)
    column = {value: k for k, (value, _label) in enumerate(choices)}
    labels = [(key, str(label)) for key, label in groups] + [(NOT_SAID, str(_l("Did not say")))]
    row = {key: k for k, (key, _label) in enumerate(labels)}
    counts = np.zeros((len(labels), len(choices)), dtype=int)
    people: dict[int, set[int]] = {k: set() for k in range(len(labels))}
    for response_id, option_id, text, number in db.session.execute(
        select(Answer.response_id, Answer.option_id, Answer.text, Answer.number)
        .join(ConsultationResponse, ConsultationResponse.id == Answer.response_id)
        .where(ConsultationResponse.consultation_id == consultation.id, Answer.question_id == question.id)
    ):
        group = profile.get(response_id, NOT_SAID)
        i = row.get(group if group != PREFER_NOT_TO_SAY else NOT_SAID, row[NOT_SAID])
        j = column.get(_value(question, option_id, text, number))
        if j is not None:
            counts[i, j] += 1
            people[i].add(response_id)
    totals = np.array([len(people[i]) for i in range(len(labels))])
    cells_hidden, rows_hidden = protection(
        consultation, question, dimension, labels, choices, counts, totals, threshold
    )
    rows = []
    for i, (_key, label) in enumerate(labels):
        cells = [None if cells_hidden[i, j] else int(counts[i, j]) for j in range(len(choices))]
        rows.append((label, cells, None if rows_hidden[i] else int(totals[i])))
    return Crosstab(question, dimension, [str(label) for _value, label in choices], rows, threshold)


def protection(consultation, question, dimension, labels, choices, counts, totals, threshold):
    """Which cells and group sizes to hide, given what the results page publishes: the overall count of
    each answer (hidden as that page hides them), the number answering, and who we heard from."""
    published = consultation_results(consultation)
    result = next(r for r in published.questions if r.question.id == question.id)
    # The results page's counts are the question's answers in the same order (a tick-all question's
    # "Other" last, which a breakdown leaves out).
    columns_hidden = np.array(hidden_counts(result, threshold)[: len(choices)], dtype=bool)
    heard_rows = published.heard_from.get(dimension, [])
    row_of = {key: i for i, (key, _label) in enumerate(labels)}
    heard = [row.respondents for row in heard_rows]
    mapped = [row_of.get(row.category) for row in heard_rows]
    consistent = all(g is None or totals[g] <= n for g, n in zip(mapped, heard, strict=True))
    kwargs: dict[str, Any] = {}
    if heard and consistent:
        kwargs = {
            "heard": heard,
            "heard_rows": mapped,
            "heard_hidden": suppress_groups(np.array(heard), threshold),
        }
    protected = protect_table(
        counts,
        totals,
        counts.sum(axis=0),
        threshold,
        columns_hidden=columns_hidden,
        one_answer_each=question.kind is not QuestionKind.MULTIPLE,
        scores=[int(value) for value, _label in choices] if question.kind is QuestionKind.RATING else None,
        **kwargs,
    )
    return protected.cells, protected.rows
