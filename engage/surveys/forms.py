"""Forms: the officer's consultation, section and question forms, and the resident's page of questions."""

from __future__ import annotations

import contextlib

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from engage.forms import EngageForm, OnOrAfter, enum_choices, opening_dates, optional_date
from engage.surveys.models import QuestionKind, Section
from engage.surveys.page_classes import page_class, page_key
from engage.surveys.questions import (
    LARGEST_NUMBER,
    OPTION_KINDS,
    check_other,
    check_ranking,
    field_name,
    fields_for,
    is_shown,
    shown_number,
)

KIND_LABELS = {
    QuestionKind.SINGLE: _l("Single choice (radios)"),
    QuestionKind.MULTIPLE: _l("Multiple choice (checkboxes)"),
    QuestionKind.AGREEMENT: _l("Agreement scale (strongly agree to strongly disagree, and don't know)"),
    QuestionKind.RATING: _l("Rating from 0 to 10"),
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.NUMBER: _l("Number"),
    QuestionKind.DATE: _l("Date"),
    QuestionKind.IMPORTANCE: _l("Importance of each of the board's priorities"),
    QuestionKind.RANKING: _l("Ranking: put the options in order"),
}


class ConsultationForm(EngageForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title")), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=2000)])
    audience = TextAreaField(_l("Who it is for"), validators=[Length(max=1000)])
    purpose = TextAreaField(_l("Why we are asking"), validators=[Length(max=4000)])
    opens_on, closes_on = opening_dates()
    retain_until = optional_date(
        _l("Delete personal data after (optional)"),
        description=_l(
            "After this date the equality answers, unsent drafts, written answers and response reference "
            "numbers are deleted (the other answers are kept, unnamed). Without a date, equality answers, "
            "written answers and references are deleted after the partnership's standard periods (two years "
            "unless changed). Email addresses are never stored."
        ),
    )
    privacy_notice = TextAreaField(_l("Privacy notice"), validators=[Length(max=8000)])
    submit = SubmitField(_l("Save consultation"))


class SectionForm(EngageForm):
    title = StringField(
        _l("Section title"),
        validators=[DataRequired(message=_l("Enter a title for the section")), Length(max=200)],
    )
    introduction = TextAreaField(_l("Introduction (optional)"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Save section"))


class QuestionForm(EngageForm):
    kind = RadioField(
        _l("Type of question"),
        choices=enum_choices(KIND_LABELS),
        validators=[DataRequired(message=_l("Choose the type of question"))],
    )
    label = StringField(
        _l("Question"), validators=[DataRequired(message=_l("Enter the question")), Length(max=500)]
    )
    hint = StringField(_l("Hint (optional)"), validators=[Length(max=1000)])
    required = BooleanField(_l("Residents must answer this question"))
    options = TextAreaField(
        _l("Options (single choice, multiple choice and ranking)"), description=_l("One per line")
    )
    allow_other = BooleanField(_l("Offer 'Other, please specify' (single choice)"))
    max_choices = IntegerField(
        _l("Most options one person may tick (multiple choice, optional)"),
        validators=[Optional(), NumberRange(min=1, max=50)],
    )
    min_value = FloatField(_l("Smallest number allowed (optional)"), validators=[Optional()])
    max_value = FloatField(_l("Largest number allowed (optional)"), validators=[Optional()])
    whole_number = BooleanField(_l("Whole numbers only, like a count (number)"))
    earliest_date = optional_date(_l("Earliest date allowed (date, optional)"))
    latest_date = optional_date(
        _l("Latest date allowed (date, optional)"),
        validators=[OnOrAfter("earliest_date", _l("The latest date must be on or after the earliest date"))],
    )
    not_in_future = BooleanField(_l("The date must be today or in the past (date)"))
    show_if = SelectField(
        _l("Ask only some people (optional)"),
        description=_l(
            "Ask this question only of people who chose an answer to a question before it (on an earlier "
            "page, or earlier on this page, where it appears once that answer is chosen). People who did "
            "not are not asked it, and are not counted in its results."
        ),
        choices=[],
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save question"))

    def option_labels(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def validate_options(self, field: TextAreaField) -> None:
        if self.kind.data in {k.value for k in OPTION_KINDS}:
            labels = self.option_labels()
            if len(labels) < 2:
                raise ValidationError(_l("Give at least 2 options, one per line"))
            if len({label.casefold() for label in labels}) != len(labels):
                raise ValidationError(_l("Each option must be different"))
            if any(len(label) > 300 for label in labels):
                raise ValidationError(_l("Each option must be 300 characters or fewer"))

    def validate_min_value(self, field: FloatField) -> None:
        _within_largest(field)

    def validate_max_value(self, field: FloatField) -> None:
        _within_largest(field)
        if field.data is not None and self.min_value.data is not None and field.data < self.min_value.data:
            raise ValidationError(_l("The largest number must be at least the smallest"))


def _within_largest(field: FloatField) -> None:
    """A limit no answer can pass (LARGEST_NUMBER) would make a question nobody can answer (found in
    review: a smallest number of 2e15 refused every answer, and a required question every response)."""
    if field.data is not None and abs(field.data) > LARGEST_NUMBER:
        raise ValidationError(
            _l(
                "Enter a number from %(low)s to %(high)s",
                low=shown_number(-LARGEST_NUMBER),
                high=shown_number(LARGEST_NUMBER),
            )
        )


class PageForm(EngageForm):
    """One section's questions, as a resident answers them; fields are added per question."""

    submit = SubmitField(_l("Continue"))

    @classmethod
    def build(
        cls,
        section: Section,
        priorities: list,
        *args,
        answers: MultiDict | None = None,
        required: bool | None = None,
        **kwargs,
    ) -> PageForm:
        """The page's questions that these ``answers`` so far may lead to (all of them when None);
        ``required`` overrides each question's own flag (paper entry types in whatever the sheet says).

        A question that depends on an answer on this same page is on the form (``asked``) whenever the
        answer it depends on is, and applies (``questions``) only when the form's own data chose it: its
        fields are then checked and its answers kept; otherwise neither.
        """
        asked = [q for q in section.questions if answers is None or _asked(q, section, answers)]

        def make() -> tuple[type, dict[int, list[str]]]:
            fields, names = {}, {}
            for question in asked:
                made = fields_for(question, priorities, required)
                fields.update(made)
                names[question.id] = list(made)
            return type("SectionPage", (cls,), fields), names

        # Made once per worker for what decides the fields (engage.surveys.page_classes).
        form_class, names = page_class(cls, page_key(section, priorities, asked, required), make)
        form = form_class(*args, **kwargs)
        form.section, form.priorities, form.asked = section, priorities, asked
        form.follows_answers, form.field_names = answers is not None, names
        return form

    @property
    def questions(self) -> list:
        """The questions whose answers count: every one asked, less those that depend on an answer on this
        page that was not chosen."""
        return [q for q in self.asked if self.applies(q)]

    def applies(self, question) -> bool:
        option = question.show_if_option
        if not self.follows_answers or option is None or option.question.section_id != self.section.id:
            return True
        trigger = option.question
        if trigger not in self.asked or not self.applies(trigger):
            return False
        chosen = self[field_name(trigger)].data
        return str(option.id) in (chosen if isinstance(chosen, list) else [chosen])

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        applying = self.questions
        for question in applying:
            for check in (check_other, check_ranking):
                with contextlib.suppress(ValidationError):  # the check puts its message on the field
                    check(question, self)
        for question in self.asked:
            if question not in applying:  # not asked after all: what it says is neither checked nor kept
                for name in self.field_names[question.id]:
                    self[name].errors = []
        return not self.errors


def _asked(question, section: Section, answers: MultiDict) -> bool:
    """Whether the answers from other pages lead to ``question``; one that depends on an answer on its own
    page is asked when that answer's question is (the form's data then decides)."""
    option = question.show_if_option
    if option is None:
        return True
    if option.question.section_id == section.id:
        return _asked(option.question, section, answers)
    return is_shown(question, answers)


class SheetForm(EngageForm):
    """The number written on a paper sheet (each is typed in once), and the button."""

    sheet = StringField(
        _l("Sheet number"),
        description=_l("The number written or stamped on the paper form, so the sheet can be found again"),
        validators=[DataRequired(message=_l("Enter the sheet number")), Length(max=40)],
    )
    submit = SubmitField(_l("Save this sheet"))


class FormGroup:
    """Several forms posted as one page (a whole paper sheet): one error summary for all of them."""

    def __init__(self, *forms: EngageForm) -> None:
        self.forms = forms

    @property
    def errors(self) -> dict:
        return {name: errors for form in self.forms for name, errors in form.errors.items()}

    def error_summary(self) -> dict:
        summaries = [form.error_summary() for form in self.forms]
        return {**summaries[0], "errorList": [item for s in summaries for item in s["errorList"]]}


class EmailLinkForm(EngageForm):
    email = StringField(
        _l("Email address"),
        description=_l("We use it only to send this link, and do not keep it."),
        validators=[
            DataRequired(message=_l("Enter your email address")),
            Length(max=254),
            Email(message=_l("Enter an email address in the correct format, like name@example.com")),
        ],
    )
    submit = SubmitField(_l("Send me the link"))


class SubmitResponseForm(EngageForm):
    key = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
    submit = SubmitField(_l("Send your response"))


class WeDidForm(EngageForm):
    we_did = TextAreaField(
        _l("What was decided (we did)"),
        description=_l("Published with the results: what the board decided after hearing from residents"),
        validators=[DataRequired(message=_l("Say what was decided")), Length(max=8000)],
    )
    submit = SubmitField(_l("Publish the results"))


class DeleteResponseForm(EngageForm):
    reference = StringField(
        _l("Your reference number"),
        description=_l("It was on the page after you sent your response, like K7QD-3MWX"),
        validators=[DataRequired(message=_l("Enter your reference number")), Length(max=40)],
    )
    submit = SubmitField(_l("Delete my response"))
