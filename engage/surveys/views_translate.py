"""Officers translate a consultation's own texts (title, pages, questions, options, "we did") into each
language residents can choose, on the translation screen every translatable object shares."""

from __future__ import annotations

from flask import url_for
from flask_login import login_required

from engage.content.screen import translation_screen
from engage.forms import form_page
from engage.surveys import bp
from engage.surveys.access import consultation_for


@bp.route("/manage/consultations/<int:consultation_id>/translations/<locale>", methods=["GET", "POST"])
@form_page
@login_required
def translate(consultation_id: int, locale: str):
    consultation = consultation_for(consultation_id, manage=True)
    return translation_screen(
        consultation,
        locale,
        title=consultation.title,
        back_url=url_for(".manage_consultation", consultation_id=consultation.id),
        url=lambda code: url_for(".translate", consultation_id=consultation.id, locale=code),
    )
