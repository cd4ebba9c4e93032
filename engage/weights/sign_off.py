"""Partnership boards decide: a draft is submitted for sign-off, and an accountable member of the board
approves it (publishing it as the board's decision, in the same transaction) or sends it back with a comment.

The rule on who approves: only an accountable member of the board (given the role for that board by an
administrator, active, their organisation still on the board). Administrators and analysts cannot approve,
so an analyst cannot approve their own submission; an accountable member who submitted a set themselves may
approve it, because the decision is theirs to make either way (the oversight page marks such decisions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from engage.accounts.models import User
from engage.boards.accountable import accountable_board_ids, acting_board_ids, is_accountable_member
from engage.boards.models import AccountableMember, Board, BoardKind
from engage.database import utcnow
from engage.extensions import db
from engage.service_errors import StateError
from engage.transactions import atomic
from engage.weights import logger
from engage.weights.models import SignOff, SignOffOutcome, WeightSet
from engage.weights.service import ChangedSinceChecked, checked_preview, freeze, require_changeable

__all__ = ["ChangedSinceChecked", "NotAccountable", "approve", "send_back", "submit", "take_back"]


class NotAccountable(StateError):
    """The person is not an accountable member of the board (the views answer 403 before this)."""


ALREADY_DECIDED = "Someone has already dealt with this submission: it is no longer waiting for sign-off."


def submit(weight_set: WeightSet, user: User, confirmed: str | None = None) -> SignOff:
    """Submit a partnership board's draft for sign-off; it cannot change while it waits."""
    if not weight_set.board.needs_political_oversight:
        raise StateError("This board is a network: its weights are published as advisory, without sign-off.")
    require_changeable(weight_set)
    preview = checked_preview(weight_set, confirmed)
    sign_off = SignOff(submitted_by_id=user.id, fingerprint=preview.fingerprint())
    try:
        with atomic():  # submitted twice at once: the one-pending index keeps one
            weight_set.sign_offs.append(sign_off)
            db.session.flush()
    except IntegrityError as error:
        raise StateError("This draft is already waiting for sign-off.") from error
    logger.info("weight set %s submitted for sign-off by user %s", weight_set.id, user.id)
    return sign_off


def _close(sign_off: SignOff, outcome: SignOffOutcome, user: User, **values: str) -> None:
    """Move a waiting submission to ``outcome``, only if it is still waiting: of two people acting at once,
    the second finds nothing to change (on PostgreSQL it waits for the first's row lock, then sees it
    decided) and is refused, so one decision is recorded."""
    closed = db.session.execute(
        update(SignOff)
        .where(SignOff.id == sign_off.id, SignOff.outcome == SignOffOutcome.PENDING)
        .values(outcome=outcome, decided_by_id=user.id, decided_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult, closed).rowcount != 1:
        raise StateError(ALREADY_DECIDED)
    db.session.expire(sign_off)
    db.session.expire(sign_off.weight_set, ["sign_offs"])


def _require_accountable(user: User, board: Board) -> AccountableMember:
    member = db.session.scalar(
        select(AccountableMember).where(
            AccountableMember.board_id == board.id, AccountableMember.user_id == user.id
        )
    )
    if member is None or not is_accountable_member(user, board):
        raise NotAccountable("Only an accountable member of this board can sign off its weights.")
    return member


def approve(sign_off: SignOff, user: User, minute_reference: str, comment: str, seen: str | None) -> None:
    """Approve a waiting submission and publish the set as the board's decision, all or nothing.

    ``seen`` is the fingerprint of the preview the accountable member was shown: if the weights have changed
    since (new answers arrived), nothing happens and ChangedSinceChecked is raised.
    """
    weight_set = sign_off.weight_set
    member = _require_accountable(user, weight_set.board)
    if weight_set.board.kind is not BoardKind.PARTNERSHIP:
        raise StateError(
            "This board is now a network: its weights are advisory. The analysts can publish them as such."
        )
    if sign_off.outcome is not SignOffOutcome.PENDING:
        raise StateError(ALREADY_DECIDED)
    if sign_off.submitted_by_id == user.id:
        # Four eyes: whoever submitted the weights never signs them off too.
        raise StateError("You submitted these weights, so another accountable member must sign them off.")
    if not minute_reference.strip():
        raise StateError("Enter the meeting or minute reference of the decision.")
    preview = checked_preview(weight_set, seen)
    with atomic():
        _close(
            sign_off,
            SignOffOutcome.APPROVED,
            user,
            minute_reference=minute_reference.strip(),
            comment=comment.strip(),
            decided_by_name=user.name,
            decided_by_title=member.title,
        )
        freeze(weight_set, sign_off.submitted_by or user, preview)
    logger.info("weight set %s approved by user %s (%s)", weight_set.id, user.id, minute_reference.strip())


def send_back(sign_off: SignOff, user: User, comment: str) -> None:
    """Send a waiting submission back to the analysts with a comment; the draft can change again."""
    member = _require_accountable(user, sign_off.weight_set.board)
    if not comment.strip():
        raise StateError("Say why you are sending the weights back.")
    _close(
        sign_off,
        SignOffOutcome.SENT_BACK,
        user,
        comment=comment.strip(),
        decided_by_name=user.name,
        decided_by_title=member.title,
    )
    logger.info("weight set %s sent back by user %s", sign_off.weight_set_id, user.id)


def take_back(sign_off: SignOff, user: User) -> None:
    """The analysts take a waiting submission back (to change the draft)."""
    _close(sign_off, SignOffOutcome.WITHDRAWN, user, comment="Taken back by the analysts.")
    logger.info("weight set %s submission taken back by user %s", sign_off.weight_set_id, user.id)


@dataclass(frozen=True)
class Oversight:
    """What the oversight page lists: submissions waiting, and everything decided or sent back."""

    pending: list[SignOff]
    decided: list[SignOff]


def oversight_for(user: User) -> Oversight:
    """Every partnership board's sign-offs an administrator may see, or those of the boards the user is an
    accountable member of; newest first."""
    query = (
        select(SignOff)
        .join(WeightSet, WeightSet.id == SignOff.weight_set_id)
        .where(
            SignOff.outcome.in_([SignOffOutcome.PENDING, SignOffOutcome.APPROVED, SignOffOutcome.SENT_BACK])
        )
        .options(selectinload(SignOff.weight_set).selectinload(WeightSet.board))
        .order_by(SignOff.submitted_at.desc(), SignOff.id.desc())
    )
    if not user.is_admin:
        query = query.where(WeightSet.board_id.in_(acting_board_ids(user)))
    rows = list(db.session.scalars(query))
    return Oversight(
        pending=[s for s in rows if s.outcome is SignOffOutcome.PENDING],
        decided=[s for s in rows if s.outcome is not SignOffOutcome.PENDING],
    )


def can_see_oversight(user: User) -> bool:
    """Administrators, and anyone who is an accountable member of a board."""
    return getattr(user, "is_authenticated", False) and (user.is_admin or bool(accountable_board_ids(user)))
