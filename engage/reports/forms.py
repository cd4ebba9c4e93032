"""The report's period: from and to dates on a GOV.UK form, sent by GET (it changes nothing), so a report's
address can be bookmarked or passed on."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import InputRequired, ValidationError

from engage.forms import EngageForm, OnOrAfter

#: The longest period a report covers (ten years): a longer one is almost certainly a typing slip.
LONGEST = timedelta(days=3660)
#: With no dates given: the two years to today (a board's indicators run a quarter or two behind).
DEFAULT_SPAN = timedelta(days=730)


def default_period(today: date) -> tuple[date, date]:
    return today - DEFAULT_SPAN, today


#: The years a report's dates may fall in (the far future would overflow the day after the last day).
YEARS = (1990, 2100)


def _sensible_year(form: EngageForm, field: DateField) -> None:
    if field.data and not YEARS[0] <= field.data.year <= YEARS[1]:
        raise ValidationError(_l("Enter a date between 1990 and 2100"))


def _not_too_long(form: EngageForm, field: DateField) -> None:
    start = form["start"].data
    if field.data and start and field.data - start > LONGEST:
        raise ValidationError(_l("The period must be ten years or shorter"))


class PeriodForm(EngageForm):
    class Meta:
        csrf = False  # a GET form that changes nothing: no token in the address

    start = DateField(
        _l("From"),
        validators=[InputRequired(_l("Enter the first day of the period")), _sensible_year],
        format=["%d %m %Y", "%Y-%m-%d"],
        description=_l("For example, 1 4 2025"),
    )
    end = DateField(
        _l("To"),
        validators=[
            InputRequired(_l("Enter the last day of the period")),
            _sensible_year,
            OnOrAfter("start", _l("The last day must be on or after the first day")),
            _not_too_long,
        ],
        format=["%d %m %Y", "%Y-%m-%d"],
        description=_l("For example, 31 3 2026"),
    )
