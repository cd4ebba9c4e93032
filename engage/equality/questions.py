"""Optional equality-monitoring questions, kept apart from answers and used for population weighting.

Categories match the population margins the partnership loads (age band, sex, ward), so respondents can be
weighted to the area. Every question can be left blank or answered "Prefer not to say".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from engage.extensions import db

if TYPE_CHECKING:
    from engage.prioritise.models import RespondentProfile
    from engage.surveys.models import ConsultationProfile

#: Where equality answers are stored: an exercise respondent's or a consultation response's.
ProfileRow = TypeVar("ProfileRow", "RespondentProfile", "ConsultationProfile")

PREFER_NOT_TO_SAY = "prefer_not_to_say"
#: The postcode district category of someone living outside the partnership's districts.
ELSEWHERE = "elsewhere"


@dataclass(frozen=True)
class Dimension:
    key: str
    question: object  # a lazy string
    categories: list[tuple[str, object]]
    #: Typed in (the first part of a postcode) rather than chosen from the categories.
    typed: bool = False
    hint: object = None


def postcode_district(text: str | None) -> str | None:
    """The district (the first part, e.g. "AL3") of a postcode or district as typed, ignoring spaces and
    case; a whole postcode gives its first part (the rest is never kept). None if it is neither."""
    compact = re.sub(r"\s+", "", text or "").upper()
    outward = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
    whole = re.fullmatch(rf"({outward})[0-9][A-Z]{{2}}", compact)
    if whole:
        return whole.group(1)
    return compact if re.fullmatch(outward, compact) else None


def district_category(district: str) -> str:
    """The category stored for a district: itself when it is one of the area's, else "elsewhere"."""
    return district if district in current_app.config["ENGAGE_POSTCODE_DISTRICTS"] else ELSEWHERE


AGE_BANDS = [
    ("under-16", _l("Under 16")),
    ("16-24", _l("16 to 24")),
    ("25-34", _l("25 to 34")),
    ("35-44", _l("35 to 44")),
    ("45-54", _l("45 to 54")),
    ("55-64", _l("55 to 64")),
    ("65-74", _l("65 to 74")),
    ("75+", _l("75 or over")),
]
SEXES = [("Female", _l("Female")), ("Male", _l("Male"))]
#: The standard monitoring categories (ONS 2021 Census wording, high-level groups), asked after age, sex and
#: ward. Only the dimensions the partnership has population figures for are used in weighting.
GENDER_IDENTITY = [("same", _l("Yes, the same")), ("different", _l("No, different"))]
ETHNIC_GROUPS = [
    ("asian", _l("Asian or Asian British")),
    ("black", _l("Black, Black British, Caribbean or African")),
    ("mixed", _l("Mixed or multiple ethnic groups")),
    ("white", _l("White")),
    ("other", _l("Another ethnic group")),
]
DISABILITY = [("yes", _l("Yes, I do")), ("no", _l("No, I do not"))]
RELIGIONS = [
    ("none", _l("No religion")),
    ("christian", _l("Christian")),
    ("buddhist", _l("Buddhist")),
    ("hindu", _l("Hindu")),
    ("jewish", _l("Jewish")),
    ("muslim", _l("Muslim")),
    ("sikh", _l("Sikh")),
    ("other", _l("Another religion")),
]
SEXUAL_ORIENTATIONS = [
    ("straight", _l("Straight or heterosexual")),
    ("gay_lesbian", _l("Gay or lesbian")),
    ("bisexual", _l("Bisexual")),
    ("other", _l("Another sexual orientation")),
]


def dimensions() -> list[Dimension]:
    """The questions asked, with the area's wards and postcode districts from the settings (each asked only
    when the partnership has set it)."""
    config = current_app.config
    place = []
    if config["ENGAGE_WARDS"]:
        place.append(
            Dimension("ward", _l("Which ward do you live in?"), [(w, w) for w in config["ENGAGE_WARDS"]])
        )
    if config["ENGAGE_POSTCODE_DISTRICTS"]:
        districts = [(d, d) for d in config["ENGAGE_POSTCODE_DISTRICTS"]]
        place.append(
            Dimension(
                "postcode_district",
                _l("What is the first part of your postcode?"),
                [*districts, (ELSEWHERE, _l("Outside the area"))],
                typed=True,
                hint=_l("For example, AL3. Leave this blank if you would rather not say."),
            )
        )
    return [
        Dimension("age_band", _l("What is your age?"), AGE_BANDS),
        Dimension("sex", _l("What is your sex?"), SEXES),
        *place,
        Dimension(
            "gender_identity",
            _l("Is the gender you identify with the same as your sex registered at birth?"),
            GENDER_IDENTITY,
        ),
        Dimension("ethnicity", _l("What is your ethnic group?"), ETHNIC_GROUPS),
        Dimension(
            "disability",
            _l(
                "Do you have any physical or mental health conditions or illnesses lasting or expected to "
                "last 12 months or more?"
            ),
            DISABILITY,
        ),
        Dimension("religion", _l("What is your religion?"), RELIGIONS),
        Dimension(
            "sexual_orientation",
            _l("Which of these best describes your sexual orientation?"),
            SEXUAL_ORIENTATIONS,
        ),
    ]


def store_answers(
    model: type[ProfileRow],
    owner: str,
    owner_id: int,
    answers: Mapping[str, str],
) -> None:
    """Store (or replace) one person's equality answers as rows of ``model`` (``owner`` names its column
    for the person's respondent or response); blank answers are not stored. Part of the caller's unit of
    work."""
    column = getattr(model, owner)
    existing = {row.dimension: row for row in db.session.scalars(select(model).where(column == owner_id))}
    for dimension, category in answers.items():
        if not category:
            continue
        if dimension in existing:
            existing[dimension].category = category
        else:
            db.session.add(model(**{owner: owner_id, "dimension": dimension, "category": category}))
    db.session.flush()
