"""Officers' own text in the resident's language: each resident-facing text of a consultation (its title,
pages, questions and options) may be translated per language; an untranslated text is shown in English and
marked ``lang="en"`` so screen readers pronounce it as English."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, has_request_context
from flask_babel import get_locale
from markupsafe import Markup, escape
from sqlalchemy import delete, select

from engage.extensions import db
from engage.surveys.models import (
    Consultation,
    ContentTranslation,
    Question,
    QuestionOption,
    Section,
)
from engage.web import content_lang

#: The texts residents see, per kind of thing, in the order an officer translates them.
FIELDS = {
    Consultation: ("title", "summary", "audience", "purpose", "privacy_notice", "we_did"),
    Section: ("title", "introduction"),
    Question: ("label", "hint"),
    QuestionOption: ("label",),
}
PREFIX = {Consultation: "consultation", Section: "section", Question: "question", QuestionOption: "option"}


def key_for(thing, field: str) -> str:
    return f"{PREFIX[type(thing)]}:{thing.id}:{field}"


def _consultation_id(thing) -> int:
    if isinstance(thing, Consultation):
        return thing.id
    if isinstance(thing, Section):
        return thing.consultation_id
    if isinstance(thing, Question):
        return thing.section.consultation_id
    return thing.question.section.consultation_id


def texts(consultation: Consultation) -> list[tuple[str, str, str]]:
    """(key, what it is, English text) for every resident-facing text the consultation has."""
    out = []

    def add(thing, where: str) -> None:
        for field in FIELDS[type(thing)]:
            english = getattr(thing, field) or ""
            if english.strip():
                out.append((key_for(thing, field), f"{where}: {field.replace('_', ' ')}", english))

    add(consultation, "Consultation")
    for n, section in enumerate(consultation.sections, start=1):
        add(section, f"Page {n}")
        for k, question in enumerate(section.questions, start=1):
            add(question, f"Page {n}, question {k}")
            for option in question.options:
                add(option, f"Page {n}, question {k}, option {option.position}")
    return out


def translations(consultation_id: int, locale: str) -> dict[str, str]:
    """{key: text} of one consultation in one language (cached for the request)."""
    cache = g.setdefault("consultation_texts", {}) if has_request_context() else {}
    if (consultation_id, locale) not in cache:
        cache[(consultation_id, locale)] = dict(
            db.session.execute(
                select(ContentTranslation.key, ContentTranslation.text).where(
                    ContentTranslation.consultation_id == consultation_id, ContentTranslation.locale == locale
                )
            ).all()
        )
    return cache[(consultation_id, locale)]


def _locale() -> str:
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


def local(thing, field: str) -> LocalText:
    """``thing.field`` in the resident's language, if the officer translated it."""
    english = getattr(thing, field) or ""
    locale = _locale()
    if locale == "en" or not english:
        return LocalText(english, True)
    text = translations(_consultation_id(thing), locale).get(key_for(thing, field))
    return LocalText(text, True) if text else LocalText(english, False)


def save(consultation: Consultation, locale: str, given: dict[str, str]) -> int:
    """Set the consultation's translations into ``locale`` from ``given`` ({key: text}): a blank text removes
    one; a text not posted is left as it was; keys the consultation does not have are ignored. Returns how
    many of its texts are now translated."""
    known = {key for key, _what, _english in texts(consultation)}
    posted = {key: text.strip() for key, text in given.items() if key in known}
    db.session.execute(
        delete(ContentTranslation).where(
            ContentTranslation.consultation_id == consultation.id,
            ContentTranslation.locale == locale,
            ContentTranslation.key.in_(list(posted)),
        )
    )
    db.session.add_all(
        ContentTranslation(consultation_id=consultation.id, locale=locale, key=key, text=text)
        for key, text in posted.items()
        if text
    )
    g.pop("consultation_texts", None)
    return len(known & set(translations(consultation.id, locale)))


def other_locales() -> list[str]:
    """The languages besides English that residents can choose."""
    return [code for code in current_app.config["ENGAGE_LOCALES"] if code != "en"]


def progress(consultation: Consultation, locales: list[str]) -> dict[str, tuple[int, int]]:
    """Per language: (texts translated, texts in all)."""
    keys = {key for key, _what, _english in texts(consultation)}
    return {locale: (len(keys & set(translations(consultation.id, locale))), len(keys)) for locale in locales}
