"""Uploading an indicator export and matching its columns to Engage's fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField

from engage.forms import EngageForm
from engage.indicators.rows import FIELDS, FIGURE_FIELDS, Figures, check_figures


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


POLARITY_LABELS = {"higher": _l("Higher is better"), "lower": _l("Lower is better")}
STATUS_LABELS = {"": _l("No rating"), "red": _l("Red"), "amber": _l("Amber"), "green": _l("Green")}


class ValueForm(EngageForm):
    """One period's figures for an indicator, checked as the importer checks a row (``check_figures``)."""

    period = StringField(
        _l("Period"),
        description=_l("As your performance-management system writes it, for example 2025/26 Q2"),
    )
    actual = StringField(_l("Actual value"), description=_l("A number, for example 21.4 or 1,234"))
    target = StringField(_l("Target (optional)"))
    polarity = RadioField(
        _l("Which direction is better?"),
        choices=[SelectChoice(k, v) for k, v in POLARITY_LABELS.items()],
        validate_choice=False,
    )
    status = RadioField(
        _l("Status (red, amber, green)"),
        choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()],
        default="",
        validate_choice=False,
    )
    commentary = TextAreaField(
        _l("Commentary (optional)"),
        description=_l("What explains the figure, and what is being done about it"),
    )
    submit = SubmitField(_l("Save the value"))

    #: The checked figures, once the form is valid.
    figures: Figures | None = None
    #: The period of the value being corrected (the correction form has no period field).
    fixed_period: str = ""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        values = {
            name: (self[name].data or "") if name in self else self.fixed_period for name in FIGURE_FIELDS
        }
        figures = check_figures(values)
        for name, message in figures.problems:
            self.add_error(name if name in self else "actual", message)
        self.figures = figures if valid and not figures.problems else None
        return self.figures is not None


class CorrectionForm(ValueForm):
    period = None  # the period is the value's: a correction keeps it
    submit = SubmitField(_l("Save the correction"))


class OwnerForm(EngageForm):
    owner = SelectField(_l("Organisation that enters its values"), coerce=int)
    submit = SubmitField(_l("Save the owner"))
