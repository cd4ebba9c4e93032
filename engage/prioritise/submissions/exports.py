"""Downloads for budget and ranking exercises: every response (CSV, XLSX, Pabulib .pb) and the results.

No personal data: a respondent is a number local to the exercise. Item columns are the priorities' codes,
so a spreadsheet made from one exercise lines up with the board's indicators.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import groupby

from flask import current_app, redirect, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from engage import spreadsheets
from engage.content import locale_columns, locale_values
from engage.extensions import db
from engage.prioritise.budget.results import BudgetResults
from engage.prioritise.models import (
    BudgetMode,
    Exercise,
    ExerciseItem,
    ExerciseKind,
    Submission,
    SubmissionEntry,
)
from engage.prioritise.ranking.results import RankingResults

RESPONSE_COLUMNS = ["response_id", "recorded_at", "respondent", "channel", "workshop_session", "locale"]
BUDGET_RESULT_COLUMNS = [
    "rank",
    "code",
    "title",
    "mean_share",
    "share_low",
    "share_high",
    "median_share",
    "mean_amount",
    "change_from_current",
    "respondents",
]
RANKING_RESULT_COLUMNS = [
    "rank",
    "code",
    "title",
    "score",
    "score_low",
    "score_high",
    "mean_place",
    "ranked_first_share",
    "borda_points",
    "ranked_by",
    "respondents",
]


def item_code(item: ExerciseItem) -> str:
    return item.priority.code if item.priority else f"SUGGESTION-{item.id}"


def _submissions(exercise: Exercise) -> list[Submission]:
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.exercise_id == exercise.id)
            .options(selectinload(Submission.entries))
            .order_by(Submission.id)
        )
    )


def iter_response_rows(exercise: Exercise) -> Iterator[list]:
    """A header, then one row per response: its facts, then one column per item (amount, or place; blank
    where a top-N ranking left the item out). Entries are read as plain rows in response order and
    streamed a response at a time, so a large exercise is exported without an object per entry."""
    items = exercise.active_items
    yield RESPONSE_COLUMNS + [item_code(item) for item in items]
    submissions = db.session.execute(
        select(
            Submission.id,
            Submission.created_at,
            Submission.respondent_id,
            Submission.channel,
            Submission.workshop_session_id,
            Submission.locale,
        )
        .where(Submission.exercise_id == exercise.id)
        .order_by(Submission.id)
    ).all()
    entries = db.session.execute(
        select(SubmissionEntry.submission_id, SubmissionEntry.item_id, SubmissionEntry.value)
        .join(Submission, Submission.id == SubmissionEntry.submission_id)
        .where(Submission.exercise_id == exercise.id)
        .order_by(SubmissionEntry.submission_id)
        .execution_options(yield_per=20_000)
    )
    grouped = groupby(entries, key=lambda row: row.submission_id)
    pending = next(grouped, None)
    for submission in submissions:
        values: dict[int, int] = {}
        while pending is not None and pending[0] <= submission.id:
            if pending[0] == submission.id:
                values = {row.item_id: row.value for row in pending[1]}
            pending = next(grouped, None)
        yield [
            submission.id,
            submission.created_at.isoformat(),
            submission.respondent_id,
            submission.channel.value,
            submission.workshop_session_id or "",
            submission.locale,
            *[values.get(item.id, "") for item in items],
        ]


def response_rows(exercise: Exercise) -> list[list]:
    return list(iter_response_rows(exercise))


def codebook_rows(exercise: Exercise) -> list[list]:
    """What each column of the responses means."""
    if exercise.kind is ExerciseKind.BUDGET:
        assert exercise.unit is not None, "a budget exercise has a unit"
        value = f"amount allocated ({exercise.unit.value})"
    else:
        value = "place given (1 = first; blank = not ranked)"
    rows = [["column", "meaning"]]
    rows += [
        ["response_id", "number of the response"],
        ["recorded_at", "when it was submitted (UTC, ISO 8601)"],
        ["respondent", "anonymous number of the person, local to this exercise"],
        ["channel", "online, workshop or paper"],
        ["workshop_session", "the workshop session it was made in, if any"],
        ["locale", "the language the person used"],
    ]
    rows += [[item_code(item), f"{item.title}: {value}"] for item in exercise.active_items]
    return rows


def result_rows(outcome: BudgetResults | RankingResults) -> list[list]:
    """The results table, one row per item, best first; the English title, then its translations."""
    if isinstance(outcome, BudgetResults):
        rows: list[list] = [BUDGET_RESULT_COLUMNS + locale_columns("title")]
        for row in outcome.items:
            rows.append(
                [
                    row.rank,
                    item_code(row.item),
                    row.item.title,
                    round(row.mean, 4),
                    "" if row.low is None else round(row.low, 4),
                    "" if row.high is None else round(row.high, 4),
                    round(row.median, 4),
                    round(row.mean_amount, 2),
                    "" if row.change is None else round(row.change, 2),
                    outcome.respondents,
                    *(text or "" for text in locale_values(row.item, "title")),
                ]
            )
        return rows
    rows = [RANKING_RESULT_COLUMNS + locale_columns("title")]
    for entry in outcome.items:
        rows.append(
            [
                entry.rank,
                item_code(entry.item),
                entry.item.title,
                round(entry.score, 2),
                "" if entry.low is None else round(entry.low, 2),  # too few responses for an interval
                "" if entry.high is None else round(entry.high, 2),
                "" if entry.mean_rank is None else round(entry.mean_rank, 2),
                round(entry.first, 4),
                round(entry.borda, 3),
                entry.ranked_by,
                outcome.respondents,
                *(text or "" for text in locale_values(entry.item, "title")),
            ]
        )
    return rows


def _pb_field(text: str) -> str:
    """Pabulib fields are separated by semicolons and lines: keep both out of free text."""
    return " ".join(str(text).replace(";", ",").split())


def pabulib_text(exercise: Exercise) -> str:
    """The responses in the Pabulib .pb format (http://pabulib.org/format): META, PROJECTS and VOTES.

    A budget allocation is a 'cumulative' ballot (the points are the amounts given to each project); a
    ranking is an 'ordinal' ballot (projects best first). A project's cost is its current budget in
    rebalance mode, else its maximum, else the whole pot, since priorities have no fixed price.
    """
    items = exercise.active_items
    submissions = _submissions(exercise)
    budget = exercise.kind is ExerciseKind.BUDGET
    meta = {
        "description": _pb_field(exercise.title),
        "country": "United Kingdom",
        "unit": _pb_field(current_app.config["ENGAGE_PARTNERSHIP_NAME"]),
        "instance": str((exercise.opens_at or exercise.created_at).year),
        "subunit": _pb_field(exercise.board.name),
        "num_projects": str(len(items)),
        "num_votes": str(len(submissions)),
        "budget": str(exercise.starting_total if budget else 0),
        "vote_type": "cumulative" if budget else "ordinal",
        "rule": "none",
        "date_begin": (exercise.opens_at or exercise.created_at).date().isoformat(),
        "date_end": (exercise.closes_at.date() if exercise.closes_at else date.today()).isoformat(),
        "language": "en",
        "edition": "1",
    }
    if budget:
        assert exercise.unit is not None, "a budget exercise has a unit"
        meta["currency"] = "GBP" if exercise.unit.value == "money" else exercise.unit.value
        meta["max_sum_points"] = str(exercise.total_max or exercise.starting_total)
    else:
        meta["max_length"] = str(exercise.ranked_places)
    lines = ["META", "key;value", *[f"{key};{value}" for key, value in meta.items()], "PROJECTS"]
    lines.append("project_id;cost;name")
    for item in items:
        if exercise.budget_mode is BudgetMode.REBALANCE:
            cost = item.current_amount or 0
        else:
            cost = item.maximum or exercise.starting_total
        lines.append(f"{item.id};{cost};{_pb_field(item.title)}")
    lines.append("VOTES")
    lines.append("voter_id;vote;points" if budget else "voter_id;vote")
    for submission in submissions:
        entries = sorted(submission.entries, key=lambda e: (e.value, e.item_id) if not budget else e.item_id)
        if budget:
            given = [e for e in entries if e.value > 0]
            vote = ",".join(str(e.item_id) for e in given)
            points = ",".join(str(e.value) for e in given)
            lines.append(f"{submission.respondent_id};{vote};{points}")
        else:
            lines.append(f"{submission.respondent_id};{','.join(str(e.item_id) for e in entries)}")
    return "\n".join(lines) + "\n"


def responses_download(exercise: Exercise, fmt: str) -> Response:
    """Every response: the CSV streamed a row at a time; the Excel and Pabulib files prepared as jobs."""
    if fmt == "csv":
        exercise_id = exercise.id
        return spreadsheets.streamed_csv(
            lambda: iter_response_rows(db.session.get_one(Exercise, exercise_id)),
            f"exercise-{exercise.id}-responses.csv",
        )
    return redirect(url_for("jobs.prepare", kind="exercise_responses", target=exercise.id, fmt=fmt))
