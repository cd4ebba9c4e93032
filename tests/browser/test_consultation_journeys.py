"""A resident answers a consultation in a real browser (every question kind, errors, check answers,
confirmation), and on a 320px phone in Welsh, with axe on every page."""

from playwright.sync_api import expect
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import func, select

from engage.extensions import db
from engage.jobs import queue
from engage.surveys import authoring
from engage.surveys.models import ConsultationResponse
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, screenshot


def test_resident_answers_a_consultation(page, make_consultation, hwb):
    consultation = make_consultation()
    page.goto(f"/consultations/{consultation.id}")
    assert_accessible(page, "consultation start page")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url("**/sections/1")
    assert_accessible(page, "first page")
    page.get_by_role("button", name="Continue").click()  # required questions left empty
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select an answer")
    assert_accessible(page, "first page with errors")
    page.get_by_label("By phone").check()
    page.get_by_label("Pharmacy").check()
    page.get_by_label("Agree", exact=True).check()
    page.get_by_role("group", name="Rate your GP").get_by_label("7", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sections/2")
    for priority in hwb.active_priorities:
        page.get_by_role("group", name=priority.title).get_by_label("Important", exact=True).check()
    page.get_by_label("How many people live with you? (optional)").fill("2")
    page.get_by_label("Anything else? (optional)").fill("More evening appointments")
    assert_accessible(page, "second page")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/check")
    expect(page.locator("main")).to_contain_text("By phone")
    expect(page.locator("main")).to_contain_text("More evening appointments")
    assert_accessible(page, "check your answers")
    page.get_by_role("button", name="Send your response").click()
    page.wait_for_url("**/confirmation")
    expect(page.locator(".govuk-panel")).to_contain_text("Your reference number")
    assert_accessible(page, "confirmation")
    page.get_by_role("group", name="What is your sex?").get_by_label("Female").check()
    page.get_by_role("button", name="Send answers").click()
    expect(page.locator("main")).to_contain_text("Thank you for answering the questions about you.")
    db.session.expire_all()
    reference = db.session.scalar(select(ConsultationResponse.reference))
    expect(page.locator(".app-reference")).to_have_text(reference)
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 1


def test_consultation_on_a_phone_in_welsh(make_page, make_consultation):
    consultation = make_consultation()
    page = make_page(viewport={"width": 320, "height": 640})
    page.goto(f"/consultations/{consultation.id}/sections/1?lang=cy")
    assert page.locator("html").get_attribute("lang") == "cy"
    expect(page.locator("main")).to_contain_text("Cytuno'n gryf")
    page.get_by_role("button", name="Parhau").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Dewiswch ateb")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "consultation page in Welsh at 320px")


def test_published_results_page_is_accessible(page, make_consultation, hwb):
    from engage.surveys.models import ConsultationStatus

    consultation = make_consultation(ConsultationStatus.CLOSED)
    authoring.publish(consultation, "We will open the phone line earlier.")
    db.session.commit()
    page.goto(f"/consultations/{consultation.id}/results")
    expect(page.get_by_role("heading", name="We did", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("We will open the phone line earlier.")
    assert_accessible(page, "we asked, you said, we did")


def test_delete_your_response_page_is_accessible_and_explains_a_wrong_reference(page, make_consultation):
    consultation = make_consultation()
    page.goto(f"/consultations/{consultation.id}/delete-response")
    assert_accessible(page, "delete your response")
    page.get_by_label("Your reference number").fill("AAAA-AAAA")
    page.get_by_role("button", name="Delete my response").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("No response has that reference number")
    assert_accessible(page, "delete your response with an error")


def _save_for_later(page, consultation) -> None:
    page.goto(f"/consultations/{consultation.id}/sections/1")
    page.get_by_label("By phone").check()
    page.locator("main button[name=later]").click()
    page.wait_for_url(f"**/consultations/{consultation.id}/saved")


def test_a_resident_copies_the_come_back_later_link_on_a_phone(make_page, make_consultation):
    """Issue 21, item 9: on a 375 px phone the page says until when the link works, and "Copy the link" puts
    it on the clipboard and says so in a status message (read out by screen readers)."""
    consultation = make_consultation()
    page = make_page(viewport={"width": 375, "height": 800})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _save_for_later(page, consultation)
    expect(page.locator("main")).to_contain_text(
        "Each time you save your answers, it works for another 30 days."
    )
    expect(page.locator("main")).to_contain_text("The link works until ")
    status = page.get_by_role("status")
    expect(status).to_be_empty()
    assert_accessible(page, "saved, before copying")
    page.get_by_role("button", name="Copy the link").click()
    expect(status).to_have_text("Link copied")
    link = page.locator(".app-resume-link").get_attribute("href")
    assert "/resume/" in link
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert_accessible(page, "saved, link copied")
    assert_no_horizontal_scroll(page)
    screenshot(page, "consultation-saved-375px.png")


def test_a_resident_is_told_when_the_link_could_not_be_emailed(
    make_page, make_consultation, app, monkeypatch
):
    """Found in review: with the job queue down the page said the link was sent, and the resident left
    without it. On a 375 px phone (in English, then Urdu) they now see an error summary that says to copy
    the link, which is still on the page."""
    app.config["ENGAGE_SMTP_HOST"] = "smtp.example"
    monkeypatch.setattr(queue, "immediate", lambda: False)  # queued, as when served

    def unreachable(task):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(queue.huey, "enqueue", unreachable)
    consultation = make_consultation()
    told = {
        "en": "The email could not be sent just now. Copy the link on this page, or try again later.",
        "ur": "ابھی ای میل نہیں بھیجی جا سکی۔ اس صفحے پر موجود لنک کاپی کریں، یا بعد میں دوبارہ کوشش کریں۔",
    }
    for language, message in told.items():
        page = make_page(viewport={"width": 375, "height": 800})
        page.goto(f"/language/{language}?next=/")
        _save_for_later(page, consultation)
        page.locator("main input[type=email]").fill("sam@example.com")
        page.locator("main form button").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text(message)
        expect(page.locator(".govuk-notification-banner")).to_have_count(0)
        expect(page.locator(".app-resume-link")).to_contain_text("/resume/")
        assert_accessible(page, f"saved, email not queued ({language})")
        assert_no_horizontal_scroll(page)
        screenshot(page, f"consultation-saved-not-emailed-{language}-375px.png")


def test_without_javascript_the_link_is_shown_with_no_copy_button(make_page, make_consultation):
    consultation = make_consultation()
    page = make_page(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    _save_for_later(page, consultation)
    expect(page.locator(".app-resume-link")).to_be_visible()
    expect(page.get_by_role("button", name="Copy the link")).to_be_hidden()
    assert_no_horizontal_scroll(page)
