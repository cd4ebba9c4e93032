"""Staff: "Downloads and jobs": ask for a download, watch it being prepared, save it when ready."""

from __future__ import annotations

import logging

from flask import abort, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from engage.extensions import db, htmx
from engage.forms import form_page
from engage.jobs import bp, exports, service
from engage.jobs.exports import EXPORTS
from engage.jobs.forms import ConfirmForm
from engage.jobs.models import Job, JobStatus
from engage.jobs.running import files_dir
from engage.spreadsheets import CONTENT_TYPES

logger = logging.getLogger(__name__)


def own_job_or_404(job_id: int) -> Job:
    """The signed-in person's job: anyone else's is not found (not forbidden: its existence is private)."""
    job = db.session.get(Job, job_id)
    if job is None or job.user_id != current_user.id:
        abort(404)
    return job


def _may_have(job: Job) -> bool:
    """Whether the signed-in owner may still have the job's file: access is asked again at download, as it
    was when the job ran (the account may have moved, or its organisation left the board, since)."""
    from engage.reports import jobs as report_jobs

    if job.kind == report_jobs.KIND:
        return report_jobs.may_have(current_user, job)
    export = EXPORTS.get(job.kind)
    subject = db.session.get(export.model, job.params["target"]) if export else None
    return subject is not None and exports.may_have(current_user, subject)


def _export_or_404(kind: str, target: int, fmt: str):
    export = EXPORTS.get(kind)
    if export is None or fmt not in export.formats:
        abort(404)
    subject = export.load_for_user(target)
    if not export.offers(subject):
        abort(404)
    return export, subject


@bp.get("/manage/downloads")
@login_required
def downloads():
    return render_template("jobs/downloads.html", jobs=service.jobs_of(current_user), form=ConfirmForm())


@bp.route("/manage/downloads/new/<kind>/<int:target>.<fmt>", methods=["GET", "POST"])
@login_required
@form_page
def prepare(kind: str, target: int, fmt: str):
    """Ask for a download: the page says what it will be, and the button queues it."""
    export, subject = _export_or_404(kind, target, fmt)
    form = ConfirmForm()
    if form.validate_on_submit():
        job = service.start_export(current_user, kind, subject, fmt)
        return redirect(url_for(".downloads", _anchor=f"job-{job.id}"))
    return render_template(
        "jobs/prepare.html", title=export.describe(subject, fmt), form=form
    ), 400 if form.errors else 200


@bp.get("/manage/downloads/<int:job_id>/progress")
@login_required
def progress(job_id: int):
    """The job's row on the page, polled by htmx until it has finished."""
    job = own_job_or_404(job_id)
    if htmx:
        return render_template("jobs/_partials/_job.html", job=job, form=ConfirmForm())
    return redirect(url_for(".downloads", _anchor=f"job-{job.id}"))


@bp.post("/manage/downloads/<int:job_id>/retry")
@login_required
def retry(job_id: int):
    job = own_job_or_404(job_id)
    if ConfirmForm().validate_on_submit() and job.status is JobStatus.FAILED:
        service.retry(job)
    return redirect(url_for(".downloads", _anchor=f"job-{job.id}"))


@bp.get("/manage/downloads/<int:job_id>/file")
@login_required
def download_file(job_id: int):
    job = own_job_or_404(job_id)
    if job.status is not JobStatus.DONE or not job.file_path or not job.file_name:
        abort(404)
    if not _may_have(job):
        abort(403)  # theirs, but their access has changed since it was written
    path = files_dir() / job.file_path
    if not path.is_file():
        # Written by a worker on another host whose folder this one cannot read (it must be shared
        # storage: docs/deploy.md), or removed by hand: say so to the person and to the IT team.
        logger.error("job %s's file %s is not in ENGAGE_JOB_FILES_DIR on this host", job.id, path)
        return render_template("jobs/file_missing.html", job=job), 404
    response = send_file(path, as_attachment=True, download_name=job.file_name)
    # Set whole, as the direct downloads send it: given as send_file's mimetype, Werkzeug added a second
    # "; charset=utf-8" to the text types.
    response.content_type = CONTENT_TYPES[job.file_name.rsplit(".", 1)[-1]]
    response.headers["Cache-Control"] = "no-store"  # residents' answers: never kept by a browser or proxy
    return response
