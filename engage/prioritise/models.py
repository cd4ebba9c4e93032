"""Exercises, their items, respondents and every act a respondent makes (one immutable row each)."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import Organisation, User, enum_column
from engage.boards.models import Board, Priority
from engage.database import UTCDateTime, utcnow
from engage.extensions import db


class ExerciseKind(enum.Enum):
    PAIRWISE = "pairwise"


class ExerciseStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Channel(enum.Enum):
    ONLINE = "online"
    WORKSHOP = "workshop"
    PAPER = "paper"


class Outcome(enum.Enum):
    LEFT = "left"
    RIGHT = "right"
    SKIP = "skip"


class SkipReason(enum.Enum):
    EQUAL = "equal"
    DONT_KNOW = "dont_know"
    NEITHER = "neither"


class SuggestionStatus(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    MERGED = "merged"
    REJECTED = "rejected"


class Exercise(db.Model):
    __tablename__ = "exercises"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="RESTRICT"), index=True)
    #: The partner organisation that runs the exercise and manages it.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    kind: Mapped[ExerciseKind] = mapped_column(enum_column(ExerciseKind, "exercise_kind"))
    title: Mapped[str] = mapped_column(String(200))
    #: Shown above every pair, e.g. "Which should the board focus on first?"
    question: Mapped[str] = mapped_column(String(300))
    introduction: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ExerciseStatus] = mapped_column(
        enum_column(ExerciseStatus, "exercise_status"), default=ExerciseStatus.DRAFT
    )
    #: Optional window; an open exercise outside it does not take votes.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    allow_suggestions: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Residents may see the results once the exercise has closed.
    results_public: Mapped[bool] = mapped_column(Boolean, default=True)
    max_votes_per_respondent: Mapped[int] = mapped_column(Integer, default=200)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    board: Mapped[Board] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    items: Mapped[list[ExerciseItem]] = relationship(back_populates="exercise", order_by="ExerciseItem.id")

    __table_args__ = (
        CheckConstraint("max_votes_per_respondent > 0", name="vote_cap_positive"),
        CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="window_order"),
    )

    def accepting_votes(self, now: datetime | None = None) -> bool:
        """Open, and inside its dates when it has them."""
        now = now or utcnow()
        if self.status is not ExerciseStatus.OPEN:
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at

    @property
    def last_day(self) -> date | None:
        """The last day (UK time) votes are taken: closes_at is midnight at the end of it."""
        if self.closes_at is None:
            return None
        return (self.closes_at - timedelta(microseconds=1)).astimezone(ZoneInfo("Europe/London")).date()

    @property
    def active_items(self) -> list[ExerciseItem]:
        return [item for item in self.items if item.active]


class ExerciseItem(db.Model):
    """One option residents compare: a board priority, or an approved suggestion."""

    __tablename__ = "exercise_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), index=True)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priorities.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Draft exercises may drop items; once open, items are only ever added.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Decisive comparisons so far (derived; rebuilt by `rebuild-counts`).
    comparisons: Mapped[int] = mapped_column(Integer, default=0)
    #: An Elo-style running rating used only to choose informative pairs; results use the Bradley-Terry fit.
    selection_rating: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exercise: Mapped[Exercise] = relationship(back_populates="items")
    priority: Mapped[Priority | None] = relationship()

    __table_args__ = (UniqueConstraint("exercise_id", "priority_id"),)


class Respondent(db.Model):
    """An anonymous person taking part in one exercise, known only by the hash of a random cookie token."""

    __tablename__ = "respondents"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    #: SHA-256 of the token in the respondent's signed cookie; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"), default=Channel.ONLINE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("exercise_id", "token_hash"),)


class RespondentProfile(db.Model):
    """One optional equality-monitoring answer, kept apart from the respondent's choices."""

    __tablename__ = "respondent_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(80))

    __table_args__ = (UniqueConstraint("respondent_id", "dimension"),)


class PairwiseVote(db.Model):
    """One choice between two items. Never edited or deleted."""

    __tablename__ = "pairwise_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"))
    left_item_id: Mapped[int] = mapped_column(ForeignKey("exercise_items.id", ondelete="RESTRICT"))
    right_item_id: Mapped[int] = mapped_column(ForeignKey("exercise_items.id", ondelete="RESTRICT"))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "outcome"))
    skip_reason: Mapped[SkipReason | None] = mapped_column(enum_column(SkipReason, "skip_reason"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    #: The facilitated workshop the vote was cast in, if any.
    workshop_session_id: Mapped[int | None] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Made by the form that showed the pair: a double click or retry re-sends it and is stored once.
    idempotency_key: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("exercise_id", "idempotency_key"),
        CheckConstraint("left_item_id <> right_item_id", name="two_items"),
        CheckConstraint("(outcome = 'skip') OR (skip_reason IS NULL)", name="reason_only_on_skip"),
        Index("ix_pairwise_votes_exercise_respondent", "exercise_id", "respondent_id", "id"),
    )

    @property
    def winner_id(self) -> int | None:
        return {Outcome.LEFT: self.left_item_id, Outcome.RIGHT: self.right_item_id}.get(self.outcome)

    @property
    def loser_id(self) -> int | None:
        return {Outcome.LEFT: self.right_item_id, Outcome.RIGHT: self.left_item_id}.get(self.outcome)


class PairCount(db.Model):
    """Running totals for one unordered pair, updated with each vote and rebuildable from the votes."""

    __tablename__ = "pair_counts"

    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True)
    #: The pair's item ids, smaller first.
    low_item_id: Mapped[int] = mapped_column(ForeignKey("exercise_items.id"), primary_key=True)
    high_item_id: Mapped[int] = mapped_column(ForeignKey("exercise_items.id"), primary_key=True)
    low_wins: Mapped[int] = mapped_column(Integer, default=0)
    high_wins: Mapped[int] = mapped_column(Integer, default=0)
    skips: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        CheckConstraint("low_item_id < high_item_id", name="ordered_pair"),
        # The primary key finds pairs by their lower item; this finds them by the higher one, so choosing a
        # pair reads one item's pairs without scanning the exercise's. It leads with the item so that a
        # query for a whole exercise still reads the primary key, which holds the counts.
        Index("ix_pair_counts_high_item", "high_item_id", "exercise_id"),
    )


class Suggestion(db.Model):
    """A priority a resident suggested, waiting for (or after) moderation."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("respondents.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(500))
    status: Mapped[SuggestionStatus] = mapped_column(
        enum_column(SuggestionStatus, "suggestion_status"), default=SuggestionStatus.PENDING
    )
    #: Why it was rejected, in words the officer chose.
    reason: Mapped[str | None] = mapped_column(Text)
    #: The item it became (approved) or was merged into.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("exercise_items.id", ondelete="SET NULL"))
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[ExerciseItem | None] = relationship()
