"""Organisations (partners) and their users."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.database import UTCDateTime, enum_column, utcnow
from engage.extensions import Model

if TYPE_CHECKING:
    from engage.boards.models import Board


class OrganisationKind(enum.Enum):
    COUNCIL = "council"
    NHS = "nhs"
    POLICE = "police"
    FIRE = "fire"
    VOLUNTARY = "voluntary"
    EDUCATION = "education"
    OTHER = "other"


class Role(enum.Enum):
    ADMIN = "admin"
    BOARD_OFFICER = "board_officer"
    FACILITATOR = "facilitator"
    ANALYST = "analyst"


class Organisation(Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "organisation_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation", order_by="User.name")
    boards: Mapped[list[Board]] = relationship(
        secondary="board_members", back_populates="members", order_by="Board.name"
    )

    __table_args__ = (CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so sign-in ignores the case people type.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: An argon2id hash; never the password itself.
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    #: Deactivated users cannot sign in; their history stays.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The authenticator app's TOTP key, encrypted with a key derived from the app's secret key (see
    #: ``two_factor``); None until the person has set up two-factor authentication.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The 30-second time step of the last code accepted: a code from that step or an earlier one is refused,
    #: so a code seen over someone's shoulder cannot be used again.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    organisation: Mapped[Organisation] = relationship(back_populates="users")
    role_grants: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    staff_sessions: Mapped[list[StaffSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower_case"),)

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.role_grants}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None

    def __repr__(self) -> str:
        return f"<User {self.email!r}>"


class UserRole(Model):
    """One role held by one user: a user may be, say, both a board officer and a facilitator."""

    __tablename__ = "user_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))

    user: Mapped[User] = relationship(back_populates="role_grants")

    __table_args__ = (UniqueConstraint("user_id", "role"),)


class StaffSession(Model):
    """One signed-in browser. The session cookie carries a random token; the server keeps only its hash, so
    signing out, changing a password or an administrator's reset ends the session for good, even for
    someone holding a copy of the cookie."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token in the signed session cookie (hex); never the token itself.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Updated at most once a minute while the session is used: the idle time-out reads it.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="staff_sessions")


class RecoveryCode(Model):
    """A one-time code to sign in without the authenticator app (ten are issued at a time)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: ``salt$sha256`` in hex: the code is random (50 bits), so a salted fast hash is enough to keep it
    #: from being read back, and checking ten of them at sign-in stays quick.
    code_hash: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it was used to sign in: a used code never works again.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="recovery_codes")
