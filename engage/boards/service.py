"""Writes and queries for themed boards and priorities. Views and the CLI call these."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from engage.accounts.models import Organisation, User
from engage.audit import service as audit
from engage.boards import logger
from engage.boards.models import Board, BoardKind, Priority, PriorityStatus, board_members
from engage.extensions import db
from engage.service_errors import FieldConflict
from engage.transactions import atomic

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """A URL slug from a name: 'Health & Wellbeing' -> 'health-wellbeing'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]


def list_boards() -> list[Board]:
    """Every board by name, with members and priorities loaded in two queries, not one per board."""
    query = (
        select(Board)
        .options(selectinload(Board.members), selectinload(Board.priorities))
        .order_by(Board.name)
    )
    return list(db.session.scalars(query))


def boards_for(user: User) -> list[Board]:
    """The boards a user works on: all of them for an admin, else those their organisation sits on."""
    if user.is_admin:
        return list_boards()
    query = (
        select(Board)
        .join(board_members, board_members.c.board_id == Board.id)
        .where(board_members.c.organisation_id == user.organisation_id)
        .options(selectinload(Board.members), selectinload(Board.priorities))
        .order_by(Board.name)
    )
    return list(db.session.scalars(query))


def get_board(slug: str) -> Board | None:
    """The board with this slug, if any."""
    return db.session.scalar(select(Board).where(Board.slug == slug))


def get_board_or_404(slug: str) -> Board:
    """The board with this slug; a 404 for the visitor when there is none."""
    return db.first_or_404(select(Board).where(Board.slug == slug))


def _taken(column, value: str, exclude_id: int | None) -> bool:
    query = select(Board.id).where(func.lower(column) == value.strip().lower())
    if exclude_id is not None:
        query = query.where(Board.id != exclude_id)
    return db.session.scalar(query) is not None


def slug_taken(slug: str, exclude_id: int | None = None) -> bool:
    """True when another board uses this slug."""
    return _taken(Board.slug, slug, exclude_id)


def short_code_taken(code: str, exclude_id: int | None = None) -> bool:
    """True when another board uses this short code."""
    return _taken(Board.short_code, code, exclude_id)


def save_board(
    board: Board | None,
    *,
    name: str,
    slug: str,
    short_code: str,
    remit: str,
    kind: BoardKind,
    members: Iterable[Organisation],
) -> Board:
    """Create a board (``board`` None) or change one. Refuses a slug or short code another board uses."""
    exclude = board.id if board else None
    old_kind = board.kind if board else None
    if slug_taken(slug, exclude):
        raise FieldConflict("slug", str(_l("Another board already uses this web address")))
    if short_code_taken(short_code, exclude):
        raise FieldConflict("short_code", str(_l("Another board already uses this short code")))
    try:
        # A savepoint: when another board took the slug or code since the check, nothing of this one
        # (details or members) is kept, and the request goes on to show the form with the problem.
        with atomic():
            if board is None:
                board = Board()
                db.session.add(board)
            board.name, board.slug, board.short_code = name.strip(), slug, short_code.strip().upper()
            board.remit, board.kind, board.members = remit.strip(), kind, list(members)
            db.session.flush()
    except IntegrityError as error:
        raise FieldConflict("slug", str(_l("Another board already uses this web address"))) from error
    if old_kind is not None and old_kind is not kind:
        # Audited in its own words; published weight sets keep the standing they were published with (it is
        # read from their sign-off, not from the board's kind).
        audit.record("board_kind_changed", board.slug, f"{old_kind.value} -> {kind.value}")
        logger.info("board %s changed from %s to %s", board.slug, old_kind.value, kind.value)
    logger.info("saved board %s (%s)", board.id, board.slug)
    return board


def priority_code_taken(board: Board, code: str, exclude_id: int | None = None) -> bool:
    """True when another priority on this board has this code (ignoring case)."""
    query = select(Priority.id).where(
        Priority.board_id == board.id, func.lower(Priority.code) == code.strip().lower()
    )
    if exclude_id is not None:
        query = query.where(Priority.id != exclude_id)
    return db.session.scalar(query) is not None


def save_priority(
    board: Board, priority: Priority | None, *, code: str, title: str, description: str
) -> Priority:
    """Add a priority to a board (``priority`` None) or change one. Codes are unique per board."""
    if priority_code_taken(board, code, exclude_id=priority.id if priority else None):
        raise FieldConflict("code", str(_l("This board already has a priority with this code")))
    try:
        with atomic():  # as in save_board: a clash keeps nothing and leaves the form to say so
            if priority is None:
                priority = Priority(board=board)
                db.session.add(priority)
            priority.code, priority.title = code.strip(), title.strip()
            priority.description = description.strip()
            db.session.flush()
    except IntegrityError as error:
        raise FieldConflict("code", str(_l("This board already has a priority with this code"))) from error
    logger.info("saved priority %s (%s) on board %s", priority.id, priority.code, board.slug)
    return priority


def set_priority_status(priority: Priority, status: PriorityStatus) -> Priority:
    """Archive or restore a priority. Nothing is deleted: exercises and weights keep referring to it."""
    priority.status = status
    db.session.flush()
    logger.info("priority %s is now %s", priority.id, status.value)
    return priority
