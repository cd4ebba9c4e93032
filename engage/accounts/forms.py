"""Sign-in, organisation and user forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from engage.accounts import service
from engage.accounts.models import Organisation, OrganisationKind, Role
from engage.accounts.passwords import MIN_LENGTH
from engage.forms import EngageForm, enum_choices

ORGANISATION_KIND_LABELS = {
    OrganisationKind.COUNCIL: _l("Council"),
    OrganisationKind.NHS: _l("NHS body"),
    OrganisationKind.POLICE: _l("Police"),
    OrganisationKind.FIRE: _l("Fire and rescue service"),
    OrganisationKind.VOLUNTARY: _l("Voluntary and community sector"),
    OrganisationKind.EDUCATION: _l("School, college or university"),
    OrganisationKind.OTHER: _l("Other"),
}

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.BOARD_OFFICER: _l("Board officer"),
    Role.FACILITATOR: _l("Facilitator"),
    Role.ANALYST: _l("Performance analyst"),
}


class SignInForm(EngageForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(message=_l("Enter your email address"))])
    password = PasswordField(_l("Password"), validators=[InputRequired(message=_l("Enter your password"))])
    submit = SubmitField(_l("Sign in"))


class OrganisationForm(EngageForm):
    name = StringField(
        _l("Organisation name"),
        validators=[
            DataRequired(message=_l("Enter the organisation's name")),
            Length(max=200, message=_l("Organisation name must be 200 characters or fewer")),
        ],
    )
    kind = RadioField(
        _l("Type of organisation"),
        choices=enum_choices(ORGANISATION_KIND_LABELS),
        validators=[InputRequired(message=_l("Select the type of organisation"))],
    )
    submit = SubmitField(_l("Save organisation"))

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._organisation = organisation

    def validate_name(self, field: StringField) -> None:
        exclude = self._organisation.id if self._organisation else None
        if service.organisation_name_taken(field.data, exclude_id=exclude):
            raise ValidationError(_l("An organisation with this name already exists"))


class UserForm(EngageForm):
    name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(message=_l("Enter the person's name")),
            Length(max=200, message=_l("Name must be 200 characters or fewer")),
        ],
    )
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(message=_l("Enter an email address")),
            Email(message=_l("Enter an email address in the correct format, like name@example.org")),
            Length(max=254),
        ],
    )
    organisation_id = SelectField(
        _l("Organisation"),
        coerce=int,
        validators=[InputRequired(message=_l("Select the person's organisation"))],
    )
    roles = SelectMultipleField(
        _l("Roles"),
        choices=enum_choices(ROLE_LABELS),
        validators=[InputRequired(message=_l("Select at least one role"))],
    )
    password = PasswordField(
        _l("Password"),
        description=_l("At least %(n)s characters. Share it with the person securely.", n=MIN_LENGTH),
    )
    active = BooleanField(_l("Can sign in"), default=True)
    submit = SubmitField(_l("Save user"))

    def __init__(self, *args, organisations: list[Organisation], user=None, editor=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._user = user
        self._editor = editor
        self.organisation_id.choices = [SelectChoice(0, _l("Select an organisation"))] + [
            SelectChoice(org.id, org.name) for org in organisations
        ]
        if user is None:
            self.password.validators = [InputRequired(message=_l("Enter a password for the new user"))]
        else:
            self.password.validators = [Optional()]
            self.password.description = _l("Leave blank to keep the current password.")

    def validate_organisation_id(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(_l("Select the person's organisation"))

    def validate_email(self, field: EmailField) -> None:
        if service.email_taken(field.data, exclude_id=self._user.id if self._user else None):
            raise ValidationError(_l("A user with this email address already exists"))

    def validate_active(self, field: BooleanField) -> None:
        editing_self = (
            self._user is not None and self._editor is not None and self._user.id == self._editor.id
        )
        if editing_self and not field.data:
            raise ValidationError(_l("You cannot stop yourself from signing in"))

    def validate_password(self, field: PasswordField) -> None:
        if field.data and len(field.data) < MIN_LENGTH:
            raise ValidationError(_l("Password must be at least %(n)s characters", n=MIN_LENGTH))

    @property
    def selected_roles(self) -> list[Role]:
        return [Role(value) for value in self.roles.data or []]
