"""A facilitator enters a show of hands with more hands than people in the room: told so, confirms with the
keyboard, and the count is saved (issue 18, finding 9). Every state checked with axe-core."""

from datetime import date

from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.extensions import db
from engage.surveys.models import ConsultationResponse
from engage.workshops import service
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as


def test_more_hands_than_people_is_confirmed_before_it_is_saved(
    page, hwb, make_user, council, make_consultation
):
    facilitator = make_user(Role.FACILITATOR, organisation=council)
    workshop = service.create_session(hwb, facilitator, "Evening", date(2026, 12, 3), "Library")
    consultation = make_consultation()
    service.add_round(workshop, question=next(q for q in consultation.questions if q.kind.value == "single"))
    service.start_next_round(workshop)
    db.session.commit()
    sign_in_as(page, facilitator)
    page.goto(f"/manage/workshops/{workshop.id}/paper")
    assert_accessible(page, "show of hands")
    page.get_by_label("How many people are in the room?").fill("14")
    page.get_by_label("In person").fill("12")
    page.get_by_label("By phone").fill("8")
    page.get_by_role("button", name="Save this count").click()
    summary = page.locator(".govuk-error-summary")
    assert "There are 20 hands but 14 people in the room" in summary.inner_text()
    assert_accessible(page, "more hands than people")
    screenshot(page, "show-of-hands-confirm.png")
    page.get_by_label("Yes, there were more hands than people: save these counts").check()
    page.get_by_role("button", name="Save this count").press("Enter")
    assert "Saved the paper sheet" in page.locator(".govuk-notification-banner").inner_text()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 20
