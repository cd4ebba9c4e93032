"""Workshop sessions, their rounds (each runs an existing exercise) and the people who joined."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import Organisation, User, enum_column
from engage.boards.models import Board
from engage.database import UTCDateTime, utcnow
from engage.extensions import db
from engage.prioritise.models import Exercise


class SessionStatus(enum.Enum):
    #: Being set up: people can join and wait.
    READY = "ready"
    #: A round has been started at least once.
    LIVE = "live"
    ENDED = "ended"


class RoundState(enum.Enum):
    WAITING = "waiting"
    OPEN = "open"
    PAUSED = "paused"
    DONE = "done"


class WorkshopSession(db.Model):
    __tablename__ = "workshop_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="RESTRICT"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(200), default="")
    #: Six characters with no easily confused letters or digits (see codes.py).
    join_code: Mapped[str] = mapped_column(String(6), unique=True)
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus, "session_status"), default=SessionStatus.READY
    )
    #: The position of the round the room is on (NULL before the first round starts).
    current_position: Mapped[int | None] = mapped_column(Integer)
    #: Goes up with every facilitator action, so devices can tell cheaply whether anything changed.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    board: Mapped[Board] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    rounds: Mapped[list[WorkshopRound]] = relationship(
        back_populates="session", order_by="WorkshopRound.position", cascade="all, delete-orphan"
    )

    @property
    def current_round(self) -> WorkshopRound | None:
        return next((r for r in self.rounds if r.position == self.current_position), None)

    @property
    def next_round(self) -> WorkshopRound | None:
        after = -1 if self.current_position is None else self.current_position
        return next((r for r in self.rounds if r.position > after), None)


class WorkshopRound(db.Model):
    """One step of the agenda: an existing pairwise, budget (dot vote) or ranking exercise."""

    __tablename__ = "workshop_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="RESTRICT"))
    #: Pairwise: the pairs each person is asked in this round (NULL: as many as they like).
    pairs_per_person: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[RoundState] = mapped_column(
        enum_column(RoundState, "round_state"), default=RoundState.WAITING
    )
    results_shown: Mapped[bool] = mapped_column(Boolean, default=False)

    session: Mapped[WorkshopSession] = relationship(back_populates="rounds")
    exercise: Mapped[Exercise] = relationship()


class Participant(db.Model):
    """Someone who joined with the code: no account, only a random token in their cookie (stored hashed)."""

    __tablename__ = "workshop_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    #: Optional first name or table number, shown to the facilitator only.
    label: Mapped[str] = mapped_column(String(60), default="")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("session_id", "token_hash"),)
