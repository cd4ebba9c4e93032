"""Weight sets (versioned, frozen once published), their sources and entries; API tokens and the call log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import User
from engage.boards.models import Board, Priority
from engage.channels import Channel
from engage.database import UTCDateTime, enum_column, utcnow
from engage.extensions import Model
from engage.prioritise.models import Exercise
from engage.surveys.models import Question


class WeightSetStatus(enum.Enum):
    #: Being built: sources and blend can change, and the preview is computed afresh each time.
    DRAFT = "draft"
    #: Frozen: never changes again. The newest published version of a board is its current weights.
    PUBLISHED = "published"
    #: Was published, then withdrawn: still shown (as withdrawn), never served as current.
    WITHDRAWN = "withdrawn"


class SignOffOutcome(enum.Enum):
    #: Submitted on a partnership board: waiting for an accountable member; the draft cannot change.
    PENDING = "pending"
    #: Approved: the set was published as the board's decision in the same transaction.
    APPROVED = "approved"
    #: Sent back with a comment: the draft can change and be submitted again.
    SENT_BACK = "sent_back"
    #: Taken back by the analysts, or closed because the set was published as advisory (the board became a
    #: network).
    WITHDRAWN = "withdrawn"


class WeightStanding(enum.Enum):
    """What a published set is: a partnership board's decision, or a network's advice. It is read from the
    sign-off, never from the board's kind today, so changing a board's kind does not rewrite history."""

    DECIDED = "decided"
    ADVISORY = "advisory"


class WeightSet(Model):
    __tablename__ = "weight_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="RESTRICT"), index=True)
    #: 1, 2, 3... per board, given when published (NULL for a draft).
    version: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[WeightSetStatus] = mapped_column(
        enum_column(WeightSetStatus, "weight_set_status"), default=WeightSetStatus.DRAFT
    )
    #: Rake each source's respondents to the area's population figures.
    population_weighting: Mapped[bool] = mapped_column(default=False)
    #: The channels counted, comma-separated values of Channel ("online,workshop,paper").
    channels: Mapped[str] = mapped_column(String(60), default="online,workshop,paper")
    #: Set at publication: the plain-English method statement and the parameters (JSON) it was made from.
    method_statement: Mapped[str] = mapped_column(Text, default="")
    parameters: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")

    board: Mapped[Board] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    sources: Mapped[list[WeightSource]] = relationship(
        back_populates="weight_set", order_by="WeightSource.id", cascade="all, delete-orphan"
    )
    entries: Mapped[list[WeightEntry]] = relationship(
        back_populates="weight_set", order_by="WeightEntry.position", cascade="all, delete-orphan"
    )
    sign_offs: Mapped[list[SignOff]] = relationship(
        back_populates="weight_set", order_by="SignOff.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("board_id", "version"),
        CheckConstraint("(status = 'draft') = (version IS NULL)", name="version_when_published"),
    )

    @property
    def channel_list(self) -> list[Channel]:
        return [Channel(value) for value in self.channels.split(",") if value]

    @property
    def is_draft(self) -> bool:
        return self.status is WeightSetStatus.DRAFT

    @property
    def decision(self) -> SignOff | None:
        """The approved sign-off that made this set a decision, if any."""
        return next((s for s in self.sign_offs if s.outcome is SignOffOutcome.APPROVED), None)

    @property
    def pending_sign_off(self) -> SignOff | None:
        return next((s for s in self.sign_offs if s.outcome is SignOffOutcome.PENDING), None)

    @property
    def last_sign_off(self) -> SignOff | None:
        return self.sign_offs[-1] if self.sign_offs else None

    @property
    def standing(self) -> WeightStanding | None:
        """Decided or advisory once published (None for a draft)."""
        if self.is_draft:
            return None
        return WeightStanding.DECIDED if self.decision is not None else WeightStanding.ADVISORY


class SignOff(Model):
    """One submission of a partnership board's draft for sign-off, and what the accountable member did."""

    __tablename__ = "weight_sign_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    weight_set_id: Mapped[int] = mapped_column(ForeignKey("weight_sets.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[SignOffOutcome] = mapped_column(
        enum_column(SignOffOutcome, "sign_off_outcome"), default=SignOffOutcome.PENDING
    )
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The preview's fingerprint when it was submitted (the sign-off page says when it has changed since).
    fingerprint: Mapped[str] = mapped_column(String(64))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Copied when decided, so the record reads the same after the person's role or name changes.
    decided_by_name: Mapped[str] = mapped_column(String(200), default="")
    decided_by_title: Mapped[str] = mapped_column(String(120), default="")
    #: The meeting or minute reference of an approval.
    minute_reference: Mapped[str] = mapped_column(String(200), default="")
    #: Why it was sent back (required then), or a note with an approval (staff only).
    comment: Mapped[str] = mapped_column(Text, default="")

    weight_set: Mapped[WeightSet] = relationship(back_populates="sign_offs")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        # At most one submission waiting and one decision per set, even when two requests race.
        Index(
            "uq_weight_sign_offs_one_pending",
            "weight_set_id",
            unique=True,
            sqlite_where=text("outcome = 'pending'"),
            postgresql_where=text("outcome = 'pending'"),
        ),
        Index(
            "uq_weight_sign_offs_one_decision",
            "weight_set_id",
            unique=True,
            sqlite_where=text("outcome = 'approved'"),
            postgresql_where=text("outcome = 'approved'"),
        ),
        CheckConstraint(
            "(outcome = 'approved') = (length(trim(minute_reference)) > 0)", name="minute_when_approved"
        ),
    )


class WeightSource(Model):
    """One input to a weight set: a prioritisation exercise or a consultation's importance grid."""

    __tablename__ = "weight_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    weight_set_id: Mapped[int] = mapped_column(ForeignKey("weight_sets.id", ondelete="CASCADE"), index=True)
    exercise_id: Mapped[int | None] = mapped_column(ForeignKey("exercises.id", ondelete="RESTRICT"))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="RESTRICT")
    )
    #: Its share of the blend, in per cent (the sources of a set add up to 100).
    blend: Mapped[float] = mapped_column(Float)
    #: Set at publication: the people counted, and the source's share per priority code (JSON).
    respondents: Mapped[int | None] = mapped_column(Integer)
    snapshot: Mapped[str] = mapped_column(Text, default="")

    weight_set: Mapped[WeightSet] = relationship(back_populates="sources")
    exercise: Mapped[Exercise | None] = relationship()
    question: Mapped[Question | None] = relationship()

    __table_args__ = (
        CheckConstraint("(exercise_id IS NULL) <> (question_id IS NULL)", name="one_kind_of_source"),
        CheckConstraint("blend > 0 AND blend <= 100", name="blend_range"),
        UniqueConstraint("weight_set_id", "exercise_id"),
        UniqueConstraint("weight_set_id", "question_id"),
    )

    @property
    def title(self) -> str:
        if self.exercise is not None:
            return self.exercise.title
        assert self.question is not None
        return f"{self.question.section.consultation.title}: {self.question.label}"


class WeightEntry(Model):
    """One priority's published weight. Code and title are copied so the version reads the same forever."""

    __tablename__ = "weight_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    weight_set_id: Mapped[int] = mapped_column(ForeignKey("weight_sets.id", ondelete="CASCADE"), index=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priorities.id", ondelete="RESTRICT"))
    #: Order in the published table: by rank, then the priorities with no data.
    position: Mapped[int] = mapped_column(Integer)
    priority_code: Mapped[str] = mapped_column(String(60))
    priority_title: Mapped[str] = mapped_column(String(200))
    #: NULL when no source covered the priority (listed, never silently zero).
    weight: Mapped[float | None] = mapped_column(Float)
    weight_low: Mapped[float | None] = mapped_column(Float)
    weight_high: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    #: Responses behind it: the respondents of every source that covers it.
    respondents: Mapped[int] = mapped_column(Integer, default=0)

    weight_set: Mapped[WeightSet] = relationship(back_populates="entries")
    priority: Mapped[Priority] = relationship()

    # The names the weights table uses for a preview row too.
    @property
    def title(self) -> str:
        return self.priority_title

    @property
    def code(self) -> str:
        return self.priority_code

    @property
    def low(self) -> float | None:
        return self.weight_low

    @property
    def high(self) -> float | None:
        return self.weight_high

    __table_args__ = (UniqueConstraint("weight_set_id", "priority_id"),)
