"""A report's files: plain functions from a gathered ``Report`` to bytes, so a request or a background job can
make them. Each needs an application context (the templates, the translations, the database for
``build_report``).

For a job: ``build_report(subject, key, start, end, fmt)`` gathers and builds in one call and returns the file
name and bytes; ``subject`` is "organisation" (``key`` its id) or "board" (``key`` its slug), ``fmt`` "pdf"
or "xlsx". Access is the caller's to check (``engage.reports.access``) before it queues the job; run it
inside ``engage.transactions.unit_of_work`` (consultation results may rebuild their derived counts).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import abort, render_template

from engage.accounts.models import Organisation
from engage.boards.models import Board
from engage.extensions import db
from engage.reports.data import Period, Report, board_pack, organisation_report
from engage.spreadsheets import xlsx_bytes

FORMATS = ("pdf", "xlsx")


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> dict:
    """WeasyPrint fetches nothing: the report's HTML and CSS are all in the document."""
    raise ValueError(f"reports fetch nothing ({url[:40]})")


def report_pdf(report: Report) -> bytes:
    """The report as a PDF (WeasyPrint: the print template and its CSS, A4)."""
    from weasyprint import CSS, HTML  # imported here: loading Pango takes a moment, and only this needs it

    html = render_template("reports/report_pdf.html", report=report)
    css = CSS(string=render_template("reports/report_pdf.css"), url_fetcher=_refuse_fetch)
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(stylesheets=[css])


def _number(value: float | None, places: int = 6) -> float | None:
    return None if value is None else round(value, places)


def _summary_rows(report: Report) -> Iterable[list]:
    yield ["Report", "Board pack" if report.subject == "board" else "Organisation report"]
    yield ["For", report.name]
    yield ["From", report.period.start]
    yield ["To", report.period.end]
    yield ["Made at (UTC)", report.made_at.replace(tzinfo=None)]
    yield []
    yield ["Responses in the period by channel", "responses"]
    for channel, count in report.participation.items():
        yield [channel, count]
    yield ["total", report.participants]
    if report.undated_periods:
        yield []
        yield ["Indicator periods with no dates (kept in)", ", ".join(report.undated_periods)]


def _weight_rows(report: Report) -> Iterable[list]:
    yield [
        "board",
        "kind",
        "version",
        "published_at",
        "status",
        "decision",
        "rank",
        "code",
        "priority",
        "weight",
    ]
    for board in report.boards:
        published = board.published_at.replace(tzinfo=None) if board.published_at else None
        head = [
            board.board.name,
            board.board.kind.value,
            board.version,
            published,
            board.status,
            board.decision,
        ]
        if not board.lines:
            yield [*head, None, None, None, None]
        for line in board.lines:
            yield [*head, line.rank, line.code, line.title, _number(line.weight)]


def _indicator_rows(report: Report) -> Iterable[list]:
    yield [
        "board",
        "priority",
        "reference",
        "indicator",
        "owner",
        "unit",
        "polarity",
        "latest_period",
        "actual",
        "target",
        "gap_from_target",
        "rag",
        "direction",
        "commentary",
    ]
    for line in report.indicators:
        latest = line.latest
        yield [
            line.board,
            line.priority,
            line.indicator.reference,
            line.indicator.name,
            line.owner,
            line.indicator.unit,
            line.indicator.polarity.value,
            latest.period if latest else None,
            latest.actual if latest else None,
            latest.target if latest else None,
            _number(line.gap),
            latest.status.value if latest and latest.status else None,
            line.direction,
            latest.commentary if latest else None,
        ]


def _value_rows(report: Report) -> Iterable[list]:
    yield ["reference", "indicator", "period", "actual", "target"]
    for line in report.indicators:
        for period, actual, target in line.values:
            yield [line.indicator.reference, line.indicator.name, period, actual, target]


def _activity_rows(report: Report) -> Iterable[list]:
    yield ["kind", "title", "board", "run_by", "status", "online", "workshop", "paper", "in_period", "total"]
    for line in report.activities:
        channels = [line.in_period.get(c, 0) for c in ("online", "workshop", "paper")]
        yield [line.kind, line.title, line.board, line.organisation, line.status, *channels,
               line.responses_in_period, line.total]  # fmt: skip


def _headline_rows(report: Report) -> Iterable[list]:
    yield ["title", "kind", "place", "item_or_question", "result"]
    for line in report.activities:
        for place, (what, figure) in enumerate(line.headlines, start=1):
            yield [line.title, line.kind, place, what, figure]
        if line.withheld_below:
            yield [line.title, line.kind, None, None, f"not shown: fewer than {line.withheld_below} people"]


def report_xlsx(report: Report) -> bytes:
    """The report as a workbook: a sheet per part, every cell through ``engage.spreadsheets`` (no text runs as
    a formula), figures as numbers."""
    return xlsx_bytes(
        {
            "Summary": _summary_rows(report),
            "Weights": _weight_rows(report),
            "Indicators": _indicator_rows(report),
            "Indicator values": _value_rows(report),
            "Exercises and consultations": _activity_rows(report),
            "Headline results": _headline_rows(report),
        }
    )


BUILDERS = {"pdf": report_pdf, "xlsx": report_xlsx}


def file_name(report: Report, fmt: str) -> str:
    kind = "board-pack" if report.subject == "board" else "report"
    return f"{report.slug}-{kind}-{report.period.start.isoformat()}-to-{report.period.end.isoformat()}.{fmt}"


def report_file(report: Report, fmt: str) -> tuple[str, bytes]:
    """(file name, bytes) of the report in ``fmt`` ("pdf" or "xlsx")."""
    return file_name(report, fmt), BUILDERS[fmt](report)


def gather(subject: str, key: int | str, period: Period) -> Report:
    """The report on an organisation (by id) or a board (by slug); 404 when there is none."""
    if subject == "organisation":
        organisation = db.session.get(Organisation, int(key))
        if organisation is None:
            abort(404)
        return organisation_report(organisation, period, compute_all=True)
    board = db.session.scalar(db.select(Board).where(Board.slug == str(key)))
    if board is None:
        abort(404)
    return board_pack(board, period, compute_all=True)


def build_report(subject: str, key: int | str, start: date, end: date, fmt: str) -> tuple[str, bytes]:
    """What a background job calls: gather the report and build its file. Returns (file name, bytes)."""
    return report_file(gather(subject, key, Period(start, end)), fmt)
