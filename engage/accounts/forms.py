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
from engage.accounts.passwords import MAX_LENGTH, MIN_LENGTH
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
        description=_l(
            "At least %(n)s characters, not a common password. Share it with the person securely.",
            n=MIN_LENGTH,
        ),
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
            self.password.description = _l(
                "Leave blank to keep the current password. A new password signs the person out everywhere."
            )

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
        problem = field.data and service.new_password_problem(field.data, self.email.data or "")
        if problem:
            raise ValidationError(problem)

    @property
    def selected_roles(self) -> list[Role]:
        return [Role(value) for value in self.roles.data or []]


class SignInCodeForm(EngageForm):
    code = StringField(
        _l("Code"),
        description=_l(
            "The 6-digit code from your authenticator app, or one of your recovery codes if you do not have "
            "your phone"
        ),
        validators=[
            DataRequired(message=_l("Enter the code from your authenticator app")),
            Length(max=40, message=_l("Enter the code from your authenticator app")),
        ],
    )
    submit = SubmitField(_l("Continue"))


def _new_password_field(label) -> PasswordField:
    return PasswordField(
        label,
        description=_l(
            "At least %(min)s characters (up to %(max)s). Not a common password, your email address or the "
            "name of this service. 3 or 4 random words are easy to remember and hard to guess.",
            min=MIN_LENGTH,
            max=MAX_LENGTH,
        ),
        validators=[InputRequired(message=_l("Enter a new password"))],
    )


class ChangePasswordForm(EngageForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Enter your current password"))],
    )
    new_password = _new_password_field(_l("New password"))
    confirm_password = PasswordField(
        _l("Confirm new password"),
        validators=[InputRequired(message=_l("Enter your new password again"))],
    )
    submit = SubmitField(_l("Change password"))

    def validate_confirm_password(self, field: PasswordField) -> None:
        if self.new_password.data and field.data != self.new_password.data:
            raise ValidationError(_l("The passwords do not match"))


class TwoFactorSetupForm(EngageForm):
    code = StringField(
        _l("Code from your authenticator app"),
        description=_l("The 6-digit code the app shows for this service, for example 123456"),
        validators=[DataRequired(message=_l("Enter the 6-digit code from your authenticator app"))],
    )
    submit = SubmitField(_l("Turn on two-factor authentication"))


class ConfirmPasswordForm(EngageForm):
    """Asks for the password again before a sensitive change (new recovery codes, turning two-factor off)."""

    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(message=_l("Enter your password"))],
    )
    submit = SubmitField(_l("Continue"))
