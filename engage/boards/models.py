"""Themed boards and their priorities."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import Organisation, User
from engage.database import UTCDateTime, enum_column, utcnow
from engage.extensions import Model, db


class BoardKind(enum.Enum):
    #: Makes decisions; needs political oversight.
    PARTNERSHIP = "partnership"
    #: A network or working group: advises, does not decide.
    NETWORK = "network"


class PriorityStatus(enum.Enum):
    ACTIVE = "active"
    ARCHIVED = "archived"


board_members = Table(
    "board_members",
    db.metadata,
    Column("board_id", ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="RESTRICT"), primary_key=True),
)


class Board(Model):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Used in URLs: lower-case letters, digits and hyphens.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    #: The performance-management system's short code for the board (e.g. HWB).
    short_code: Mapped[str] = mapped_column(String(20), unique=True)
    remit: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[BoardKind] = mapped_column(enum_column(BoardKind, "board_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[Organisation]] = relationship(
        secondary=board_members, back_populates="boards", order_by=Organisation.name
    )
    priorities: Mapped[list[Priority]] = relationship(back_populates="board", order_by="Priority.code")

    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        CheckConstraint("length(slug) > 0", name="slug_not_blank"),
    )

    @property
    def needs_political_oversight(self) -> bool:
        return self.kind is BoardKind.PARTNERSHIP

    @property
    def active_priorities(self) -> list[Priority]:
        return [p for p in self.priorities if p.status is PriorityStatus.ACTIVE]

    def __repr__(self) -> str:
        return f"<Board {self.slug!r}>"


class Priority(Model):
    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="RESTRICT"))
    #: The indicator or outcome code in the partners' performance-management system.
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    #: Plain English for residents.
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PriorityStatus] = mapped_column(
        enum_column(PriorityStatus, "priority_status"), default=PriorityStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    board: Mapped[Board] = relationship(back_populates="priorities")

    __table_args__ = (
        UniqueConstraint("board_id", "code"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        CheckConstraint("length(trim(code)) > 0", name="code_not_blank"),
    )

    @property
    def is_active(self) -> bool:
        return self.status is PriorityStatus.ACTIVE

    def __repr__(self) -> str:
        return f"<Priority {self.code!r}>"


class AccountableMember(Model):
    """A board's accountable member (an elected member or the board's chair), given by an administrator
    for one board: on a partnership board they sign off its weight sets, making them the board's decisions."""

    __tablename__ = "board_accountable_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The role as the public sees it, e.g. "Chair of the board" or "Cabinet member for health".
    title: Mapped[str] = mapped_column(String(120))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    board: Mapped[Board] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])

    __table_args__ = (
        UniqueConstraint("board_id", "user_id"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
    )
