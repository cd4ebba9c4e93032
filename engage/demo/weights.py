"""Demo weight sets: version 1 of every board's weights, blended from the demo's answered sources."""

from __future__ import annotations

from sqlalchemy import select

from engage.accounts.models import User
from engage.accounts.permissions import can_build_weights
from engage.boards import accountable
from engage.boards.models import Board
from engage.demo.data import ACCOUNTABLE, DEMO_MINUTE
from engage.extensions import db
from engage.weights import service, sign_off


def even_blend(keys: list[str]) -> dict[str, float]:
    """Whole per cents that add up to 100, the first sources taking any remainder."""
    share, remainder = divmod(100, len(keys))
    return {key: float(share + (1 if k < remainder else 0)) for k, key in enumerate(keys)}


def publish_demo_weights(analyst: User, admin: User, councillor: User) -> None:
    """For each board with answered sources: a draft of them blended evenly, population weighted, made by the
    analyst where their organisation sits on the board (else the administrator). A partnership board's draft
    is submitted for sign-off and approved by the councillor, its accountable member, so it is the board's
    decision; the network's is published as advisory."""
    for slug, title in ACCOUNTABLE.items():
        board = db.session.scalar(select(Board).where(Board.slug == slug))
        if board is not None:
            accountable.grant(board, councillor, title, admin)
    for board in db.session.scalars(select(Board).order_by(Board.name)):
        answered = [c.key for c in service.candidate_sources(board) if c.responses > 0]
        if not answered:
            continue
        user = analyst if can_build_weights(analyst, board) else admin
        draft = service.save_draft(board, user, even_blend(answered), ["online", "workshop", "paper"], True)
        if board.needs_political_oversight:
            submitted = sign_off.submit(draft, user)
            sign_off.approve(submitted, councillor, DEMO_MINUTE, "", None)
        else:
            service.publish(draft, user)
