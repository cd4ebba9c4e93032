"""Officers' own text in the resident's language.

Every resident-facing text officers write (a consultation's questions, an exercise's question and items, a
board's name and priorities, a weight set's method statement...) may be translated into each language
residents can choose. Each kind of thing says here which of its fields residents see and which object's
translation screen holds them (``kinds.py``); templates and services ask ``local(thing, field)`` and get
the text in the page's language, or the English marked ``lang="en"`` so screen readers pronounce it as
English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from flask import current_app, g, has_app_context, has_request_context
from flask_babel import get_locale
from markupsafe import Markup, escape
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from engage.config import SUPPORTED_LOCALES
from engage.content.models import ContentTranslation
from engage.extensions import db
from engage.web import content_lang


@dataclass(frozen=True)
class Kind:
    """One kind of thing with texts residents see."""

    #: The first part of its keys (``item`` in ``item:17:title``).
    prefix: str
    #: Its resident-facing fields, in the order an officer translates them, with what to call each.
    fields: dict[str, str]
    #: The owner column and id of the translation screen that holds its texts.
    owner: Callable[[Any], tuple[str, int]]
    #: Where to look when a text has no translation of its own: an exercise item taken from a board
    #: priority, with the priority's words, uses the priority's translation.
    fallback: Callable[[Any, str], tuple[Any, str] | None] | None = None


@dataclass(frozen=True)
class Screen:
    """An object with a translation screen: the texts it holds are those of ``parts(thing)``."""

    column: str
    #: (thing, where it is) for the object and everything whose texts its screen holds, in order.
    parts: Callable[[Any], list[tuple[Any, str]]]


KINDS: dict[type, Kind] = {}
SCREENS: dict[type, Screen] = {}


def register(
    cls: type,
    prefix: str,
    fields: dict[str, str],
    owner: Callable[[Any], tuple[str, int]],
    fallback: Callable[[Any, str], tuple[Any, str] | None] | None = None,
) -> None:
    KINDS[cls] = Kind(prefix, fields, owner, fallback)


def register_screen(cls: type, column: str, parts: Callable[[Any], list[tuple[Any, str]]]) -> None:
    SCREENS[cls] = Screen(column, parts)


def owner_of(thing: Any) -> tuple[str, int]:
    """The (owner column, id) of a screen's object."""
    return SCREENS[type(thing)].column, thing.id


def key_for(thing: Any, field: str) -> str:
    return f"{KINDS[type(thing)].prefix}:{thing.id}:{field}"


@dataclass(frozen=True)
class Text:
    """One text on a translation screen."""

    thing: Any
    field: str
    key: str
    what: str
    english: str


def texts(screen_thing: Any) -> list[Text]:
    """Each non-blank resident-facing text held by the object's translation screen, in its order."""
    out = []
    for thing, where in SCREENS[type(screen_thing)].parts(screen_thing):
        for field, name in KINDS[type(thing)].fields.items():
            english = getattr(thing, field) or ""
            if english.strip():
                out.append(Text(thing, field, key_for(thing, field), f"{where}: {name}", english))
    return out


def translations(owner: tuple[str, int], locale: str) -> dict[str, str]:
    """{key: text} of one translation screen's texts in one language (cached for the request)."""
    cache = g.setdefault("content_texts", {}) if has_request_context() else {}
    if (owner, locale) not in cache:
        column, owner_id = owner
        cache[(owner, locale)] = dict(
            db.session.execute(
                select(ContentTranslation.key, ContentTranslation.text).where(
                    getattr(ContentTranslation, column) == owner_id, ContentTranslation.locale == locale
                )
            ).all()
        )
    return cache[(owner, locale)]


def translations_of(thing: Any, locales: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
    """{locale: {field: text}} of one thing's translated fields (for exports and the API, beside the
    English)."""
    fields = [field for field in KINDS[type(thing)].fields if getattr(thing, field)]
    out: dict[str, dict[str, str]] = {}
    for locale in other_locales() if locales is None else locales:
        shown = {field: local(thing, field, locale) for field in fields}
        out[locale] = {field: text.text for field, text in shown.items() if text.translated}
    return out


def page_locale() -> str:
    locale = get_locale() if has_request_context() else None
    return locale.language if locale is not None else "en"


@dataclass(frozen=True)
class LocalText:
    """A text in the page's language, or the English with ``lang`` saying so."""

    text: str
    translated: bool

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> Markup:
        return escape(self.text)

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def lang(self) -> Markup:
        """The attributes for the element holding the text (empty when it is in the page's language)."""
        return Markup("") if self.translated else content_lang()

    def span(self, after: str = "") -> Markup:
        """The text (in a span carrying its language when it is English on another language's page), then
        ``after`` (e.g. " (optional)") in the page's language."""
        if self.translated:
            return escape(self.text) + escape(after)
        return Markup("<span{}>{}</span>{}").format(self.lang, self.text, after)

    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p]


def local(thing: Any, field: str, locale: str | None = None) -> LocalText:
    """``thing.field`` in the resident's language (or ``locale``), if an officer translated it."""
    english = getattr(thing, field) or ""
    locale = locale or page_locale()
    if locale == "en" or not english:
        return LocalText(english, True)
    kind = KINDS.get(type(thing))
    if kind is None:  # a text no one translates (a preview row): the English, marked
        return LocalText(english, False)
    text = translations(kind.owner(thing), locale).get(key_for(thing, field))
    if not text and kind.fallback is not None and (other := kind.fallback(thing, field)) is not None:
        return local(*other, locale=locale)
    return LocalText(text, True) if text else LocalText(english, False)


def inherited(thing: Any, field: str, locale: str) -> str:
    """The translation a text would borrow from elsewhere (an item's priority) when it has none of its own."""
    kind = KINDS[type(thing)]
    other = kind.fallback(thing, field) if kind.fallback is not None else None
    if other is None:
        return ""
    borrowed = local(*other, locale=locale)
    return borrowed.text if borrowed.translated else ""


def local_text(thing: Any, field: str) -> str:
    """``local`` as a plain string (for choices, messages and sorting)."""
    return str(local(thing, field))


def save(
    screen_thing: Any, locale: str, given: dict[str, str], only: Callable[[Text], bool] | None = None
) -> int:
    """Set a screen's translations into ``locale`` from ``given`` ({key: text}): a blank text removes one; a
    text not posted is left as it was; keys the screen does not hold (or ``only`` leaves out: texts the
    person may not change) are ignored. Returns how many of its texts are now shown in ``locale``."""
    keys = {text.key for text in texts(screen_thing) if only is None or only(text)}
    posted = {key: text.strip()[:10_000] for key, text in given.items() if key in keys}
    column, owner_id = owner_of(screen_thing)

    def replace() -> None:
        db.session.execute(
            delete(ContentTranslation).where(
                ContentTranslation.locale == locale, ContentTranslation.key.in_(list(posted))
            )
        )
        db.session.add_all(
            ContentTranslation(**{column: owner_id}, locale=locale, key=key, text=text)
            for key, text in posted.items()
            if text
        )
        db.session.flush()

    # Two saves of the same screen at once: the later insert meets the earlier one's rows (unique per
    # language and key); only that attempt is undone, and the second sees and replaces them (last one wins).
    try:
        with db.session.begin_nested():
            replace()
    except IntegrityError:
        with db.session.begin_nested():
            replace()
    g.pop("content_texts", None)
    return progress(screen_thing, [locale])[locale][0]


def other_locales() -> list[str]:
    """The languages besides English that residents can choose."""
    codes = current_app.config["ENGAGE_LOCALES"] if has_app_context() else SUPPORTED_LOCALES
    return [code for code in codes if code != "en"]


def progress(screen_thing: Any, locales: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """Per language (every language residents can choose, by default): (texts shown in it, texts in all).
    A text borrowing its priority's translation counts as shown."""
    held = texts(screen_thing)
    return {
        locale: (sum(local(text.thing, text.field, locale).translated for text in held), len(held))
        for locale in (other_locales() if locales is None else locales)
    }


def complete(screen_thing: Any) -> bool:
    """Every text of the screen is translated into every language residents can choose."""
    return all(done == total for done, total in progress(screen_thing).values())


def init_app(app: Any) -> None:
    """Learn every translatable kind, and give templates ``local``."""
    import_module("engage.content.kinds")
    app.add_template_global(local)
    app.add_template_global(complete, "translations_complete")


def locale_columns(name: str) -> list[str]:
    """Export columns for a text's translations, after its English: ``title_cy``, ``title_ur``..."""
    return [f"{name}_{locale}" for locale in other_locales()]


def locale_values(thing: Any, field: str) -> list[str | None]:
    """The text in each of ``locale_columns``' languages (None where it has no translation)."""
    shown = [local(thing, field, locale) for locale in other_locales()]
    return [text.text if text.translated and text.text else None for text in shown]
