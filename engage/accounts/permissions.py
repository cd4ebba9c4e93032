"""Who may do what. Views call these; templates use them to show only the actions a user can take.

The rule of the partnership: users manage what their organisation owns on the boards it sits on; admins
see and manage everything; any partner on a board can read that board's results.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from engage.accounts.models import Role, User

if TYPE_CHECKING:
    from engage.boards.models import Board

F = TypeVar("F", bound=Callable[..., Any])


def sits_on(user: User, board: Board | None) -> bool:
    """True when the organisation of ``user`` (or of an API token, which acts for one) sits on the board.
    ``None`` is the whole partnership (a partnership-wide consultation): every partner organisation is in
    it."""
    if board is None:
        return user.organisation_id is not None
    return any(org.id == user.organisation_id for org in board.members)


def can_manage_priorities(user: User, board: Board) -> bool:
    """Admins, and board officers from an organisation that sits on the board."""
    return user.is_admin or (user.has_role(Role.BOARD_OFFICER) and sits_on(user, board))


def can_read_results(user: User, board: Board | None) -> bool:
    """Admins, and any user from an organisation that sits on the board."""
    return user.is_admin or sits_on(user, board)


def can_manage_owned(user: User, board: Board | None, owner_organisation_id: int, *roles: Role) -> bool:
    """For things owned by an organisation on a board (exercises, consultations, reports)."""
    if user.is_admin:
        return True
    return user.organisation_id == owner_organisation_id and sits_on(user, board) and user.has_role(*roles)


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Sign-in required; then 403 unless the user holds one of ``roles`` (admins always pass)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not (current_user.is_admin or current_user.has_role(*roles)):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


admin_required = roles_required(Role.ADMIN)


def can_build_weights(user: User, board: Board) -> bool:
    """Admins, and analysts from an organisation that sits on the board."""
    return user.is_admin or (user.has_role(Role.ANALYST) and sits_on(user, board))
