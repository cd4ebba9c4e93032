"""The translation screen every translatable object shares: one language at a time, each English text
beside its translation, what is missing marked. Each package's views add a route (with its own access
check) that calls ``translation_screen``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from engage import content
from engage.forms import EngageForm
from engage.i18n import LANGUAGE_NAMES

#: The longest translation kept (the longest English texts, method statements, are far shorter).
LONGEST = 5_000


class TranslationsForm(EngageForm):
    """The texts are fields named by their keys, read from the post; this form carries the token and
    checks their length."""

    submit = SubmitField(_l("Save translations"))

    def __init__(self, keys: set[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keys = keys

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        too_long = [key for key in self.keys if len(request.form.get(key, "")) > LONGEST]
        if too_long:
            self.error_anchors = {"submit": f"#{too_long[0]}"}
            self.add_error("submit", _("A translation must be %(n)s characters or fewer", n=f"{LONGEST:,}"))
            return False
        return valid


def translation_screen(
    thing: Any,
    locale: str,
    *,
    title: str,
    back_url: str,
    url: Callable[[str], str],
    only: Callable[[content.Text], bool] | None = None,
) -> Any:
    """Show (GET) or save (POST) the translations into ``locale`` of everything ``thing``'s screen holds
    (``url(locale)`` is the screen's address). The caller has loaded ``thing`` and checked the person may
    change it; ``only`` leaves out texts the person may not change."""
    if locale not in content.other_locales():
        abort(404)
    held = [text for text in content.texts(thing) if only is None or only(text)]
    form = TranslationsForm({text.key for text in held})
    language = LANGUAGE_NAMES[locale]
    if form.validate_on_submit():
        content.save(thing, locale, request.form.to_dict(), only)
        done = sum(content.local(text.thing, text.field, locale).translated for text in held)
        flash(
            _(
                "Saved: %(done)s of %(total)s texts are in %(language)s.",
                done=done,
                total=len(held),
                language=language,
            ),
            "success",
        )
        return redirect(url(locale))
    given = request.form if form.is_submitted() else content.translations(content.owner_of(thing), locale)
    rows = [
        {
            "text": text,
            "given": given.get(text.key, ""),
            "inherited": content.inherited(text.thing, text.field, locale),
        }
        for text in held
    ]
    missing = sum(1 for row in rows if not row["given"] and not row["inherited"])
    return render_template(
        "content/translations_form.html",
        title=title,
        back_url=back_url,
        locale=locale,
        language=language,
        rows=rows,
        missing=missing,
        other_languages=[
            (url(code), code, LANGUAGE_NAMES[code]) for code in content.other_locales() if code != locale
        ],
        form=form,
    ), (400 if form.errors else 200)
