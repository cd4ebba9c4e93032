"""Reports as background jobs (issue 19): asking for a report queues a job that keeps what the report is,
the file is offered on Downloads and jobs to its owner alone, and a build that fails leaves the job failed
with no file."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from engage.accounts.models import Role
from engage.extensions import db
from engage.jobs.models import Job, JobStatus
from engage.jobs.running import files_dir
from engage.reports import builders
from tests.conftest import sign_in
from tests.reports.test_reports import organisation, pdf_text, signed_in_as

PACK = "/manage/reports/boards/safer-and-stronger-communities/pack"
PERIOD = "?start=2024-04-01&end=2030-03-31"


def _ask(client, url: str) -> Job:
    asked = client.post(url)
    assert asked.status_code == 302, asked.get_data(as_text=True)
    return db.session.get(Job, int(asked.location.rsplit("job-", 1)[1]))


def test_a_board_pack_is_a_job_that_keeps_what_the_report_is(client, demo, make_user, app):
    analyst = make_user(Role.ANALYST, organisation=organisation("Westmarch Police"))
    sign_in(client, analyst)
    page = client.get(PACK + ".pdf" + PERIOD).get_data(as_text=True)
    title = "Board pack for Safer and Stronger Communities, 1 April 2024 to 31 March 2030 (PDF)"
    assert title in page and "Prepare the download" in page

    job = _ask(client, PACK + ".pdf" + PERIOD)
    assert job.user_id == analyst.id and job.kind == "report" and job.title == title
    assert job.params == {
        "subject": "board",
        "key": "safer-and-stronger-communities",
        "start": "2024-04-01",
        "end": "2030-03-31",
        "fmt": "pdf",
    }
    assert job.status is JobStatus.DONE and job.file_name.endswith("-board-pack-2024-04-01-to-2030-03-31.pdf")
    listing = client.get("/manage/downloads").get_data(as_text=True)
    assert title in listing and f"Save {job.file_name}" in listing
    saved = client.get(f"/manage/downloads/{job.id}/file")
    assert saved.content_type == "application/pdf" and saved.headers["Cache-Control"] == "no-store"
    assert "Board pack: Safer and Stronger Communities" in pdf_text(saved.data)
    saved.close()

    book = client.get(f"/manage/downloads/{_ask(client, PACK + '.xlsx' + PERIOD).id}/file")
    summary = list(load_workbook(io.BytesIO(book.data))["Summary"].iter_rows(values_only=True))
    book.close()
    assert summary[1] == ("For", "Safer and Stronger Communities")


def test_only_the_owner_gets_the_file_and_another_organisations_user_is_refused(app, client, demo, make_user):
    police = organisation("Westmarch Police")
    sign_in(client, make_user(Role.ANALYST, organisation=police))
    job = _ask(client, f"/manage/reports/organisations/{police.id}/report.xlsx{PERIOD}")
    assert job.status is JobStatus.DONE

    other = make_user(Role.ANALYST, organisation=organisation("Aldermoor College"))
    client = app.test_client()  # another person, on another device
    sign_in(client, other)
    for path in ("file", "progress"):
        assert client.get(f"/manage/downloads/{job.id}/{path}").status_code == 404
    assert client.post(f"/manage/downloads/{job.id}/retry").status_code == 404
    assert job.title not in client.get("/manage/downloads").get_data(as_text=True)
    # nor can they ask for the police's report, or a pack of a board the college is not on
    before = db.session.scalar(select(db.func.count()).select_from(Job))
    assert client.post(f"/manage/reports/organisations/{police.id}/report.xlsx").status_code == 403
    assert client.post("/manage/reports/boards/health-and-wellbeing/pack.pdf").status_code == 403
    assert db.session.scalar(select(db.func.count()).select_from(Job)) == before


def test_a_build_that_fails_leaves_the_job_failed_and_no_file(client, demo, monkeypatch):
    signed_in_as(client, demo, "officer@aldermoor.example")
    kept_before = set(files_dir().iterdir())

    def half_built(report):
        builders.report_xlsx(report)  # the work is done ...
        raise RuntimeError("the disk filled up")  # ... and then the build fails

    monkeypatch.setitem(builders.BUILDERS, "pdf", half_built)
    job = _ask(client, PACK.replace("safer-and-stronger-communities", "health-and-wellbeing") + ".pdf")
    assert job.status is JobStatus.FAILED and job.file_path is None and job.file_name is None
    assert job.error == "Something went wrong while preparing it."
    assert set(files_dir().iterdir()) == kept_before  # no half file left behind
    assert client.get(f"/manage/downloads/{job.id}/file").status_code == 404
    listing = client.get("/manage/downloads").get_data(as_text=True)
    assert "Failed" in listing and "Try again" in listing

    monkeypatch.undo()
    assert client.post(f"/manage/downloads/{job.id}/retry").status_code == 302
    db.session.refresh(job)
    saved = client.get(f"/manage/downloads/{job.id}/file")
    assert job.status is JobStatus.DONE and saved.data.startswith(b"%PDF")
    saved.close()


def test_a_report_whose_board_was_deleted_fails_with_a_message(client, demo, make_user, app):
    from engage.jobs.tasks import run_export

    sign_in(client, make_user(Role.ADMIN))
    job = Job(
        user_id=db.session.scalar(select(Job.user_id).limit(1)) or make_user(Role.ADMIN).id,
        kind="report",
        params={"subject": "board", "key": "gone", "start": "2024-04-01", "end": "2025-03-31", "fmt": "pdf"},
        title="Board pack for a board since deleted",
    )
    db.session.add(job)
    db.session.flush()
    run_export(job.id)
    db.session.refresh(job)
    assert job.status is JobStatus.FAILED and job.error == "What this report was for has been deleted."
