"""Unusual activity in a consultation: many online responses sent close together with near-identical
answers (engage.stats.coordination), a reason for officers to look, not proof.

Each online response becomes a row with one column per closed answer a question can have (an option, an
agreement value, a rating or number, a priority's importance): 1 for the answer given, 0 for the question's
other answers, empty for a question not answered. Free text and dates are left out. Paper, workshop and
show-of-hands responses are left out too: they are typed in together by staff and are alike by nature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select

from engage.channels import Channel
from engage.extensions import db
from engage.jobs.cache import Shown, consultation_results, shown_consultation
from engage.prioritise.integrity import coordination_settings
from engage.stats.coordination import near_identical_binary_groups
from engage.surveys.exports import answers_query
from engage.surveys.models import Consultation, ConsultationResponse, Question, QuestionKind, Section

LEFT_OUT = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.DATE)


@dataclass(frozen=True)
class CoordinatedResponses:
    response_ids: list[int]
    first: datetime
    last: datetime


def _rows(consultation: Consultation, response_ids: list[int]) -> np.ndarray:
    kinds = dict(
        db.session.execute(
            select(Question.id, Question.kind)
            .join(Section, Section.id == Question.section_id)
            .where(Section.consultation_id == consultation.id)
        ).all()
    )
    answers = db.session.execute(
        answers_query(consultation).where(ConsultationResponse.channel == Channel.ONLINE)
    ).all()
    position = {response_id: k for k, response_id in enumerate(response_ids)}
    given: dict[tuple[int, int], set[tuple]] = {}
    columns_of: dict[int, dict[tuple, int]] = {}
    for response_id, question_id, option_id, priority_id, text, number in answers:
        if (
            response_id not in position
            or kinds.get(question_id) in LEFT_OUT
            or kinds.get(question_id) is None
        ):
            continue
        value = (option_id, priority_id, None if option_id else text, number)
        given.setdefault((position[response_id], question_id), set()).add(value)
        columns_of.setdefault(question_id, {}).setdefault(value, len(columns_of.get(question_id, {})))
    offsets, width = {}, 0
    for question_id, column_values in columns_of.items():
        offsets[question_id] = width
        width += len(column_values)
    rows = np.full((len(response_ids), width), np.nan)
    for (row, question_id), values in given.items():
        start, columns = offsets[question_id], columns_of[question_id]
        rows[row, start : start + len(columns)] = 0.0
        for value in values:
            rows[row, start + columns[value]] = 1.0
    return rows


def coordinated_responses(consultation: Consultation) -> list[CoordinatedResponses]:
    """Groups of online responses sent close together with near-identical answers."""
    settings = coordination_settings()
    sent = db.session.execute(
        select(ConsultationResponse.id, ConsultationResponse.submitted_at)
        .where(
            ConsultationResponse.consultation_id == consultation.id,
            ConsultationResponse.channel == Channel.ONLINE,
        )
        .order_by(ConsultationResponse.submitted_at, ConsultationResponse.id)
    ).all()
    if len(sent) < settings["min_group"]:
        return []
    ids = [row.id for row in sent]
    groups = near_identical_binary_groups(
        [row.submitted_at.timestamp() for row in sent],
        _rows(consultation, ids),
        window=settings["window"],
        min_group=int(settings["min_group"]),
        max_distance=settings["max_distance"],
        min_shared=2,
    )
    return [
        CoordinatedResponses(
            [sent[k].id for k in group],
            min(sent[k].submitted_at for k in group),
            max(sent[k].submitted_at for k in group),
        )
        for group in groups
    ]


#: The name its groups are kept under (engage/jobs/cache.py).
KEPT_AS = "coordinated-responses"


def _kept_with() -> tuple:
    """What the groups depend on besides the responses: the settings."""
    return tuple(sorted(coordination_settings().items()))


def shown_coordinated(consultation: Consultation) -> Shown[list[CoordinatedResponses]]:
    """What the "Unusual activity" page shows: the groups kept for the responses as they are now, computed in
    the request for a small consultation; for a large one the refresh job compares them (issue 19: no request
    over 2 s) and the page shows the last kept groups with their time, or that they are being worked out."""
    return shown_consultation(
        consultation, KEPT_AS, _kept_with(), lambda: coordinated_responses(consultation)
    )


def warm(consultation: Consultation) -> None:
    """Compare the responses again if they changed (the refresh job)."""
    consultation_results(consultation, KEPT_AS, _kept_with(), lambda: coordinated_responses(consultation))
