"""Officers' "Unusual activity" pages in the browser: a coordinated group of respondents is shown, with the
means to leave it out (exercises), and the pages are accessible. A large exercise's page says the answers
are being compared and turns into what the refresh job found by itself; another organisation's officer is
refused."""

from playwright.sync_api import expect
from werkzeug.datastructures import MultiDict

from engage.accounts.models import Role
from engage.extensions import db
from engage.jobs import cache
from engage.jobs.tasks import refresh_results
from engage.prioritise import integrity
from engage.surveys.authoring import priorities_for
from engage.surveys.drafts import draft_key
from engage.surveys.forms import PageForm
from engage.surveys.models import ResponseDraft
from engage.surveys.responses import submit_response
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.surveys.test_consultations import first_page, second_page


def test_an_officer_sees_and_leaves_out_a_coordinated_group(page, officer, make_budget, submit):
    exercise = make_budget()
    items = [item.id for item in exercise.active_items]
    for _ in range(22):
        submit(exercise, dict(zip(items, [85, 5, 5, 5], strict=True)))
    sign_in_as(page, officer)
    page.goto(f"/manage/exercises/{exercise.id}/activity")
    group = page.locator("section", has_text="22 respondents")
    assert "Many new respondents giving near-identical answers" in page.content()
    assert group.count() == 1
    assert_accessible(page, "exercise activity")
    screenshot(page, "exercise-activity.png")
    group.get_by_label("Why are these respondents being left out?").fill("Identical answers within minutes")
    group.get_by_role("button").click()
    page.locator(".govuk-notification-banner").wait_for()
    assert "22 respondents left out of the results." in page.content()


def test_a_large_exercises_activity_is_worked_out_then_shown(
    make_page, officer, make_user, make_organisation, make_budget, submit, monkeypatch
):
    exercise = make_budget()
    items = [item.id for item in exercise.active_items]
    for _ in range(22):
        submit(exercise, dict(zip(items, [85, 5, 5, 5], strict=True)))
    queued: list = []
    monkeypatch.setattr(cache, "IN_REQUEST_RESPONDENTS", 2)  # counts as large: compared by the job
    monkeypatch.setattr(cache, "refresh_now", lambda *key: queued.append(key) or True)
    page = make_page(viewport={"width": 1280, "height": 900})
    sign_in_as(page, officer)
    page.goto(f"/manage/exercises/{exercise.id}/activity")
    expect(page.get_by_role("status")).to_contain_text("The answers are being compared")
    expect(page.get_by_role("link", name="Look again")).to_be_visible()
    expect(page.get_by_text("22 respondents")).to_have_count(0)
    assert_accessible(page, "exercise activity being compared")
    # Asked for this exercise's signals only (each poll of the page asks again: the real refresh_now, patched
    # out here, queues one job for them however often it is asked).
    assert queued and set(queued) == {("exercise", exercise.id, integrity.KEPT_AS)}

    refresh_results("exercise", exercise.id, integrity.KEPT_AS)  # the worker looks and keeps what it found
    db.session.commit()
    group = page.locator("section", has_text="22 respondents")
    expect(group).to_have_count(1, timeout=15_000)  # the page reloaded itself
    expect(page.get_by_role("status")).to_have_count(0)
    screenshot(page, "exercise-activity-large.png")

    stranger = make_page(viewport={"width": 1280, "height": 900})
    sign_in_as(stranger, make_user(Role.BOARD_OFFICER, organisation=make_organisation("Elsewhere Council")))
    refused = stranger.goto(f"/manage/exercises/{exercise.id}/activity")
    assert refused.status == 403
    expect(stranger.get_by_text("22 respondents")).to_have_count(0)


def test_an_officer_sees_coordinated_consultation_responses(app, page, officer, make_consultation, hwb):
    consultation = make_consultation()
    priorities = priorities_for(consultation)
    data = [first_page(consultation), second_page(consultation, hwb)]
    with app.test_request_context("/"):
        for n in range(21):  # the same answers, each from a fresh cookie
            pages = []
            for section, answers in zip(consultation.sections, data, strict=True):
                form = PageForm.build(section, priorities, formdata=MultiDict(answers), meta={"csrf": False})
                assert form.validate()
                pages.append(form)
            token = f"token-{n}-" + "t" * 32
            db.session.add(
                ResponseDraft(**draft_key(consultation, token))
            )  # a response is sent from its draft
            submit_response(consultation, token, pages, idempotency_key="k" * 32)
            db.session.commit()
    sign_in_as(page, officer)
    page.goto(f"/manage/consultations/{consultation.id}")
    page.get_by_role("link", name="Unusual activity").click()
    page.get_by_role("heading", name="Many online responses with near-identical answers").wait_for()
    assert "Many online responses with near-identical answers" in page.content()
    assert "21 responses" in page.content()
    assert_accessible(page, "consultation activity")
    screenshot(page, "consultation-activity.png")
