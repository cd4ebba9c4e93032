"""Forms for setting up and running a workshop, joining it, and answering or entering paper sheets."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from engage.content import local_text
from engage.forms import EngageForm, optional_date
from engage.surveys.questions import TEXT_LIMITS, closed_choices


class NotesForm(EngageForm):
    notes = TextAreaField(
        _l("Your notes for this round"),
        description=_l("Only you and other staff running the workshop see these, on this page."),
        validators=[Length(max=4000, message=_l("Notes must be 4,000 characters or fewer"))],
    )
    submit = SubmitField(_l("Save the notes"))


class SessionForm(EngageForm):
    name = StringField(
        _l("Name of the workshop"),
        description=_l("Residents see this when they join, for example: Healthy Aldermoor evening"),
        validators=[DataRequired(message=_l("Enter a name for the workshop")), Length(max=200)],
    )
    held_on = optional_date(_l("Date"), _l("For example, 27 3 2027"))
    venue = StringField(_l("Venue (optional)"), validators=[Length(max=200)])
    submit = SubmitField(_l("Create the workshop"))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        if self.held_on.data is None and not self.held_on.errors:
            self.held_on.errors = [str(_l("Enter the date of the workshop"))]
            return False
        return valid


class RoundForm(EngageForm):
    exercise = SelectField(_l("What the next round runs"))
    pairs_per_person = IntegerField(
        _l("Pairs per person (pairwise only, optional)"),
        description=_l("Leave empty to let people answer as many as they like."),
        validators=[
            Optional(),
            NumberRange(min=1, max=100, message=_l("Enter a whole number from 1 to 100")),
        ],
    )
    submit = SubmitField(_l("Add the round"))


class ControlForm(EngageForm):
    """Carries the CSRF token for the facilitator's buttons."""


class JoinForm(EngageForm):
    code = StringField(
        _l("Workshop code"),
        description=_l("The six letters and numbers on the screen, for example KM4TQX"),
        validators=[DataRequired(message=_l("Enter the workshop code"))],
    )
    submit = SubmitField(_l("Continue"))


class NameForm(EngageForm):
    label = StringField(
        _l("Your first name or table number (optional)"),
        description=_l("Only the facilitator sees it."),
        validators=[Length(max=60, message=_l("Keep it to 60 characters or fewer"))],
    )
    submit = SubmitField(_l("Join the workshop"))


class RoomVoteForm(EngageForm):
    left = HiddenField(validators=[DataRequired()])
    right = HiddenField(validators=[DataRequired()])
    #: The signed offer of this pair to this participant (voting.offer_pair), also the idempotency key.
    key = HiddenField(validators=[DataRequired(), Length(min=16, max=400)])
    choice = RadioField(choices=["left", "right", "skip"], validators=[InputRequired()])


def _reason_field() -> TextAreaField:
    return TextAreaField(
        _l("Why are you correcting this sheet?"),
        description=_l("Kept with the sheet, for the record."),
        validators=[DataRequired(message=_l("Say why the sheet is being corrected")), Length(max=1000)],
    )


def answer_form(items: list, ranking: bool, correcting: bool = False, **kwargs: Any) -> EngageForm:
    """One whole-number box per item: an amount (budget, dots) or a place (ranking)."""

    class Form(EngageForm):
        key = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
        submit = SubmitField(_l("Send"))

    for item in items:
        setattr(
            Form,
            f"item_{item.id}",
            IntegerField(
                local_text(item, "title"),
                validators=[Optional(), NumberRange(min=0, message=_l("Enter a whole number, 0 or more"))],
            ),
        )
    Form.item_ids = [item.id for item in items]
    Form.ranking = ranking
    if correcting:
        Form.reason = _reason_field()
    return Form(**kwargs)


def answer_values(form) -> dict[int, int | None]:
    """{item id: amount or place} typed into an ``answer_form``."""
    return {item_id: form[f"item_{item_id}"].data for item_id in form.item_ids}


def problem_field(form, problem) -> str:
    """The form field a rule's problem belongs to (an item's box, or the first box for the total)."""
    if problem.field.startswith("item-"):
        return "item_" + problem.field.removeprefix("item-")
    return f"item_{form.item_ids[0]}"


def paper_pairs_form(pairs: list, correcting: bool = False, **kwargs: Any) -> EngageForm:
    """One question per pair on the paper sheet: which did the person choose?"""

    class Form(EngageForm):
        key = HiddenField(validators=[Optional(), Length(min=16, max=64)])
        submit = SubmitField(_l("Save this sheet"))

    for left, right in pairs:
        setattr(
            Form,
            f"pair_{left.id}_{right.id}",
            RadioField(
                f"{left.title} or {right.title}",
                choices=[
                    SelectChoice("left", left.title),
                    SelectChoice("right", right.title),
                    SelectChoice("", _l("Not answered")),
                ],
                default="",
                validators=[Optional()],
            ),
        )
    Form.pairs = [(left.id, right.id) for left, right in pairs]
    if correcting:
        Form.reason = _reason_field()
    return Form(**kwargs)


def question_form(question, **kwargs: Any) -> EngageForm:
    """One consultation question: radios (single choice, agreement, rating), or a text box (free text,
    which goes to the facilitator before it can show on the projector)."""
    if question.kind in TEXT_LIMITS:
        longest = TEXT_LIMITS[question.kind]

        class TextForm(EngageForm):
            answer = TextAreaField(
                question.label,
                description=_l(
                    "The facilitator reads every answer before it goes on the screen. "
                    "The screen never shows who wrote it."
                ),
                validators=[
                    DataRequired(message=_l("Enter your answer")),
                    Length(max=longest, message=_l("Answer must be %(n)s characters or fewer", n=longest)),
                ],
            )
            submit = SubmitField(_l("Send"))

        return TextForm(**kwargs)

    class Form(EngageForm):
        answer = RadioField(
            question.label,
            choices=[SelectChoice(value, label) for value, label in closed_choices(question)],
            validators=[InputRequired(message=_l("Choose an answer"))],
        )
        submit = SubmitField(_l("Send"))

    return Form(**kwargs)


#: The most people a show of hands counts (one answer, or the room).
MOST_IN_A_ROOM = 1_000


def hands_form(question, correcting: bool = False, **kwargs: Any) -> EngageForm:
    """A show of hands: how many people raised a hand for each answer."""

    class Form(EngageForm):
        in_room = IntegerField(
            _l("How many people are in the room?"),
            description=_l("Everyone who could raise a hand for this question."),
            validators=[
                InputRequired(message=_l("Enter how many people are in the room")),
                NumberRange(min=1, max=MOST_IN_A_ROOM, message=_l("Enter a whole number from 1 to 1,000")),
            ],
        )
        confirm_over = BooleanField(_l("Yes, there were more hands than people: save these counts"))
        key = HiddenField(validators=[Optional(), Length(min=16, max=64)])
        submit = SubmitField(_l("Save this count"))

        def validate(self, extra_validators: Any = None) -> bool:
            """More hands than people in the room (a slip of the finger, or worse: one typed 10,000) is saved
            only when the facilitator confirms it."""
            valid = super().validate(extra_validators=extra_validators)
            hands = sum(self[f"hands_{n}"].data or 0 for n in range(len(self.hand_values)))
            people = self.in_room.data
            if valid and hands > people and not self.confirm_over.data:
                self.confirm_over.errors = [
                    str(
                        _l(
                            "There are %(hands)s hands but %(people)s people in the room. Check the counts, "
                            "or tick the box to confirm them",
                            hands=hands,
                            people=people,
                        )
                    )
                ]
                return False
            return valid

    choices = closed_choices(question)
    for number, (_value, label) in enumerate(choices):
        setattr(
            Form,
            f"hands_{number}",
            IntegerField(
                label,
                validators=[
                    Optional(),
                    NumberRange(
                        min=0, max=MOST_IN_A_ROOM, message=_l("Enter a whole number from 0 to 1,000")
                    ),
                ],
            ),
        )
    Form.hand_values = [value for value, _label in choices]
    if correcting:
        Form.reason = _reason_field()
    return Form(**kwargs)
