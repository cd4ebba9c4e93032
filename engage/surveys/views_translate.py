"""Officers translate a consultation's own texts (title, pages, questions, options) into each language
residents can choose."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SubmitField

from engage.forms import EngageForm, form_page
from engage.i18n import LANGUAGE_NAMES
from engage.surveys import bp, content
from engage.surveys.access import consultation_for


class TranslationsForm(EngageForm):
    """The texts are fields named by their keys, read from the post; this form carries the token."""

    submit = SubmitField("Save translations")


@bp.route("/manage/consultations/<int:consultation_id>/translations/<locale>", methods=["GET", "POST"])
@form_page
@login_required
def translate(consultation_id: int, locale: str):
    consultation = consultation_for(consultation_id, manage=True)
    if locale not in content.other_locales():
        abort(404)
    form = TranslationsForm()
    if form.validate_on_submit():
        done = content.save(consultation, locale, request.form.to_dict())
        flash(
            _(
                "Saved: %(done)s of %(total)s texts are in %(language)s.",
                done=done,
                total=len(content.texts(consultation)),
                language=LANGUAGE_NAMES[locale],
            ),
            "success",
        )
        return redirect(url_for(".translate", consultation_id=consultation.id, locale=locale))
    given = request.form if form.is_submitted() else content.translations(consultation.id, locale)
    return render_template(
        "surveys/translations_form.html",
        consultation=consultation,
        locale=locale,
        language=LANGUAGE_NAMES[locale],
        texts=content.texts(consultation),
        given=given,
        form=form,
    ), (400 if form.errors else 200)
