"""Partners pull their own reports: what an organisation's report and a board pack say (read back from the
PDF's text and the XLSX's cells), the period's dates, and who may pull which."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from engage.accounts.models import Organisation, Role
from engage.boards.models import Board
from engage.extensions import db
from engage.indicators.models import Indicator
from engage.reports.builders import build_report, report_pdf, report_xlsx
from engage.reports.data import Period, board_pack, organisation_report
from engage.reports.periods import overlaps, period_dates
from tests.conftest import sign_in

PERIOD = Period(date(2024, 4, 1), date(2030, 3, 31))
PARTNERS = [
    "Aldermoor Borough Council",
    "Aldermoor and District Integrated Care Board",
    "Westmarch Police",
    "Westmarch Fire and Rescue Service",
    "Aldermoor Council for Voluntary Service",
    "Aldermoor College",
]


def organisation(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def board(slug: str) -> Board:
    return db.session.scalar(select(Board).where(Board.slug == slug))


def pdf_text(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages)


def sheets(body: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(body))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


@pytest.mark.parametrize(
    ("label", "dates"),
    [
        ("2025/26 Q1", (date(2025, 4, 1), date(2025, 6, 30))),
        ("2025/26 Q4", (date(2026, 1, 1), date(2026, 3, 31))),
        ("2025-2026 q3", (date(2025, 10, 1), date(2025, 12, 31))),
        ("2024/25", (date(2024, 4, 1), date(2025, 3, 31))),
        ("2025-02", (date(2025, 2, 1), date(2025, 2, 28))),
        ("February 2024", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2025", (date(2025, 1, 1), date(2025, 12, 31))),
        ("2025/27 Q1", None),  # not consecutive years
        ("Spring term", None),
        ("2025-13", None),
    ],
)
def test_period_labels_to_dates(label, dates):
    assert period_dates(label) == dates


def test_a_label_with_no_dates_is_kept_in_any_period():
    assert overlaps("Spring term", date(2020, 1, 1), date(2020, 1, 2))
    assert not overlaps("2025/26 Q2", date(2025, 10, 1), date(2026, 3, 31))
    assert overlaps("2025/26 Q2", date(2025, 9, 30), date(2025, 9, 30))


def test_every_partner_has_a_report_with_something_of_its_own(demo, app):
    for name in PARTNERS:
        report = organisation_report(organisation(name), PERIOD)
        assert report.boards and all(b.lines for b in report.boards), name  # published weights on each
        assert report.indicators, name
        assert all(line.owner == name for line in report.indicators)
        assert any(len(line.values) >= 2 and line.direction for line in report.indicators), name  # a trend
    police = organisation_report(organisation("Westmarch Police"), PERIOD)
    assert [a.title for a in police.activities] == ["Safer communities: your priorities for 2026"]
    assert police.participation["online"] > 0 and police.activities[0].headlines
    council = organisation_report(organisation("Aldermoor Borough Council"), PERIOD)
    assert council.activities and council.participants > 0
    assert set(council.participation) == {"online", "workshop", "paper"}
    assert all(line.headlines for line in council.activities if line.total)


def test_the_period_chooses_values_and_responses(demo, app):
    police = organisation("Westmarch Police")
    whole = organisation_report(police, PERIOD)
    one_quarter = organisation_report(police, Period(date(2025, 7, 1), date(2025, 9, 30)))
    assert all(len(line.values) == 1 for line in one_quarter.indicators if line.latest)
    assert {line.latest.period for line in one_quarter.indicators if line.latest} == {"2025/26 Q2"}
    assert sum(len(line.values) for line in whole.indicators) > sum(
        len(line.values) for line in one_quarter.indicators
    )
    before = organisation_report(
        organisation("Aldermoor Borough Council"), Period(date(2001, 1, 1), date(2001, 12, 31))
    )
    assert before.participants == 0 and not before.indicators[0].values
    assert all(b.status == "none" for b in before.boards)  # nothing published by 2001


def test_network_weights_are_advisory_and_partnerships_decided_with_who_and_the_minute(demo, app):
    report = organisation_report(organisation("Aldermoor College"), PERIOD)
    status = {b.board.slug: b.status for b in report.boards}
    assert status["economy-and-environment"] == "advisory"
    assert status["children-and-young-people"] == "decided"
    decision = next(b for b in report.boards if b.board.slug == "children-and-young-people").decision
    assert "Cllr Evan Morgan" in decision and "6" in decision


def test_a_board_pack_as_pdf_and_xlsx(demo, app):
    pack = board_pack(board("health-and-wellbeing"), PERIOD)
    text = pdf_text(report_pdf(pack))
    assert "Board pack: Health and Wellbeing" in text
    assert "NI 8" in text and "Health and wellbeing: what matters most to you?" in text
    assert "Residents who took part" in text
    cells = sheets(report_xlsx(pack))
    assert list(cells) == [
        "Summary",
        "Weights",
        "Indicators",
        "Indicator values",
        "Exercises and consultations",
        "Headline results",
    ]
    summary = dict(row[:2] for row in cells["Summary"] if row and row[0])
    assert summary["For"] == pack.name and summary["total"] == pack.participants > 0
    weights = cells["Weights"]
    assert weights[0][:3] == ("board", "kind", "version")
    assert sum(row[-1] for row in weights[1:] if row[-1] is not None) == pytest.approx(1, abs=0.01)
    indicators = {row[2]: row for row in cells["Indicators"][1:]}
    assert isinstance(indicators["NI 8"][8], float) and indicators["NI 8"][12] in ("better", "worse", "same")
    activities = cells["Exercises and consultations"]
    assert {row[0] for row in activities[1:]} >= {"pairwise", "consultation"}
    assert all(row[8] == sum(row[5:8]) for row in activities[1:])


def test_a_cell_that_looks_like_a_formula_stays_text(demo, app):
    indicator = db.session.scalar(select(Indicator).where(Indicator.reference == "NI 8"))
    indicator.values[-1].commentary = '=HYPERLINK("http://evil.example","click")'
    db.session.flush()
    cells = sheets(report_xlsx(board_pack(board("health-and-wellbeing"), PERIOD)))
    row = next(row for row in cells["Indicators"] if row[2] == "NI 8")
    assert row[13] == '\'=HYPERLINK("http://evil.example","click")'


def test_build_report_is_what_a_job_calls(demo, app):
    police = organisation("Westmarch Police")
    name, body = build_report("organisation", police.id, PERIOD.start, PERIOD.end, "xlsx")
    assert name == "westmarch-police-report-2024-04-01-to-2030-03-31.xlsx"
    assert sheets(body)["Summary"][1] == ("For", "Westmarch Police")
    name, body = build_report("board", "safer-and-stronger-communities", PERIOD.start, PERIOD.end, "pdf")
    assert name.endswith("-board-pack-2024-04-01-to-2030-03-31.pdf") and body.startswith(b"%PDF")


# -- pages and who may pull them ------------------------------------------------------------------------


def signed_in_as(client, demo, email):
    from engage.accounts.models import User

    user = db.session.scalar(select(User).where(User.email == email))
    sign_in(client, user, demo.passwords[email])
    return user


def test_a_partner_pulls_its_own_report_as_page_pdf_and_xlsx(client, demo):
    user = signed_in_as(client, demo, "analyst@aldermoor.example")  # the health board (NHS)
    own = user.organisation_id
    listing = client.get("/manage/reports").get_data(as_text=True)
    assert (
        f"/manage/reports/organisations/{own}" in listing
        and "/manage/reports/boards/health-and-wellbeing" in listing
    )
    assert "economy-and-environment" not in listing  # a board the NHS is not on
    page = client.get(f"/manage/reports/organisations/{own}?start=2024-04-01&end=2030-03-31")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Organisation report" in html and "NI 8" in html and "Residents who took part" in html
    pdf = prepared(client, f"/manage/reports/organisations/{own}/report.pdf?start=2024-04-01&end=2030-03-31")
    assert pdf.content_type == "application/pdf" and "attachment" in pdf.headers["Content-Disposition"]
    assert "Aldermoor and District Integrated Care Board" in pdf_text(pdf.data)
    xlsx = prepared(
        client, f"/manage/reports/organisations/{own}/report.xlsx?start=2024-04-01&end=2030-03-31"
    )
    assert sheets(xlsx.data)["Summary"][1][1] == "Aldermoor and District Integrated Care Board"


def prepared(client, url: str):
    """Ask for a report as a job (its page, then its button) and save the file from Downloads and jobs."""
    page = client.get(url)
    assert page.status_code == 200 and "Prepare the download" in page.get_data(as_text=True)
    asked = client.post(url)
    assert asked.status_code == 302 and "/manage/downloads#job-" in asked.location
    job_id = asked.location.rsplit("job-", 1)[1]
    assert "Ready" in client.get("/manage/downloads").get_data(as_text=True)
    saved = client.get(f"/manage/downloads/{job_id}/file")
    saved.get_data()
    saved.close()
    return saved


def test_the_period_form_shows_its_errors(client, demo):
    user = signed_in_as(client, demo, "officer@aldermoor.example")
    own = user.organisation_id
    page = client.get(f"/manage/reports/organisations/{own}")  # no dates: the last two years
    assert page.status_code == 200 and "Download as PDF" in page.get_data(as_text=True)
    wrong = client.get(f"/manage/reports/organisations/{own}?start=1&start=4&start=2026&end=1&end=1&end=2026")
    assert wrong.status_code == 400
    assert "The last day must be on or after the first day" in wrong.get_data(as_text=True)
    assert (
        client.get(f"/manage/reports/organisations/{own}/report.pdf?start=nonsense&end=").status_code == 400
    )
    huge = client.get(f"/manage/reports/organisations/{own}?start=1900-01-01&end=2100-01-01")
    assert huge.status_code == 400 and "ten years or shorter" in huge.get_data(as_text=True)
    far = client.get(f"/manage/reports/organisations/{own}/report.xlsx?start=9999-01-01&end=9999-12-31")
    assert far.status_code == 400 and "between 1990 and 2100" in far.get_data(as_text=True)
    silly = client.get(f"/manage/reports/organisations/{own}?start={'9' * 5000}&end=%00")
    assert silly.status_code == 400
    typed = client.get(
        f"/manage/reports/organisations/{own}?start=1&start=4&start=2025&end=31&end=3&end=2026"
    )
    assert typed.status_code == 200 and "1 April 2025" in typed.get_data(as_text=True)


def test_another_organisations_report_is_refused(client, demo, make_user):
    police = organisation("Westmarch Police")
    sign_in(client, make_user(Role.ANALYST, organisation=organisation("Aldermoor College")))
    for path in ("", "/report.pdf", "/report.xlsx"):
        assert client.get(f"/manage/reports/organisations/{police.id}{path}").status_code == 403
    # the college is not on the health board: no pack; it is on the economy board: a pack
    assert client.get("/manage/reports/boards/health-and-wellbeing/pack.xlsx").status_code == 403
    assert client.get("/manage/reports/boards/economy-and-environment/pack.xlsx").status_code == 200
    assert client.get("/manage/reports/organisations/999999").status_code == 404
    assert client.get("/manage/reports/boards/no-such-board").status_code == 404


def test_an_admin_pulls_any_report(client, demo, make_user):
    sign_in(client, make_user(Role.ADMIN))  # of an organisation on no board
    police = organisation("Westmarch Police")
    assert client.get(f"/manage/reports/organisations/{police.id}").status_code == 200
    assert client.get("/manage/reports/boards/economy-and-environment/pack.pdf").status_code == 200
    listing = client.get("/manage/reports").get_data(as_text=True)
    assert all(f"/manage/reports/organisations/{organisation(n).id}" in listing for n in PARTNERS)


def test_signed_out_people_are_sent_to_sign_in(client, demo):
    response = client.get("/manage/reports/boards/health-and-wellbeing")
    assert response.status_code == 302 and "sign-in" in response.headers["Location"]


def test_an_exercise_with_few_people_shows_no_headline_results(app, make_budget, submit):
    """One budget response is that person's whole allocation: below the minimum a report shows none."""
    from engage.reports.data import exercise_lines, headline_minimum

    exercise = make_budget()
    items = list(exercise.active_items)
    total = exercise.budget_total
    submit(exercise, {items[0].id: total, **{item.id: 0 for item in items[1:]}})
    period = Period(date(2000, 1, 1), date(2100, 12, 31))
    with app.test_request_context("/"):
        (line,) = exercise_lines([exercise], period)
        assert line.total == 1 and line.headlines == [] and line.withheld_below == headline_minimum() == 10
        for _person in range(9):
            submit(exercise, {items[1].id: total, **{item.id: 0 for item in items if item != items[1]}})
        (line,) = exercise_lines([exercise], period)
        assert line.total == 10 and line.headlines and line.withheld_below is None


def test_one_response_is_counted_in_the_singular(app, make_budget, submit):
    from flask import render_template

    exercise = make_budget()
    items = list(exercise.active_items)
    submit(exercise, {items[0].id: exercise.budget_total, **{item.id: 0 for item in items[1:]}})
    with app.test_request_context("/"):
        report = board_pack(exercise.board, Period(date(2000, 1, 1), date(2100, 12, 31)))
        html = " ".join(render_template("reports/report_pdf.html", report=report).split())
    assert "1 response in the period (1 in all)" in html and "1 responses" not in html
