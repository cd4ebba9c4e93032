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

from engage.boards.models import Board, Priority
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
    """(exercise ids, consultation ids, board ids whose priorities changed) that this flush changes: the
    parents a changed row belongs to now, and any it was moved from."""
    exercises: set[int] = set()
    consultations: set[int] = set()
    boards: set[int] = set()
    # A collection replaced counts (an item's consequences all taken away leaves only the item changed).
    modified = (thing for thing in session.dirty if session.is_modified(thing))
    for thing in (*session.new, *session.deleted, *modified):
        if isinstance(thing, ExerciseItem):
            exercises |= _ids(_owners(session, thing, "exercise", Exercise))
        elif isinstance(thing, ItemConsequence):
            for item in _owners(session, thing, "item", ExerciseItem):
                exercises |= _ids(_owners(session, item, "exercise", Exercise))
        elif isinstance(thing, Section):
            consultations |= _ids(_owners(session, thing, "consultation", Consultation))
        elif isinstance(thing, Question | QuestionOption):
            asked = [thing] if isinstance(thing, Question) else _owners(session, thing, "question", Question)
            for question in asked:
                for section in _owners(session, question, "section", Section):
                    consultations |= _ids(_owners(session, section, "consultation", Consultation))
        elif isinstance(thing, Priority):
            boards |= _ids(_owners(session, thing, "board", Board))
    return exercises, consultations, boards


def _owners(session: Session, thing: Any, name: str, model: type) -> list[Any]:
    """What ``thing.<name>`` points at now (through the object, or its key when only the key was set) and
    what it pointed at before this flush's change, when it was moved."""
    state = inspect(thing)
    found = [getattr(thing, name)]
    key = getattr(thing, f"{name}_id")
    if found[0] is None and key is not None:
        found[0] = session.get(model, key)
    found += state.attrs[name].history.deleted or ()
    found += [session.get(model, old) for old in state.attrs[f"{name}_id"].history.deleted or () if old]
    return [owner for owner in found if owner is not None]


def _ids(owners: list[Any]) -> set[int]:
    # A parent without an id is new itself: no worker can hold a copy of it yet.
    return {owner.id for owner in owners if owner.id is not None}


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
