"""Workshop sessions, their rounds (each runs an existing exercise) and the people who joined."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import Organisation, User
from engage.boards.models import Board
from engage.database import UTCDateTime, enum_column, utcnow
from engage.extensions import Model
from engage.prioritise.models import Exercise
from engage.surveys.models import Answer, Question, QuestionKind

#: Consultation questions whose answers are free text: in a workshop they make a moderated wall.
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


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


class WorkshopSession(Model):
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
    #: The projector-only link's token is an HMAC of this random value (engage.idempotency.server_key), so
    #: the link works without a sign-in; NULL: no link. A new value (or none) revokes the old link.
    screen_nonce: Mapped[str | None] = mapped_column(String(64))
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
    def state_key(self) -> str:
        """Changes whenever a device's screen should: a facilitator action, or the round's time ending."""
        current = self.current_round
        return f"{self.revision}{'-t' if current is not None and current.time_up() else ''}"

    @property
    def content_key(self) -> str:
        """Changes only when what a phone is asked changes (the next round, the end): the only times a
        phone's form may be replaced. Pausing, the timer and showing results change ``state_key`` alone."""
        return f"{self.status.value}-{self.current_position}"

    @property
    def next_round(self) -> WorkshopRound | None:
        after = -1 if self.current_position is None else self.current_position
        return next((r for r in self.rounds if r.position > after), None)


class WorkshopRound(Model):
    """One step of the agenda: an existing pairwise, budget (dot vote) or ranking exercise, or one closed
    question of an open consultation on the board."""

    __tablename__ = "workshop_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    exercise_id: Mapped[int | None] = mapped_column(ForeignKey("exercises.id", ondelete="RESTRICT"))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="RESTRICT")
    )
    #: Pairwise: the pairs each person is asked in this round (NULL: as many as they like).
    pairs_per_person: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[RoundState] = mapped_column(
        enum_column(RoundState, "round_state"), default=RoundState.WAITING
    )
    results_shown: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When voting in this round stops (NULL: when the facilitator moves on).
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The facilitator's own notes for the round (what to say, what to watch for): shown on the control page
    #: only, never on the projector, the phones or the report.
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")

    session: Mapped[WorkshopSession] = relationship(back_populates="rounds")
    exercise: Mapped[Exercise | None] = relationship()
    question: Mapped[Question | None] = relationship()

    __table_args__ = (
        CheckConstraint("(exercise_id IS NULL) <> (question_id IS NULL)", name="exercise_or_question"),
    )

    @property
    def voting_exercise(self) -> Exercise:
        """The exercise a vote round is about (a round has an exercise or a question, never both)."""
        if self.exercise is None:
            raise ValueError(f"workshop round {self.id} asks a question, not an exercise")
        return self.exercise

    @property
    def asked_question(self) -> Question:
        """The consultation question a question round asks (a round has an exercise or a question)."""
        if self.question is None:
            raise ValueError(f"workshop round {self.id} is about an exercise, not a question")
        return self.question

    @property
    def kind(self) -> str:
        """ "pairwise", "budget", "ranking" or "question"."""
        return self.exercise.kind.value if self.exercise is not None else "question"

    @property
    def title(self) -> str:
        return self.exercise.title if self.exercise is not None else self.asked_question.label

    @property
    def prompt(self) -> str:
        """What the room is asked."""
        return self.exercise.question if self.exercise is not None else self.asked_question.label

    @property
    def open_text(self) -> bool:
        """The round asks a free-text question: answers go on the room's wall once the facilitator lets
        each one through."""
        return self.question is not None and self.question.kind in TEXT_KINDS

    def accepting(self) -> bool:
        """The exercise or consultation behind the round is taking answers."""
        if self.exercise is not None:
            return self.exercise.accepting_votes()
        return self.asked_question.section.consultation.accepting_responses()

    def time_up(self, now: datetime | None = None) -> bool:
        return self.ends_at is not None and (now or utcnow()) >= self.ends_at

    def seconds_left(self, now: datetime | None = None) -> int | None:
        if self.ends_at is None:
            return None
        return max(0, int((self.ends_at - (now or utcnow())).total_seconds()))


class Participant(Model):
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


class RoundAnswer(Model):
    """That a participant answered a round (not what: that is in the exercise or consultation, unlinked to
    the participant), so the facilitator can see who has answered."""

    __tablename__ = "workshop_round_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("workshop_rounds.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("workshop_participants.id", ondelete="CASCADE"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("round_id", "participant_id"),)


class WallState(enum.Enum):
    #: Sent from a phone; the facilitator has not looked at it yet. Never on the projector.
    WAITING = "waiting"
    SHOWN = "shown"
    #: Kept off the screen (personal details, abuse, off topic). The answer still counts in the
    #: consultation like any other, and its own moderation (themes, retention) applies there.
    HIDDEN = "hidden"


class WallEntry(Model):
    """A free-text answer sent from a phone in an open-text round, and whether the facilitator has let it
    onto the projector. The text itself is the consultation answer (deleted with it); no name is kept."""

    __tablename__ = "workshop_wall_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("workshop_rounds.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_answers.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[WallState] = mapped_column(enum_column(WallState, "wall_state"), default=WallState.WAITING)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    answer: Mapped[Answer] = relationship()

    @property
    def text(self) -> str:
        return self.answer.text or ""


class PaperSheet(Model):
    """One paper sheet typed in for a round: what was typed (JSON), who typed it, the rows it made. A
    correction replaces the sheet: the old rows are removed from the exercise, the new ones recorded, and
    the old sheet kept with who corrected it, when and why (the audit trail)."""

    __tablename__ = "workshop_paper_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("workshop_rounds.id", ondelete="CASCADE"), index=True)
    #: {"pairs": [[left, right, "left"|"right"], ...]} or {"values": {item id: number}}
    payload: Mapped[str] = mapped_column(Text)
    #: The rows the sheet made: a submission, or pairwise votes (JSON list of ids).
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="SET NULL"))
    vote_ids: Mapped[str] = mapped_column(Text, default="[]")
    #: A show of hands: the consultation responses it made (JSON list of ids).
    response_ids: Mapped[str] = mapped_column(Text, default="[]")
    #: An HMAC (engage.idempotency.server_key) of the key of the form the sheet was typed into and who typed
    #: it: the same form sent twice (a double click, a retry) finds this sheet and stores nothing more.
    sheet_key: Mapped[str | None] = mapped_column(String(64))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_paper_sheets.id", ondelete="SET NULL")
    )
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    correction_reason: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[WorkshopRound] = relationship()
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    corrected_by: Mapped[User | None] = relationship(foreign_keys=[corrected_by_id])

    __table_args__ = (UniqueConstraint("round_id", "sheet_key"),)

    @property
    def is_current(self) -> bool:
        return self.replaced_by_id is None
