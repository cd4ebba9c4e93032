"""A consultation page's form class, made once per worker for what decides its fields.

A page's form is a class made for the questions it asks (``type("SectionPage", ...)`` over each question's
fields), and WTForms sorts out a class's fields the first time it is called. Doing both on every request
cost about a tenth of a consultation send's processor time (a send re-checks every page). Yet the fields
follow only from:

- the page's questions, their options and the board's priorities, as the consultation's stamp
  (``structure_version``, engage.kept_structure) says they are: every edit of them moves it;
- which of the questions these answers ask, and whether every answer is required (paper entry);
- the page's language, and in a language other than English the officers' translations of the
  consultation's texts (and of the board's priorities, for an importance grid) as this request read them.

So a class is kept under all of those, and a change to any one of them makes a new class: never an old
label, option or rule. Each request still makes its own form (its own fields, data and errors) from the
class. Bounded: past ``CLASSES`` the least recently used is dropped.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app

from engage.content import page_locale, translations
from engage.surveys.models import QuestionKind, Section

#: A page class of the load run's 5-question pages takes 16-18 KiB (tracemalloc, 2026-11-30), so 256 take
#: about 4 MiB a worker at most, and cover every page of dozens of consultations in each language and path.
CLASSES = 256

_lock = threading.Lock()


def _classes() -> OrderedDict:
    return current_app.extensions.setdefault("engage_page_classes", OrderedDict())


def page_key(section: Section, priorities: list, asked: list, required: bool | None) -> Hashable:
    """What the page's fields follow from (see the module's note)."""
    consultation = section.consultation
    locale = page_locale()
    texts: tuple = ()
    if locale != "en":
        owners = [("consultation_id", consultation.id)]
        if consultation.board_id is not None and any(q.kind is QuestionKind.IMPORTANCE for q in asked):
            owners.append(("board_id", consultation.board_id))
        # A digest, not the texts: a key stays small however long the translated texts are.
        texts = tuple(_digest(translations(owner, locale)) for owner in owners)
    return (
        section.id,
        consultation.structure_version,
        consultation.board_id,
        tuple(p.id for p in priorities),
        tuple(q.id for q in asked),
        required,
        locale,
        texts,
    )


def _digest(texts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(texts.items())).encode()).hexdigest()


def page_class(base: type, key: Hashable, make: Callable[[], tuple[type, Any]]) -> tuple[type, Any]:
    """(class, what goes with it) kept under ``(base, key)``, made by ``make()`` when there is none."""
    full = (base, key)
    classes = _classes()
    with _lock:
        kept = classes.get(full)
        if kept is not None:
            classes.move_to_end(full)
            return kept
    made = make()
    with _lock:
        classes[full] = made
        classes.move_to_end(full)
        while len(classes) > CLASSES:
            classes.popitem(last=False)
    return made
