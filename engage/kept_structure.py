"""What a resident's answer is checked against, kept per worker under a stamp every edit moves.

A budget or ranking page and its send need the exercise's items and their consequences; a consultation's
pages and its send need its pages, questions, options and its board's priorities. Loading them took three
to five statements and the ORM's work on every request: half the processor time of a budget send and a
third of a consultation's. They change rarely, but they can change while residents answer (an officer adds
an item to an open exercise, or mends a question before the first response), so a copy that merely ages
out could check an answer against what no longer exists.

So each exercise and consultation row carries ``structure_version``, a stamp that the session listener
below changes in the same transaction as any change to those rows (``_stamp_changes``). A request reads the
parent's row afresh (one statement, as before: its status and dates always come from the database), and
uses this worker's copy only when it was read under the stamp the row shows now. Otherwise it loads them as
before and keeps a copy for the next request.

The copy is a set of detached ORM objects that no session ever holds. Each request merges them into its own
session without a statement (``Session.merge(load=False)``, SQLAlchemy's documented way to put cached
objects back), so every request has its own objects, free to lazy-load anything not kept (an item's
priority, say) as it did before. The copies hold no reference to their parent: merging them can never
write an old status or date over the row just read.

Bounded: past ``COPIES`` the least recently used is dropped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from flask import current_app
from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session, attributes
from sqlalchemy.orm.interfaces import MANYTOONE

from engage.boards.models import Priority
from engage.database import new_stamp, table_of
from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseItem, ItemConsequence
from engage.surveys.models import Consultation, Question, QuestionOption, Section

#: A copy of the load run's consultation (10 questions, 2 pages, its board's 6 priorities) takes about 62 KiB
#: and a budget of 5 items 18 KiB (tracemalloc, 2026-11-30). 64 copies hold every open consultation and
#: exercise of a large partnership, and someone asking for every old one in turn cannot grow a worker much.
COPIES = 64

#: (parent's class name, id) -> (stamp the copy was read under, ((path, detached objects), ...)).
Copies = OrderedDict[tuple[str, int], tuple[tuple[Any, ...], tuple[tuple[str, tuple[Any, ...]], ...]]]
_lock = threading.Lock()


def _copies() -> Copies:
    """This app's copies (one app per worker; each test's app its own)."""
    return current_app.extensions.setdefault("engage_kept_structures", OrderedDict())


def _owner_and_name(parent: Any, path: str) -> tuple[Any, str]:
    """``"items"`` is the parent's own collection; ``"board.priorities"`` its board's (None when it has no
    board)."""
    *through, name = path.split(".")
    owner = parent
    for step in through:
        owner = getattr(owner, step)
        if owner is None:
            break
    return owner, name


def _detached_copies(objects: Sequence[Any]) -> tuple[Any, ...]:
    """Copies of freshly loaded objects (and what they have loaded beneath them) that belong to no session
    and point to nothing above them (an item to its exercise, a question to its page)."""
    scratch = Session()
    copies = [scratch.merge(thing, load=False) for thing in objects]
    for thing in list(scratch.identity_map.values()):
        state = inspect(thing)
        upward = [
            rel.key
            for rel in state.mapper.relationships
            if rel.direction is MANYTOONE and rel.key in state.dict
        ]
        if upward:
            scratch.expire(thing, upward)
    scratch.expunge_all()
    return tuple(copies)


def load(parent: Any, stamp: tuple[Any, ...], paths: Sequence[str], load_fresh: Any) -> None:
    """Fill ``parent``'s collections named by ``paths`` from this worker's copy read under ``stamp``, or call
    ``load_fresh()`` (which loads them into the request's session) and keep a copy of what it loaded."""
    key = (type(parent).__name__, parent.id)
    copies = _copies()
    with _lock:
        kept = copies.get(key)
        if kept is not None and kept[0] == stamp:
            copies.move_to_end(key)
        else:
            kept = None
    session = db.session
    if kept is not None:
        for path, detached in kept[1]:
            owner, name = _owner_and_name(parent, path)
            if owner is not None:
                merged = [session.merge(thing, load=False) for thing in detached]
                attributes.set_committed_value(owner, name, merged)
        return
    load_fresh()
    found = []
    for path in paths:
        owner, name = _owner_and_name(parent, path)
        found.append((path, _detached_copies(getattr(owner, name)) if owner is not None else ()))
    with _lock:
        copies[key] = (stamp, tuple(found))
        copies.move_to_end(key)
        while len(copies) > COPIES:
            copies.popitem(last=False)


# -- every change to what is kept moves its parent's stamp, in the same transaction ---------------------


def _changed(session: Session) -> tuple[set[int], set[int], set[int]]:
    """(exercise ids, consultation ids, board ids whose priorities changed) that this flush changes."""
    exercises: set[int | None] = set()
    consultations: set[int | None] = set()
    boards: set[int | None] = set()
    # A collection replaced counts (an item's consequences all taken away leaves only the item changed).
    modified = (thing for thing in session.dirty if session.is_modified(thing))
    for thing in (*session.new, *session.deleted, *modified):
        if isinstance(thing, ExerciseItem):
            exercises.add(_parent_id(thing, "exercise"))
        elif isinstance(thing, ItemConsequence):
            exercises.add(_parent_id(thing.item, "exercise"))
        elif isinstance(thing, Section):
            consultations.add(_parent_id(thing, "consultation"))
        elif isinstance(thing, Question):
            consultations.add(_parent_id(thing.section, "consultation"))
        elif isinstance(thing, QuestionOption):
            question = thing.question
            consultations.add(_parent_id(question.section if question is not None else None, "consultation"))
        elif isinstance(thing, Priority):
            boards.add(thing.board_id)
    # A parent without an id is new itself: no worker can hold a copy of it yet.
    return (
        {i for i in exercises if i is not None},
        {i for i in consultations if i is not None},
        {i for i in boards if i is not None},
    )


def _parent_id(thing: Any, parent: str) -> int | None:
    """``thing``'s parent's id: its foreign key, or the parent object's id while the key is not yet set."""
    if thing is None:
        return None
    found = getattr(thing, f"{parent}_id")
    if found is None and (above := getattr(thing, parent)) is not None:
        found = above.id
    return found


def _stamp_changes(session: Session, flush_context: Any, instances: Any) -> None:
    exercises, consultations, boards = _changed(session)
    if not (exercises or consultations or boards):
        return
    stamp = new_stamp()
    for model, ids, column in (
        (Exercise, exercises, Exercise.id),
        (Consultation, consultations, Consultation.id),
        (Consultation, boards, Consultation.board_id),
    ):
        if not ids:
            continue
        session.execute(update(table_of(model)).where(column.in_(ids)).values(structure_version=stamp))
        for thing in session.identity_map.values():
            if isinstance(thing, model) and getattr(thing, column.key) in ids:
                attributes.set_committed_value(thing, "structure_version", stamp)


def init_app() -> None:
    """Listen for changes to what the copies hold (once per process)."""
    if not event.contains(Session, "before_flush", _stamp_changes):
        event.listen(Session, "before_flush", _stamp_changes)
