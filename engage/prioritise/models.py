"""Exercises, their items, respondents and every act a respondent makes (one immutable row each)."""

from __future__ import annotations

import enum
import math
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import Organisation, User
from engage.boards.models import Board, Priority
from engage.channels import Channel
from engage.database import DatedWindow, UTCDateTime, enum_column, new_stamp, utcnow
from engage.extensions import Model


class ExerciseKind(enum.Enum):
    PAIRWISE = "pairwise"
    #: Share out a budget (money, points or dots) between the items
    BUDGET = "budget"
    #: Put the items in order (all of them, or a top N)
    RANKING = "ranking"


class BudgetMode(enum.Enum):
    #: Share a fixed pot from nothing
    SHARE = "share"
    #: Start from current spending and move money between items
    REBALANCE = "rebalance"


class BudgetUnit(enum.Enum):
    MONEY = "money"
    POINTS = "points"
    DOTS = "dots"


class Threshold(enum.Enum):
    BELOW = "below"
    ABOVE = "above"


class ExerciseStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


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


#: Rough seconds to read the start page, and per item (per choice for pairwise): reading two titles and
#: choosing about 8 s, setting an item's amount about 45 s, placing an item about 30 s. For four items this
#: gives the start pages' "about 2, 5 and 3 minutes" (pairwise, budget, ranking).
SECONDS_TO_ANSWER = {
    ExerciseKind.PAIRWISE: (60, 8),
    ExerciseKind.BUDGET: (90, 45),
    ExerciseKind.RANKING: (60, 30),
}
#: Choices a resident typically makes before finishing a pairwise exercise (they may make more).
PAIRWISE_TYPICAL_CHOICES = 20


class Exercise(DatedWindow, Model):
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
    #: Pairwise: after finishing, residents see the current standings (scores so far), as All Our Ideas does.
    show_standings: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Run only in workshops: never listed on the home page, a board's page or the results archive.
    workshop_only: Mapped[bool] = mapped_column(Boolean, default=False)
    #: "About N minutes" on the home page as the officer set it (NULL: estimated from the kind and size).
    minutes_to_answer: Mapped[int | None] = mapped_column(Integer)
    # -- budget exercises (NULL for the other kinds) --
    budget_mode: Mapped[BudgetMode | None] = mapped_column(enum_column(BudgetMode, "budget_mode"))
    unit: Mapped[BudgetUnit | None] = mapped_column(enum_column(BudgetUnit, "budget_unit"))
    #: The pot to share (share mode), in whole pounds, points or dots. In rebalance mode, NULL: the total
    #: is the items' current amounts added up.
    budget_total: Mapped[int | None] = mapped_column(BigInteger)
    #: Rebalance mode: the lowest and highest total residents may choose (NULL: the total stays fixed).
    total_min: Mapped[int | None] = mapped_column(BigInteger)
    total_max: Mapped[int | None] = mapped_column(BigInteger)
    #: Band D equivalent households (the council tax base): a change in the total divided by this is the
    #: change in a band D household's council tax. NULL: no council tax figure is shown.
    band_d_households: Mapped[int | None] = mapped_column(Integer)
    #: Share mode: every unit must be allocated before submitting.
    require_full: Mapped[bool] = mapped_column(Boolean, default=True)
    #: After submitting, residents see their choices beside everyone's so far.
    show_comparison: Mapped[bool] = mapped_column(Boolean, default=True)
    # -- ranking exercises --
    #: Residents rank only their top N (NULL: every item).
    rank_top_n: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Changed in the same transaction as any change to the items or their consequences: a worker's copy of
    #: them (engage.kept_structure) is used only while the exercise's row still shows the stamp it was
    #: read with.
    structure_version: Mapped[int] = mapped_column(BigInteger, default=new_stamp, server_default="0")

    board: Mapped[Board] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    items: Mapped[list[ExerciseItem]] = relationship(back_populates="exercise", order_by="ExerciseItem.id")

    __table_args__ = (
        CheckConstraint("max_votes_per_respondent > 0", name="vote_cap_positive"),
        CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="window_order"),
        CheckConstraint("budget_total IS NULL OR budget_total > 0", name="budget_positive"),
        CheckConstraint(
            "total_min IS NULL OR total_max IS NULL OR total_min <= total_max", name="total_range_order"
        ),
        CheckConstraint("rank_top_n IS NULL OR rank_top_n > 0", name="top_n_positive"),
        CheckConstraint(
            "minutes_to_answer IS NULL OR (minutes_to_answer BETWEEN 1 AND 120)",
            name="minutes_to_answer_range",
        ),
    )

    @property
    def is_budget(self) -> bool:
        return self.kind is ExerciseKind.BUDGET

    @property
    def is_ranking(self) -> bool:
        return self.kind is ExerciseKind.RANKING

    @property
    def current_total(self) -> int:
        """Rebalance mode: current spending on the active items, added up."""
        return sum(item.current_amount or 0 for item in self.active_items)

    @property
    def starting_total(self) -> int:
        """The pot residents start from: the fixed total, or current spending when rebalancing."""
        if self.budget_mode is BudgetMode.REBALANCE:
            return self.current_total
        return self.budget_total or 0

    @property
    def ranked_places(self) -> int:
        """How many places a resident fills: the top N, or every item."""
        n = len(self.active_items)
        return min(self.rank_top_n, n) if self.rank_top_n else n

    def accepting_votes(self, now: datetime | None = None) -> bool:
        """Open, and inside its dates when it has them."""
        return self.status is ExerciseStatus.OPEN and self.within_dates(now)

    @property
    def active_items(self) -> list[ExerciseItem]:
        return [item for item in self.items if item.active]

    @property
    def minutes_estimate(self) -> int:
        """ "About N minutes" for the home page: the officer's figure, or an estimate from the kind and the
        number of items (see SECONDS_TO_ANSWER)."""
        if self.minutes_to_answer:
            return self.minutes_to_answer
        n = len(self.active_items)
        start, per_item = SECONDS_TO_ANSWER[self.kind]
        if self.kind is ExerciseKind.PAIRWISE:
            n = min(n * (n - 1) // 2, PAIRWISE_TYPICAL_CHOICES)  # choices, not items
        return max(1, math.ceil((start + per_item * n) / 60))


class ExerciseItem(Model):
    """One option residents compare: a board priority, or an approved suggestion."""

    __tablename__ = "exercise_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), index=True)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priorities.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Draft exercises may drop items; once open, items are only ever added.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # -- budget exercises: amounts in the exercise's unit --
    #: What residents start from in rebalance mode (the current budget).
    current_amount: Mapped[int | None] = mapped_column(BigInteger)
    #: A floor residents cannot go below (e.g. a statutory minimum), and a ceiling.
    minimum: Mapped[int | None] = mapped_column(BigInteger)
    maximum: Mapped[int | None] = mapped_column(BigInteger)
    #: Amounts must be a multiple of this (e.g. 10,000 pounds or 1 point).
    step: Mapped[int] = mapped_column(BigInteger, default=1)
    #: A short "what this buys" line shown beside the amount.
    buys: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exercise: Mapped[Exercise] = relationship(back_populates="items")
    priority: Mapped[Priority | None] = relationship()
    consequences: Mapped[list[ItemConsequence]] = relationship(
        back_populates="item", order_by="ItemConsequence.threshold", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("exercise_id", "priority_id"),
        CheckConstraint("step > 0", name="step_positive"),
        CheckConstraint("minimum IS NULL OR minimum >= 0", name="minimum_not_negative"),
        CheckConstraint("minimum IS NULL OR maximum IS NULL OR minimum <= maximum", name="range_order"),
        CheckConstraint("current_amount IS NULL OR current_amount >= 0", name="current_not_negative"),
    )


class ItemConsequence(Model):
    """What an amount means, shown to a resident as they move an item: 'below 80,000: libraries close'."""

    __tablename__ = "item_consequences"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("exercise_items.id", ondelete="CASCADE"), index=True)
    #: BELOW applies when the amount is under the threshold; ABOVE when it is over it.
    direction: Mapped[Threshold] = mapped_column(enum_column(Threshold, "threshold"))
    threshold: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(String(300))

    item: Mapped[ExerciseItem] = relationship(back_populates="consequences")

    def applies(self, amount: int) -> bool:
        return amount < self.threshold if self.direction is Threshold.BELOW else amount > self.threshold


class Respondent(Model):
    """An anonymous person taking part in one exercise, known only by the hash of a random cookie token."""

    __tablename__ = "respondents"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    #: SHA-256 of the token in the respondent's signed cookie; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"), default=Channel.ONLINE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: A keyed hash of the address they first came from (never the address), so officers can see many
    #: respondents arriving from one place at once; cleared by the retention command.
    address_hash: Mapped[str | None] = mapped_column(String(16))
    #: Left out of results by an officer (suspected ballot stuffing). Their rows are kept, not deleted.
    excluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    excluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    excluded_reason: Mapped[str] = mapped_column(Text, default="")
    #: Pairwise choices (skips too) they have made: the per-person cap reads this one row, locked, rather
    #: than counting their votes (kept with the votes; `rebuild-counts` checks it).
    choices: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: How many choices they have taken back (undo). A vote's counting statement counts nothing when this
    #: row, as it is once locked, has more than the statement's own snapshot showed: an undo committed in
    #: between, which the snapshot's look for the vote's key missed (``statements.counting_in``).
    undos: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        UniqueConstraint("exercise_id", "token_hash"),
        Index("ix_respondents_exercise_address", "exercise_id", "address_hash"),
    )


class RespondentProfile(Model):
    """One optional equality-monitoring answer, kept apart from the respondent's choices."""

    __tablename__ = "respondent_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(80))

    __table_args__ = (UniqueConstraint("respondent_id", "dimension"),)


class PairwiseVote(Model):
    """One choice between two items. Never edited; deleted only when its respondent takes it back (undo)."""

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


class UndoneVote(Model):
    """The key of a vote its respondent took back (undo), so that a late copy of that vote (a double click
    or a browser's retry arriving after the undo) is not stored again: ``statements.counting_in`` counts
    nothing for a key found here. Holds the stored key (a keyed hash of the resident's token and the form's
    key), not who sent it."""

    __tablename__ = "undone_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    undone_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("exercise_id", "idempotency_key"),)


class Submission(Model):
    """One respondent's whole answer to a budget or ranking exercise. Never edited or deleted.

    Its entries hold an amount per item (budget) or a place per ranked item (ranking: 1 is first; items
    left out of a top-N ranking have no entry).
    """

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    #: The facilitated workshop it was made in, if any.
    workshop_session_id: Mapped[int | None] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Made by the check-answers page: a double click or retry re-sends it and is stored once.
    idempotency_key: Mapped[str] = mapped_column(String(64))

    entries: Mapped[list[SubmissionEntry]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionEntry.item_id"
    )

    __table_args__ = (
        UniqueConstraint("exercise_id", "idempotency_key"),
        # One person, one submission per exercise.
        UniqueConstraint("exercise_id", "respondent_id"),
    )


class SubmissionEntry(Model):
    __tablename__ = "submission_entries"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("exercise_items.id", ondelete="RESTRICT"), primary_key=True
    )
    #: An amount in the exercise's unit (budget), or a place (ranking, 1 = first).
    value: Mapped[int] = mapped_column(BigInteger)

    submission: Mapped[Submission] = relationship(back_populates="entries")

    __table_args__ = (CheckConstraint("value >= 0", name="value_not_negative"),)


class Comment(Model):
    """An optional comment a respondent leaves after submitting."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("respondents.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PairCount(Model):
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


class Suggestion(Model):
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
