"""The downloads that run as jobs: what each is, who may ask for it, how many rows it has and how its file
is written (a CSV a row at a time, an XLSX streamed by engage/xlsx_writer.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from engage.accounts.models import User
from engage.accounts.permissions import can_read_results
from engage.extensions import db
from engage.jobs.running import JobFailed, Progress
from engage.prioritise import results_cache, results_downloads
from engage.prioritise.access import exercise_for
from engage.prioritise.models import Exercise, ExerciseKind, PairwiseVote, Submission
from engage.prioritise.pairwise.exports import vote_rows
from engage.prioritise.submissions import exports as submission_exports
from engage.spreadsheets import write_csv, write_xlsx
from engage.surveys import exports as survey_exports
from engage.surveys.access import consultation_for
from engage.surveys.models import Consultation, ConsultationResponse

FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel", "pb": "Pabulib"}


@dataclass(frozen=True)
class Export:
    model: type
    formats: tuple[str, ...]
    #: Load the subject for the signed-in person: 404 or 403 as its own pages would answer.
    load_for_user: Callable[[int], Any]
    describe: Callable[[Any, str], str]
    file_name: Callable[[Any, str], str]
    #: How many rows the file will have (for the progress bar).
    count: Callable[[Any], int]
    #: The sheets ({title: rows}) or, for CSV, the first sheet's rows; text formats return a string.
    sheets: Callable[[Any, str], dict[str, Iterable]]
    #: Whether the subject can have this export at all (votes only for pairwise exercises).
    offers: Callable[[Any], bool] = lambda subject: True


def _responses(model: Any, column: Any) -> Callable[[Any], int]:
    def count(subject: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(column == subject.id)) or 0

    return count


EXPORTS: dict[str, Export] = {
    "consultation_responses": Export(
        Consultation,
        ("csv", "xlsx"),
        lambda target: consultation_for(target, manage=False),
        lambda c, fmt: _("Responses to %(title)s (%(format)s)", title=c.title, format=FORMAT_NAMES[fmt]),
        lambda c, fmt: f"consultation-{c.id}-responses.{fmt}",
        _responses(ConsultationResponse, ConsultationResponse.consultation_id),
        lambda c, fmt: {
            "Responses": survey_exports.as_cells(survey_exports.iter_response_rows(c)),
            "Codebook": survey_exports.as_cells(survey_exports.codebook_rows(c)),
        },
    ),
    "exercise_votes": Export(
        Exercise,
        ("csv",),
        lambda target: exercise_for(target, manage=False),
        lambda e, fmt: _("Every vote in %(title)s (%(format)s)", title=e.title, format=FORMAT_NAMES[fmt]),
        lambda e, fmt: f"exercise-{e.id}-votes.{fmt}",
        _responses(PairwiseVote, PairwiseVote.exercise_id),
        lambda e, fmt: {"Votes": vote_rows(e)},
        lambda e: e.kind is ExerciseKind.PAIRWISE,
    ),
    "exercise_responses": Export(
        Exercise,
        ("csv", "xlsx", "pb"),
        lambda target: exercise_for(target, manage=False),
        lambda e, fmt: _("Responses to %(title)s (%(format)s)", title=e.title, format=FORMAT_NAMES[fmt]),
        lambda e, fmt: f"exercise-{e.id}-responses.{fmt}",
        _responses(Submission, Submission.exercise_id),
        lambda e, fmt: {
            "Responses": submission_exports.iter_response_rows(e),
            "Codebook": submission_exports.codebook_rows(e),
        },
        lambda e: e.kind is not ExerciseKind.PAIRWISE,
    ),
    # Results as a file when a large exercise's kept results are not current (engage/prioritise/
    # results_downloads.py): computed here, and kept for the pages, if the refresh job has not done it.
    results_downloads.KIND: Export(
        Exercise,
        ("csv", "xlsx"),
        lambda target: exercise_for(target, manage=False),
        lambda e, fmt: _("Results of %(title)s (%(format)s)", title=e.title, format=FORMAT_NAMES[fmt]),
        results_downloads.file_name,
        lambda e: len(e.items),
        lambda e, fmt: results_downloads.result_sheets(e, results_cache.results(e, breakdowns=False)),
    ),
}


#: Said when the asker's access was taken away between asking and the file being written.
ACCESS_CHANGED = _l("You can no longer have this download: your access was changed after you asked for it.")


def may_have(user: User, subject: Any) -> bool:
    """Whether ``user`` may still have an export of ``subject``: the rule its pages use (every export reads
    results, as their ``load_for_user`` checks), asked again by the job when it runs and by the file's
    download, since the account may have been closed or moved, or its organisation taken off the board."""
    return user.is_active and can_read_results(user, subject.board)


def write(kind: str, target: int, fmt: str, progress: Progress, path: Path, user: User) -> str:
    """Write the export's file at ``path`` for ``user`` (who asked); return the name it is downloaded as."""
    export = EXPORTS[kind]
    subject = db.session.get(export.model, target)
    if subject is None:
        raise JobFailed(_("What this download was for has been deleted."))
    if not may_have(user, subject):
        raise JobFailed(str(ACCESS_CHANGED))
    progress.expect(export.count(subject) + 1)  # and the header
    if fmt == "pb":  # Pabulib is one text block, written whole (it is a few bytes per response)
        path.write_text(submission_exports.pabulib_text(subject), encoding="utf-8")
        progress.step(progress.total or 1)
    else:
        sheets = export.sheets(subject, fmt)
        first, *others = sheets
        counted = {first: progress.counted(sheets[first]), **{name: sheets[name] for name in others}}
        if fmt == "csv":
            with path.open("w", encoding="utf-8", newline="") as out:
                write_csv(counted[first], out)
        else:
            write_xlsx(counted, path)
    return export.file_name(subject, fmt)
