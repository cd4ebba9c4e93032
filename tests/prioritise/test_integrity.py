"""Ballot-stuffing signals, and leaving respondents out of results without deleting anything."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.database import utcnow
from engage.extensions import db
from engage.prioritise import integrity
from engage.prioritise.models import BudgetMode, Outcome, PairwiseVote, Respondent
from engage.prioritise.pairwise.results import pairwise_results
from engage.prioritise.submissions.matrix import load_answer_matrix
from engage.respondents import address_hash
from tests import bulk
from tests.conftest import sign_in


def respondents() -> list[Respondent]:
    db.session.expire_all()
    return db.session.scalars(select(Respondent).order_by(Respondent.id)).all()


@pytest.fixture
def stuffed(make_exercise):
    """Twelve 'people' from one address within five minutes, all choosing the first item, each with a
    script's rhythm (a vote every half second); and five ordinary people who prefer the second item."""
    exercise = make_exercise()
    first, second, third = exercise.active_items[:3]
    start = utcnow() - timedelta(hours=1)
    bot = [(first, second if k % 2 else third, Outcome.LEFT) for k in range(12)]
    person = [(second, first, Outcome.LEFT)] * 4
    bulk.votes(exercise, [bot] * 12 + [person] * 5)
    for n, person in enumerate(respondents()):
        bot = n < 12
        person.address_hash = "a1b2c3d4e5f60718" if bot else f"{n:016x}"
        person.created_at = start + timedelta(seconds=20 * n if bot else 3000 + 600 * n)
        votes = db.session.scalars(select(PairwiseVote).where(PairwiseVote.respondent_id == person.id)).all()
        for k, vote in enumerate(votes):
            gap = 0.5 if bot else [3, 11, 4, 20][k % 4]
            vote.created_at = person.created_at + timedelta(
                seconds=gap * k if bot else sum([3, 11, 4, 20][:k])
            )
    db.session.commit()
    return exercise


def test_many_new_respondents_from_one_address_are_a_burst(stuffed):
    bursts = integrity.address_bursts(stuffed)
    assert len(bursts) == 1
    assert len(bursts[0].respondent_ids) == 12 and bursts[0].address == "a1b2c3d4"
    assert bursts[0].answers == 12 * 12


def test_choices_at_a_machine_pace_are_flagged_and_people_are_not(stuffed):
    rhythms = integrity.machine_rhythms(stuffed)
    assert len(rhythms) == 12
    assert all(r.median_gap == pytest.approx(0.5) and r.variation < 0.01 for r in rhythms)


def test_excluding_removes_them_from_results_and_keeps_their_votes(stuffed, make_user):
    first, second = stuffed.active_items[:2]
    officer = make_user(Role.BOARD_OFFICER)
    before = {s.item.id: s for s in pairwise_results(stuffed, resamples=20).items}
    assert before[first.id].rank == 1  # the stuffing worked
    bots = integrity.address_bursts(stuffed)[0].respondent_ids
    assert integrity.exclude(stuffed, bots, officer, "12 people in 4 minutes from one address") == 12
    after = pairwise_results(stuffed, resamples=20)
    scores = {s.item.id: s for s in after.items}
    assert scores[second.id].rank == 1 and after.respondents == 5
    assert db.session.scalar(select(func.count()).select_from(PairwiseVote)) == 12 * 12 + 5 * 4
    excluded = [r for r in respondents() if r.excluded_at is not None]
    assert len(excluded) == 12 and {r.excluded_by_id for r in excluded} == {officer.id}
    assert integrity.address_bursts(stuffed) == [] and integrity.machine_rhythms(stuffed) == []
    assert integrity.include_again(stuffed, bots[0])
    assert pairwise_results(stuffed, resamples=20).respondents == 6


def test_an_excluded_respondent_who_carries_on_voting_still_does_not_count(stuffed, make_user, cast):
    first, second = stuffed.active_items[:2]
    bots = integrity.address_bursts(stuffed)[0].respondent_ids
    integrity.exclude(stuffed, bots, make_user(Role.BOARD_OFFICER), "script")
    wins_before = pairwise_results(stuffed, resamples=20).items
    # a vote from a new, ordinary person counts; the pair counts are exactly the non-excluded votes
    cast(stuffed, first, second)
    assert pairwise_results(stuffed, resamples=20).respondents == 6
    assert sum(i.comparisons for i in wins_before) < sum(
        i.comparisons for i in pairwise_results(stuffed, resamples=20).items
    )


def test_budget_answers_of_excluded_respondents_are_left_out(make_budget, submit, make_user):
    exercise = make_budget(BudgetMode.SHARE)
    items = exercise.active_items
    for _ in range(3):
        submit(exercise, {items[0].id: 100} | {i.id: 0 for i in items[1:]})
    submit(exercise, {items[1].id: 100} | {i.id: 0 for i in items if i.id != items[1].id})
    assert load_answer_matrix(exercise, items).values.shape[0] == 4
    first_three = [r.id for r in respondents()][:3]
    integrity.exclude(exercise, first_three, make_user(Role.BOARD_OFFICER), "same household, three times")
    assert load_answer_matrix(exercise, items).values.shape[0] == 1


def test_a_resident_gets_a_keyed_hash_of_their_address_never_the_address(client, make_exercise):
    exercise = make_exercise()
    page = client.get(f"/exercises/{exercise.id}/vote").get_data(as_text=True)
    form = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]+)"', page).group(1)
        for name in ("left", "right", "key")
    }
    client.post(f"/exercises/{exercise.id}/vote", data=form | {"choice": "left"})
    person = respondents()[0]
    assert person.address_hash == address_hash("127.0.0.1") and "127.0.0.1" not in person.address_hash
    assert len(person.address_hash) == 16


def test_an_officer_reviews_and_excludes_with_a_reason(client, officer, stuffed):
    sign_in(client, officer)
    page = client.get(f"/manage/exercises/{stuffed.id}/activity").get_data(as_text=True)
    assert "12 respondents · address a1b2c3d4" in page and "Choices at a machine" in page
    bots = ",".join(str(i) for i in integrity.address_bursts(stuffed)[0].respondent_ids)
    refused = client.post(
        f"/manage/exercises/{stuffed.id}/exclusions", data={"respondent_ids": bots, "signal": "burst-1"}
    )
    assert refused.status_code == 400 and "Say why these respondents are being left out" in refused.text
    # The error summary links to the box of the form that was sent, and only that form shows the error.
    assert 'href="#reason-burst-1"' in refused.text and 'id="reason-burst-1"' in refused.text
    assert refused.text.count('class="govuk-error-message"') == 1
    assert all(r.excluded_at is None for r in respondents())
    for strange in ("²", "99999999999999999999", "1e3, -4, ٣"):  # each was a 500 (int() or the database)
        refused = client.post(
            f"/manage/exercises/{stuffed.id}/exclusions", data={"respondent_ids": strange, "reason": "bots"}
        )
        assert refused.status_code == 400 and "Choose who to leave out" in refused.text
    assert all(r.excluded_at is None for r in respondents())
    done = client.post(
        f"/manage/exercises/{stuffed.id}/exclusions", data={"respondent_ids": bots, "reason": "a class set"}
    )
    assert done.status_code == 302
    page = client.get(done.location).get_data(as_text=True)
    assert "12 respondents left out of the results." in page and "a class set" in page
    assert sum(r.excluded_at is not None for r in respondents()) == 12
    # The same people again (or another exercise's) change nothing, and the page says so, not "0 left out".
    again = client.post(
        f"/manage/exercises/{stuffed.id}/exclusions", data={"respondent_ids": bots, "reason": "again"}
    )
    page = client.get(again.location).get_data(as_text=True)
    assert "No one was left out: they are already left out, or not in this exercise." in page
    assert "0 respondents left out" not in page
    # Counting again someone who was never left out does not claim to.
    kept = next(r for r in respondents() if r.excluded_at is None)
    response = client.post(f"/manage/exercises/{stuffed.id}/exclusions/{kept.id}/include")
    page = client.get(response.location).get_data(as_text=True)
    assert "That respondent is not left out of this exercise" in page
    assert "count in the results again" not in page
    too_long = client.post(
        f"/manage/exercises/{stuffed.id}/exclusions", data={"respondent_ids": bots, "reason": "x" * 501}
    )
    assert too_long.status_code == 400 and "The reason must be 500 characters or fewer" in too_long.text
