"""The box a resident answers a pair in (the question, the two priorities, "I can't decide", "Undo" and
"Finish"), which htmx swaps after every choice: rendered through its template once per pair, language and
set of texts and kept per worker (engage.kept_html, in a set of their own), each request putting in only
the person's own form token and the key signed for them.

Rendering the box through Jinja took about 0.38 ms of a vote's 1.65 ms of processor time (SQLite, the test
client, 2026-11-30). Besides those two values it shows nothing of the person's but whether they have made a
choice yet (the "Undo" form), and otherwise depends only on the exercise, the pair, the page's language and
where the app is served: those are the key, with every officer's text as the page shows it, so an edit or a
translation is a new key and never a stale copy.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from engage.content import local, page_locale
from engage.kept_html import Kept, rendered
from engage.prioritise.forms import SKIP_REASONS

#: Stand-ins rendered where the person's own values go, then replaced: random per worker, so that no text
#: an officer writes can hold one.
_FORM_TOKEN = f"engage-form-token-{secrets.token_hex(16)}"
_PAIR_KEY = f"engage-pair-key-{secrets.token_hex(16)}"

TEMPLATE = "prioritise/_partials/_pair_box.html"

#: Boxes kept per worker: one per ordered pair, language and "has made a choice", so an exercise of 20 items
#: in four languages fills 3,040. A box is about 3 KiB, so at most about 12 MiB a worker.
BOXES = 4096
_boxes = Kept(BOXES)


def _texts(exercise: Any, pair: tuple[Any, Any] | None) -> tuple[Any, ...]:
    """Everything of the exercise and the pair the box shows, as the page shows it (its language included:
    an English text on another language's page is marked as English)."""
    if not pair:
        return (exercise.id,)
    question = local(exercise, "question")
    shown: list[Any] = [exercise.id, question.text, question.translated]
    for item in pair:
        shown.append(item.id)
        for field in ("title", "description"):
            text = local(item, field) if getattr(item, field) else None
            shown += [None, None] if text is None else [text.text, text.translated]
    return tuple(shown)


def pair_box(exercise: Any, pair: tuple[Any, Any] | None, offer: str | None, made: int | None) -> Markup:
    """The box for ``pair`` (None: nothing to compare) with ``offer`` (the key signed for this person and
    pair) and this request's form token, for a person who has made ``made`` choices."""
    params = {
        "texts": _texts(exercise, pair),
        "locale": page_locale(),
        "root": request.script_root,
        "made": bool(made),
    }

    def render() -> str:
        return render_template(
            TEMPLATE,
            exercise=exercise,
            pair=pair,
            offer=_PAIR_KEY,
            made=bool(made),
            skip_reasons=SKIP_REASONS,
            csrf_token_value=lambda: _FORM_TOKEN,
        )

    html = str(_boxes.html("pair-box", params, render))
    html = html.replace(_FORM_TOKEN, str(escape(generate_csrf())))
    return rendered(html.replace(_PAIR_KEY, str(escape(offer or ""))))
