"""Uploading an indicator export and matching its columns to Engage's fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectChoice, SelectField, SubmitField

from engage.forms import EngageForm
from engage.indicators.rows import FIELDS


class UploadForm(EngageForm):
    file = FileField(
        _l("Indicator export (CSV or Excel)"),
        description=_l(
            "One row per indicator and period, with the board code, the priority code, the period, the "
            "actual value, the target and which direction is better. Any column order and headers: you match "
            "them next."
        ),
        validators=[
            FileRequired(message=_l("Choose a CSV or Excel file")),
            FileAllowed(["csv", "txt", "xlsx"], message=_l("The file must be CSV or Excel (XLSX)")),
        ],
    )
    submit = SubmitField(_l("Upload and preview"))


class MappingForm(EngageForm):
    """One "which column?" select per field; :func:`mapping_form` adds them."""

    preview = SubmitField(_l("Update the preview"))
    submit = SubmitField(_l("Import the valid rows"))

    def mapping(self) -> dict[str, str]:
        return {name: self[f"column_{name}"].data for name, *_ in FIELDS if self[f"column_{name}"].data}


def mapping_form(headers: list[str], mapping: dict[str, str], **kwargs: Any) -> MappingForm:
    class Form(MappingForm):
        pass

    for name, label, required, _spellings in FIELDS:
        choices = [SelectChoice("", _l("Not in this file") if not required else _l("Choose a column"))]
        choices += [SelectChoice(header, header) for header in headers if header]
        setattr(
            Form,
            f"column_{name}",
            SelectField(label, choices=choices, default=mapping.get(name, "")),
        )
    return Form(**kwargs)
