"""After the session: the report as a printable page and as CSV."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from engage.spreadsheets import download
from engage.workshops import bp
from engage.workshops.access import session_for
from engage.workshops.report import report_csv, session_report


@bp.get("/manage/workshops/<int:session_id>/report")
@login_required
def report(session_id: int):
    session = session_for(session_id)
    return render_template("workshops/report.html", session=session, reports=session_report(session))


@bp.get("/manage/workshops/<int:session_id>/report.csv")
@login_required
def report_download(session_id: int):
    session = session_for(session_id)
    return download(report_csv(session), f"workshop-{session.join_code}-report.csv")
