"""A board's accountable members (elected members, the board's chair): administrators give the role per
board; on a partnership board these people sign off the board's weight sets."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from engage.accounts.models import User
from engage.accounts.permissions import sits_on
from engage.audit import service as audit
from engage.boards import logger
from engage.boards.models import AccountableMember, Board
from engage.extensions import db
from engage.service_errors import FieldConflict
from engage.transactions import atomic


def accountable_members(board: Board) -> list[AccountableMember]:
    """The board's accountable members, by name."""
    return list(
        db.session.scalars(
            select(AccountableMember)
            .join(User, User.id == AccountableMember.user_id)
            .where(AccountableMember.board_id == board.id)
            .options(selectinload(AccountableMember.user))
            .order_by(User.name)
        )
    )


def is_accountable_member(user: User, board: Board) -> bool:
    """True when the user holds the role for this board, is active, and their organisation still sits on
    it (an organisation that left the board takes its people's sign-off with it)."""
    if not getattr(user, "is_authenticated", False) or not user.active:
        return False
    granted = db.session.scalar(
        select(AccountableMember.id).where(
            AccountableMember.board_id == board.id, AccountableMember.user_id == user.id
        )
    )
    return granted is not None and sits_on(user, board)


def accountable_board_ids(user: User) -> set[int]:
    """The boards the user is an accountable member of (the role alone: sits_on is checked per action)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(select(AccountableMember.board_id).where(AccountableMember.user_id == user.id))
    )


def acting_board_ids(user: User) -> set[int]:
    """The boards where the user's role counts now: they hold it and their organisation still sits on the
    board (what the Oversight page lists; approving checks the same)."""
    ids = accountable_board_ids(user)
    return {
        board.id
        for board in db.session.scalars(select(Board).where(Board.id.in_(ids)))
        if sits_on(user, board)
    }


def candidates(board: Board) -> list[User]:
    """Active people from the organisations on the board who do not hold the role yet (administrators
    cannot: they give the role)."""
    holding = select(AccountableMember.user_id).where(AccountableMember.board_id == board.id)
    people = db.session.scalars(
        select(User)
        .where(
            User.organisation_id.in_([org.id for org in board.members]),
            User.active.is_(True),
            User.id.not_in(holding),
        )
        .order_by(User.name)
    )
    return [person for person in people if not person.is_admin]


def grant(board: Board, user: User, title: str, granted_by: User) -> AccountableMember:
    """Make ``user`` an accountable member of ``board`` with a public title ("Chair of the board")."""
    if not sits_on(user, board):
        raise FieldConflict("user", "This person's organisation does not sit on the board.")
    if user.is_admin:
        # Administrators give the role: one who gave it to themselves could then decide alone.
        raise FieldConflict("user", "An administrator cannot be an accountable member. Choose someone else.")
    member = AccountableMember(board=board, user=user, title=title.strip(), granted_by=granted_by)
    try:
        with atomic():  # the same person given the role twice at once: one row, the form says so
            db.session.add(member)
            db.session.flush()
    except IntegrityError as error:
        raise FieldConflict("user", "This person is already an accountable member of the board.") from error
    audit.record("board_accountable_member_added", board.slug, f"{user.email} as {member.title}")
    logger.info("user %s made accountable member of board %s", user.id, board.slug)
    return member


def remove(member: AccountableMember) -> None:
    """Take the role away. Decisions they made keep their name and title (copied when they decided)."""
    audit.record("board_accountable_member_removed", member.board.slug, member.user.email)
    db.session.delete(member)
    db.session.flush()
    logger.info("user %s no longer accountable member of board %s", member.user_id, member.board.slug)
