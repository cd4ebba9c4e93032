"""Partners pull their own reports: a police analyst chooses a period on the GOV.UK form, downloads the
police's report and the Safer and Stronger Communities board pack as PDF and XLSX, and the test reads them
back (the PDF's text, the XLSX's cells); the page prints without the form."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from engage.accounts.models import Organisation, Role
from engage.extensions import db
from tests.browser.conftest import assert_accessible, screenshot, sign_in_as


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def cells(path: Path) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(path.read_bytes()))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def download(page, link_name: str, folder: Path) -> Path:
    """Ask for the report as a job, then save it from Downloads and jobs, and come back to the report."""
    report = page.url
    page.get_by_role("link", name=link_name).click()
    expect(page.get_by_role("heading", name=re.compile(r"\((PDF|Excel)\)$"))).to_be_visible()
    page.get_by_role("button", name="Prepare the download").click()
    expect(page.get_by_role("heading", name="Downloads and jobs", level=1)).to_be_visible()
    newest = page.locator(".app-job").first  # newest first
    expect(newest.get_by_text("Ready")).to_be_visible()
    with page.expect_download() as info:
        newest.get_by_role("link", name=re.compile("^Save ")).click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    page.goto(report)
    return target


def fill_period(page, start: tuple[str, str, str], end: tuple[str, str, str]) -> None:
    for name, (day, month, year) in (("start", start), ("end", end)):
        page.locator(f"input[name={name}]").nth(0).fill(day)
        page.locator(f"input[name={name}]").nth(1).fill(month)
        page.locator(f"input[name={name}]").nth(2).fill(year)
    page.get_by_role("button", name="Show the report for these dates").click()


def test_a_partner_downloads_its_report_and_a_board_pack(make_page, demo, make_user, tmp_path):
    police = db.session.scalar(select(Organisation).where(Organisation.name == "Westmarch Police"))
    analyst = make_user(Role.ANALYST, organisation=police)
    page = make_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    sign_in_as(page, analyst)
    page.get_by_role("link", name="Your organisation's report and board packs").click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    assert_accessible(page, "reports list")
    page.get_by_role("link", name="Westmarch Police").click()

    fill_period(page, ("1", "4", "2026"), ("31", "3", "2025"))  # the wrong way round
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The last day must be on or after the first day")
    assert_accessible(page, "report with a period error")
    fill_period(page, ("1", "4", "2024"), ("31", "3", "2027"))
    expect(page.get_by_role("heading", name="Organisation report")).to_be_visible()
    expect(page.locator("main")).to_contain_text("NI 15: Serious violent crime rate")
    assert_accessible(page, "organisation report")
    screenshot(page, "report_page.png")
    page.emulate_media(media="print")
    expect(page.locator("form.app-no-print")).to_be_hidden()
    expect(page.locator(".govuk-template__header")).to_be_hidden()
    expect(page.locator(".app-language-switcher")).to_be_hidden()
    screenshot(page, "report_print.png")
    page.emulate_media(media="screen")

    pdf = download(page, "Download as PDF", tmp_path)
    assert pdf.name == "westmarch-police-report-2024-04-01-to-2027-03-31.pdf"
    text = pdf_text(pdf)
    assert "Organisation report: Westmarch Police" in text and "NI 15" in text
    assert "Safer and Stronger Communities" in text and "Residents who took part" in text
    xlsx = cells(download(page, "Download as a spreadsheet (XLSX)", tmp_path))
    assert xlsx["Summary"][1] == ("For", "Westmarch Police")
    assert {row[4] for row in xlsx["Indicators"][1:]} == {"Westmarch Police"}
    assert any(row[2] == "NI 15" and isinstance(row[8], float) for row in xlsx["Indicators"])

    page.goto("/manage/reports")
    page.get_by_role("link", name="Safer and Stronger Communities").click()
    fill_period(page, ("1", "4", "2024"), ("31", "3", "2027"))
    expect(page.get_by_role("heading", name="Board pack")).to_be_visible()
    assert_accessible(page, "board pack")
    screenshot(page, "report_pack.png")
    pack = pdf_text(download(page, "Download as PDF", tmp_path))
    assert "Board pack: Safer and Stronger Communities" in pack
    assert "Safer communities: your priorities for 2026" in pack  # the board's exercise (the police ran it)
    pack_cells = cells(download(page, "Download as a spreadsheet (XLSX)", tmp_path))
    assert {row[0] for row in pack_cells["Weights"][1:]} == {"Safer and Stronger Communities"}
    assert any(
        row[0] == "Safer communities: your priorities for 2026" for row in pack_cells["Headline results"]
    )

    # another partner's report: refused
    council = db.session.scalar(select(Organisation).where(Organisation.name == "Aldermoor Borough Council"))
    response = page.request.get(f"/manage/reports/organisations/{council.id}/report.pdf")
    assert response.status == 403
    # the files were prepared as jobs: on this person's Downloads and jobs page, four of them
    page.goto("/manage/downloads")
    expect(page.locator(".app-job")).to_have_count(4)
    assert_accessible(page, "reports on downloads and jobs")
