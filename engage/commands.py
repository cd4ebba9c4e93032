"""What the command-line tasks share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

import click
from sqlalchemy import select

from engage.extensions import db

if TYPE_CHECKING:
    from engage.prioritise.models import Exercise
    from engage.surveys.models import Consultation

#: What the commands act on, one or all at a time.
RowT = TypeVar("RowT", "Exercise", "Consultation")


def one_or_all(model: type[RowT], wanted_id: int | None, noun: str) -> Sequence[RowT]:
    """Every row of ``model`` in id order, or only the one with ``wanted_id`` (a clear error when there is
    none): for commands that act on one thing or all of them."""
    query = select(model).order_by(model.id)
    if wanted_id is not None:
        query = query.where(model.id == wanted_id)
    rows = db.session.scalars(query).all()
    if wanted_id is not None and not rows:
        raise click.ClickException(f"There is no {noun} {wanted_id}.")
    return rows
