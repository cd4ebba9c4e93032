"""Exercise actions are all or nothing: a refusal part-way leaves nothing of the action, and undoes nothing
else the unit of work did (a savepoint, or, when the action is its transaction's first write, a rollback of
the whole transaction, which then holds nothing else: engage.transactions.atomic)."""

import secrets

import pytest
from sqlalchemy import func, select

from engage.boards.models import Priority
from engage.extensions import db
from engage.prioritise import integrity, service
from engage.prioritise.models import (
    BudgetMode,
    Comment,
    Exercise,
    ExerciseItem,
    ExerciseKind,
    ExerciseStatus,
    Outcome,
    PairCount,
    PairwiseVote,
    Respondent,
    Submission,
    SubmissionEntry,
    Suggestion,
    SuggestionStatus,
)
from engage.prioritise.pairwise import voting
from engage.prioritise.submissions import submitting
from engage.service_errors import FieldConflict
from tests.conftest import sign_in


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def earlier_write(row):
    """Write ``row`` as the unit of work's work before the action: a refused action must not take it along."""
    db.session.add(row)
    db.session.flush()
    return type(row), row.id


def still_there(written):
    model, row_id = written
    db.session.expire_all()
    return db.session.get(model, row_id) is not None


def a_comment(exercise):
    return Comment(exercise_id=exercise.id, text="Written before the action")


def test_a_new_exercise_with_too_few_items_leaves_no_exercise(hwb, officer, make_exercise):
    other = make_exercise()
    before = earlier_write(a_comment(other))
    with pytest.raises(FieldConflict, match="at least 3"):
        service.save_exercise(
            None,
            board=hwb,
            organisation_id=officer.organisation_id,
            user=officer,
            title="Too small",
            question="Which?",
            introduction="",
            priorities=hwb.active_priorities[:2],
            opens_at=None,
            closes_at=None,
            allow_suggestions=False,
            results_public=False,
        )
    assert still_there(before)
    assert count(Exercise) == 1 and count(ExerciseItem) == len(other.items)


def test_a_budget_change_refused_once_people_answered_keeps_every_setting(make_budget, submit, officer):
    exercise = make_budget()
    submit(exercise, {item.id: 25 for item in exercise.active_items})
    before = earlier_write(a_comment(exercise))
    with pytest.raises(FieldConflict, match="can no longer change"):
        service.save_exercise(
            exercise,
            board=exercise.board,
            organisation_id=exercise.organisation_id,
            user=officer,
            title="A new title",
            question=exercise.question,
            introduction=exercise.introduction,
            priorities=[item.priority for item in exercise.active_items],
            opens_at=None,
            closes_at=None,
            allow_suggestions=False,
            results_public=False,
            kind=ExerciseKind.BUDGET,
            budget_mode=BudgetMode.SHARE,
            budget_total=500,
        )
    assert still_there(before)
    stored = db.session.get(Exercise, exercise.id)
    assert stored.title == "Share the budget" and stored.budget_total == 100 and stored.results_public


def test_item_budgets_refused_on_a_later_item_change_no_item(client, officer, make_budget):
    """Before: the first item's new amounts were kept when the second item's were refused."""
    exercise = make_budget(status=ExerciseStatus.DRAFT)
    first, second = exercise.active_items[:2]
    sign_in(client, officer)
    refused = client.post(
        f"/manage/exercises/{exercise.id}/items",
        data={
            f"item-{first.id}-minimum": "10",
            f"item-{first.id}-buys": "Ten more clinics",
            f"item-{second.id}-minimum": "50",
            f"item-{second.id}-maximum": "20",
        },
    )
    assert refused.status_code == 400 and "less than its least" in refused.get_data(as_text=True)
    db.session.expire_all()
    first = db.session.get(ExerciseItem, first.id)
    assert first.minimum is None and first.buys == ""


def test_approving_with_a_board_code_already_taken_leaves_the_suggestion_waiting(
    client, hwb, officer, make_exercise
):
    """Before: the suggestion was marked approved (with no item) when the board refused the code."""
    exercise = make_exercise()
    suggestion = service.add_suggestion(exercise, None, "Buses to the hospital")
    db.session.commit()
    items = count(ExerciseItem)
    sign_in(client, officer)
    response = client.post(
        f"/manage/suggestions/{suggestion.id}/approve",
        data={"title": "Transport", "description": "Buses.", "board_code": "HWB-SMOKING"},
        follow_redirects=True,
    )
    assert "already has a priority with this code" in response.get_data(as_text=True)
    db.session.expire_all()
    waiting = db.session.get(Suggestion, suggestion.id)
    assert waiting.status is SuggestionStatus.PENDING and waiting.item_id is None
    assert waiting.moderated_by_id is None and waiting.moderated_at is None
    assert count(ExerciseItem) == items and count(Priority, Priority.code == "HWB-SMOKING") == 1


@pytest.fixture
def voted(make_exercise, cast):
    exercise = make_exercise()
    a, b, c = exercise.active_items[:3]
    for outcome in (Outcome.LEFT, Outcome.LEFT, Outcome.RIGHT):
        cast(exercise, a, b, outcome, token="ballot-stuffer")
    cast(exercise, b, c, Outcome.LEFT)
    return exercise


def pair_totals(exercise):
    return sorted(
        (row.low_item_id, row.high_item_id, row.low_wins, row.high_wins, row.skips)
        for row in db.session.scalars(select(PairCount).where(PairCount.exercise_id == exercise.id))
    )


def test_an_exclusion_whose_recount_fails_excludes_nobody(voted, officer, monkeypatch):
    """The flags and the pair counts rebuilt without them stand together (before: the flags stayed)."""
    stuffer = voting.find_respondent(voted, "ballot-stuffer")
    totals = pair_totals(voted)

    def recount_fails(exercise):
        raise RuntimeError("the recount failed")

    monkeypatch.setattr(integrity, "rebuild_counts", recount_fails)
    with pytest.raises(RuntimeError):
        integrity.exclude(voted, [stuffer.id], officer, "Three votes in a second")
    db.session.expire_all()
    assert db.session.get(Respondent, stuffer.id).excluded_at is None
    assert pair_totals(voted) == totals


def test_an_inclusion_whose_recount_fails_keeps_them_excluded(voted, officer, monkeypatch):
    stuffer = voting.find_respondent(voted, "ballot-stuffer")
    integrity.exclude(voted, [stuffer.id], officer, "Three votes in a second")
    db.session.commit()
    excluded_at, totals = db.session.get(Respondent, stuffer.id).excluded_at, pair_totals(voted)
    monkeypatch.setattr(integrity, "rebuild_counts", lambda exercise: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        integrity.include_again(voted, stuffer.id)
    db.session.expire_all()
    assert db.session.get(Respondent, stuffer.id).excluded_at == excluded_at is not None
    assert pair_totals(voted) == totals


def test_a_refused_vote_writes_nothing_and_undoes_nothing_else(make_exercise, cast):
    exercise = make_exercise()
    exercise.max_votes_per_respondent = 1
    a, b, c = exercise.active_items[:3]
    cast(exercise, a, b, token="keen")
    before = earlier_write(a_comment(exercise))
    with pytest.raises(voting.VoteRefused) as refused:
        cast(exercise, b, c, token="keen")
    assert refused.value.code == "cap"
    assert still_there(before)  # before: the refusal rolled back the whole transaction
    assert count(Respondent) == 1 and count(PairwiseVote) == 1


def missed_once(real):
    """A lookup that misses the first time, as when two copies of a post arrive together."""
    calls = []

    def lookup(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    return lookup


def test_a_raced_vote_undoes_only_its_own_insert(make_exercise, cast):
    exercise = make_exercise()
    a, b = exercise.active_items[:2]
    first = cast(exercise, a, b, token="twice", key="r" * 32)
    before = earlier_write(a_comment(exercise))
    again = cast(exercise, a, b, token="twice", key="r" * 32)  # refused by the unique key, nothing undone
    assert not again.created and again.vote.id == first.vote.id
    assert still_there(before)  # before: the race's rollback took the comment with it
    assert count(PairwiseVote) == 1


def test_a_raced_submission_undoes_only_its_own_insert(make_ranking, submit):
    exercise = make_ranking()
    places = {item.id: place for place, item in enumerate(exercise.active_items, start=1)}
    first = submit(exercise, places, token="twice", key="s" * 32)
    before = earlier_write(a_comment(exercise))
    # No lookup first (that a copy sent at the same moment would miss): the insert's unique keys refuse it.
    again = submitting.record_submission(exercise, "twice", places, idempotency_key="s" * 32)
    assert not again.created and again.submission.id == first.submission.id
    assert still_there(before)
    assert count(Submission) == 1 and count(Respondent) == 1


def test_a_submission_whose_entries_are_refused_leaves_no_respondent(make_ranking, monkeypatch):
    """The respondent is made in the same savepoint as the submission and its entries."""
    exercise = make_ranking()
    monkeypatch.setattr(submitting, "check_ranking", lambda exercise, places: [])
    before = earlier_write(a_comment(exercise))
    with pytest.raises(Exception, match="FOREIGN KEY|foreign key"):
        submitting.record_submission(exercise, secrets.token_urlsafe(), {10**9: 1}, idempotency_key="e" * 32)
    assert still_there(before)
    assert count(Respondent) == 0 and count(Submission) == 0 and count(SubmissionEntry) == 0
