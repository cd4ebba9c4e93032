"""An officer asks for a consultation's responses as Excel, watches it on "Downloads and jobs" and saves the
file; a job still running updates itself on the page (htmx, with CSRF and the strict CSP on)."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from engage.extensions import db
from engage.jobs.models import Job, JobStatus
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as
from tests.surveys.test_consultations import respond


def test_an_officer_prepares_and_saves_a_workbook(make_page, app, make_consultation, hwb, officer):
    consultation = make_consultation()
    app.config["WTF_CSRF_ENABLED"] = False  # a resident's response, sent before the officer's journey
    respond(app.test_client(), consultation, hwb)
    app.config["WTF_CSRF_ENABLED"] = True
    page = make_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    sign_in_as(page, officer)
    page.goto(f"/manage/consultations/{consultation.id}/results")
    page.get_by_role("link", name="Excel, with a codebook").click()
    expect(page.get_by_role("heading", name="Responses to Your health services (Excel)")).to_be_visible()
    assert_accessible(page, "prepare a download")
    page.get_by_role("button", name="Prepare the download").click()
    expect(page.get_by_role("heading", name="Downloads and jobs", level=1)).to_be_visible()
    expect(page.get_by_text("Ready")).to_be_visible()
    assert_accessible(page, "downloads and jobs")
    screenshot(page, "downloads-ready.png")
    with page.expect_download() as info:
        page.get_by_role("link", name=f"Save consultation-{consultation.id}-responses.xlsx").click()
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert book.sheetnames == ["Responses", "Codebook"]
    assert book["Responses"].max_row == 2


def test_a_running_job_updates_itself_on_the_page(make_page, app, make_consultation, officer):
    consultation = make_consultation()
    job = Job(
        user_id=officer.id,
        kind="consultation_responses",
        params={"target": consultation.id, "fmt": "csv"},
        title="Responses to Your health services (CSV)",
        status=JobStatus.RUNNING,
        done=400,
        total=1000,
    )
    db.session.add(job)
    db.session.commit()
    page = make_page(viewport={"width": 1280, "height": 900})
    sign_in_as(page, officer)
    page.goto("/manage/downloads")
    expect(page.get_by_text("40% done")).to_be_visible()
    screenshot(page, "downloads-running.png")
    job.done = 900
    db.session.commit()
    expect(page.get_by_text("90% done")).to_be_visible()
    job.status, job.error = JobStatus.FAILED, "It stopped before it finished."
    db.session.commit()
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    assert_accessible(page, "a failed download")
    screenshot(page, "downloads-failed.png")
    page.get_by_role("button", name="Try again").click()  # runs at once here (no worker in tests)
    expect(page.get_by_text("Ready")).to_be_visible()
