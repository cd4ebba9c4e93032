"""Forms for building, publishing and withdrawing weight sets, and for API tokens."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from engage.channels import Channel
from engage.forms import EngageForm, enum_choices

CHANNEL_LABELS = {
    Channel.ONLINE: _l("Online"),
    Channel.WORKSHOP: _l("At workshops"),
    Channel.PAPER: _l("On paper"),
}


def channel_words(weight_set) -> str:
    """The channels a weight set counts, as the pages say them: "Online, At workshops"."""
    return ", ".join(str(CHANNEL_LABELS[c]) for c in weight_set.channel_list)


class WeightSetForm(EngageForm):
    """The fixed fields; :func:`weight_set_form` adds one blend box per candidate source."""

    channels = SelectMultipleField(
        _l("Answers to count"),
        choices=enum_choices(CHANNEL_LABELS),
        default=[channel.value for channel in CHANNEL_LABELS],
    )
    population_weighting = BooleanField(_l("Weight each source's respondents to the area's population"))
    submit = SubmitField(_l("Save and preview"))

    #: [(field name, candidate)] in the order shown
    source_fields: list[tuple[str, Any]] = []

    def validate_channels(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError(_("Choose at least one kind of answer to count"))

    def blends(self) -> dict[str, float]:
        """{candidate key: blend per cent} for the sources given a share."""
        return {
            candidate.key: float(self[name].data) for name, candidate in self.source_fields if self[name].data
        }

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        if not self.source_fields:
            return valid
        first = self.source_fields[0][0]
        if any(self[name].errors for name, _c in self.source_fields):
            return False
        total = sum(self.blends().values())
        if not self.blends():
            self.add_error(first, _("Give at least one source a share of the blend"))
            return False
        if round(total) != 100:
            self.add_error(
                first,
                _(
                    "The shares of the blend add up to %(total)s%%. They must add up to 100%%.",
                    total=f"{total:g}",
                ),
            )
            return False
        return valid


def weight_set_form(candidates: list, data: dict[str, float] | None = None, **kwargs: Any) -> WeightSetForm:
    """A WeightSetForm with a "share of the blend" box per candidate source, filled from ``data``."""

    class Form(WeightSetForm):
        pass

    fields = []
    for candidate in candidates:
        name = f"blend_{candidate.key.replace('-', '_')}"
        setattr(
            Form,
            name,
            IntegerField(
                candidate.title,
                description=_l("Share of the blend, in per cent. Leave empty to leave it out."),
                validators=[
                    Optional(),
                    NumberRange(min=1, max=100, message=_l("Enter a whole number from 1 to 100")),
                ],
                default=(data or {}).get(candidate.key),
            ),
        )
        fields.append((name, candidate))
    Form.source_fields = fields
    return Form(**kwargs)


class PublishForm(EngageForm):
    """The confirmation before publishing: it carries the fingerprint of the weights the analyst checked."""

    fingerprint = HiddenField()
    confirm = BooleanField(
        _l("I have checked these weights and the warnings above, and they can be published"),
        validators=[
            DataRequired(message=_l("Confirm that you have checked these weights before publishing"))
        ],
    )
    submit = SubmitField(_l("Publish this version"))


class ApproveForm(EngageForm):
    """An accountable member's approval: it carries the fingerprint of the weights they were shown."""

    fingerprint = HiddenField()
    minute_reference = StringField(
        _l("Meeting or minute reference"),
        description=_l("For example: Board meeting 12 March 2027, minute 7"),
        validators=[
            DataRequired(message=_l("Enter the meeting or minute reference of the decision")),
            Length(max=200, message=_l("The reference must be 200 characters or fewer")),
        ],
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        description=_l("Seen by the board's staff, not published."),
        validators=[Length(max=4000)],
    )
    submit = SubmitField(_l("Approve and publish as the board's decision"))


class SendBackForm(EngageForm):
    reason = TextAreaField(
        _l("What needs to change?"),
        description=_l("The analysts see this with the draft."),
        validators=[
            DataRequired(message=_l("Say why you are sending the weights back")),
            Length(max=4000, message=_l("The comment must be 4000 characters or fewer")),
        ],
    )
    send_back = SubmitField(_l("Send back"))  # not "submit": the approval's button on the page has that id


class TakeBackForm(EngageForm):
    submit = SubmitField(_l("Take the submission back"))


class DeleteDraftForm(EngageForm):
    submit = SubmitField(_l("Delete this draft"))


class WithdrawForm(EngageForm):
    reason = TextAreaField(
        _l("Why is this version being withdrawn?"),
        description=_l("This is shown beside the version, to everyone who reads it."),
        validators=[DataRequired(message=_l("Say why this version is being withdrawn")), Length(max=2000)],
    )
    submit = SubmitField(_l("Withdraw this version"))


class ApiTokenForm(EngageForm):
    organisation = SelectField(_l("Organisation"), coerce=int)
    name = StringField(
        _l("What is this token for?"),
        description=_l("For example: Pentana nightly import"),
        validators=[DataRequired(message=_l("Say what the token is for")), Length(max=100)],
    )
    submit = SubmitField(_l("Create token"))


class RevokeTokenForm(EngageForm):
    submit = SubmitField(_l("Revoke"))
