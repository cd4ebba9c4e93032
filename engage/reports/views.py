"""The reports pages: which reports a person may pull, an organisation's report and a board pack for a chosen
period as a printable page, and the same as a PDF or an XLSX, prepared as a job (Downloads and jobs)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from engage.accounts.models import Organisation
from engage.boards.models import Board
from engage.database import utcnow
from engage.dates import LONDON
from engage.extensions import db
from engage.forms import form_page
from engage.jobs.forms import ConfirmForm
from engage.reports import bp
from engage.reports.access import organisation_for, pack_board_for
from engage.reports.data import Period, Report, board_pack, organisation_report
from engage.reports.forms import PeriodForm, default_period
from engage.reports.jobs import describe, start_report


def _today() -> date:
    return utcnow().astimezone(LONDON).date()


def _period_form() -> tuple[PeriodForm, Period | None]:
    """The form as sent (the default period when nothing was sent) and its period; None when it has errors."""
    if "start" not in request.args and "end" not in request.args:
        start, end = default_period(_today())
        return PeriodForm(formdata=None, data={"start": start, "end": end}), Period(start, end)
    form = PeriodForm(formdata=request.args)
    if not form.validate():
        return form, None
    return form, Period(form.start.data, form.end.data)


def _page(report_of, endpoint: str, title_args: dict[str, Any], subject, kind: str):
    form, period = _period_form()
    report: Report | None = report_of(subject, period) if period else None
    links: dict[str, str] = {}
    if period:
        values: dict[str, Any] = {
            **title_args,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        }
        links = {fmt: url_for(endpoint, **values, fmt=fmt) for fmt in ("pdf", "xlsx")}
    return (
        render_template(
            "reports/report.html", form=form, report=report, links=links, kind=kind, subject=subject
        ),
        200 if period else 400,
    )


def _prepare(subject, fmt: str):
    """Ask for the report as a file: the page says what it will be, and its button queues a job (engage/
    reports/jobs.py) whose file is offered on Downloads and jobs."""
    form, period = _period_form()
    if period is None:
        return (
            render_template(
                "reports/report.html", form=form, report=None, links={}, kind="", subject=subject
            ),
            400,
        )
    confirm = ConfirmForm()
    if confirm.validate_on_submit():
        job = start_report(current_user, subject, period, fmt)
        return redirect(url_for("jobs.downloads", _anchor=f"job-{job.id}"))
    title = describe(subject, period, fmt)
    return render_template("jobs/prepare.html", title=title, form=confirm), 400 if confirm.errors else 200


@bp.get("/manage/reports")
@login_required
def report_list():
    if current_user.is_admin:
        organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
        boards = list(db.session.scalars(select(Board).order_by(Board.name)))
    else:
        organisation = current_user.organisation
        organisations = [organisation] if organisation else []
        boards = list(organisation.boards) if organisation else []
    return render_template("reports/report_list.html", organisations=organisations, boards=boards)


@bp.get("/manage/reports/organisations/<int:organisation_id>")
@login_required
def organisation(organisation_id: int):
    subject = organisation_for(organisation_id)
    return _page(
        organisation_report,
        "reports.organisation_download",
        {"organisation_id": organisation_id},
        subject,
        "organisation",
    )


@bp.route(
    "/manage/reports/organisations/<int:organisation_id>/report.<any(pdf, xlsx):fmt>", methods=["GET", "POST"]
)
@login_required
@form_page
def organisation_download(organisation_id: int, fmt: str):
    return _prepare(organisation_for(organisation_id), fmt)


@bp.get("/manage/reports/boards/<slug>")
@login_required
def board(slug: str):
    subject = pack_board_for(slug)
    return _page(board_pack, "reports.board_download", {"slug": slug}, subject, "board")


@bp.route("/manage/reports/boards/<slug>/pack.<any(pdf, xlsx):fmt>", methods=["GET", "POST"])
@login_required
@form_page
def board_download(slug: str, fmt: str):
    return _prepare(pack_board_for(slug), fmt)
