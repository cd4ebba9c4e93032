"""Forms for building exercises, voting, suggesting, moderation and leaving respondents out."""

from __future__ import annotations

import re
from collections.abc import Set

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from engage.boards.models import Priority
from engage.forms import EngageForm, opening_dates
from engage.prioritise.models import ExerciseItem
from engage.urls import row_id

SKIP_REASONS = [
    SelectChoice("equal", _l("They are equally important")),
    SelectChoice("dont_know", _l("I don't know enough to choose")),
    SelectChoice("neither", _l("Neither matters to me")),
]


class ExerciseForm(EngageForm):
    title = StringField(
        _l("Title"),
        description=_l("Residents see this first, like 'Health and wellbeing priorities 2026'"),
        validators=[DataRequired(message=_l("Enter a title")), Length(max=200)],
    )
    question = StringField(
        _l("Question"),
        description=_l("Shown above every pair, like 'Which should the board focus on first?'"),
        validators=[DataRequired(message=_l("Enter the question residents answer")), Length(max=300)],
    )
    introduction = TextAreaField(
        _l("Introduction"),
        description=_l("What the exercise is for and how the answers will be used"),
        validators=[Length(max=4000)],
    )
    priorities = SelectMultipleField(_l("Priorities to compare"), coerce=int)
    opens_on, closes_on = opening_dates()
    allow_suggestions = BooleanField(_l("Residents may suggest priorities of their own"))
    results_public = BooleanField(_l("Publish the results once the exercise closes"))
    workshop_only = BooleanField(
        _l("Workshops only"),
        description=_l("Kept off the home page, the board's page and the results archive"),
    )
    minutes_to_answer = IntegerField(
        _l("Minutes it takes (optional)"),
        description=_l("The home page says 'about N minutes'. Leave it empty for an estimate from the items"),
        validators=[
            Optional(),
            NumberRange(min=1, max=120, message=_l("Enter a number of minutes from 1 to 120")),
        ],
    )
    show_standings = BooleanField(
        _l("Show the current standings after a resident finishes"),
        description=_l("Everyone's scores so far, as on the results page"),
    )
    max_votes_per_respondent = IntegerField(
        _l("Most choices one person can make"),
        default=200,
        validators=[InputRequired(message=_l("Enter a number")), NumberRange(min=10, max=2000)],
    )
    submit = SubmitField(_l("Save exercise"))

    def __init__(self, *args, priorities: list[Priority], locked: Set[int] = frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.priorities.choices = [SelectChoice(p.id, f"{p.title} ({p.code})") for p in priorities]
        self._locked = locked

    def validate_priorities(self, field: SelectMultipleField) -> None:
        chosen = set(field.data or [])
        if len(chosen) < 3:
            raise ValidationError(_l("Choose at least 3 priorities"))
        if not self._locked <= chosen:
            raise ValidationError(
                _l("An open or closed exercise cannot lose items: residents have compared them")
            )


class SuggestionForm(EngageForm):
    text = TextAreaField(
        _l("Suggest a priority"),
        description=_l("Is something missing that matters to you? Describe it in a sentence or two."),
        validators=[
            DataRequired(message=_l("Enter your suggestion")),
            Length(max=500, message=_l("Suggestion must be 500 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Send suggestion"))


class ApproveForm(EngageForm):
    title = StringField(
        _l("Title residents will see"),
        validators=[DataRequired(message=_l("Enter a title")), Length(max=200)],
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    board_code = StringField(
        _l("Also add it to the board's priorities with this code (optional)"),
        validators=[Optional(), Length(max=60)],
    )
    submit = SubmitField(_l("Approve"))


class MergeForm(EngageForm):
    item = SelectField(_l("Already covered by"), coerce=int)
    submit = SubmitField(_l("Merge"))

    def __init__(self, *args, items: list[ExerciseItem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.item.choices = [SelectChoice(item.id, item.title) for item in items]


class RejectForm(EngageForm):
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Say why the suggestion is rejected")), Length(max=500)],
    )
    submit = SubmitField(_l("Reject"))


class ExcludeForm(EngageForm):
    """Leave a group of respondents out of the results (the ids come from the signal shown)."""

    respondent_ids = HiddenField()
    #: Which signal's form this is ("burst-2", "coordinated-1", "rhythm"): the page sent back shows the errors
    #: and what was typed in that one only.
    signal = HiddenField()
    reason = StringField(
        _l("Why are these respondents being left out?"),
        description=_l("Kept with the exclusion and in the audit log, for whoever reviews it later."),
        validators=[
            DataRequired(message=_l("Say why these respondents are being left out")),
            Length(max=500, message=_l("The reason must be 500 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Leave out of the results"))

    def sent_from(self) -> str | None:
        """The signal the post came from, when it names one the page can have (None for a page not sent)."""
        signal = self.signal.data or ""
        return signal if re.fullmatch(r"(burst|coordinated)-\d{1,4}|rhythm", signal) else None

    def ids(self) -> list[int]:
        return [
            number
            for part in (self.respondent_ids.data or "").split(",")
            if (number := row_id(part)) is not None
        ]
