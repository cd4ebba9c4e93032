"""A consultation for the whole partnership (on no board): any partner's board officer builds one for their
organisation, every partner reads its results, residents answer it like any other."""

import re

from flask import g
from sqlalchemy import select

from engage.accounts.models import Role
from engage.extensions import db
from engage.surveys.models import Consultation, ConsultationStatus
from tests.conftest import sign_in

DETAILS = {
    "title": "Living in Aldermoor",
    "summary": "What would make Aldermoor a better place to live?",
    "audience": "Everyone who lives or works in Aldermoor",
    "purpose": "To set the partnership's plan.",
}


def test_an_officer_builds_and_opens_a_partnership_wide_consultation(client, app, officer):
    sign_in(client, officer)
    home = client.get("/manage").get_data(as_text=True)
    assert "Partnership-wide consultations" in home and "None yet." in home
    assert 'href="/manage/consultations/new"' in home
    form = client.get("/manage/consultations/new").get_data(as_text=True)
    assert "Partnership-wide" in form and "New consultation" in form
    created = client.post("/manage/consultations/new", data=DETAILS)
    assert created.status_code == 302
    consultation = db.session.scalar(select(Consultation).where(Consultation.title == DETAILS["title"]))
    assert consultation.board is None and consultation.organisation_id == officer.organisation_id
    page = client.get(created.location).get_data(as_text=True)
    assert f"Partnership-wide · {officer.organisation.name}" in page
    assert 'href="/manage"' in page  # back to the manage home, where it is listed
    assert "Living in Aldermoor" in client.get("/manage").get_data(as_text=True)

    client.post(f"/manage/consultations/{consultation.id}/sections/new", data={"title": "Your area"})
    section = consultation.sections[0]
    grid = client.post(
        f"/manage/sections/{section.id}/questions/new", data={"kind": "importance", "label": "Rate these"}
    )
    assert grid.status_code == 400
    assert "A partnership-wide consultation has no board priorities to rate" in grid.get_data(as_text=True)
    client.post(
        f"/manage/sections/{section.id}/questions/new",
        data={"kind": "single", "label": "Is your area a good place to live?", "options": "Yes\nNo"},
    )
    assert client.post(f"/manage/consultations/{consultation.id}/open").status_code == 302
    assert consultation.status is ConsultationStatus.OPEN

    g.pop("_login_user", None)
    resident = app.test_client()
    listed = resident.get("/").get_data(as_text=True)
    assert "Living in Aldermoor" in listed
    start = resident.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Living in Aldermoor" in start and "Health and Wellbeing" not in start
    question = consultation.questions[0]
    resident.post(
        f"/consultations/{consultation.id}/sections/1", data={f"q{question.id}": str(question.options[0].id)}
    )
    check = resident.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]+)"', check).group(1)
    sent = resident.post(f"/consultations/{consultation.id}/check", data={"key": key})
    assert sent.location.endswith("/confirmation")


def test_every_partner_reads_its_results_and_only_the_owner_changes_it(app, officer, make_user):
    consultation = Consultation(
        organisation_id=officer.organisation_id, title="Living in Aldermoor", status=ConsultationStatus.OPEN
    )
    db.session.add(consultation)
    db.session.commit()
    # A partner on no board at all, and another partner's board officer.
    for user, reads, changes in (
        (make_user(Role.ANALYST), 200, 403),
        (make_user(Role.BOARD_OFFICER), 200, 403),
        (officer, 200, 200),
    ):
        g.pop("_login_user", None)
        visitor = app.test_client()
        sign_in(visitor, user)
        assert visitor.get(f"/manage/consultations/{consultation.id}/results").status_code == reads
        assert visitor.get(f"/manage/consultations/{consultation.id}/edit").status_code == changes
    g.pop("_login_user", None)
    analyst = app.test_client()
    sign_in(analyst, make_user(Role.ANALYST))
    assert analyst.get("/manage/consultations/new").status_code == 403
    assert "New partnership-wide consultation" not in analyst.get("/manage").get_data(as_text=True)
