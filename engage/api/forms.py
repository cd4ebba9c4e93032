"""The form that issues an API token: the organisation, what it is for, and how long it works."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField

from engage.api.tokens import DEFAULT_LIFETIME, LIFETIMES
from engage.weights.forms import ApiTokenForm


class IssueTokenForm(ApiTokenForm):
    days = SelectField(
        _l("How long should it work?"),
        description=_l("After this it stops working; issue a new one before then."),
        coerce=int,
        default=DEFAULT_LIFETIME,
        choices=[SelectChoice(days, _l("%(days)s days", days=days)) for days in LIFETIMES],
    )
