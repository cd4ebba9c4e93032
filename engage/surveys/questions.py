"""What each kind of question asks and accepts: the form fields a resident sees, and the answer rows a valid
post becomes. One place per kind, so the builder, the resident pages, the results and the exports agree."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from babel.numbers import format_decimal
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from engage.content import local, local_text
from engage.i18n import format_date, formatting_locale, isolate
from engage.surveys.models import Question, QuestionKind, QuestionOption

#: The agreement scale, most to least, then "don't know" (stored as the code).
AGREEMENT = [
    ("strongly_agree", _l("Strongly agree")),
    ("agree", _l("Agree")),
    ("neither", _l("Neither agree nor disagree")),
    ("disagree", _l("Disagree")),
    ("strongly_disagree", _l("Strongly disagree")),
    ("dont_know", _l("Don't know")),
]
#: Importance levels for each priority (stored as the number).
IMPORTANCE = [
    (5, _l("Very important")),
    (4, _l("Important")),
    (3, _l("Quite important")),
    (2, _l("Not very important")),
    (1, _l("Not important")),
]
OTHER = "other"
#: Kinds of question that offer the officer's own options.
OPTION_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING}


@dataclass(frozen=True)
class AnswerValue:
    """One answer row to be: which option or priority, and the text or number."""

    option_id: int | None = None
    priority_id: int | None = None
    text: str | None = None
    number: float | None = None


def field_name(question: Question, suffix: str = "") -> str:
    return f"q{question.id}{'-' + suffix if suffix else ''}"


def _required(question: Question, message, required: bool | None = None):
    """``required`` overrides the question's own flag (paper entry types in what the sheet says)."""
    needed = question.required if required is None else required
    return [InputRequired(message=message)] if needed else [Optional()]


def is_shown(question: Question, answers: MultiDict) -> bool:
    """Whether a resident with these answers so far is asked ``question``: always, unless it is conditional
    on an option of an earlier question, which must itself have been asked and that option chosen."""
    option = question.show_if_option
    if option is None:
        return True
    asked = option.question
    return is_shown(asked, answers) and str(option.id) in answers.getlist(field_name(asked))


def condition_choices(question: Question | None, section) -> list[tuple[str, str]]:
    """(option id, "Question: option") for each option a question in ``section`` could depend on: the
    single and multiple choice questions before it, on earlier pages or earlier on its own page (a new
    question goes at the end of its page)."""
    earlier = [q for s in section.consultation.sections if s.position < section.position for q in s.questions]
    earlier += [
        q
        for q in section.questions
        if question is None or (q is not question and q.position < question.position)
    ]
    return [
        (str(option.id), f"{q.label}: {option.label}")
        for q in earlier
        if q.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}
        for option in q.options
    ]


#: The largest number, either side of zero, any answer may be, whatever bounds the officer set (or none).
#: Counts add every answer to a running total in a double: with answers near the largest double two of
#: them overflowed it, so PostgreSQL refused the second resident's whole response and SQLite kept an
#: infinite total (found in review). A quadrillion leaves room for any count or sum of money a
#: consultation asks for, and no number of responses can take a total past the largest double.
LARGEST_NUMBER = 10**15


def shown_number(value: float) -> str:
    """A number in a message as the page's language writes it ('1,000,000'; '1 000 000' in Polish), whole
    and in order in a right-to-left sentence (Urdu put a minus sign after the digits: '5-'). It was written
    with Python's ``:g``, so a largest number of a million read "1e+06" (found in review)."""
    locale = formatting_locale()
    return isolate(format_decimal(value, format="#,##0.######", locale=locale), locale)


class NumberField(StringField):
    """A number as typed ('1,200', '3.5'); the range check is the question's, within ±LARGEST_NUMBER.
    Messages follow the GOV.UK patterns and name the question, so the error summary says which answer is
    wrong."""

    def __init__(self, *args, question: str = "", minimum=None, maximum=None, whole=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.question, self.minimum, self.maximum, self.whole = question, minimum, maximum, whole

    def post_validate(self, form, validation_stopped):
        if validation_stopped or not (self.data or "").strip():
            return
        named = {"question": self.question}
        try:
            value = float(self.data.replace(",", "").strip())
        except ValueError:
            self.errors.append(str(_l("‘%(question)s’ must be a number", **named)))
            return
        if not math.isfinite(value):
            self.errors.append(str(_l("‘%(question)s’ must be a number", **named)))
        elif self.whole and not value.is_integer():
            self.errors.append(str(_l("‘%(question)s’ must be a whole number, like 3", **named)))
        elif self.minimum is not None and value < self.minimum:
            self.errors.append(
                str(_l("‘%(question)s’ must be %(n)s or more", n=shown_number(self.minimum), **named))
            )
        elif self.maximum is not None and value > self.maximum:
            self.errors.append(
                str(_l("‘%(question)s’ must be %(n)s or less", n=shown_number(self.maximum), **named))
            )
        elif value > LARGEST_NUMBER:
            self.errors.append(
                str(_l("‘%(question)s’ must be %(n)s or less", n=shown_number(LARGEST_NUMBER), **named))
            )
        elif value < -LARGEST_NUMBER:
            self.errors.append(
                str(_l("‘%(question)s’ must be %(n)s or more", n=shown_number(-LARGEST_NUMBER), **named))
            )


class QuestionDateField(DateField):
    """A GOV.UK date (three boxes) with messages that name the question, and the officer's date range."""

    def __init__(self, *args, question: str = "", earliest=None, latest=None, not_in_future=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.question, self.earliest, self.latest, self.not_in_future = (
            question,
            earliest,
            latest,
            not_in_future,
        )

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:  # wtforms would say "Not a valid date value."
            raise ValueError(str(_l("‘%(question)s’ must be a real date", question=self.question))) from None

    def post_validate(self, form, validation_stopped):
        if validation_stopped or self.errors or self.data is None:
            return
        named = {"question": self.question}
        today = to_user_timezone(datetime.now(UTC)).date()
        if self.not_in_future and self.data > today:
            self.errors.append(str(_l("‘%(question)s’ must be today or in the past", **named)))
        elif self.earliest and self.data < self.earliest:
            when = format_date(self.earliest, "long")
            self.errors.append(
                str(_l("‘%(question)s’ must be the same as or after %(date)s", date=when, **named))
            )
        elif self.latest and self.data > self.latest:
            when = format_date(self.latest, "long")
            self.errors.append(
                str(_l("‘%(question)s’ must be the same as or before %(date)s", date=when, **named))
            )


class LimitedCheckboxes(SelectMultipleField):
    """Checkboxes with an optional most-you-can-tick."""

    def __init__(self, *args, most: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.most = most

    def post_validate(self, form, validation_stopped):
        if not validation_stopped and self.most and len(self.data or []) > self.most:
            self.errors.append(str(_l("Choose up to %(n)s options", n=self.most)))


class PlaceSelect(SelectField):
    """One option's place in a ranking question ("" until chosen)."""

    def pre_validate(self, form):
        if self.data and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(str(_l("Choose a place from the list")))


def fields_for(question: Question, priorities: list, required: bool | None = None) -> dict[str, Field]:
    """The form fields that ask ``question`` (an importance grid asks one per priority, a ranking one place
    per option). ``required`` overrides the question's own flag."""
    label, hint = str(local(question, "label")), str(local(question, "hint"))
    name = field_name(question)
    kind = question.kind
    choose = _l("Select an answer to ‘%(question)s’", question=label)
    if kind is QuestionKind.RANKING:
        places = [SelectChoice("", _l("Choose a place"))] + [
            SelectChoice(str(n), str(n)) for n in range(1, len(question.options) + 1)
        ]
        return {
            field_name(question, f"o{option.id}"): PlaceSelect(
                str(local(option, "label")), choices=places, validators=[Optional()]
            )
            for option in question.options
        }
    if kind is QuestionKind.SINGLE:
        # The label itself (a LocalText), so a label still in English on another language's page says so.
        choices: list[tuple[str, object]] = [(str(o.id), local(o, "label")) for o in question.options]
        if question.allow_other:
            choices.append((OTHER, _l("Other")))
        fields = {name: _radios(label, hint, choices, question, choose, required)}
        if question.allow_other:
            fields[field_name(question, "other")] = StringField(
                _l("If other, please specify"),
                validators=[Length(max=500, message=_l("Your answer must be 500 characters or fewer"))],
            )
        return fields
    if kind is QuestionKind.MULTIPLE:
        choices = [SelectChoice(str(o.id), local(o, "label")) for o in question.options]
        message = _l("Select at least one option for ‘%(question)s’", question=label)
        return {
            name: LimitedCheckboxes(
                label,
                description=hint,
                choices=choices,
                most=question.max_choices,
                validators=_required(question, message, required),
            )
        }
    if kind is QuestionKind.AGREEMENT:
        agreement = [(code, text) for code, text in AGREEMENT]
        return {name: _radios(label, hint, agreement, question, choose, required)}
    if kind is QuestionKind.RATING:
        scale: list[tuple[str, object]] = [(str(n), str(n)) for n in range(11)]
        hint = hint or _l("0 is the lowest, 10 the highest")
        return {name: _radios(label, hint, scale, question, choose, required)}
    if kind in {QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT}:
        short = kind is QuestionKind.SHORT_TEXT
        longest = TEXT_LIMITS[kind]
        field_class = StringField if short else TextAreaField
        too_long = _l("Answer must be %(n)s characters or fewer", n=longest)
        validators = [
            *_required(question, _l("Enter an answer to ‘%(question)s’", question=label), required),
            Length(max=longest, message=too_long),
        ]
        return {name: field_class(label, description=hint, validators=validators)}
    if kind is QuestionKind.NUMBER:
        return {
            name: NumberField(
                label,
                description=hint,
                question=label,
                minimum=question.min_value,
                maximum=question.max_value,
                whole=question.whole_number,
                validators=_required(
                    question, _l("Enter a number for ‘%(question)s’", question=label), required
                ),
            )
        }
    if kind is QuestionKind.DATE:
        return {
            name: QuestionDateField(
                label,
                description=hint or _l("For example, 27 3 2026"),
                format=["%d %m %Y", "%Y-%m-%d"],
                question=label,
                earliest=question.earliest_date,
                latest=question.latest_date,
                not_in_future=question.not_in_future,
                validators=_required(
                    question, _l("Enter a date for ‘%(question)s’", question=label), required
                ),
            )
        }
    # Importance grid: one radio question per priority of the board.
    levels = [(str(level), text) for level, text in IMPORTANCE]
    return {
        field_name(question, f"p{priority.id}"): _radios(
            local_text(priority, "title"),
            "",
            levels,
            question,
            _l("Select how important ‘%(priority)s’ is", priority=local_text(priority, "title")),
            required,
        )
        for priority in priorities
    }


def _radios(
    label, hint, choices: list[tuple[str, object]], question: Question, message, required: bool | None = None
) -> RadioField:
    return RadioField(
        label,
        description=hint,
        choices=[SelectChoice(value, text) for value, text in choices],
        validators=_required(question, message, required),
    )


def answers_from(question: Question, form, priorities: list) -> list[AnswerValue]:
    """The answer rows a validated form holds for ``question`` (empty when it was skipped)."""
    name = field_name(question)
    kind = question.kind
    if kind is QuestionKind.IMPORTANCE:
        return [
            AnswerValue(priority_id=p.id, number=float(form[field_name(question, f"p{p.id}")].data))
            for p in priorities
            if form[field_name(question, f"p{p.id}")].data
        ]
    if kind is QuestionKind.RANKING:
        return [
            AnswerValue(option_id=option.id, number=float(place))
            for option, place in ranked_places(question, form)
        ]
    value = form[name].data
    if value in (None, "", []):
        return []
    if kind is QuestionKind.SINGLE:
        if value == OTHER:
            return [AnswerValue(text=form[field_name(question, "other")].data or "")]
        return [AnswerValue(option_id=int(value))]
    if kind is QuestionKind.MULTIPLE:
        return [AnswerValue(option_id=int(v)) for v in value]
    if kind is QuestionKind.AGREEMENT:
        return [AnswerValue(text=value)]
    if kind is QuestionKind.RATING:
        return [AnswerValue(number=float(value))]
    if kind is QuestionKind.NUMBER:
        return [AnswerValue(number=float(value.replace(",", "")))]
    if kind is QuestionKind.DATE:
        return [AnswerValue(text=value.isoformat())]
    return [AnswerValue(text=value)]


def ranked_places(question: Question, form) -> list[tuple[QuestionOption, int]]:
    """(option, place) for each option given a place, first place first."""
    placed = [
        (option, int(form[field_name(question, f"o{option.id}")].data))
        for option in question.options
        if form[field_name(question, f"o{option.id}")].data
    ]
    return sorted(placed, key=lambda pair: pair[1])


def check_ranking(question: Question, form) -> None:
    """A ranking is every option in a different place, or (when the question is optional) left blank."""
    if question.kind is not QuestionKind.RANKING:
        return
    fields = [form[field_name(question, f"o{option.id}")] for option in question.options]
    if any(field.errors for field in fields):
        raise ValidationError
    chosen = [field for field in fields if field.data]
    if not chosen and not question.required:
        return
    if not chosen:
        fields[0].errors = [str(_l("Put the options in order: give each one a place"))]
        raise ValidationError
    used = Counter(field.data for field in chosen)
    problem = False
    for field in fields:
        if not field.data:
            field.errors = [str(_l("Choose a place for %(option)s", option=field.label.text))]
            problem = True
        elif used[field.data] > 1:
            field.errors = [
                str(_l("%(option)s has the same place as another option", option=field.label.text))
            ]
            problem = True
    if problem:
        raise ValidationError


def check_other(question: Question, form) -> None:
    """'Other' chosen needs its text."""
    if (
        question.kind is QuestionKind.SINGLE
        and question.allow_other
        and form[field_name(question)].data == OTHER
    ):
        other = form[field_name(question, "other")]
        if not (other.data or "").strip():
            named = str(local(question, "label"))
            other.errors = [
                *other.errors,
                str(_l("Say what your other answer to ‘%(question)s’ is", question=named)),
            ]
            raise ValidationError


def display(question: Question, form, priorities: list) -> list[str]:
    """The answer as words, for 'check your answers' (empty when skipped)."""
    options = {str(o.id): str(local(o, "label")) for o in question.options}
    levels = {str(level): str(text) for level, text in IMPORTANCE}
    if question.kind is QuestionKind.IMPORTANCE:
        lines = []
        for p in priorities:
            value = form[field_name(question, f"p{p.id}")].data
            if value:
                lines.append(f"{local_text(p, 'title')}: {levels.get(str(value), value)}")
        return lines
    if question.kind is QuestionKind.RANKING:
        return [f"{place}. {local(option, 'label')}" for option, place in ranked_places(question, form)]
    value = form[field_name(question)].data
    if value in (None, "", []):
        return []
    if question.kind is QuestionKind.SINGLE:
        if value == OTHER:
            return [f"{_l('Other')}: {form[field_name(question, 'other')].data}"]
        return [options.get(value, value)]
    if question.kind is QuestionKind.MULTIPLE:
        return [options.get(v, v) for v in value]
    if question.kind is QuestionKind.AGREEMENT:
        return [str(dict(AGREEMENT).get(value, value))]
    if question.kind is QuestionKind.DATE:
        return [value.strftime("%d/%m/%Y")]
    return [str(value)]


#: Questions a workshop can ask the room: one answer from a short list.
CLOSED_KINDS = (QuestionKind.SINGLE, QuestionKind.AGREEMENT, QuestionKind.RATING)


def closed_choices(question: Question) -> list[tuple[str, object]]:
    """(value, label) for each answer to a closed question, in the order residents see them."""
    if question.kind is QuestionKind.SINGLE:
        return [(str(option.id), option.label) for option in question.options]
    if question.kind is QuestionKind.AGREEMENT:
        return list(AGREEMENT)
    if question.kind is QuestionKind.RATING:
        return [(str(n), str(n)) for n in range(11)]
    raise ValueError(f"{question.kind.value} questions have no fixed list of answers")


#: The longest answer to a short and to a long free-text question.
TEXT_LIMITS = {QuestionKind.SHORT_TEXT: 500, QuestionKind.LONG_TEXT: 5000}


def single_answer(question: Question, value: str) -> AnswerValue:
    """The answer row for one answer given on its own (in a workshop, or counted from a show of hands): one
    of a closed question's :func:`closed_choices`, or the text of a free-text question (ValueError for
    anything else: an unknown choice, empty or too long text)."""
    if question.kind in TEXT_LIMITS:
        text = (value or "").strip()
        if not text or len(text) > TEXT_LIMITS[question.kind]:
            raise ValueError("a free-text answer must be 1 to the question's limit of characters")
        return AnswerValue(text=text)
    return closed_answer(question, value)


def closed_answer(question: Question, value: str) -> AnswerValue:
    """The answer row for one of :func:`closed_choices`' values (ValueError for anything else)."""
    if value not in {v for v, _label in closed_choices(question)}:
        raise ValueError(f"{value!r} is not an answer to this question")
    if question.kind is QuestionKind.SINGLE:
        return AnswerValue(option_id=int(value))
    if question.kind is QuestionKind.AGREEMENT:
        return AnswerValue(text=value)
    return AnswerValue(number=float(value))
