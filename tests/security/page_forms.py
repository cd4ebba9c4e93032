"""The forms on a rendered page, read as a browser would, so a test can post what the page posts.

Only the standard library's HTML parser: each ``<form method="post">`` with its inputs, selects, text
areas and submit buttons, and each element that posts with htmx (``hx-post``) with the form it sits in (htmx
sends the enclosing form's values, or those named by ``hx-include``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

#: Input types whose value a person types.
TYPED = {"text", "email", "number", "tel", "url", "search", "password", "date", ""}


@dataclass
class Control:
    """One named control of a form."""

    tag: str  # input, select, textarea, button
    type: str  # the input's or button's type ("select" and "textarea" for those)
    name: str
    value: str = ""
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # a select's (value, selected)
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class PageForm:
    """A form that posts, and where: ``action`` is a path, ``hx_posts`` the paths its elements post to with
    htmx (the form's own ``hx-post`` included)."""

    action: str
    attrs: dict[str, str]
    controls: list[Control] = field(default_factory=list)
    hx_posts: list[str] = field(default_factory=list)

    @property
    def buttons(self) -> list[Control]:
        return [c for c in self.controls if c.tag in {"button", "input"} and c.type == "submit"]

    def posts_to(self, path: str) -> bool:
        return self.action == path or path in self.hx_posts

    def values(self, button: Control | None = None) -> list[tuple[str, str]]:
        """What a browser sends: hidden and typed values, checked boxes, selected options, and the button
        pressed (if it has a name)."""
        sent = []
        for control in self.controls:
            if control.tag == "select":
                chosen = [v for v, selected in control.options if selected] or [
                    v for v, _s in control.options[:1]
                ]
                sent += [(control.name, value) for value in chosen]
            elif control.type in {"radio", "checkbox"}:
                if control.checked:
                    sent.append((control.name, control.value))
            elif control.type in {"submit", "button", "reset", "image", "file"}:
                continue
            else:
                sent.append((control.name, control.value))
        if button is not None and button.name:
            sent.append((button.name, button.value))
        return sent


class _FormParser(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[PageForm] = []
        self.current: PageForm | None = None
        self.select: Control | None = None
        self.option: tuple[str | None, bool] | None = None
        self.option_text = ""
        self.textarea: Control | None = None
        self.hx_outside: list[str] = []

    def _path(self, url: str | None) -> str:
        return urlsplit(urljoin(self.page_path, url or self.page_path)).path

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "hx-post" in a:
            if self.current is not None:
                self.current.hx_posts.append(self._path(a["hx-post"]))
            else:
                self.hx_outside.append(self._path(a["hx-post"]))
        if tag == "form":
            if a.get("method", "get").lower() == "post" or "hx-post" in a:
                self.current = PageForm(self._path(a.get("action")), a)
                if "hx-post" in a:
                    self.current.hx_posts.append(self._path(a["hx-post"]))
                self.forms.append(self.current)
            return
        if self.current is None or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            given = dict(attrs).get("value")  # a box with no value attribute sends "on"
            value = "on" if given is None and kind in {"radio", "checkbox"} else (given or "")
            self.current.controls.append(Control("input", kind, a["name"], value, "checked" in a, attrs=a))
        elif tag == "button":
            kind = a.get("type", "submit").lower()
            self.current.controls.append(Control("button", kind, a["name"], a.get("value", ""), attrs=a))
        elif tag == "select":
            self.select = Control("select", "select", a["name"], attrs=a)
            self.current.controls.append(self.select)
        elif tag == "option" and self.select is not None:
            self.option, self.option_text = (a.get("value"), "selected" in a), ""
        elif tag == "textarea":
            self.textarea = Control("textarea", "textarea", a["name"], attrs=a)
            self.current.controls.append(self.textarea)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value += data
        if self.option is not None:
            self.option_text += data

    def _end_option(self) -> None:
        if self.option is not None and self.select is not None:
            value, selected = self.option
            self.select.options.append((self.option_text.strip() if value is None else value, selected))
        self.option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "textarea" and self.textarea is not None:
            # The HTML parser keeps the newline that follows <textarea>; a browser drops it.
            self.textarea.value = self.textarea.value.removeprefix("\n")
            self.textarea = None
        elif tag == "option":
            self._end_option()
        elif tag == "select":
            self._end_option()
            self.select = None


def forms_on(html: str, page_path: str) -> list[PageForm]:
    """Every form on the page that posts (by method or with htmx)."""
    parser = _FormParser(page_path)
    parser.feed(html)
    parser.close()
    return parser.forms


def hx_posts_outside_forms(html: str, page_path: str) -> list[str]:
    """Paths that elements outside any form post to with htmx."""
    parser = _FormParser(page_path)
    parser.feed(html)
    parser.close()
    return parser.hx_outside
