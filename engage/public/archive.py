"""The public results archive: closed exercises whose results are public and consultations whose "we
asked, you said, we did" is published, newest first, for the whole partnership or one board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engage.boards.models import Board
from engage.dates import LONDON
from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseStatus
from engage.surveys.models import Consultation, ConsultationStatus


@dataclass(frozen=True)
class ArchiveEntry:
    """One past exercise or consultation, as the archive lists it."""

    #: the Exercise or Consultation
    subject: Exercise | Consultation
    #: UK dates it opened and closed (None when it had no date set)
    first_day: date | None
    last_day: date | None

    @property
    def is_consultation(self) -> bool:
        return isinstance(self.subject, Consultation)


def _uk_day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(LONDON).date()


def archived_exercises(board: Board | None = None) -> list[Exercise]:
    """Closed exercises whose results residents may see; workshop-only exercises are never listed."""
    query = (
        select(Exercise)
        .where(
            Exercise.status == ExerciseStatus.CLOSED,
            Exercise.results_public.is_(True),
            Exercise.workshop_only.is_(False),
        )
        .options(selectinload(Exercise.board))
    )
    if board is not None:
        query = query.where(Exercise.board_id == board.id)
    return list(db.session.scalars(query))


def archived_consultations(board: Board | None = None) -> list[Consultation]:
    """Consultations whose "we asked, you said, we did" is published (a board's only, when ``board`` is
    given; partnership-wide ones are in the whole archive)."""
    query = (
        select(Consultation)
        .where(Consultation.status == ConsultationStatus.PUBLISHED)
        .options(selectinload(Consultation.board))
    )
    if board is not None:
        query = query.where(Consultation.board_id == board.id)
    return list(db.session.scalars(query))


def results_archive(board: Board | None = None) -> list[ArchiveEntry]:
    """Every archived exercise and consultation (of ``board``, or all), the most recently closed first;
    those with no closing date after those with one."""
    subjects: list[Exercise | Consultation] = [*archived_exercises(board), *archived_consultations(board)]
    entries = [ArchiveEntry(s, _uk_day(s.opens_at), s.last_day) for s in subjects]
    return sorted(entries, key=lambda e: (e.last_day is None, -(e.last_day or date.min).toordinal()))
