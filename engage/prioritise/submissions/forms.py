"""Forms for budget and ranking exercises: the officer's settings and item amounts, and residents' answers."""

from __future__ import annotations

from collections.abc import Mapping

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
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from engage.content import local_text
from engage.forms import CharacterCount, EngageForm, enum_choices
from engage.prioritise.budget.amounts import format_number, parse_amount
from engage.prioritise.budget.rules import field_name
from engage.prioritise.budget.setup import ItemBudget, consequences_text, parse_consequences
from engage.prioritise.forms import ExerciseForm
from engage.prioritise.models import BudgetMode, BudgetUnit, Exercise
from engage.prioritise.submissions.submitting import place_field
from engage.urls import row_id

BUDGET_MODES = {
    BudgetMode.SHARE: _l("Share a fixed pot: residents start from nothing and share out the total"),
    BudgetMode.REBALANCE: _l(
        "Rebalance current spending: residents start from today's budgets and move money"
    ),
}
BUDGET_UNITS = {
    BudgetUnit.MONEY: _l("Money (pounds)"),
    BudgetUnit.POINTS: _l("Points"),
    BudgetUnit.DOTS: _l("Dots (for workshops)"),
}


def form_with_fields(base: type[EngageForm], exercise: Exercise, fields: dict, *args, **kwargs):
    """An instance of ``base`` with the given per-item fields added, knowing its exercise."""
    form = type(base.__name__, (base,), fields)(*args, **kwargs)
    form.exercise = exercise
    return form


class AmountField(StringField):
    """A whole amount typed with or without commas or a pound sign; ``data`` is the int, or None if blank.

    An amount that cannot be read keeps what was typed in the box and fails validation.
    """

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = parse_amount(self.raw) if self.raw.strip() else None
        self.unreadable = bool(self.raw.strip()) and self.data is None

    def pre_validate(self, form):
        if getattr(self, "unreadable", False):
            raise ValidationError(_l("Enter a whole number, like 25000"))

    def _value(self):
        if getattr(self, "unreadable", False):
            return self.raw
        return "" if self.data is None else format_number(self.data)


class BudgetExerciseForm(ExerciseForm):
    """A budget exercise's settings (the items' amounts are a second page)."""

    max_votes_per_respondent = show_standings = None
    budget_mode = RadioField(
        _l("How residents allocate"),
        choices=enum_choices(BUDGET_MODES),
        validators=[DataRequired(message=_l("Choose how residents allocate"))],
    )
    unit = RadioField(
        _l("What residents share out"),
        choices=enum_choices(BUDGET_UNITS),
        validators=[DataRequired(message=_l("Choose what residents share out"))],
    )
    budget_total = AmountField(
        _l("Total to share out (fixed pot only)"),
        description=_l("Like 2000000 for £2m, 100 points or 5 dots"),
    )
    total_min = AmountField(
        _l("Lowest total residents may choose (rebalance only, optional)"),
        description=_l("Leave both blank to keep the total fixed at current spending"),
    )
    total_max = AmountField(_l("Highest total residents may choose (optional)"))
    band_d_households = IntegerField(
        _l("Band D equivalent households (optional)"),
        description=_l(
            "The council tax base: with it, residents see what a change in the total means for a band D bill"
        ),
        validators=[Optional(), NumberRange(min=1, max=10_000_000)],
    )
    require_full = BooleanField(_l("Residents must share out the whole pot before they can submit"))
    show_comparison = BooleanField(
        _l("After submitting, show residents their choices beside everyone's so far")
    )

    def validate_budget_total(self, field: AmountField) -> None:
        if self.budget_mode.data == BudgetMode.SHARE.value and not field.data:
            raise ValidationError(_l("Enter the total residents share out"))

    def validate_total_max(self, field: AmountField) -> None:
        low, high = self.total_min.data, field.data
        if (low is None) != (high is None):
            raise ValidationError(_l("Enter both the lowest and the highest total, or neither"))
        if low is not None and high is not None and low > high:
            raise ValidationError(_l("The highest total must be at least the lowest"))

    def settings(self) -> dict:
        rebalance = self.budget_mode.data == BudgetMode.REBALANCE.value
        return {
            "budget_mode": BudgetMode(self.budget_mode.data),
            "unit": BudgetUnit(self.unit.data),
            "budget_total": None if rebalance else self.budget_total.data,
            "total_min": self.total_min.data if rebalance else None,
            "total_max": self.total_max.data if rebalance else None,
            "band_d_households": self.band_d_households.data if rebalance else None,
            "require_full": bool(self.require_full.data),
            "show_comparison": bool(self.show_comparison.data),
        }


class RankingExerciseForm(ExerciseForm):
    max_votes_per_respondent = show_standings = None
    rank_top_n = IntegerField(
        _l("Residents rank only their top (optional)"),
        description=_l("Leave blank for residents to put every priority in order"),
        validators=[Optional(), NumberRange(min=1, max=50, message=_l("Enter a number from 1 to 50"))],
    )
    show_comparison = BooleanField(
        _l("After submitting, show residents their order beside everyone's so far")
    )

    def settings(self) -> dict:
        return {
            "rank_top_n": self.rank_top_n.data or None,
            "show_comparison": bool(self.show_comparison.data),
        }


class ItemBudgetsForm(EngageForm):
    """Amounts and texts for every item of a budget exercise; fields are added per item."""

    submit = SubmitField(_l("Save items"))

    @classmethod
    def build(cls, exercise: Exercise, *args, **kwargs) -> ItemBudgetsForm:
        fields = {}
        for item in exercise.active_items:
            prefix = f"item-{item.id}-"
            if exercise.budget_mode is BudgetMode.REBALANCE:
                fields[prefix + "current"] = AmountField(
                    _l("Current budget"), validators=[DataRequired(message=_l("Enter the current budget"))]
                )
            fields[prefix + "minimum"] = AmountField(_l("Least (optional)"))
            fields[prefix + "maximum"] = AmountField(_l("Most (optional)"))
            fields[prefix + "step"] = AmountField(_l("Step (optional)"))
            fields[prefix + "buys"] = StringField(
                _l("What this buys (optional)"), validators=[Length(max=300)]
            )
            fields[prefix + "consequences"] = TextAreaField(
                _l("What happens at each level (optional)"),
                description=_l("One per line, like: below 80000: Library opening hours cut"),
                filters=(),  # as typed: a problem names its line number
            )
        form = form_with_fields(cls, exercise, fields, *args, **kwargs)
        if not form.is_submitted():
            for item in exercise.active_items:
                prefix = f"item-{item.id}-"
                if exercise.budget_mode is BudgetMode.REBALANCE:
                    form[prefix + "current"].data = item.current_amount
                form[prefix + "minimum"].data, form[prefix + "maximum"].data = item.minimum, item.maximum
                form[prefix + "step"].data = item.step if item.step > 1 else None
                form[prefix + "buys"].data = item.buys
                form[prefix + "consequences"].data = consequences_text(item)
        return form

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.budgets: dict[int, ItemBudget] = {}
        for item in self.exercise.active_items:
            prefix = f"item-{item.id}-"
            try:
                consequences = parse_consequences(self[prefix + "consequences"].data)
            except ValueError as error:
                self.add_error(prefix + "consequences", str(error))
                valid = False
                continue
            current = self._fields.get(prefix + "current")
            self.budgets[item.id] = ItemBudget(
                current_amount=current.data if current else None,
                minimum=self[prefix + "minimum"].data,
                maximum=self[prefix + "maximum"].data,
                step=self[prefix + "step"].data or 1,
                buys=self[prefix + "buys"].data or "",
                consequences=consequences,
            )
        return valid


class AllocationForm(EngageForm):
    """A resident's allocation: one amount box per item (added per exercise)."""

    error_anchors = {"total": "#allocation-summary"}
    total = HiddenField()
    submit = SubmitField(_l("Continue"))

    @classmethod
    def build(cls, exercise: Exercise, *args, **kwargs) -> AllocationForm:
        fields = {field_name(item): AmountField(local_text(item, "title")) for item in exercise.active_items}
        return form_with_fields(cls, exercise, fields, *args, **kwargs)

    def fill(self, amounts: dict[int, int]) -> None:
        for item in self.exercise.active_items:
            self[field_name(item)].data = amounts.get(item.id, 0)

    def amounts(self) -> dict[int, int | None]:
        """{item id: amount}; None where the box holds something that is not a whole number."""
        values = {}
        for item in self.exercise.active_items:
            field = self[field_name(item)]
            values[item.id] = None if getattr(field, "unreadable", False) else (field.data or 0)
        return values


class RankingForm(EngageForm):
    """A resident's ranking: a place for each item (a numbered select), plus move up and down buttons."""

    error_anchors = {"ranking": "#ranking-list"}
    ranking = HiddenField()
    submit = SubmitField(_l("Continue"))

    @classmethod
    def build(cls, exercise: Exercise, *args, **kwargs) -> RankingForm:
        places = exercise.ranked_places
        choices = [SelectChoice(str(p), str(p)) for p in range(1, places + 1)]
        if places < len(exercise.active_items):
            choices.insert(0, SelectChoice("", _l("Not in my top %(n)s", n=places)))
        else:
            choices.insert(0, SelectChoice("", _l("Choose a place")))
        fields = {
            place_field(item.id): SelectField(_l("Place"), choices=choices, validate_choice=False)
            for item in exercise.active_items
        }
        return form_with_fields(cls, exercise, fields, *args, **kwargs)

    def places(self) -> dict[int, int | None]:
        values = {}
        for item in self.exercise.active_items:
            raw = self[place_field(item.id)].data
            values[item.id] = row_id(str(raw)) if raw else None
        return values

    def set_places(self, places: Mapping[int, int | None]) -> None:
        """Set the selects to these places; an item without one shows as not placed."""
        for item in self.exercise.active_items:
            place = places.get(item.id)
            self[place_field(item.id)].data = str(place) if place else ""


class SubmitAnswerForm(EngageForm):
    """The check-answers page's button, carrying the key that makes a double submit store one answer."""

    key = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
    submit = SubmitField(_l("Submit"))


class CommentForm(EngageForm):
    text = TextAreaField(
        _l("Anything else you would like to tell the board? (optional)"),
        validators=[
            DataRequired(message=_l("Enter your comment")),
            Length(max=2000, message=_l("Comment must be 2000 characters or fewer")),
        ],
        widget=CharacterCount(),
    )
    submit = SubmitField(_l("Send comment"))
