"""What the command-line tasks share."""

from __future__ import annotations

import click
from sqlalchemy import select

from engage.extensions import db


def one_or_all(model: type, wanted_id: int | None, noun: str) -> list:
    """Every row of ``model`` in id order, or only the one with ``wanted_id`` (a clear error when there is
    none): for commands that act on one thing or all of them."""
    query = select(model).order_by(model.id)
    if wanted_id is not None:
        query = query.where(model.id == wanted_id)
    rows = db.session.scalars(query).all()
    if wanted_id is not None and not rows:
        raise click.ClickException(f"There is no {noun} {wanted_id}.")
    return rows
