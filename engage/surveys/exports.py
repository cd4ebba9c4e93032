"""Responses as CSV: one row per response and one column per question (one per option for multiple choice,
1 ticked / 0 not, and one per priority for an importance grid), with stable column names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

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


#: How each answer row fills its response's row: (question_id, option_id or None, priority_id or None) -> a
#: (column, what) pair, what saying how the value is read from the row.
_TICK, _PLACE, _LEVEL, _CODE, _OTHER, _RATING, _NUMBER, _TEXT = range(8)


def _layout(cols: Sequence[tuple[str, Question, object]]) -> tuple[dict, dict]:
    """Where each answer goes: ``by_target`` for answers that name an option or a priority (ticks, places,
    levels), ``by_question`` for the rest (a question's first answer). Plain ids and small tuples, so a row
    of 50 cells is filled by a dictionary look-up per answer instead of reading ORM attributes per cell."""
    by_target: dict[tuple[int, int | None, int | None], tuple[int, int]] = {}
    by_question: dict[int, list] = {}
    for index, (_name, question, target) in enumerate(cols, start=4):
        kind = question.kind
        if kind is QuestionKind.MULTIPLE:
            by_target[(question.id, target.id, None)] = (index, _TICK)  # type: ignore[attr-defined]
            by_question.setdefault(question.id, [_TICK, []])[1].append(index)
        elif kind is QuestionKind.RANKING:
            by_target[(question.id, target.id, None)] = (index, _PLACE)  # type: ignore[attr-defined]
        elif kind is QuestionKind.IMPORTANCE:
            by_target[(question.id, None, target.id)] = (index, _LEVEL)  # type: ignore[attr-defined]
        elif kind is QuestionKind.SINGLE and target == "other":
            by_question[question.id][2] = index
        elif kind is QuestionKind.SINGLE:
            codes = {option.id: option.code for option in question.options}
            by_question[question.id] = [_CODE, index, None, codes]
        elif kind is QuestionKind.RATING:
            by_question[question.id] = [_RATING, index]
        elif kind is QuestionKind.NUMBER:
            by_question[question.id] = [_NUMBER, index]
        else:
            by_question[question.id] = [_TEXT, index]
    return by_target, by_question


def _fill(row: list, answers: list, by_target: dict, by_question: dict) -> None:
    """Put one response's answers (``(question_id, option_id, priority_id, text, number)`` in the order
    they were given) into its row of blanks. A multiple-choice question answered at all has 0 in the
    options not ticked; a single-valued question takes its first answer."""
    seen: set[int] = set()
    for question_id, option_id, priority_id, text, number in answers:
        place = by_target.get((question_id, option_id, priority_id))
        if place is not None:
            index, what = place
            if what == _TICK:
                row[index] = 1
            elif number is not None and row[index] == "":  # the first place or level given
                row[index] = int(number)
        how = by_question.get(question_id)
        if how is None or question_id in seen:
            continue
        seen.add(question_id)
        what = how[0]
        if what == _TICK:
            for index in how[1]:
                if row[index] == "":
                    row[index] = 0
        elif what == _CODE:
            row[how[1]] = how[3].get(option_id, "other")
            if how[2] is not None and option_id is None:
                row[how[2]] = text
        elif what == _RATING:
            row[how[1]] = int(number)
        elif what == _NUMBER:
            row[how[1]] = number
        else:
            row[how[1]] = text or ""


def iter_response_rows(consultation: Consultation) -> Iterator[list]:
    """A header, then one row per response, numbered 1, 2, 3 ... in the order they came. No personal data and
    no reference: the reference is the secret that lets its resident delete the response, so whoever holds a
    download must not be able to delete (or ask for) anyone's answers with it.

    Answers are read as plain rows (Core, not ORM objects) in response order and streamed a response at a
    time, so a large consultation is exported without holding every answer in memory.
    """
    cols = columns(consultation)
    yield ["response", "submitted_at", "channel", "locale", *[name for name, _, _ in cols]]
    by_target, by_question = _layout(cols)
    connection = db.session.connection()
    responses = connection.execute(
        select(
            ConsultationResponse.id,
            ConsultationResponse.submitted_at,
            ConsultationResponse.channel,
            ConsultationResponse.locale,
        )
        .where(ConsultationResponse.consultation_id == consultation.id)
        .order_by(ConsultationResponse.id)
    ).all()
    answers = iter(
        connection.execute(
            answers_query(consultation)
            .order_by(Answer.response_id, Answer.id)
            .execution_options(yield_per=20_000)
        )
    )
    blank: list[object] = [""] * (4 + len(cols))
    pending = next(answers, None)
    for number, (response_id, submitted_at, channel, locale) in enumerate(responses, start=1):
        mine = []
        while pending is not None and pending[0] <= response_id:
            if pending[0] == response_id:
                mine.append(pending[1:])
            pending = next(answers, None)
        row = blank.copy()
        row[0:4] = number, submitted_at.isoformat(), channel.value, locale
        _fill(row, mine, by_target, by_question)
        yield row


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
