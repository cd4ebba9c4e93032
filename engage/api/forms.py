"""The form that issues an API token: the organisation, what it is for, what it may do and how long it
works."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField

from engage.api.models import TokenScope
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
    scope = RadioField(
        _l("What may it do?"),
        choices=[
            SelectChoice(TokenScope.READ.value, _l("Read only: boards, priorities and published weights")),
            SelectChoice(
                TokenScope.WRITE.value,
                _l("Read, and send the values of the indicators the organisation owns"),
            ),
        ],
        default=TokenScope.READ.value,
    )
