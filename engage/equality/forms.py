"""The equality questions as a form, asked after an exercise and at the end of a consultation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import Optional, ValidationError

from engage.equality.questions import (
    ELSEWHERE,
    PREFER_NOT_TO_SAY,
    dimensions,
    district_category,
    postcode_district,
)
from engage.forms import EngageForm


class ProfileForm(EngageForm):
    """The optional equality questions; fields are added for each dimension."""

    submit = SubmitField(_l("Send answers"))

    @classmethod
    def build(cls, *args, **kwargs) -> ProfileForm:
        """A form class with one radio question per equality dimension, instantiated."""
        fields = {}
        for dimension in dimensions():
            if dimension.typed:
                fields[dimension.key] = StringField(
                    dimension.question,
                    description=dimension.hint,
                    validators=[Optional(), _is_postcode_district],
                )
                continue
            choices = [SelectChoice(value, label) for value, label in dimension.categories]
            choices.append(SelectChoice(PREFER_NOT_TO_SAY, _l("Prefer not to say")))
            fields[dimension.key] = RadioField(dimension.question, choices=choices, validators=[Optional()])
        form_class = type("EqualityForm", (cls,), fields)
        return form_class(*args, **kwargs)

    def answers(self) -> dict[str, str]:
        """{dimension: category} of the questions answered (a postcode kept only as its district's
        category)."""
        given = {}
        for dimension in dimensions():
            value = self[dimension.key].data
            if value and dimension.typed:
                district = postcode_district(value)
                value = district_category(district) if district else ELSEWHERE
            if value:
                given[dimension.key] = value
        return given


def _is_postcode_district(form: EngageForm, field: StringField) -> None:
    if field.data and postcode_district(field.data) is None:
        raise ValidationError(_l("Enter the first part of a postcode, like AL3"))
