"""Writes and queries for organisations and users. Views and the CLI call these; none reads ``request``."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engage.accounts import logger
from engage.accounts.models import Organisation, OrganisationKind, Role, StaffSession, User, UserRole
from engage.accounts.passwords import hash_password, needs_rehash, password_problem, verify_password
from engage.accounts.sessions import end_sessions
from engage.accounts.two_factor import disable as disable_two_factor
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


def _flush_or_conflict(field: str, message: str, *new: object) -> None:
    """Add ``new`` objects and write what is pending inside a savepoint: a clash with a row another request
    has just stored undoes only this write (the rest of the action's transaction stands) and becomes a
    message for the form."""
    try:
        with db.session.begin_nested():
            db.session.add_all(new)
            db.session.flush()
    except IntegrityError as error:
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
        new = [organisation]
    else:
        organisation.name, organisation.kind = name, kind
        new = []
    _flush_or_conflict("name", _l("An organisation with this name already exists"), *new)
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


def new_password_problem(password: str, email: str) -> str | None:
    """What is wrong with ``password`` as the new password of the person with ``email`` (None if nothing):
    the rules in ``passwords``, with the service's name as a word it must not contain."""
    return password_problem(password, email=email, names=[current_app.config["ENGAGE_SERVICE_NAME"]])


def _check_new_password(password: str, email: str) -> None:
    problem = new_password_problem(password, email)
    if problem:
        raise FieldConflict("password", problem)


def create_user(
    *, email: str, name: str, password: str, organisation: Organisation, roles: Iterable[Role]
) -> User:
    """Create a user in an organisation with the given roles (the password must meet the rules)."""
    if email_taken(email):
        raise FieldConflict("email", str(_l("A user with this email address already exists")))
    _check_new_password(password, email)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        # By id: the relationship would put the user in the organisation's list before the user is added,
        # inside the savepoint, to the session.
        organisation_id=organisation.id,
    )
    _set_roles(user, roles)
    _flush_or_conflict("email", _l("A user with this email address already exists"), user)
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
    keep_session: StaffSession | None = None,
) -> User:
    """Change a user's details, roles, status and (when given) password.

    A new password, deactivation, a change of roles or of email ends the user's sessions (all but
    ``keep_session``, the editor's own when they edit themselves): whoever holds a copy of an old session
    cookie is signed out.
    """
    if email_taken(email, exclude_id=user.id):
        raise FieldConflict("email", str(_l("A user with this email address already exists")))
    if password:
        _check_new_password(password, email)
    before = (user.email, user.roles, user.active)
    user.email, user.name, user.organisation, user.active = (
        normalise_email(email),
        name.strip(),
        organisation,
        active,
    )
    _set_roles(user, roles)
    if password:
        user.password_hash = hash_password(password)
    _flush_or_conflict("email", _l("A user with this email address already exists"))
    if password or before != (user.email, user.roles, user.active):
        end_sessions(user, keep=keep_session)
    logger.info("updated user %s", user.id)
    return user


def set_password(user: User, password: str, keep_session: StaffSession | None = None) -> None:
    """Replace a user's password (it must meet the rules) and end their sessions but ``keep_session``."""
    _check_new_password(password, user.email)
    user.password_hash = hash_password(password)
    end_sessions(user, keep=keep_session)
    db.session.flush()


def change_own_password(user: User, current: str, new: str, session: StaffSession | None) -> None:
    """A signed-in user's change of their own password: the current one must be right and the new one
    different and meet the rules. Their other sessions end; this one goes on."""
    if not verify_password(user.password_hash, current):
        raise FieldConflict("current_password", str(_l("Your current password is not right")))
    if verify_password(user.password_hash, new):
        message = _l("Your new password must be different from your current one")
        raise FieldConflict("new_password", str(message))
    problem = new_password_problem(new, user.email)
    if problem:
        raise FieldConflict("new_password", problem)
    set_password(user, new, keep_session=session)
    logger.info("user %s changed their password", user.id)


def reset_two_factor(user: User, keep_session: StaffSession | None = None) -> None:
    """Turn off the user's two-factor authentication (a lost phone) and end their sessions but
    ``keep_session``: they sign in with their password alone, and administrators must set it up again."""
    disable_two_factor(user)
    end_sessions(user, keep=keep_session)


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Upgrades an old hash on success."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.flush()
    return user


def note_sign_in(user: User) -> None:
    """Record when the user last signed in (both factors passed)."""
    user.last_sign_in_at = utcnow()
    db.session.flush()


def get_or_create_organisation(name: str, kind: OrganisationKind = OrganisationKind.COUNCIL) -> Organisation:
    """The organisation with this name, created if missing (used by the CLI)."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name.strip()))
    if organisation is None:
        organisation = save_organisation(None, name=name, kind=kind)
    return organisation
