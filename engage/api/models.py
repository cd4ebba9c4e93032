"""API tokens for partner organisations, and the log of every API call."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import Organisation, User
from engage.database import UTCDateTime, enum_column, utcnow
from engage.extensions import Model


class TokenScope(enum.Enum):
    READ = "read"  # the boards, priorities and published weights of the boards the organisation sits on
    WRITE = "write"  # also push values of the indicators the organisation owns


class ApiToken(Model):
    """A partner organisation's key to the API. Only a SHA-256 hash is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    #: What it is for, e.g. "Pentana nightly import".
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters, so a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: After this the token no longer works (chosen when it is issued, shown then and in the list).
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope, "token_scope"), default=TokenScope.READ)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)


class ApiCall(Model):
    """Every call to the API, with the token used (NULL when none was valid)."""

    __tablename__ = "api_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    status: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
