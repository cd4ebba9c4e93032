"""Flask's Jinja environment, with each template's globals kept in a plain dict.

Jinja keeps a template's globals as a ``ChainMap`` over the environment's, and every render (every include
too) copies them into the render's context through the ChainMap's Python-level lookups: Engage has 25
globals, and that copy was 40% of rendering the pair page's status line and box (33 microseconds in all,
19 with a dict). Every global is added while the app is made (``create_app``), before any template is
loaded, so a copy taken when a template is loaded has them all.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from flask.templating import Environment


class EngageEnvironment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}
