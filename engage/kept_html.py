"""GOV.UK Frontend HTML rendered once per worker and reused: a macro's output depends only on its params.

The GOV.UK macros are long Jinja: the equality questions' 44 radios took 12.8 ms to render, a page's header,
navigation and phase banner about 2.5 ms, on every page. For the same params they always give the same
HTML, so the HTML is kept here, keyed by the macro and a frozen copy of its params, and rendered again
only for params not seen before (officers' texts and translations are in the params, so an edit is a new
key). What shows a resident's answer or an error is never kept: the callers decide (engage.forms keeps a
field only when it shows neither).

Bounded: past ``COPIES`` the least recently used is dropped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app
from markupsafe import Markup

COPIES = 2048


def rendered(html: str) -> Markup:
    """What a Jinja template or macro rendered (autoescaping on: every value in it already escaped)."""
    return Markup(html)  # noqa: S704 - the output of an autoescaping render


class NotKept(Exception):
    """Params holding a value the copies cannot be keyed by."""


def frozen(value: Any) -> Any:
    """A hashable copy of params that tells apart everything a macro's output depends on (a text from markup,
    True from 1 from "1"); NotKept for a value of any other kind."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("list", *(frozen(v) for v in value))
    if hasattr(value, "__html__"):  # Markup, a lazy translation, an officer's text in the page's language
        return (type(value).__name__, str(value), str(value.__html__()))
    if value is None or isinstance(value, (str, bool, int, float)):
        return (type(value).__name__, value)
    raise NotKept


class Kept:
    """One bounded set of kept HTML: past ``limit`` copies the least recently used is dropped. Kinds that can
    grow with what officers build (a box per pair of an exercise's items) get their own, so that they never
    push out the page furniture every page needs."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.copies: OrderedDict[tuple[Any, ...], Markup] = OrderedDict()
        self._lock = threading.Lock()

    def html(self, name: str, params: dict[str, Any], render: Callable[[], Any]) -> Markup:
        """The HTML ``render()`` gives for macro or template ``name`` with ``params``: kept from an earlier
        call with equal params, or rendered now and kept."""
        try:
            key = (name, frozen(params))
        except NotKept:
            return rendered(render())
        with self._lock:
            html = self.copies.get(key)
            if html is not None:
                self.copies.move_to_end(key)
                return html
        html = rendered(render())
        with self._lock:
            self.copies[key] = html
            while len(self.copies) > self.limit:
                self.copies.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self.copies.clear()


#: Page furniture and form fields.
_kept = Kept(COPIES)
_copies = _kept.copies


def kept(name: str, params: dict[str, Any], render: Callable[[], Any]) -> Markup:
    """``Kept.html`` for page furniture and form fields."""
    return _kept.html(name, params, render)


def forget_all() -> None:
    _kept.clear()


def _macro(component: str) -> Callable[[dict[str, Any]], Any]:
    """GOV.UK Frontend's macro for a component ("service-navigation" is govukServiceNavigation)."""
    template = current_app.jinja_env.get_template(f"govuk_frontend_jinja/components/{component}/macro.html")
    return getattr(template.module, "govuk" + "".join(part.title() for part in component.split("-")))


def govuk_component(component: str, params: dict[str, Any], keep: bool = True) -> Markup:
    """A GOV.UK component's HTML, kept unless ``keep`` is false: for page furniture whose params hold
    nothing of a resident's (the header, the navigation, the phase banner). A template global.

    Not kept for signed-in staff: their navigation holds the sign-out form's CSRF token, which would make a
    new copy on every page."""
    if not keep:
        return rendered(_macro(component)(params))
    return kept(f"component:{component}", params, lambda: _macro(component)(params))
