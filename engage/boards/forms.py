"""Board and priority forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from engage.accounts.models import Organisation
from engage.boards import service
from engage.boards.models import Board, BoardKind, Priority
from engage.forms import EngageForm, enum_choices

BOARD_KIND_LABELS = {
    BoardKind.PARTNERSHIP: _l("Partnership board"),
    BoardKind.NETWORK: _l("Network or working group"),
}


class BoardForm(EngageForm):
    name = StringField(
        _l("Board name"), validators=[DataRequired(message=_l("Enter the board's name")), Length(max=200)]
    )
    slug = StringField(
        _l("Web address"),
        description=_l(
            "Lower-case letters, numbers and hyphens, like health-and-wellbeing. "
            "Leave blank to make one from the name."
        ),
        validators=[Length(max=80, message=_l("Web address must be 80 characters or fewer"))],
    )
    short_code = StringField(
        _l("Short code"),
        description=_l("The code your performance-management system uses for this board, like HWB"),
        validators=[
            DataRequired(message=_l("Enter the board's short code")),
            Length(max=20, message=_l("Short code must be 20 characters or fewer")),
            Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Short code can only use letters, numbers, - and _")),
        ],
    )
    remit = TextAreaField(
        _l("Remit"), description=_l("What the board is for, in plain English"), validators=[Length(max=4000)]
    )
    kind = RadioField(
        _l("Kind of board"),
        choices=enum_choices(BOARD_KIND_LABELS),
        validators=[InputRequired(message=_l("Select the kind of board"))],
    )
    members = SelectMultipleField(_l("Organisations on the board"), coerce=int)
    submit = SubmitField(_l("Save board"))

    def __init__(
        self, *args, organisations: list[Organisation], board: Board | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self._board = board
        self.members.choices = [SelectChoice(org.id, org.name) for org in organisations]

    @property
    def chosen_slug(self) -> str:
        return self.slug.data or service.slugify(self.name.data or "")

    def validate_slug(self, field: StringField) -> None:
        if field.data and not service.SLUG_PATTERN.match(field.data):
            raise ValidationError(
                _l(
                    "Web address can only use lower-case letters, numbers and hyphens, "
                    "like health-and-wellbeing"
                )
            )
        slug = self.chosen_slug
        if not slug:
            raise ValidationError(_l("Enter a web address using letters or numbers"))
        if service.slug_taken(slug, exclude_id=self._board.id if self._board else None):
            raise ValidationError(_l("Another board already uses this web address"))

    def validate_short_code(self, field: StringField) -> None:
        if service.short_code_taken(field.data, exclude_id=self._board.id if self._board else None):
            raise ValidationError(_l("Another board already uses this short code"))


class PriorityForm(EngageForm):
    code = StringField(
        _l("Code"),
        description=_l(
            "The indicator or outcome code in the performance-management system, like HWB-SMOKING"
        ),
        validators=[
            DataRequired(message=_l("Enter the priority's code")),
            Length(max=60, message=_l("Code must be 60 characters or fewer")),
        ],
    )
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Enter a title")),
            Length(max=200, message=_l("Title must be 200 characters or fewer")),
        ],
    )
    description = TextAreaField(
        _l("Description for residents"),
        description=_l("One or two plain-English sentences residents will see beside the title"),
        validators=[Length(max=2000, message=_l("Description must be 2,000 characters or fewer"))],
    )
    submit = SubmitField(_l("Save priority"))

    def __init__(self, *args, board: Board, priority: Priority | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._board, self._priority = board, priority

    def validate_code(self, field: StringField) -> None:
        exclude = self._priority.id if self._priority else None
        if service.priority_code_taken(self._board, field.data, exclude_id=exclude):
            raise ValidationError(_l("This board already has a priority with this code"))


class AccountableMemberForm(EngageForm):
    """An administrator gives someone from an organisation on the board the accountable member role."""

    user = SelectField(
        _l("Person"),
        coerce=int,
        validate_choice=False,
        description=_l("People from the organisations on this board"),
    )
    title = StringField(
        _l("Their role on the board"),
        description=_l(
            "As the public should read it, for example: Chair of the board, Cabinet member for health"
        ),
        validators=[
            DataRequired(message=_l("Enter their role on the board")),
            Length(max=120, message=_l("The role must be 120 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Add accountable member"))

    def __init__(self, *args, people: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user.choices = [
            SelectChoice(person.id, f"{person.name} ({person.organisation.name})") for person in people
        ]
        self._allowed = {person.id for person in people}

    def validate_user(self, field) -> None:
        if field.data not in self._allowed:
            raise ValidationError(_l("Choose a person from the organisations on this board"))


class RemoveAccountableMemberForm(EngageForm):
    submit = SubmitField(_l("Remove"))
