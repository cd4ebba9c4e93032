"""The base form every Engage form extends, and small shared helpers for forms."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from babel import Locale, support
from flask import current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    FileField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.i18n import messages_path
from wtforms.validators import Length, Optional

from engage import kept_html
from engage.web import english_attributes

CSRF_EXPIRED = _l(
    "This form was open too long or was sent from another page. Check your answers and submit it again."
)


def drop_nul(value: Any) -> Any:  # any field's data
    """Remove NUL characters: PostgreSQL text cannot hold them (found by the fuzz tests: a 500)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [drop_nul(item) for item in value]
    return value


@functools.cache
def wtforms_messages(locale: str) -> support.NullTranslations:
    """WTForms' catalogue of its own messages ("Not a valid choice") in one language."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def form_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that shows a form: a post to it with a missing or stale CSRF token comes back as the form,
    with what was typed and a message saying why (``engage.errors.form_with_csrf_message``).

    Only for views that change nothing before their form is valid. The token is still checked, for this view
    as for every other, by ``CSRFProtect`` before the view runs.
    """
    view.engage_form_page = True  # type: ignore[attr-defined]
    return view


def csrf_refused() -> bool:
    """Whether this post's form token was refused: CSRFProtect marks every post whose token it accepted
    (``engage.errors`` then runs a ``form_page`` view again to say so on the page)."""
    return current_app.config["WTF_CSRF_ENABLED"] and not g.get("csrf_valid", False)


def posted_key(shortest: int = 16, longest: int = 64) -> str | None:
    """The key a "send" button posts (``key``: what makes a double submit store one answer), read without
    building the form, as the form's hidden field takes it (NUL dropped, nothing stripped), when the post's
    token was accepted (CSRFProtect marks the request) and the key passes the field's checks (not blank, as
    long as it allows). None otherwise: the view builds its form, whose checks say what is wrong. Building a
    FlaskForm for a hidden field and a button cost about a twelfth of a budget send's processor time."""
    if request.method != "POST" or csrf_refused():
        return None
    key = drop_nul(request.form.get("key", ""))
    return key if key.strip() and shortest <= len(key) <= longest else None


class EngageForm(FlaskForm):
    """A FlaskForm whose CSRF failure is a plain-English message on the form, not an error page.

    The token is checked once, for every post, by ``CSRFProtect`` (the form then skips its own check). When
    that check fails on a ``@form_page`` view, ``engage.errors.form_with_csrf_message`` runs the view again
    and the form, checking the token itself, fails with the message: what the person typed stays in the
    fields, so an expired session costs one more click, not their work.

    Every field drops NUL characters from what was sent; a text field also loses the white space around it
    (unless it names its own ``filters``, e.g. ``filters=()`` to keep text exactly as typed), and a field
    that names no ``widget`` gets the GOV.UK one for its type (``GOV_WIDGETS``).
    """

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict) -> Any:
            field = super().bind_field(form, unbound_field, options)
            declared = unbound_field.kwargs
            if "widget" not in declared:
                widget = default_widget(type(field))
                if widget is not None:
                    field.widget = widget
            filters = field.filters
            if "filters" not in declared and strips(field):
                filters = (strip_filter,)
            field.filters = (drop_nul, *filters)
            return field

        def get_translations(self, form: Any) -> Any:
            """WTForms' own messages in the page's language, read once per language by each process (Flask-WTF
            reads the catalogue from disk again in every request that binds a field without a label)."""
            if not has_request_context() or not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return wtforms_messages(str(get_locale() or "en"))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        if "csrf_token" in self.errors:
            self.csrf_token.errors = [str(CSRF_EXPIRED)]
            g.engage_csrf_form_refused = True
        return valid

    #: Where the error summary links for a field that is not itself on the page: {field name: "#anchor"}
    error_anchors: dict[str, str] = {}

    def error_summary(self) -> dict[str, Any]:
        """Parameters for ``govukErrorSummary``: every error, linked to its field."""
        items = []
        anchors = {"csrf_token": "#main-content", **self.error_anchors}
        for name, field in self._fields.items():
            for message in field.errors:
                href = anchors.get(name, f"#{field.id}")
                items.append({"text": str(message), "href": href})
        return {"titleText": str(_l("There is a problem")), "errorList": items}

    def add_error(self, field_name: str, message: str) -> None:
        """Put an error found after validation (e.g. by a service) on a field."""
        field = self._fields[field_name]
        field.errors = [*field.errors, message]


def strip_filter(value: Any) -> Any:
    """Trim surrounding white space from text input."""
    return value.strip() if isinstance(value, str) else value


def enum_choices(labels: dict[Any, Any]) -> list[SelectChoice]:
    """Choices for a radio or checkbox field from ``{EnumMember: label}``, in that order."""
    return [SelectChoice(member.value, label) for member, label in labels.items()]


class DateInput(GovDateInput):
    """GOV.UK's three-box date input with translatable labels, tolerating a post that left the field out."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        raw = field.raw_data
        if raw is not None and len(raw) != 3:
            field.raw_data = None  # absent from the post: show empty boxes rather than fail
        params = super().map_gov_params(field, **kwargs)
        field.raw_data = raw
        for item, label in zip(params["items"], (_l("Day"), _l("Month"), _l("Year")), strict=True):
            item["label"] = str(label)
        return params


def _with_legend(params: dict[str, Any], field: Any) -> dict[str, Any]:
    """Give the fieldset the field's label as its legend when the template's params set only its style.

    govuk-frontend-wtf adds the legend only when the template passes no ``fieldset`` at all, so a template
    that sets the legend's size would otherwise render radios and checkboxes with no question above them.
    """
    legend = params.setdefault("fieldset", {}).setdefault("legend", {})
    if not legend.get("text") and not legend.get("html"):
        legend["text"] = field.label.text
    return params


def _mark_english_labels(params: dict[str, Any]) -> dict[str, Any]:
    """Each choice whose label is officers' English on another language's page (a ``LocalText`` not
    translated) says so on its label, for screen readers' voice and, in Urdu, the text's direction."""
    for item in params.get("items") or []:
        if getattr(item.get("text"), "translated", True) is False:
            item.setdefault("label", {}).setdefault("attributes", {}).update(english_attributes())
    return params


class RadioInput(GovRadioInput):
    """GOV.UK radios whose legend is always the question."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        return _mark_english_labels(_with_legend(super().map_gov_params(field, **kwargs), field))


class CheckboxesInput(GovCheckboxesInput):
    """GOV.UK checkboxes whose legend is always the question."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        return _mark_english_labels(_with_legend(super().map_gov_params(field, **kwargs), field))


class CharacterCount(GovCharacterCount):
    """GOV.UK's character count with its messages in the page's language, the limit read from the field's
    ``Length`` validator. The component's JavaScript picks the live count's message by the number's plural
    category (``Intl.PluralRules``), so each category the language has gets its own form."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        limit = params.get("maxlength") or next(
            (v.max for v in field.validators if isinstance(v, Length) and v.max and v.max > 0), None
        )
        if limit:
            params.setdefault("maxlength", limit)
            params.setdefault(
                "textareaDescriptionText",
                ngettext(
                    "You can enter up to %(num)s character", "You can enter up to %(num)s characters", limit
                ),
            )
        t = get_translations()
        under = plural_messages(
            lambda n: t.ngettext(
                "You have %(num)s character remaining", "You have %(num)s characters remaining", n
            )
        )
        over = plural_messages(
            lambda n: t.ngettext(
                "You have %(num)s character too many", "You have %(num)s characters too many", n
            )
        )
        params.setdefault("charactersUnderLimitText", under)
        params.setdefault("charactersAtLimitText", gettext("You have 0 characters remaining"))
        params.setdefault("charactersOverLimitText", over)
        return params


def plural_messages(translate: Callable[[int], str]) -> dict[str, str]:
    """``{plural category: text with %{count}}`` in the page's language, for GOV.UK Frontend's JavaScript
    (which fills in ``%{count}``): each category's text is ``translate``'s for a whole number in it, its
    ``%(num)s`` left for the script."""
    rule = Locale.parse(str(get_locale() or "en")).plural_form
    samples: dict[str, int] = {}
    for number in range(200):
        samples.setdefault(rule(number), number)
    samples.setdefault("other", 100)  # Polish: only fractions are "other"; its nearest whole form is "many"
    return {
        category: translate(number).replace("%(num)s", "%{count}") for category, number in samples.items()
    }


#: The GOV.UK widget for each type of field that names none. The nearest type in a field class's ancestry
#: wins (``LimitedCheckboxes`` is a ``SelectMultipleField``); a field class that sets a widget of its own and
#: is not listed keeps it (``HiddenField``). Numbers are text inputs, as the GOV.UK Design System advises.
GOV_WIDGETS: dict[type[Field], Callable[[], Any]] = {
    StringField: GovTextInput,
    EmailField: GovTextInput,
    IntegerField: GovTextInput,
    FloatField: GovTextInput,
    PasswordField: GovPasswordInput,
    TextAreaField: GovTextArea,
    BooleanField: GovCheckboxInput,
    SubmitField: GovSubmitInput,
    SelectField: GovSelect,
    RadioField: RadioInput,
    SelectMultipleField: CheckboxesInput,
    DateField: DateInput,
    FileField: GovFileInput,
}


def default_widget(field_class: type[Field]) -> Any:  # any widget
    """A new instance of the GOV.UK widget for ``field_class``; None when it keeps its own."""
    for cls in field_class.__mro__:
        if cls in GOV_WIDGETS:
            return GOV_WIDGETS[cls]()
        if "widget" in vars(cls):
            return None
    return None


def strips(field: Field) -> bool:
    """Whether the white space around what was typed goes: text, yes; passwords and hidden values, no."""
    return isinstance(field, StringField) and not isinstance(field, PasswordField | HiddenField)


def optional_date(label: Any, description: Any = None, validators: list | None = None) -> DateField:
    """A GOV.UK three-box date that may be left blank (typed as '27 3 2026', or ISO from a test)."""
    return DateField(
        label,
        description=description,
        validators=[Optional(), *(validators or [])],
        format=["%d %m %Y", "%Y-%m-%d"],
    )


class OnOrAfter:
    """A date validator: on or after the date in another field of the form (when that one is given)."""

    def __init__(self, other: str, message: Any) -> None:
        self.other, self.message = other, message

    def __call__(self, form: Any, field: Any) -> None:
        start = form[self.other].data
        if field.data and start and field.data < start:
            raise ValidationError(self.message)


def opening_dates() -> tuple[DateField, DateField]:
    """The optional 'opens on' and 'closes at the end of' dates of an exercise or consultation."""
    closes_after = OnOrAfter("opens_on", _l("The closing date must be on or after the opening date"))
    return optional_date(_l("Opens on (optional)")), optional_date(
        _l("Closes at the end of (optional)"), validators=[closes_after]
    )


#: The date input's boxes carry what was typed as item values: never kept.
_NEVER_KEPT = frozenset({GovDateInput.template})


def _a_number(text: str) -> bool:
    """A whole number as a budget's amounts show it ("25,000" in English)."""
    return len(text) <= 20 and text.translate(_SEPARATORS).isdigit()


#: Digit group and decimal separators in the languages Engage speaks (no-break spaces in Welsh's and others').
_SEPARATORS = str.maketrans("", "", ",. '\u00a0\u202f\u066b\u066c")


def _an_amount(params: dict[str, Any], value: Any) -> bool:
    """A number in a numeric box (a budget's amount): kept, unlike other typed text."""
    return params.get("inputmode") == "numeric" and (isinstance(value, (int, float)) or _a_number(str(value)))


def _holds_an_answer(params: dict[str, Any]) -> bool:
    """True when the field shows a resident's own answer (a value typed, a choice made) or an error: such
    HTML is rendered each time and never kept."""
    value = params.get("value")
    typed = value not in (None, "") and not _an_amount(params, value)
    chosen = any(
        isinstance(item, dict) and (item.get("checked") or item.get("selected"))
        for item in params.get("items") or ()
    )
    return bool(params.get("errorMessage")) or typed or chosen


def _render_field(widget: Any, params: dict[str, Any]) -> Markup:
    """A GOV.UK field's HTML from its macro: govuk-frontend-wtf's ``render``, made cheaper.

    The library renders each field through Flask's ``render_template``, which runs every context processor
    for a template that needs only ``params`` and the environment's globals. A field showing no answer of a
    resident's and no error renders the same HTML for the same params, so its HTML is kept per worker
    (engage.kept_html); a number in a numeric box is kept (a budget's amounts as first shown), any other
    typed text (a phone number in a text box too) and choices made are not.
    """

    def render() -> str:
        return current_app.jinja_env.get_template(widget.template).render(params=params)

    if widget.template in _NEVER_KEPT or _holds_an_answer(params):
        return kept_html.rendered(render())
    return kept_html.kept(widget.template, params, render)


GovFormBase.render = _render_field
