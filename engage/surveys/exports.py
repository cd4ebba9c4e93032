"""Responses as CSV: one row per response and one column per question (one per option for multiple choice,
1 ticked / 0 not, and one per priority for an importance grid), with stable column names."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import groupby

from flask import Response
from sqlalchemy import Select, select

from engage.boards.models import Priority
from engage.extensions import db
from engage.spreadsheets import streamed_csv
from engage.surveys.authoring import priorities_for
from engage.surveys.models import (
    Answer,
    Consultation,
    ConsultationResponse,
    Question,
    QuestionKind,
    QuestionOption,
)
from engage.surveys.questions import AGREEMENT, IMPORTANCE


def answers_query(
    consultation: Consultation,
) -> Select[int, int, int | None, int | None, str | None, float | None]:
    """Every answer to the consultation, one row each: (response_id, question_id, option_id, priority_id,
    text, number). Callers add their own filters and order."""
    return (
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
    )


#: What an answer column is about besides its question: an option, a priority, "other" (the "Other" text)
#: or nothing.
ColumnTarget = QuestionOption | Priority | str | None


def columns(consultation: Consultation) -> list[tuple[str, Question, ColumnTarget]]:
    """(column name, question, option or priority or None) for every answer column, in question order."""
    out: list[tuple[str, Question, ColumnTarget]] = []
    priorities = priorities_for(consultation)
    for number, question in enumerate(consultation.questions, start=1):
        if question.kind in {QuestionKind.MULTIPLE, QuestionKind.RANKING}:
            out += [(f"q{number}_{option.code}", question, option) for option in question.options]
        elif question.kind is QuestionKind.IMPORTANCE:
            out += [(f"q{number}_{priority.code}", question, priority) for priority in priorities]
        else:
            out.append((f"q{number}", question, None))
            if question.allow_other:
                out.append((f"q{number}_other", question, "other"))
    return out


def _cell(question: Question, target, mine: list) -> str | int | float:
    """One column's value from the response's answers to ``question`` (``mine``)."""
    kind = question.kind
    if kind is QuestionKind.MULTIPLE:
        return int(any(a.option_id == target.id for a in mine)) if mine else ""
    if kind is QuestionKind.IMPORTANCE:
        level = next((a.number for a in mine if a.priority_id == target.id), None)
        return "" if level is None else int(level)
    if kind is QuestionKind.RANKING:
        place = next((a.number for a in mine if a.option_id == target.id), None)
        return "" if place is None else int(place)
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


def iter_response_rows(consultation: Consultation) -> Iterator[list]:
    """A header, then one row per response, numbered 1, 2, 3 ... in the order they came. No personal data and
    no reference: the reference is the secret that lets its resident delete the response, so whoever holds a
    download must not be able to delete (or ask for) anyone's answers with it.

    Answers are read as plain rows in response order and streamed a response at a time, so a large
    consultation is exported without holding every answer (or an object per answer) in memory.
    """
    cols = columns(consultation)
    yield ["response", "submitted_at", "channel", "locale", *[name for name, _, _ in cols]]
    responses = db.session.execute(
        select(
            ConsultationResponse.id,
            ConsultationResponse.submitted_at,
            ConsultationResponse.channel,
            ConsultationResponse.locale,
        )
        .where(ConsultationResponse.consultation_id == consultation.id)
        .order_by(ConsultationResponse.id)
    ).all()
    answers = db.session.execute(
        answers_query(consultation)
        .order_by(Answer.response_id, Answer.id)
        .execution_options(yield_per=20_000)
    )
    grouped = groupby(answers, key=lambda row: row.response_id)
    pending = next(grouped, None)
    for number, response in enumerate(responses, start=1):
        by_question: dict[int, list] = defaultdict(list)
        while pending is not None and pending[0] <= response.id:
            if pending[0] == response.id:
                for row in pending[1]:
                    by_question[row.question_id].append(row)
            pending = next(grouped, None)
        yield [
            number,
            response.submitted_at.isoformat(),
            response.channel.value,
            response.locale,
            *[_cell(question, target, by_question.get(question.id, [])) for _, question, target in cols],
        ]


def response_rows(consultation: Consultation) -> list[list]:
    return list(iter_response_rows(consultation))


def codebook_rows(consultation: Consultation) -> list[list]:
    """What every column means, and every code in it."""
    rows = [["column", "question", "type", "values"]]
    for name, question, target in columns(consultation):
        kind = question.kind
        if kind is QuestionKind.MULTIPLE:
            assert isinstance(target, QuestionOption)
            values = f"1 = ticked '{target.label}', 0 = not ticked, blank = question not answered"
        elif kind is QuestionKind.IMPORTANCE:
            assert isinstance(target, Priority)
            values = f"importance of {target.code} '{target.title}': " + ", ".join(
                f"{level} = {label}" for level, label in IMPORTANCE
            )
        elif kind is QuestionKind.RANKING:
            assert isinstance(target, QuestionOption)
            values = f"place given to '{target.label}': 1 = first, {len(question.options)} = last"
        elif kind is QuestionKind.SINGLE and target == "other":
            values = "the 'Other' answer's text"
        elif kind is QuestionKind.SINGLE:
            values = ", ".join(f"{o.code} = {o.label}" for o in question.options) + (
                ", other = see the _other column" if question.allow_other else ""
            )
        elif kind is QuestionKind.AGREEMENT:
            values = ", ".join(f"{code} = {label}" for code, label in AGREEMENT)
        elif kind is QuestionKind.RATING:
            values = "0 (lowest) to 10 (highest)"
        elif kind is QuestionKind.DATE:
            values = "a date, YYYY-MM-DD"
        elif kind is QuestionKind.NUMBER:
            values = "a number"
        else:
            values = "free text"
        if question.show_if_option is not None:
            condition = question.show_if_option
            values += (
                f" (asked only of people who chose '{condition.label}' for '{condition.question.label}')"
            )
        rows.append([name, question.label, kind.value, values])
    return rows


def responses_csv_response(consultation: Consultation) -> Response:
    """Every response as CSV, streamed a row at a time."""
    consultation_id = consultation.id
    return streamed_csv(
        lambda: iter_response_rows(db.session.get_one(Consultation, consultation_id)),
        f"consultation-{consultation_id}-responses.csv",
    )


def as_cells(rows: Iterable[list]) -> Iterator[list]:
    """Rows with every value a number or text, as a spreadsheet cell needs."""
    for row in rows:
        yield [str(v) if not isinstance(v, int | float | str) else v for v in row]
