"""Staff "Downloads and jobs": asking for a download, its progress, the file, failures and "Try again", and
who may see what."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.extensions import db
from engage.jobs import exports
from engage.jobs.models import Job, JobStatus
from engage.jobs.running import JobFailed
from tests.conftest import sign_in
from tests.downloads import prepared_file
from tests.surveys.test_consultations import respond


def _ask(client, kind: str, target: int, fmt: str) -> Job:
    response = client.post(f"/manage/downloads/new/{kind}/{target}.{fmt}")
    assert response.status_code == 302 and "/manage/downloads#job-" in response.location
    return db.session.get(Job, int(response.location.rsplit("job-", 1)[1]))


def test_a_consultation_export_is_prepared_as_a_job_and_offered_to_its_owner(
    client, make_consultation, hwb, officer
):
    consultation = make_consultation()
    respond(client, consultation, hwb)
    sign_in(client, officer)
    results = client.get(f"/manage/consultations/{consultation.id}/results").get_data(as_text=True)
    prepare = f"/manage/downloads/new/consultation_responses/{consultation.id}.xlsx"
    assert prepare in results
    page = client.get(prepare).get_data(as_text=True)
    assert "Responses to Your health services (Excel)" in page and "Prepare the download" in page

    job = _ask(client, "consultation_responses", consultation.id, "xlsx")
    assert job.status is JobStatus.DONE and job.user_id == officer.id
    assert job.total == 2 and job.percent == 100  # the header and one response
    listing = client.get("/manage/downloads").get_data(as_text=True)
    assert "Responses to Your health services (Excel)" in listing and "Ready" in listing
    assert f"/manage/downloads/{job.id}/file" in listing and "hx-get" not in listing  # nothing to poll
    saved = client.get(f"/manage/downloads/{job.id}/file")
    assert saved.headers["Content-Disposition"] == (
        f"attachment; filename=consultation-{consultation.id}-responses.xlsx"
    )
    assert (
        saved.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(saved.data))
    saved.close()
    assert book.sheetnames == ["Responses", "Codebook"]
    assert [cell.value for cell in next(book["Responses"].iter_rows())][:2] == ["response", "submitted_at"]


def test_the_csv_is_streamed_and_the_job_writes_the_same_rows(client, make_consultation, hwb, officer):
    consultation = make_consultation()
    respond(client, consultation, hwb)
    sign_in(client, officer)
    streamed = client.get(f"/manage/consultations/{consultation.id}/responses.csv", buffered=False)
    assert streamed.is_streamed
    direct = streamed.get_data(as_text=True)
    streamed.close()
    prepared = prepared_file(client, f"/manage/downloads/new/consultation_responses/{consultation.id}.csv")
    assert prepared.decode() == direct
    assert len(list(csv.reader(io.StringIO(direct)))) == 2


def test_a_running_job_is_polled_and_shows_its_progress(client, officer, make_consultation):
    consultation = make_consultation()
    job = Job(
        user_id=officer.id,
        kind="consultation_responses",
        params={"target": consultation.id, "fmt": "csv"},
        title="Responses",
        status=JobStatus.RUNNING,
        done=250,
        total=1000,
    )
    db.session.add(job)
    db.session.commit()
    sign_in(client, officer)
    html = client.get("/manage/downloads").get_data(as_text=True)
    assert f'hx-get="/manage/downloads/{job.id}/progress"' in html and 'value="25"' in html
    partial = client.get(f"/manage/downloads/{job.id}/progress", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert text.strip().startswith(f'<li id="job-{job.id}"') and "25% done" in text and "<html" not in text
    job.status, job.done = JobStatus.DONE, 1000
    db.session.commit()
    done = client.get(f"/manage/downloads/{job.id}/progress", headers={"HX-Request": "true"})
    assert "hx-get" not in done.get_data(as_text=True)  # finished: the polling stops
    # Without htmx, the progress address goes to the page.
    assert client.get(f"/manage/downloads/{job.id}/progress").status_code == 302


def test_a_failure_is_shown_with_a_retry_that_works(client, make_consultation, officer, monkeypatch):
    consultation = make_consultation()
    sign_in(client, officer)
    real_write = exports.write

    def broken(*args):
        raise JobFailed("The export broke.")

    monkeypatch.setattr(exports, "write", broken)
    job = _ask(client, "consultation_responses", consultation.id, "csv")
    assert job.status is JobStatus.FAILED and job.error == "The export broke."
    html = client.get("/manage/downloads").get_data(as_text=True)
    assert "Failed" in html and "The export broke." in html and "Try again" in html
    assert client.get(f"/manage/downloads/{job.id}/file").status_code == 404

    monkeypatch.setattr(exports, "write", real_write)
    assert client.post(f"/manage/downloads/{job.id}/retry").status_code == 302
    db.session.refresh(job)
    assert job.status is JobStatus.DONE and job.error is None and job.attempts == 1
    saved = client.get(f"/manage/downloads/{job.id}/file")
    saved.close()
    assert saved.status_code == 200


def test_an_unexpected_error_is_told_in_plain_words(client, make_consultation, officer, monkeypatch):
    consultation = make_consultation()
    sign_in(client, officer)
    monkeypatch.setattr(exports, "write", lambda *args: 1 / 0)
    job = _ask(client, "consultation_responses", consultation.id, "csv")
    assert job.status is JobStatus.FAILED and job.error == "Something went wrong while preparing it."


def test_only_the_owner_sees_a_job_and_its_file(
    client, make_consultation, hwb, officer, make_user, council, make_organisation
):
    consultation = make_consultation()
    respond(client, consultation, hwb)
    sign_in(client, officer)
    job = _ask(client, "consultation_responses", consultation.id, "csv")
    client.post("/sign-out")
    colleague = make_user(Role.BOARD_OFFICER, organisation=council)  # same organisation, not the owner
    stranger = make_user(Role.BOARD_OFFICER, organisation=make_organisation("Elsewhere"))
    for person in (colleague, stranger):
        sign_in(client, person)
        assert f"job-{job.id}" not in client.get("/manage/downloads").get_data(as_text=True)
        for path in ("file", "progress"):
            assert client.get(f"/manage/downloads/{job.id}/{path}").status_code == 404
        assert client.post(f"/manage/downloads/{job.id}/retry").status_code == 404
        client.post("/sign-out")
    # A second organisation's officer may not ask for this consultation's download either.
    sign_in(client, stranger)
    prepare = f"/manage/downloads/new/consultation_responses/{consultation.id}.csv"
    assert client.get(prepare).status_code == 403 and client.post(prepare).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_unknown_kinds_formats_and_things_are_not_found(client, make_consultation, make_exercise, officer):
    consultation = make_consultation()
    pairwise = make_exercise()
    sign_in(client, officer)
    for path in (
        f"consultation_responses/{consultation.id}.pb",
        f"nonsense/{consultation.id}.csv",
        "consultation_responses/999999.csv",
        f"exercise_responses/{pairwise.id}.csv",  # a pairwise exercise has votes, not responses
    ):
        assert client.get(f"/manage/downloads/new/{path}").status_code == 404, path
    assert client.get("/manage/downloads/99999999999999999999/file").status_code == 404


def test_a_deleted_subject_fails_the_job_with_a_reason(client, make_consultation, officer):
    consultation = make_consultation()
    sign_in(client, officer)
    job = Job(
        user_id=officer.id,
        kind="consultation_responses",
        params={"target": consultation.id + 1000, "fmt": "csv"},
        title="Gone",
    )
    db.session.add(job)
    db.session.commit()
    from engage.jobs.tasks import run_export

    run_export(job.id)
    db.session.refresh(job)
    assert job.status is JobStatus.FAILED and "deleted" in job.error


def test_the_same_job_queued_twice_runs_once(client, make_consultation, hwb, officer):
    from engage.jobs.tasks import run_export

    consultation = make_consultation()
    respond(client, consultation, hwb)
    sign_in(client, officer)
    job = _ask(client, "consultation_responses", consultation.id, "csv")
    first_file = job.file_path
    run_export(job.id)  # a second message for a job already done: nothing happens
    db.session.refresh(job)
    assert job.file_path == first_file and job.attempts == 1


def test_an_export_whose_asker_lost_access_fails_and_a_written_file_is_refused(
    client, make_consultation, hwb, officer, make_organisation, monkeypatch
):
    """Access is asked again when the job runs and when the file is fetched, not only when it was asked for:
    an officer whose organisation leaves the board meanwhile gets neither the answers nor the file."""
    from engage.jobs import queue
    from engage.jobs.running import files_dir

    consultation = make_consultation()
    respond(client, consultation, hwb)
    sign_in(client, officer)
    ready = _ask(client, "consultation_responses", consultation.id, "csv")  # runs at once in tests
    assert ready.status is JobStatus.DONE
    queued = []
    monkeypatch.setattr(queue, "after_commit", lambda send: queued.append(send))  # asked, not yet run
    waiting = _ask(client, "consultation_responses", consultation.id, "xlsx")
    assert waiting.status is JobStatus.QUEUED and len(queued) == 1
    kept_before = set(files_dir().iterdir())

    hwb.members = [make_organisation("Another partner")]
    db.session.commit()
    monkeypatch.undo()
    queued[0]()  # the worker takes the job

    db.session.refresh(waiting)
    assert waiting.status is JobStatus.FAILED and waiting.file_path is None
    assert waiting.error == (
        "You can no longer have this download: your access was changed after you asked for it."
    )
    assert set(files_dir().iterdir()) == kept_before
    refused = client.get(f"/manage/downloads/{ready.id}/file")
    assert refused.status_code == 403 and "response," not in refused.get_data(as_text=True)


def test_a_prepared_csv_says_its_character_set_once(client, make_consultation, hwb, officer):
    consultation = make_consultation()
    respond(client, consultation, hwb)
    sign_in(client, officer)
    job = _ask(client, "consultation_responses", consultation.id, "csv")
    saved = client.get(f"/manage/downloads/{job.id}/file")
    saved.close()
    assert (
        saved.headers["Content-Type"] == "text/csv; charset=utf-8"
    )  # was "...; charset=utf-8; charset=utf-8"


def test_a_file_another_host_wrote_is_explained_not_an_error(
    client, make_consultation, hwb, officer, app, caplog, tmp_path
):
    """Two app hosts whose job folders are not shared: the download is asked of the host that did not
    write it. The person is told what happened and what to do; the log says which file is missing."""
    consultation = make_consultation()
    respond(client, consultation, hwb)
    sign_in(client, officer)
    job = _ask(client, "consultation_responses", consultation.id, "csv")
    written = app.config["ENGAGE_JOB_FILES_DIR"]
    try:
        app.config["ENGAGE_JOB_FILES_DIR"] = str(tmp_path / "other-host")  # this host's own, unshared folder
        refused = client.get(f"/manage/downloads/{job.id}/file")
    finally:
        app.config["ENGAGE_JOB_FILES_DIR"] = written
    page = refused.get_data(as_text=True)
    assert refused.status_code == 404 and "The file cannot be found" in page
    assert "prepared by another of the service" in page and "Your downloads and jobs" in page
    assert f"job {job.id}'s file" in caplog.text and "ENGAGE_JOB_FILES_DIR" in caplog.text
    saved = client.get(f"/manage/downloads/{job.id}/file")  # on the host that wrote it
    saved.close()
    assert saved.status_code == 200
