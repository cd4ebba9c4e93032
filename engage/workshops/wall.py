"""The room's wall in an open-text round: answers sent from phones wait for the facilitator, who lets each
onto the projector or keeps it off; the projector shows the answers let through as a word cloud and a list
with repeats grouped. Nothing reaches the screen unseen, and no answer carries a name."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from engage.accounts.models import User
from engage.database import utcnow
from engage.extensions import db
from engage.service_errors import StateError
from engage.transactions import atomic
from engage.workshops import logger
from engage.workshops.models import WallEntry, WallState, WorkshopRound, WorkshopSession

#: Common English words that would crowd a cloud of residents' answers. Other languages' answers keep all
#: their words of three letters or more (a list per language would be better; none is kept yet).
_STOP_WORDS_TEXT = """
    about after again all also and any are because been before being but can could did does doing down
    during each few for from further had has have having her here hers him his how into its just more most
    much must not now off once only other our ours out over own same she should some such than that the
    their theirs them then there these they this those through too under until very was were what when
    where which while who whom why will with would you your yours need needs want lot lots get got really
    things thing like make made
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
#: The most words a cloud shows, and the size classes they are spread over (1 smallest).
CLOUD_WORDS = 30
CLOUD_SIZES = 5
#: The most answers the projector's list shows (newest let through first).
LIST_ANSWERS = 12

_WORD = re.compile(r"[^\W\d_]{3,}(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class CloudWord:
    word: str
    count: int
    #: 1 (least said) to CLOUD_SIZES (most said).
    size: int


def cloud(texts: list[str], most: int = CLOUD_WORDS) -> list[CloudWord]:
    """The words said most across the answers, each counted once per answer (one person repeating a word
    does not make it bigger), alphabetical so the cloud does not reshuffle as counts change; sizes spread
    between the least and the most said word shown."""
    counts: Counter[str] = Counter()
    for text in texts:
        words = {w.casefold() for w in _WORD.findall(text)}
        counts.update(w for w in words if w not in STOP_WORDS)
    top = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:most]
    if not top:
        return []
    low, high = top[-1][1], top[0][1]
    span = max(high - low, 1)
    return sorted(
        (CloudWord(word, n, 1 + round((n - low) * (CLOUD_SIZES - 1) / span)) for word, n in top),
        key=lambda w: w.word,
    )


def grouped(texts: list[str], most: int = LIST_ANSWERS) -> list[tuple[str, int]]:
    """The answers with repeats grouped (ignoring case, spaces and a final full stop), in the order first
    given, each with how many gave it; at most ``most``."""
    groups: dict[str, list] = {}
    for text in texts:
        key = " ".join(text.casefold().split()).rstrip(".!")
        if key in groups:
            groups[key][1] += 1
        else:
            groups[key] = [text.strip(), 1]
    return [(text, count) for text, count in groups.values()][:most]


def add_entry(round_: WorkshopRound, answer_id: int) -> None:
    """A new answer to an open-text round waits for the facilitator (once, however often it is sent)."""
    seen = db.session.scalar(select(WallEntry.id).where(WallEntry.answer_id == answer_id))
    if seen is None:
        db.session.add(WallEntry(round_id=round_.id, answer_id=answer_id, state=WallState.WAITING))
        db.session.flush()


def entries(round_: WorkshopRound, state: WallState | None = None) -> list[WallEntry]:
    """The round's wall entries, oldest first (the order they were sent), of one state or all."""
    query = select(WallEntry).where(WallEntry.round_id == round_.id).order_by(WallEntry.id)
    if state is not None:
        query = query.where(WallEntry.state == state)
    return list(db.session.scalars(query))


def shown_texts(round_: WorkshopRound) -> list[str]:
    """What the projector may show: the answers let through, newest first."""
    return [entry.text for entry in reversed(entries(round_, WallState.SHOWN))]


def version(round_: WorkshopRound) -> str:
    """Changes when an answer arrives or is moderated: the control page's queue is redrawn only then (so a
    button is never swapped out from under the facilitator's click)."""
    row = db.session.execute(
        select(func.count(), func.max(WallEntry.id), func.max(WallEntry.moderated_at)).where(
            WallEntry.round_id == round_.id
        )
    ).one()
    return f"{round_.id}-{row[0]}-{row[1]}-{row[2].timestamp() if row[2] else 0}"


def _touch(session: WorkshopSession) -> None:
    session.revision = (session.revision or 0) + 1


@atomic()
def moderate(session: WorkshopSession, entry_id: int, state: WallState, user: User) -> WallEntry:
    """Let one answer onto the screen (SHOWN) or keep it off (HIDDEN); either can be changed later."""
    entry = db.session.get(WallEntry, entry_id)
    if entry is None or entry.round_id not in {r.id for r in session.rounds}:
        raise LookupError(entry_id)
    if state is WallState.WAITING:
        raise StateError("An answer can be shown or hidden.")
    if entry.state is not state:
        entry.state = state
        entry.moderated_by_id = user.id
        entry.moderated_at = utcnow()
        _touch(session)
        logger.info("workshop %s: wall entry %s %s by user %s", session.id, entry.id, state.value, user.id)
    return entry


@atomic()
def show_all_waiting(session: WorkshopSession, round_: WorkshopRound, user: User, up_to: int) -> int:
    """Let every answer waiting in this round that the facilitator has read (ids up to ``up_to``, the
    newest on their screen) onto the projector: one that arrived since stays waiting."""
    if round_.session_id != session.id:
        raise LookupError(round_.id)
    waiting = [entry for entry in entries(round_, WallState.WAITING) if entry.id <= up_to]
    now = utcnow()
    for entry in waiting:
        entry.state, entry.moderated_by_id, entry.moderated_at = WallState.SHOWN, user.id, now
    if waiting:
        _touch(session)
        logger.info("workshop %s: %s wall entries shown by user %s", session.id, len(waiting), user.id)
    return len(waiting)
