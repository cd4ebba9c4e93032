"""Writes and queries for organisations and users. Views and the CLI call these; none reads ``request``."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engage.accounts import logger
from engage.accounts.models import Organisation, OrganisationKind, Role, User, UserRole
from engage.accounts.passwords import hash_password, needs_rehash, verify_password
from engage.database import utcnow
from engage.extensions import db
from engage.service_errors import FieldConflict


def normalise_email(email: str) -> str:
    """Emails are compared and stored trimmed and lower-cased."""
    return email.strip().lower()


def list_organisations() -> list[Organisation]:
    """All partner organisations by name."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def organisation_name_taken(name: str, exclude_id: int | None = None) -> bool:
    """True when another organisation already has this name (ignoring case)."""
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.strip().lower())
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    return db.session.scalar(query) is not None


def _commit_or_conflict(field: str, message: str) -> None:
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise FieldConflict(field, str(message)) from error


def save_organisation(
    organisation: Organisation | None, *, name: str, kind: OrganisationKind
) -> Organisation:
    """Create an organisation (``organisation`` None) or rename / re-kind one."""
    name = name.strip()
    if organisation_name_taken(name, exclude_id=organisation.id if organisation else None):
        raise FieldConflict("name", str(_l("An organisation with this name already exists")))
    if organisation is None:
        organisation = Organisation(name=name, kind=kind)
        db.session.add(organisation)
    else:
        organisation.name, organisation.kind = name, kind
    _commit_or_conflict("name", _l("An organisation with this name already exists"))
    logger.info("saved organisation %s (%s)", organisation.id, organisation.name)
    return organisation


def list_users() -> list[User]:
    """All users, by organisation then name."""
    query = select(User).join(User.organisation).order_by(Organisation.name, User.name)
    return list(db.session.scalars(query))


def find_user_by_email(email: str) -> User | None:
    """The user with this email (any case), if there is one."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def email_taken(email: str, exclude_id: int | None = None) -> bool:
    """True when another user already has this email."""
    user = find_user_by_email(email)
    return user is not None and user.id != exclude_id


def _set_roles(user: User, roles: Iterable[Role]) -> None:
    wanted = set(roles)
    user.role_grants = [grant for grant in user.role_grants if grant.role in wanted]
    held = user.roles
    user.role_grants.extend(UserRole(role=role) for role in sorted(wanted - held, key=lambda r: r.value))


def create_user(
    *, email: str, name: str, password: str, organisation: Organisation, roles: Iterable[Role]
) -> User:
    """Create a user in an organisation with the given roles."""
    if email_taken(email):
        raise FieldConflict("email", str(_l("A user with this email address already exists")))
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        organisation=organisation,
    )
    _set_roles(user, roles)
    db.session.add(user)
    _commit_or_conflict("email", _l("A user with this email address already exists"))
    logger.info("created user %s in organisation %s", user.id, organisation.id)
    return user


def update_user(
    user: User,
    *,
    email: str,
    name: str,
    organisation: Organisation,
    roles: Iterable[Role],
    active: bool,
    password: str | None = None,
) -> User:
    """Change a user's details, roles, status and (when given) password."""
    if email_taken(email, exclude_id=user.id):
        raise FieldConflict("email", str(_l("A user with this email address already exists")))
    user.email, user.name, user.organisation, user.active = (
        normalise_email(email),
        name.strip(),
        organisation,
        active,
    )
    _set_roles(user, roles)
    if password:
        user.password_hash = hash_password(password)
    _commit_or_conflict("email", _l("A user with this email address already exists"))
    logger.info("updated user %s", user.id)
    return user


def set_password(user: User, password: str) -> None:
    """Replace a user's password."""
    user.password_hash = hash_password(password)
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Upgrades an old hash on success."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = utcnow()
    db.session.commit()
    return user


def get_or_create_organisation(name: str, kind: OrganisationKind = OrganisationKind.COUNCIL) -> Organisation:
    """The organisation with this name, created if missing (used by the CLI)."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name.strip()))
    if organisation is None:
        organisation = save_organisation(None, name=name, kind=kind)
    return organisation
