"""Written answers: searched and filtered by officers, and tagged by hand with themes, which are counted."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from engage.extensions import db
from engage.paging import one_page
from engage.service_errors import StateError
from engage.surveys.models import (
    Answer,
    AnswerTheme,
    Consultation,
    ConsultationResponse,
    Question,
    QuestionKind,
    TextTheme,
)

PER_PAGE = 50


@dataclass
class WrittenAnswer:
    id: int
    text: str
    channel: str
    themes: list[str]


def themes_for(question: Question) -> list[TextTheme]:
    return list(
        db.session.scalars(
            select(TextTheme).where(TextTheme.question_id == question.id).order_by(TextTheme.name)
        )
    )


def add_theme(question: Question, name: str) -> TextTheme:
    name = " ".join(name.split())
    if not name:
        raise StateError(_("Enter a name for the theme"))
    theme = TextTheme(question_id=question.id, name=name[:80])
    try:
        with db.session.begin_nested():  # a clash undoes this insert only
            db.session.add(theme)
    except IntegrityError:
        raise StateError(_("This question already has a theme called %(name)s", name=name)) from None
    return theme


def written_query(question: Question):
    """Answers to ``question`` that are writing: its text, or the "Other" text of a single choice."""
    query = select(Answer).where(
        Answer.question_id == question.id, Answer.text.is_not(None), Answer.text != ""
    )
    if question.kind is QuestionKind.SINGLE:
        query = query.where(Answer.option_id.is_(None))
    return query


def find(
    question: Question, *, words: str = "", theme_id: int | None = None, untagged: bool = False, page: int = 1
) -> Pagination:
    """Written answers containing ``words`` (any case), with a theme or with none, newest first: one page
    of them (``items``, each a ``WrittenAnswer``; past the end, the last page) and the total."""
    query = _matching(question, words, theme_id, untagged).order_by(Answer.id.desc())
    found = one_page(query, page, PER_PAGE)
    found.items = _described(found.items)
    return found


def matching_ids(question: Question, words: str) -> list[int]:
    """Every written answer to ``question`` containing ``words``."""
    return list(db.session.scalars(_matching(question, words).with_only_columns(Answer.id)))


def _matching(question: Question, words: str, theme_id: int | None = None, untagged: bool = False):
    query = written_query(question)
    if words.strip():
        pattern = (
            "%" + words.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(func.lower(Answer.text).like(pattern, escape="\\"))
    tagged = select(AnswerTheme.answer_id)
    if theme_id is not None:
        query = query.where(Answer.id.in_(tagged.where(AnswerTheme.theme_id == theme_id)))
    if untagged:
        query = query.where(Answer.id.not_in(tagged))
    return query


def _described(answers: list[Answer]) -> list[WrittenAnswer]:
    names: dict[int, list[str]] = {}
    if answers:
        for answer_id, name in db.session.execute(
            select(AnswerTheme.answer_id, TextTheme.name)
            .join(TextTheme, TextTheme.id == AnswerTheme.theme_id)
            .where(AnswerTheme.answer_id.in_([a.id for a in answers]))
            .order_by(TextTheme.name)
        ):
            names.setdefault(answer_id, []).append(name)
    channels = dict(
        db.session.execute(
            select(ConsultationResponse.id, ConsultationResponse.channel).where(
                ConsultationResponse.id.in_({a.response_id for a in answers})
            )
        ).all()
    )
    return [
        WrittenAnswer(a.id, a.text or "", channels[a.response_id].value, names.get(a.id, [])) for a in answers
    ]


def tag(question: Question, theme: TextTheme, answer_ids: list[int], *, remove: bool = False) -> int:
    """Tag (or untag) these answers of ``question`` with ``theme``; returns how many changed."""
    if theme.question_id != question.id:
        raise StateError(_("That theme belongs to another question"))
    valid = set(
        db.session.scalars(
            written_query(question).with_only_columns(Answer.id).where(Answer.id.in_(answer_ids))
        )
    )
    already = set(
        db.session.scalars(
            select(AnswerTheme.answer_id).where(
                AnswerTheme.theme_id == theme.id, AnswerTheme.answer_id.in_(valid)
            )
        )
    )
    if remove:
        changed = already
        if changed:
            db.session.execute(
                delete(AnswerTheme).where(
                    AnswerTheme.theme_id == theme.id, AnswerTheme.answer_id.in_(changed)
                )
            )
    else:
        changed = valid - already
        db.session.add_all(AnswerTheme(answer_id=a, theme_id=theme.id) for a in changed)
    return len(changed)


def counts(consultation: Consultation) -> dict[int, list[tuple[str, int]]]:
    """Per question: each theme and how many answers carry it, most first."""
    out: dict[int, list[tuple[str, int]]] = {}
    for question_id, name, n in db.session.execute(
        select(TextTheme.question_id, TextTheme.name, func.count(AnswerTheme.answer_id))
        .outerjoin(AnswerTheme, AnswerTheme.theme_id == TextTheme.id)
        .where(TextTheme.question_id.in_([q.id for q in consultation.questions]))
        .group_by(TextTheme.question_id, TextTheme.name)
        .order_by(func.count(AnswerTheme.answer_id).desc(), TextTheme.name)
    ):
        out.setdefault(question_id, []).append((name, n))
    return out
