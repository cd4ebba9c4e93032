"""Finding a board's published weight sets: the current one, one by number, all of them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engage.boards.models import Board
from engage.extensions import db
from engage.weights.models import WeightSet, WeightSetStatus


def published_weight_sets(board: Board) -> list[WeightSet]:
    """Every published or withdrawn version, newest first."""
    return list(
        db.session.scalars(
            select(WeightSet)
            .where(WeightSet.board_id == board.id, WeightSet.status != WeightSetStatus.DRAFT)
            .options(selectinload(WeightSet.sign_offs))  # each version's standing, in one more query
            .order_by(WeightSet.version.desc())
        )
    )


def current_weight_set(board: Board) -> WeightSet | None:
    """The newest published version that has not been withdrawn."""
    return db.session.scalars(
        select(WeightSet)
        .where(WeightSet.board_id == board.id, WeightSet.status == WeightSetStatus.PUBLISHED)
        .order_by(WeightSet.version.desc())
        .limit(1)
    ).first()


def weight_set_version(board: Board, version: int) -> WeightSet | None:
    """A published (or withdrawn) version by number."""
    return db.session.scalars(
        select(WeightSet).where(
            WeightSet.board_id == board.id,
            WeightSet.version == version,
            WeightSet.status != WeightSetStatus.DRAFT,
        )
    ).first()


def draft_weight_sets(board: Board) -> list[WeightSet]:
    return list(
        db.session.scalars(
            select(WeightSet)
            .where(WeightSet.board_id == board.id, WeightSet.status == WeightSetStatus.DRAFT)
            .order_by(WeightSet.created_at.desc())
        )
    )


def is_superseded(weight_set: WeightSet) -> bool:
    """Published, and a newer version of the same board has been published since."""
    current = current_weight_set(weight_set.board)
    return (
        weight_set.status is WeightSetStatus.PUBLISHED
        and current is not None
        and (current.version or 0) > (weight_set.version or 0)
    )
