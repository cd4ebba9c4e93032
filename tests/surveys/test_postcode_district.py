"""Postcode district as the equality question about place (instead of, or beside, ward): typed in, kept only
as the district, one outside the area kept as "elsewhere", and usable in breakdowns and weighting."""

import csv
import io

import pytest
from flask import g
from sqlalchemy import select

from engage.equality.questions import postcode_district
from engage.extensions import db
from engage.population.service import import_population
from engage.surveys.models import ConsultationProfile
from engage.surveys.results import consultation_results
from tests.conftest import sign_in
from tests.surveys.test_consultations import respond


@pytest.mark.parametrize(
    ("typed", "district"),
    [
        ("AL3", "AL3"),
        ("al3 5ty", "AL3"),
        ("AL35TY", "AL3"),
        (" sw1a 1aa ", "SW1A"),
        ("M1 1AE", "M1"),
        ("EC1A", "EC1A"),
        ("B33 8TH", "B33"),
        ("12345", None),
        ("AL", None),
        ("Aldermoor", None),
        ("", None),
        (None, None),
    ],
)
def test_the_district_of_what_was_typed(typed, district):
    assert postcode_district(typed) == district


@pytest.fixture
def districts_app(app_factory):
    app = app_factory(ENGAGE_POSTCODE_DISTRICTS=["AL1", "AL3"], ENGAGE_WARDS=[])
    with app.app_context():
        yield app


def test_residents_give_the_first_part_of_their_postcode(districts_app, make_consultation, hwb, officer):
    consultation = make_consultation()
    about_you = f"/consultations/{consultation.id}/about-you"
    for typed in ("al3 5ty", "AL1", "SW1A 1AA", "AL3"):
        resident = districts_app.test_client()
        respond(resident, consultation, hwb)
        confirmation = resident.get(f"/consultations/{consultation.id}/confirmation").get_data(as_text=True)
        assert "What is the first part of your postcode?" in confirmation
        assert "For example, AL3. Leave this blank if you would rather not say." in confirmation
        assert "Which ward do you live in?" not in confirmation
        if typed == "AL3":
            wrong = resident.post(about_you, data={"postcode_district": "ALDERMOOR"})
            html = wrong.get_data(as_text=True)
            assert wrong.status_code == 400 and "There is a problem" in html
            assert "Enter the first part of a postcode, like AL3" in html
        assert resident.post(about_you, data={"postcode_district": typed, "sex": "Female"}).status_code == 302
    kept = db.session.scalars(
        select(ConsultationProfile.category).where(ConsultationProfile.dimension == "postcode_district")
    ).all()
    assert sorted(kept) == ["AL1", "AL3", "AL3", "elsewhere"]  # never the whole postcode

    # Weighting and "who did we hear from" by district, and a breakdown by it.
    import_population("dimension,category,population\npostcode_district,AL1,600\npostcode_district,AL3,400\n")
    results = consultation_results(consultation)
    heard = {row.category: row.respondents for row in results.heard_from["postcode_district"]}
    assert heard == {"AL1": 1, "AL3": 2}
    assert results.weighting is not None and results.weighting.dimensions == ["postcode_district"]
    g.pop("_login_user", None)
    staff = districts_app.test_client()
    sign_in(staff, officer)
    args = {"question": consultation.questions[0].id, "dimension": "postcode_district"}
    body = staff.get(f"/manage/consultations/{consultation.id}/crosstab.csv", query_string=args)
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(body.get_data(as_text=True))) if row}
    assert {"AL1", "AL3", "Outside the area"} <= set(rows)
