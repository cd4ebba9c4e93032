"""Recording votes, pair counts, idempotency, caps, adaptive pair choice and rebuilding the counts."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from engage.channels import Channel
from engage.database import utcnow
from engage.extensions import db
from engage.prioritise.models import (
    ExerciseItem,
    ExerciseStatus,
    Outcome,
    PairCount,
    PairwiseVote,
    Respondent,
    SkipReason,
)
from engage.prioritise.pairwise import chooser, voting
from engage.prioritise.pairwise.counts import rebuild_counts

TOKEN = "t" * 43


def count(model, **where):
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def pair_count(exercise, a, b):
    low, high = sorted((a.id, b.id))
    return db.session.get(PairCount, (exercise.id, low, high))


def test_a_vote_is_one_row_and_updates_the_pair_count_and_its_counter(make_exercise, cast):
    exercise = make_exercise()
    a, b = exercise.items[:2]
    receipt = cast(exercise, a, b, Outcome.RIGHT, token=TOKEN, locale="cy", channel=Channel.PAPER)
    assert receipt.created and receipt.respondent_votes == 1
    vote = db.session.scalar(select(PairwiseVote))
    assert (vote.winner_id, vote.loser_id, vote.locale, vote.channel) == (b.id, a.id, "cy", Channel.PAPER)
    counts = pair_count(exercise, a, b)
    assert (counts.low_wins, counts.high_wins, counts.skips) == ((0, 1, 0) if a.id < b.id else (1, 0, 0))
    assert db.session.scalar(select(Respondent.choices)) == 1
    state = chooser.exercise_state(exercise.id)  # what the pair chooser reads: the counts
    assert state.decisive[a.id] == state.decisive[b.id] == 1 and state.together[a.id][b.id] == 1


def test_respondent_is_stored_as_a_hash_never_the_token(make_exercise, cast):
    exercise = make_exercise()
    cast(exercise, *exercise.items[:2], token=TOKEN)
    respondent = db.session.scalar(select(Respondent))
    assert TOKEN not in respondent.token_hash and len(respondent.token_hash) == 64


def test_the_same_key_twice_stores_one_vote(make_exercise, cast):
    exercise = make_exercise()
    a, b = exercise.items[:2]
    first = cast(exercise, a, b, token=TOKEN, key="k" * 32)
    again = cast(exercise, a, b, token=TOKEN, key="k" * 32)
    assert first.created and not again.created
    assert again.vote.id == first.vote.id
    assert count(PairwiseVote) == 1
    assert pair_count(exercise, a, b).low_wins + pair_count(exercise, a, b).high_wins == 1


def test_a_skip_keeps_its_reason_and_is_not_a_comparison(make_exercise, cast):
    exercise = make_exercise()
    a, b = exercise.items[:2]
    cast(exercise, a, b, Outcome.SKIP, skip_reason=SkipReason.DONT_KNOW)
    assert db.session.scalar(select(PairwiseVote.skip_reason)) is SkipReason.DONT_KNOW
    assert pair_count(exercise, a, b).skips == 1
    state = chooser.exercise_state(exercise.id)
    assert state.decisive.get(a.id, 0) == 0 and state.together[a.id][b.id] == 1


def test_reason_is_dropped_from_a_decisive_vote(make_exercise, cast):
    exercise = make_exercise()
    cast(exercise, *exercise.items[:2], Outcome.LEFT, skip_reason=SkipReason.EQUAL)
    assert db.session.scalar(select(PairwiseVote.skip_reason)) is None


@pytest.mark.parametrize("status", [ExerciseStatus.DRAFT, ExerciseStatus.CLOSED])
def test_exercise_that_is_not_open_refuses_votes(make_exercise, cast, status):
    exercise = make_exercise(status)
    with pytest.raises(voting.VoteRefused) as refused:
        cast(exercise, *exercise.items[:2])
    assert refused.value.code == "closed"
    assert count(PairwiseVote) == 0 and count(Respondent) == 0


def test_open_exercise_outside_its_dates_refuses_votes(make_exercise, cast):
    exercise = make_exercise(opens_at=utcnow() + timedelta(days=1))
    with pytest.raises(voting.VoteRefused):
        cast(exercise, *exercise.items[:2])
    late = make_exercise(closes_at=utcnow() - timedelta(seconds=1), title="Late")
    with pytest.raises(voting.VoteRefused):
        cast(late, *late.items[:2])


def test_a_pair_from_elsewhere_or_the_same_item_twice_is_refused(
    make_exercise, cast, make_board, make_priority
):
    exercise = make_exercise()
    a = exercise.items[0]
    with pytest.raises(voting.VoteRefused, match="not part of this exercise"):
        cast(exercise, a, a)
    other_board = make_board("Other", short_code="OTH")
    for _ in range(3):
        make_priority(other_board)
    other = make_exercise(board=other_board, title="Other")
    with pytest.raises(voting.VoteRefused):
        cast(exercise, a, other.items[0])
    assert count(PairwiseVote) == 0


def test_votes_per_respondent_are_capped(make_exercise, cast):
    exercise = make_exercise(max_votes_per_respondent=10)
    a, b = exercise.items[:2]
    for _ in range(10):
        cast(exercise, a, b, token=TOKEN)
    with pytest.raises(voting.VoteRefused) as refused:
        cast(exercise, a, b, token=TOKEN)
    assert refused.value.code == "cap"
    assert count(PairwiseVote) == 10
    cast(exercise, a, b)  # somebody else can still vote


def test_choose_pair_never_repeats_the_respondents_last_pair(make_exercise, cast):
    exercise = make_exercise()
    rng = random.Random(1)
    respondent = None
    last = None
    for _ in range(40):
        pair = voting.choose_pair(exercise, respondent, rng)
        assert pair[0].id != pair[1].id
        if last is not None:
            assert {pair[0].id, pair[1].id} != last
        receipt = cast(exercise, *pair, token=TOKEN)
        respondent = db.session.get(Respondent, receipt.vote.respondent_id)
        last = {pair[0].id, pair[1].id}


def test_choose_pair_catches_up_a_new_item_quickly(make_exercise, cast):
    exercise = make_exercise()
    old = exercise.items[:3]
    for _ in range(30):
        cast(exercise, old[0], old[1])
        cast(exercise, old[1], old[2])
    newcomer = exercise.items[3]
    rng = random.Random(7)
    shown = sum(
        newcomer.id in {item.id for item in voting.choose_pair(exercise, None, rng)} for _ in range(200)
    )
    assert shown > 120  # an untouched item is in most pairs until it has caught up


def test_choose_pair_needs_two_active_items(make_exercise):
    exercise = make_exercise()
    for item in exercise.items[1:]:
        item.active = False
    assert voting.choose_pair(exercise, None) is None


def test_rebuild_counts_finds_and_fixes_a_wrong_total(make_exercise, cast):
    exercise = make_exercise()
    a, b, c = exercise.items[:3]
    cast(exercise, a, b)
    cast(exercise, b, c, Outcome.RIGHT)
    cast(exercise, a, c, Outcome.SKIP)
    clean = rebuild_counts(exercise)
    assert clean.pairs == 3 and clean.differences == []
    low, high = sorted((a.id, b.id))
    db.session.execute(
        update(PairCount)
        .where(PairCount.low_item_id == low, PairCount.high_item_id == high)
        .values(low_wins=99)
    )
    db.session.commit()
    report = rebuild_counts(exercise)
    assert len(report.differences) == 1
    assert report.differences[0][:2] == (low, high)
    counts = db.session.get(PairCount, (exercise.id, low, high))
    assert counts.low_wins + counts.high_wins == 1


def test_rebuild_counts_sets_the_choice_counters_from_the_votes(make_exercise, cast):
    exercise = make_exercise(max_votes_per_respondent=3)
    a, b, c = exercise.items[:3]
    for left, right in ((a, b), (b, c)):
        cast(exercise, left, right, token=TOKEN)
    assert voting.recount_choices(exercise.id) == 0  # the counter moved with each vote
    db.session.execute(update(Respondent).values(choices=3))  # wrong: the cap would refuse the third
    with pytest.raises(voting.VoteRefused):
        cast(exercise, a, c, token=TOKEN)
    rebuild_counts(exercise)
    assert db.session.scalar(select(Respondent.choices)) == 2
    assert cast(exercise, a, c, token=TOKEN).respondent_votes == 3


def test_rebuild_counts_cli(runner, make_exercise, cast):
    exercise = make_exercise()
    cast(exercise, *exercise.items[:2])
    result = runner.invoke(args=["rebuild-counts"])
    assert result.exit_code == 0, result.output
    assert f"Exercise {exercise.id}: 1 pairs, 0 differed." in result.output
    assert "All counts matched the votes." in result.output
    missing = runner.invoke(args=["rebuild-counts", "--exercise", "999"])
    assert missing.exit_code != 0 and "There is no exercise 999" in missing.output


def test_items_and_votes_are_never_deleted_with_an_item(make_exercise, cast):
    exercise = make_exercise()
    cast(exercise, *exercise.items[:2])
    db.session.delete(db.session.get(ExerciseItem, exercise.items[0].id))
    with pytest.raises(Exception):  # noqa: B017 (the database refuses: RESTRICT)
        db.session.commit()
    db.session.rollback()


def test_a_retry_is_found_by_the_vote_statement_not_a_lookup_first(make_exercise, cast, monkeypatch):
    # No lookup before the vote's statement: the statement itself counts nothing for a key already stored,
    # and two copies arriving together cannot both miss it, as the unique key (exercise, stored key)
    # refuses the second (test_vote_integrity). Only then is the first one read, once.
    exercise = make_exercise()
    a, b = exercise.items[:2]
    first = cast(exercise, a, b, token=TOKEN, key="r" * 32)
    real_lookup = voting._vote_with_key
    calls = []

    def lookup(exercise, respondent_id, key):
        calls.append(count(PairwiseVote))
        return real_lookup(exercise, respondent_id, key)

    monkeypatch.setattr(voting, "_vote_with_key", lookup)
    again = cast(exercise, a, b, token=TOKEN, key="r" * 32)
    assert not again.created and again.vote.id == first.vote.id
    assert calls == [1] and count(PairwiseVote) == 1


def test_a_vote_is_one_statement_on_postgresql_and_three_on_sqlite(make_exercise, cast):
    """The respondent counted in, the vote and its pair count: PostgreSQL takes them as one statement
    (three data-modifying CTEs), SQLite (which has none) as three."""
    exercise = make_exercise()
    a, b = exercise.items[:2]
    cast(exercise, a, b, token=TOKEN)
    sent: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement.split(None, 1)[0].upper())

    engine = db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        receipt = cast(exercise, a, b, Outcome.RIGHT, token=TOKEN)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert receipt.created and receipt.respondent_votes == 2
    postgresql = engine.dialect.name == "postgresql"
    # Reads beside them (the worker's copy of the items, read afresh in tests) are not the vote's writes.
    assert [word for word in sent if word in {"INSERT", "UPDATE", "DELETE", "WITH"}] == (
        ["WITH"] if postgresql else ["INSERT", "INSERT", "INSERT"]
    )
    counts = pair_count(exercise, a, b)
    assert counts.low_wins + counts.high_wins == 2


def test_one_person_sees_every_pair_before_any_pair_again(make_exercise, cast):
    """Issue 21, item 5: in 15 choices among 6 items a resident saw 8-11 different pairs, one 4 times."""
    exercise = make_exercise()
    items = [item for item in exercise.items if item.active]
    every_pair = len(items) * (len(items) - 1) // 2
    rng = random.Random(3)
    for other in range(30):  # other residents' choices do not change one person's rule
        cast(exercise, items[other % 2], items[2 + other % 2])
    respondent = None
    seen: list[frozenset] = []
    for _ in range(every_pair + 3):
        pair = voting.choose_pair(exercise, respondent, rng)
        seen.append(frozenset((pair[0].id, pair[1].id)))
        receipt = cast(exercise, *pair, token=TOKEN)
        respondent = db.session.get(Respondent, receipt.vote.respondent_id)
    assert len(set(seen[:every_pair])) == every_pair, "a pair came back before the others were shown"
    assert len(set(seen[every_pair:])) == 3 and seen[every_pair] != seen[every_pair - 1]


def test_undo_takes_back_only_the_last_choice_of_the_same_person(make_exercise, cast):
    exercise = make_exercise()
    a, b, c = exercise.items[:3]
    cast(exercise, a, b, Outcome.LEFT, token=TOKEN)
    someone_else = cast(exercise, a, c, Outcome.RIGHT, token="s" * 43).vote.id
    before = dict(chooser.exercise_state(exercise.id).decisive)
    last = cast(exercise, b, c, Outcome.RIGHT, token=TOKEN).vote.id

    assert voting.undo_last_vote(exercise, "n" * 43) is None  # a stranger's cookie undoes nothing
    undone = voting.undo_last_vote(exercise, TOKEN)
    db.session.commit()

    assert undone.id == last
    assert set(db.session.scalars(select(PairwiseVote.id))) == {someone_else, last - 2}
    counts = pair_count(exercise, b, c)
    assert (counts.low_wins, counts.high_wins, counts.skips) == (0, 0, 0)
    assert chooser.exercise_state(exercise.id).decisive == before
    assert db.session.scalar(select(Respondent.choices).where(Respondent.id == undone.respondent_id)) == 1
    assert pair_count(exercise, a, c).high_wins + pair_count(exercise, a, c).low_wins == 1  # theirs stays
    assert voting.undo_last_vote(exercise, TOKEN).id == last - 2  # then the one before
    assert voting.undo_last_vote(exercise, TOKEN) is None
