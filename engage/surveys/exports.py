"""Responses as CSV: one row per response and one column per question (one per option for multiple choice,
1 ticked / 0 not, and one per priority for an importance grid), with stable column names."""

from __future__ import annotations

import csv
import io

from flask import Response
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engage.extensions import db
from engage.surveys.models import Consultation, ConsultationResponse, Question, QuestionKind
from engage.surveys.service import priorities_for


def columns(consultation: Consultation) -> list[tuple[str, Question, object]]:
    """(column name, question, option or priority or None) for every answer column, in question order."""
    out = []
    priorities = priorities_for(consultation)
    for number, question in enumerate(consultation.questions, start=1):
        if question.kind is QuestionKind.MULTIPLE:
            out += [(f"q{number}_{option.code}", question, option) for option in question.options]
        elif question.kind is QuestionKind.IMPORTANCE:
            out += [(f"q{number}_{priority.code}", question, priority) for priority in priorities]
        else:
            out.append((f"q{number}", question, None))
            if question.allow_other:
                out.append((f"q{number}_other", question, "other"))
    return out


def _cell(question: Question, target, answers: list) -> str | int | float:
    mine = [a for a in answers if a.question_id == question.id]
    kind = question.kind
    if kind is QuestionKind.MULTIPLE:
        return int(any(a.option_id == target.id for a in mine)) if mine else ""
    if kind is QuestionKind.IMPORTANCE:
        level = next((a.number for a in mine if a.priority_id == target.id), None)
        return "" if level is None else int(level)
    if not mine:
        return ""
    answer = mine[0]
    if kind is QuestionKind.SINGLE:
        if target == "other":
            return answer.text if answer.option_id is None else ""
        return next((o.code for o in question.options if o.id == answer.option_id), "other")
    if kind in {QuestionKind.RATING, QuestionKind.NUMBER}:
        return answer.number if kind is QuestionKind.NUMBER else int(answer.number)
    return answer.text or ""


def responses_csv_response(consultation: Consultation) -> Response:
    """Every response, no personal data: the reference is the only key (it names nobody)."""
    cols = columns(consultation)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["reference", "submitted_at", "channel", "locale", *[name for name, _, _ in cols]])
    responses = db.session.scalars(
        select(ConsultationResponse)
        .where(ConsultationResponse.consultation_id == consultation.id)
        .options(selectinload(ConsultationResponse.answers))
        .order_by(ConsultationResponse.id)
    )
    for response in responses:
        writer.writerow(
            [
                response.reference,
                response.submitted_at.isoformat(),
                response.channel.value,
                response.locale,
                *[_cell(question, target, response.answers) for _, question, target in cols],
            ]
        )
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=consultation-{consultation.id}-responses.csv"},
    )
