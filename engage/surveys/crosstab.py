"""A closed question's answers broken down by one equality question, with small cells hidden."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from engage.equality.questions import PREFER_NOT_TO_SAY, dimensions
from engage.extensions import db
from engage.stats.disclosure import suppressed
from engage.surveys.models import (
    Answer,
    Consultation,
    ConsultationProfile,
    ConsultationResponse,
    Question,
    QuestionKind,
)
from engage.surveys.questions import CLOSED_KINDS, OTHER, closed_choices

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
    to, in a row of their own). Cells of 1 to threshold-1 people are hidden, with the next smallest cell of
    a row that would otherwise give a hidden one away."""
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
    # Row totals are people, not answers (multiple choice): hide by the cells, and hide a small group whole.
    mask = suppressed(counts, threshold)
    rows = []
    for i, (_key, label) in enumerate(labels):
        small = 0 < totals[i] < threshold
        hide = mask[i] | (small & (counts[i] > 0))
        cells = [None if hide[j] else int(counts[i, j]) for j in range(len(choices))]
        rows.append((label, cells, None if small else int(totals[i])))
    return Crosstab(question, dimension, [str(label) for _value, label in choices], rows, threshold)
