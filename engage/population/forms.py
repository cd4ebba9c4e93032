"""Uploading the population file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SubmitField

from engage.forms import EngageForm


class PopulationForm(EngageForm):
    file = FileField(
        _l("Population file (CSV)"),
        description=_l(
            "Columns: dimension, category, population. One row per category, for example: "
            "age_band, 16-24, 48900."
        ),
        validators=[
            FileRequired(message=_l("Choose a CSV file")),
            FileAllowed(["csv", "txt"], message=_l("The file must be a CSV file")),
        ],
    )
    submit = SubmitField(_l("Upload and replace"))
