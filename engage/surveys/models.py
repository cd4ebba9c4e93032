"""Consultations, their sections and questions, and residents' responses (one immutable answer row each)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import Organisation, User
from engage.boards.models import Board, Priority
from engage.channels import Channel
from engage.database import DatedWindow, UTCDateTime, enum_column, new_stamp, utcnow
from engage.extensions import Model


class ConsultationStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    #: Closed, and "we asked, you said, we did" is public
    PUBLISHED = "published"


class QuestionKind(enum.Enum):
    SINGLE = "single"  # radios, optional "Other, please specify"
    MULTIPLE = "multiple"  # checkboxes, optional maximum
    AGREEMENT = "agreement"  # 5-point agree/disagree with "don't know"
    RATING = "rating"  # 0 to 10
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"  # optional min and max
    DATE = "date"
    IMPORTANCE = "importance"  # rate each of the board's priorities from not to very important
    RANKING = "ranking"  # put the question's options in order, one place each


class Consultation(DatedWindow, Model):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The board it is for; NULL for a partnership-wide consultation.
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="RESTRICT"), index=True)
    #: The partner organisation that runs it.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Who it is for, e.g. "People who live or work in Aldermoor".
    audience: Mapped[str] = mapped_column(Text, default="")
    #: Why we are asking.
    purpose: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ConsultationStatus] = mapped_column(
        enum_column(ConsultationStatus, "consultation_status"), default=ConsultationStatus.DRAFT
    )
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Personal data (e.g. an email for save and return) is deleted after this date.
    retain_until: Mapped[date | None] = mapped_column(Date)
    privacy_notice: Mapped[str] = mapped_column(Text, default="")
    #: "We did": what the board decided after hearing the responses, published with the results.
    we_did: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Which population categories the derived counts are kept by (a hash of them); NULL before the first
    #: count. When the population figures' categories change, the counts are rebuilt (engage.surveys.counts).
    counted_basis: Mapped[str | None] = mapped_column(String(64))
    #: Changed in the same transaction as any change to the pages, questions and options, or to the board's
    #: priorities: a worker's copy of them (engage.kept_structure) is used only while the consultation's row
    #: still shows the stamp it was read with.
    structure_version: Mapped[int] = mapped_column(BigInteger, default=new_stamp, server_default="0")

    board: Mapped[Board | None] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    sections: Mapped[list[Section]] = relationship(
        back_populates="consultation", order_by="Section.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="window_order"),
    )

    def accepting_responses(self, now: datetime | None = None) -> bool:
        """Open, and inside its dates when it has them."""
        return self.status is ConsultationStatus.OPEN and self.within_dates(now)

    @property
    def questions(self) -> list[Question]:
        return [question for section in self.sections for question in section.questions]


class Section(Model):
    """One page of the consultation for a resident."""

    __tablename__ = "consultation_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")

    consultation: Mapped[Consultation] = relationship(back_populates="sections")
    questions: Mapped[list[Question]] = relationship(
        back_populates="section", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Model):
    __tablename__ = "consultation_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_sections.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, "question_kind"))
    label: Mapped[str] = mapped_column(String(500))
    hint: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Single choice: offer "Other, please specify" with a text box.
    allow_other: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Multiple choice: the most options one person may tick (NULL: no limit).
    max_choices: Mapped[int | None] = mapped_column(Integer)
    #: Number questions: the range allowed.
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    #: Number questions: only whole numbers (a count), so 2.5 is refused.
    whole_number: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    #: Date questions: the dates allowed (either end optional), and whether a date after today is refused.
    earliest_date: Mapped[date | None] = mapped_column(Date)
    latest_date: Mapped[date | None] = mapped_column(Date)
    not_in_future: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    #: Conditional question: asked only of people who chose this option of a question on an earlier page.
    show_if_option_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "consultation_options.id",
            ondelete="SET NULL",
            use_alter=True,
            name="fk_consultation_questions_show_if_option_id_consultation_options",
        )
    )

    section: Mapped[Section] = relationship(back_populates="questions")
    options: Mapped[list[QuestionOption]] = relationship(
        back_populates="question",
        order_by="QuestionOption.position",
        cascade="all, delete-orphan",
        foreign_keys="QuestionOption.question_id",
    )
    show_if_option: Mapped[QuestionOption | None] = relationship(
        foreign_keys=[show_if_option_id], post_update=True
    )

    __table_args__ = (
        CheckConstraint("max_choices IS NULL OR max_choices > 0", name="max_choices_positive"),
        CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value", name="range_order"
        ),
    )


class QuestionOption(Model):
    """A choice offered by a single or multiple choice question; ``code`` is what exports carry."""

    __tablename__ = "consultation_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300))
    #: A short stable code for exports and codebooks (the option's number by default).
    code: Mapped[str] = mapped_column(String(40))

    question: Mapped[Question] = relationship(back_populates="options", foreign_keys=[question_id])

    __table_args__ = (UniqueConstraint("question_id", "code"),)


class ConsultationResponse(Model):
    """One person's response. Submitted responses and their answers are never edited."""

    __tablename__ = "consultation_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: What the resident is given on the confirmation page (to ask for their response to be deleted).
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"), default=Channel.ONLINE)
    locale: Mapped[str] = mapped_column(String(10), default="en")
    #: Made by the check-answers page: a double click or retry stores one response.
    idempotency_key: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The facilitated workshop it was given in, if any.
    workshop_session_id: Mapped[int | None] = mapped_column(Integer)
    #: Paper responses: the number written on the sheet, and who typed it in.
    paper_sheet: Mapped[str | None] = mapped_column(String(40))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")
    consultation: Mapped[Consultation] = relationship()

    __table_args__ = (
        UniqueConstraint("consultation_id", "idempotency_key"),
        UniqueConstraint("consultation_id", "paper_sheet"),
    )


class Answer(Model):
    """One answer to one question. A multiple-choice answer is one row per ticked option; an importance
    grid is one row per priority."""

    __tablename__ = "consultation_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="RESTRICT"), index=True
    )
    option_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_options.id", ondelete="RESTRICT"))
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priorities.id", ondelete="RESTRICT"))
    #: Free text, the "Other" text, or an agreement value ("agree", "dont_know"...).
    text: Mapped[str | None] = mapped_column(Text)
    #: A number, a rating (0-10), an importance level (1-5) or a place in a ranking (1 = first). Dates are
    #: ISO text in ``text``.
    number: Mapped[float | None] = mapped_column(Float)

    response: Mapped[ConsultationResponse] = relationship(back_populates="answers")
    priority: Mapped[Priority | None] = relationship()


class ResponseDraft(Model):
    """A resident's answers so far, section by section, kept on the server until they submit (long answers
    do not fit in a cookie). Deleted when the response is submitted."""

    __tablename__ = "consultation_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    #: SHA-256 of the respondent cookie token within this consultation's scope.
    token_hash: Mapped[str] = mapped_column(String(64))
    #: The posted form values so far, as JSON: {field name: [values]}.
    data: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: SHA-256 of the secret in the resident's "come back later" link (NULL until they ask for one).
    resume_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The answer rows ``data`` was last checked into on its way to "check your answers", with what they were
    #: checked against, as JSON (engage.surveys.checked); NULL when not checked since it last changed.
    checked: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("consultation_id", "token_hash"),)


class ConsultationProfile(Model):
    """One optional equality-monitoring answer of a response, kept apart from its answers."""

    __tablename__ = "consultation_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("consultation_responses.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(80))

    __table_args__ = (UniqueConstraint("response_id", "dimension"),)


class PaperCheck(Model):
    """A second person's typing of a paper sheet, compared with the first: ``differences`` names the
    questions where the two differ (empty when they match)."""

    __tablename__ = "consultation_paper_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_responses.id", ondelete="CASCADE"), unique=True
    )
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: JSON list of {"question": label, "first": words, "second": words}.
    differences: Mapped[str] = mapped_column(Text, default="[]")

    checked_by: Mapped[User | None] = relationship()


class TextTheme(Model):
    """A theme an officer tags written answers with, per question (e.g. "Parking", "Opening hours")."""

    __tablename__ = "consultation_text_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))

    __table_args__ = (UniqueConstraint("question_id", "name"),)


class AnswerTheme(Model):
    """One theme tagged on one written answer."""

    __tablename__ = "consultation_answer_themes"

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_answers.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_text_themes.id", ondelete="CASCADE"), primary_key=True, index=True
    )


# Derived counts: kept up to date as responses are stored, deleted or given equality answers, and rebuilt from
# the rows by ``flask rebuild-answer-counts`` (engage.surveys.counts). ``cell`` is a response's answers to the
# population's weighting questions (JSON, e.g. {"age_band": "25-34", "sex": "Female"}; {} for none), so
# weighted results need no answer rows read.


class ResponseCount(Model):
    """Responses to a consultation per channel and equality cell."""

    __tablename__ = "consultation_response_counts"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    cell: Mapped[str] = mapped_column(String(1000), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer, default=0)


class QuestionCount(Model):
    """People who answered a question, per equality cell, and the sum of their numbers (number questions)."""

    __tablename__ = "consultation_question_counts"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="CASCADE"), primary_key=True
    )
    cell: Mapped[str] = mapped_column(String(1000), primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    people: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)


class AnswerCount(Model):
    """How many gave one answer to a closed question, per equality cell. The answer is the option (0 for
    "Other"), the priority (importance grid), the number (rating, importance level or place in a ranking)
    and the agreement code, each 0 or empty where the kind has none."""

    __tablename__ = "consultation_answer_counts"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="CASCADE"), primary_key=True
    )
    cell: Mapped[str] = mapped_column(String(1000), primary_key=True)
    option_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    priority_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    count: Mapped[int] = mapped_column(Integer, default=0)
