"""Issue 18, finding 8 (vote integrity) and two low findings: votes only on pairs the server offered, caps
that hold under concurrent requests, a workshop round's pairs-per-person limit, a double click on a first
vote, and guessing workshop codes."""

import contextlib
import re
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text

from engage.accounts.models import User
from engage.extensions import db
from engage.prioritise.models import Exercise, Outcome, PairCount, PairwiseVote, Respondent
from engage.prioritise.pairwise import voting
from engage.respondents import COOKIE_NAME
from engage.transactions import unit_of_work
from engage.workshops import service


def votes() -> int:
    return db.session.scalar(select(func.count()).select_from(PairwiseVote))


def pair_form(html: str) -> dict[str, str]:
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1) for name in ("left", "right", "key")
    }


def test_a_vote_on_a_pair_that_was_not_offered_is_refused(client, make_exercise):
    """Before: any two items of the exercise were accepted, so a script could vote its favourite against
    every other item as often as it liked."""
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    form = pair_form(client.get(url).get_data(as_text=True))
    offered = {int(form["left"]), int(form["right"])}
    other = next(item.id for item in exercise.items if item.id not in offered)
    for changed in ({"right": str(other)}, {"left": form["right"], "right": form["left"]}):
        html = client.post(url, data={**form, **changed, "choice": "left"}, headers={"HX-Request": "1"})
        assert "Something went wrong with that choice. Here is a new pair." in html.get_data(as_text=True)
    forged = {**form, "key": "0123456789abcdef0123456789abcdef", "choice": "left"}
    assert "Something went wrong with that choice" in client.post(
        url, data=forged, headers={"HX-Request": "1"}
    ).get_data(as_text=True)
    assert votes() == 0
    assert client.post(url, data={**form, "choice": "left"}).status_code == 302  # the pair offered
    assert votes() == 1


def test_an_offer_expires(app_factory, make_exercise):
    client = app_factory(ENGAGE_PAIR_OFFER_MAX_AGE=-1).test_client()
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    form = pair_form(client.get(url).get_data(as_text=True))
    html = client.post(url, data={**form, "choice": "left"}, headers={"HX-Request": "1"}).get_data(
        as_text=True
    )
    assert "Something went wrong with that choice. Here is a new pair." in html and votes() == 0


def test_a_workshop_round_keeps_to_its_pairs_per_person(hwb, make_user, council, make_exercise):
    """Before: the room page stopped showing pairs after the limit, but votes posted past it were stored."""
    from datetime import date

    from engage.accounts.models import Role

    facilitator = make_user(Role.FACILITATOR, organisation=council)
    workshop = service.create_session(hwb, facilitator, "Evening", date(2026, 12, 3), "Hall")
    round_ = service.add_round(workshop, make_exercise(title="Which?"), 3)
    service.start_next_round(workshop)
    a, b, c = round_.exercise.active_items[:3]
    pairs = [(a, b), (b, c), (a, c), (a, b)]
    made = []
    for n, (left, right) in enumerate(pairs):
        try:
            service.record_room_vote(round_, "p" * 43, left.id, right.id, Outcome.LEFT, f"{n}" * 32)
            made.append(n)
        except voting.VoteRefused as refused:
            assert "you have finished this round" in refused.message
    assert made == [0, 1, 2] and votes() == 3


@pytest.mark.real_commits  # threads with their own connections
def test_the_per_person_cap_holds_under_concurrent_requests(app, make_exercise):
    """Before: each request counted the person's votes, then inserted: requests at the same moment all saw
    room under the cap (PostgreSQL). Now the respondent's row is locked while they are counted."""
    exercise = make_exercise(max_votes_per_respondent=10)
    exercise_id = exercise.id
    pairs = [(a.id, b.id) for a in exercise.items for b in exercise.items if a.id < b.id]
    token, start, outcomes = "c" * 43, threading.Barrier(4), []
    voting_first = make_first_vote(app, exercise_id, token)  # the respondent exists: only the cap races

    def send(worker: int) -> None:
        with app.app_context():
            start.wait()
            for n in range(6):
                try:
                    with unit_of_work():
                        left, right = pairs[(worker + n) % len(pairs)]
                        voting.record_pairwise_vote(
                            db.session.get(Exercise, exercise_id),
                            token,
                            left_item_id=left,
                            right_item_id=right,
                            outcome=Outcome.LEFT,
                            idempotency_key=f"{worker}-{n}-" + "x" * 16,
                        )
                    outcomes.append("stored")
                except voting.VoteRefused as refused:
                    outcomes.append(refused.code)
                except Exception as error:  # reported below
                    outcomes.append(repr(error))
            db.session.remove()

    threads = [threading.Thread(target=send, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert voting_first and sorted(set(outcomes)) == ["cap", "stored"]
    assert outcomes.count("stored") == 9
    db.session.expire_all()
    assert votes() == 10


def make_first_vote(app, exercise_id: int, token: str) -> bool:
    with app.app_context(), unit_of_work():
        exercise = db.session.get(Exercise, exercise_id)
        a, b = exercise.items[:2]
        voting.record_pairwise_vote(
            exercise,
            token,
            left_item_id=a.id,
            right_item_id=b.id,
            outcome=Outcome.LEFT,
            idempotency_key="f" * 32,
        )
    return True


def vote_in_a_thread(app, exercise_id: int, token: str, choice: tuple, key: str) -> voting.VoteReceipt | str:
    """One vote (left item id, right item id, outcome) in its own app context and unit of work, as a
    request on another thread would: its receipt, or what it raised."""
    left, right, outcome = choice
    with app.app_context():
        try:
            with unit_of_work():
                return voting.record_pairwise_vote(
                    db.session.get(Exercise, exercise_id),
                    token,
                    left_item_id=left,
                    right_item_id=right,
                    outcome=outcome,
                    idempotency_key=key,
                )
        except Exception as error:  # the test reports it
            return repr(error)
        finally:
            db.session.remove()


@pytest.mark.real_commits  # threads with their own connections
def test_a_double_click_on_a_first_vote_stores_it_once_without_an_error(app, make_exercise):
    """Before: both copies of a new respondent's first vote created the respondent; on PostgreSQL the
    second broke the unique constraint outside any savepoint and the resident saw a server error."""
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    first = app.test_client()
    form = pair_form(first.get(url).get_data(as_text=True))
    cookie = first.get_cookie(COOKIE_NAME).value
    clients = [first, app.test_client()]
    clients[1].set_cookie(COOKIE_NAME, cookie)
    start, statuses = threading.Barrier(2), []

    def click(client) -> None:
        start.wait()
        statuses.append(client.post(url, data={**form, "choice": "left"}).status_code)

    threads = [threading.Thread(target=click, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302, 302]
    db.session.expire_all()
    assert votes() == 1
    assert db.session.scalar(select(func.count()).select_from(Respondent)) == 1


def test_guessing_workshop_codes_is_stopped_after_a_few_wrong_ones(app_factory, hwb, make_user, council):
    from datetime import date

    from engage.accounts.models import Role

    client = app_factory(RATELIMIT_ENABLED=True, ENGAGE_JOIN_CODE_LIMIT="5 per minute").test_client()
    facilitator = make_user(Role.FACILITATOR, organisation=council)
    workshop = service.create_session(hwb, facilitator, "Evening", date(2026, 12, 3), "Hall")
    # Right codes never count: a room of people behind one address all join.
    for _ in range(8):
        assert client.post("/join", data={"code": workshop.join_code}).status_code == 302
    statuses = [client.post("/join", data={"code": f"AAAA{n}A"}).status_code for n in range(3)]
    statuses += [client.get(f"/join/CCCC{n}C").status_code for n in range(2)]
    assert statuses == [400, 400, 400, 404, 404]
    refused = client.post("/join", data={"code": workshop.join_code})
    assert refused.status_code == 429
    assert "You have tried this too many times" in refused.get_data(as_text=True)
    assert client.get(f"/join/{workshop.join_code}").status_code == 429


@pytest.mark.real_commits  # threads with their own connections
def test_the_same_vote_sent_four_times_at_once_is_stored_once(app, make_exercise):
    """The fast path has no lookup before the insert: the vote's unique key is the idempotency check. Four
    copies of one vote at the same moment store one vote, count once in the pair counts and the person's
    counter, and every copy is answered with that vote."""
    exercise = make_exercise()
    exercise_id = exercise.id
    a, b = exercise.items[2:4]
    token, start, receipts = "d" * 43, threading.Barrier(4), []
    voting_first = make_first_vote(app, exercise_id, token)

    def send() -> None:
        start.wait()
        receipts.append(
            vote_in_a_thread(app, exercise_id, token, (a.id, b.id, Outcome.RIGHT), "same-" + "y" * 16)
        )

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert voting_first and all(isinstance(receipt, voting.VoteReceipt) for receipt in receipts), receipts
    assert sorted(receipt.created for receipt in receipts) == [False, False, False, True]
    assert len({receipt.vote_id for receipt in receipts}) == 1
    db.session.expire_all()
    assert votes() == 2
    assert db.session.scalar(select(Respondent.choices)) == 2
    low, high = sorted((a.id, b.id))
    counts = db.session.get(PairCount, (exercise_id, low, high))
    assert counts.low_wins + counts.high_wins + counts.skips == 1


def pause_after(monkeypatch, owner, name: str) -> tuple[threading.Event, threading.Event]:
    """Make ``owner.name`` pause once it has done its work: (set when it has, set this to let it go on)."""
    reached, go = threading.Event(), threading.Event()
    real = getattr(owner, name)

    def then_pause(*args, **kwargs):
        done = real(*args, **kwargs)
        reached.set()
        go.wait(timeout=10)
        return done

    monkeypatch.setattr(owner, name, then_pause)
    return reached, go


def undoing(app, exercise_id: int, token: str, errors: list[str]):
    """A resident taking back their last choice, in its own app context and unit of work (for a thread):
    what it raised, or that there was nothing to take back, goes in ``errors``."""

    def undo() -> None:
        with app.app_context():
            try:
                with unit_of_work():
                    if voting.undo_last_vote(db.session.get(Exercise, exercise_id), token) is None:
                        errors.append("nothing was undone")
            except Exception as error:  # the test reports it
                errors.append(repr(error))
            db.session.remove()

    return undo


def excluding(app, exercise_id: int, respondent_id: int, officer_id: int, errors: list[str]):
    """An officer leaving one respondent out, in its own app context and unit of work (for a thread): what
    it raised goes in ``errors``."""
    from engage.prioritise import integrity

    def exclude() -> None:
        with app.app_context():
            try:
                with unit_of_work():
                    exercise = db.session.get(Exercise, exercise_id)
                    officer = db.session.get(User, officer_id)
                    integrity.exclude(exercise, [respondent_id], officer, "a test")
            except Exception as error:  # the test reports it
                errors.append(repr(error))
            db.session.remove()

    return exclude


@pytest.mark.real_commits  # threads with their own connections
def test_a_vote_made_while_an_exclusion_rebuilds_the_counts_is_counted(
    app, make_exercise, make_user, monkeypatch
):
    """A reviewer's finding: the rebuild after an exclusion read the votes, a resident's vote committed, and
    the rebuild then replaced the pair counts with totals read before it: the vote was stored but not
    counted. Now votes wait for the rebuild's transaction (on PostgreSQL a lock on the pair counts; on
    SQLite its one writer at a time), and every stored vote of a counted respondent is in the counts."""
    from engage.prioritise.pairwise import counts

    exercise = make_exercise()
    exercise_id, officer_id = exercise.id, make_user().id
    make_first_vote(app, exercise_id, "e" * 43)  # the respondent the officer leaves out
    make_first_vote(app, exercise_id, "g" * 43)
    a, b = exercise.items[1:3]
    left_out = db.session.scalar(select(Respondent.id).order_by(Respondent.id))
    voted = threading.Event()
    reading = counts.counts_from_votes
    read, go = pause_after(monkeypatch, counts, "counts_from_votes")
    errors: list[str] = []

    def vote() -> None:
        receipt = vote_in_a_thread(
            app, exercise_id, "h" * 43, (a.id, b.id, Outcome.LEFT), "during-" + "z" * 16
        )
        if isinstance(receipt, str):
            errors.append(receipt)
        voted.set()

    officer_thread = threading.Thread(target=excluding(app, exercise_id, left_out, officer_id, errors))
    officer_thread.start()
    assert read.wait(timeout=30)
    resident_thread = threading.Thread(target=vote)
    resident_thread.start()
    voted_while_rebuilding = voted.wait(timeout=0.5)
    go.set()
    officer_thread.join(timeout=30)
    resident_thread.join(timeout=30)
    assert errors == []
    assert not voted_while_rebuilding  # the vote waited for the rebuild to finish
    monkeypatch.setattr(counts, "counts_from_votes", reading)
    db.session.expire_all()
    stored = {
        (row.low_item_id, row.high_item_id): (row.low_wins, row.high_wins, row.skips)
        for row in db.session.scalars(select(PairCount).where(PairCount.exercise_id == exercise_id))
        if (row.low_wins, row.high_wins, row.skips) != (0, 0, 0)
    }
    assert votes() == 3
    assert stored == counts.counts_from_votes(db.session.get(Exercise, exercise_id))
    assert sum(sum(totals) for totals in stored.values()) == 2  # two counted respondents, one vote each


@pytest.mark.real_commits  # threads with their own connections
def test_an_undo_while_an_officer_excludes_the_same_person_finishes_both(
    app, make_exercise, make_user, monkeypatch
):
    """A reviewer's finding: "undo my last choice" locked the person's row and then the pair counts, while
    an exclusion takes the pair counts first and then the people's rows. On PostgreSQL each waited for the
    other and one was ended with a deadlock error (the resident's undo or the officer's exclusion failed).
    Now an undo takes the pair counts' lock first, as a vote does, so one waits for the other and both
    finish; on SQLite one writer at a time gives the same."""
    exercise = make_exercise()
    exercise_id, officer_id = exercise.id, make_user().id
    token = "u" * 43
    make_first_vote(app, exercise_id, token)
    make_first_vote(app, exercise_id, "w" * 43)
    person = db.session.scalar(select(Respondent.id).order_by(Respondent.id))
    locking = voting._locked_respondent
    locked, go = pause_after(monkeypatch, voting, "_locked_respondent")
    errors: list[str] = []

    resident = threading.Thread(target=undoing(app, exercise_id, token, errors))
    resident.start()
    assert locked.wait(timeout=30)
    officer = threading.Thread(target=excluding(app, exercise_id, person, officer_id, errors))
    officer.start()
    officer.join(timeout=0.5)  # the exclusion now waits on the undo (before: holding the pair counts)
    go.set()
    resident.join(timeout=30)
    officer.join(timeout=30)
    assert errors == []
    monkeypatch.setattr(voting, "_locked_respondent", locking)
    db.session.expire_all()
    assert votes() == 1  # the other person's; the undone one is gone
    assert db.session.get(Respondent, person).excluded_at is not None
    assert db.session.get(Respondent, person).choices == 0
    stored = sum(
        row.low_wins + row.high_wins + row.skips
        for row in db.session.scalars(select(PairCount).where(PairCount.exercise_id == exercise_id))
    )
    assert stored == 1  # only the vote of the person still counted


@pytest.mark.real_commits  # threads with their own connections
def test_a_late_copy_sent_while_its_undo_is_being_stored_is_not_stored(app, make_exercise, monkeypatch):
    """A reviewer's race: the copy's statement began while the undo had deleted the vote and kept its key but
    not yet committed. On PostgreSQL the copy's snapshot showed neither the key kept nor the vote gone, so
    looking only for undone keys let it be stored and counted again once the undo committed. The statement
    also looks for the vote's key among the votes stored: every snapshot holds one of the two, as the undo
    changes both in one transaction. On SQLite one writer at a time gives the same."""
    exercise = make_exercise()
    exercise_id, token = exercise.id, "u" * 43
    make_first_vote(app, exercise_id, token)  # its key is "f" * 32
    a, b = exercise.items[:2]
    undone, go = pause_after(monkeypatch, voting, "forget")  # after the delete and the key kept
    errors: list[str] = []
    resident = threading.Thread(target=undoing(app, exercise_id, token, errors))
    resident.start()
    assert undone.wait(timeout=30)
    answers: list = []

    def late_copy() -> None:
        answers.append(vote_in_a_thread(app, exercise_id, token, (a.id, b.id, Outcome.LEFT), "f" * 32))

    copy = threading.Thread(target=late_copy)
    copy.start()
    copy.join(timeout=1.0)  # its statement runs while the undo is still open
    go.set()
    resident.join(timeout=30)
    copy.join(timeout=30)
    assert errors == []
    # Answered from the vote not yet undone, or refused as a taken-back offer: never stored.
    assert not (isinstance(answers[0], voting.VoteReceipt) and answers[0].created), answers
    assert counted_in_all() == (0, 0, 0)  # the one person's vote, choices and pair counts


@contextlib.contextmanager
def slow_respondent_inserts(postgres: bool) -> Iterator[None]:
    """PostgreSQL: a trigger that sleeps 2 s before a respondent's row is inserted (before a conflict with
    their row is looked for) in a session that sets test.slow_respondents, so that a vote's statement can
    be held between its snapshot and the person's row. Dropped afterwards. Nothing on SQLite."""
    if not postgres:
        yield
        return
    db.session.execute(text(SLOW_RESPONDENTS))
    db.session.execute(
        text(
            "CREATE TRIGGER test_slow BEFORE INSERT ON respondents FOR EACH ROW "
            "EXECUTE FUNCTION test_slow_respondents()"
        )
    )
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        db.session.execute(text("DROP TRIGGER IF EXISTS test_slow ON respondents"))
        db.session.execute(text("DROP FUNCTION IF EXISTS test_slow_respondents()"))
        db.session.commit()


#: A trigger function that sleeps 2 s before a respondent is inserted, in a session that asks for it.
SLOW_RESPONDENTS = """
CREATE OR REPLACE FUNCTION test_slow_respondents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('test.slow_respondents', true) = 'on' THEN
        PERFORM pg_sleep(2);
    END IF;
    RETURN NEW;
END $$
"""


def sleeping() -> bool:
    """Whether a session of this test's database sleeps in ``pg_sleep`` (another run's on the same server
    does not count), looked at on a connection of its own (PostgreSQL shows a transaction the sessions as
    they were when it first looked)."""
    with db.engine.connect() as connection:
        found = connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event = 'PgSleep' AND datname = current_database()"
            )
        )
    return found == 1


def wait_until(check, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


class Race:
    """Votes and undos of one person on threads, each in its own app context and unit of work."""

    def __init__(self, app, exercise_id: int, token: str, items: tuple[int, int]) -> None:
        self.app, self.exercise_id, self.token, self.items = app, exercise_id, token, items
        self.postgres = db.engine.dialect.name == "postgresql"
        self.answers: dict[str, object] = {}
        self.errors: list[str] = []

    def vote(self, name: str, key: str, slow: bool = False) -> threading.Thread:
        """A vote (``slow``: held between its snapshot and the person's row, on PostgreSQL) sent now."""

        def send() -> None:
            with self.app.app_context():
                try:
                    with unit_of_work():
                        if slow and self.postgres:
                            db.session.execute(text("SET LOCAL test.slow_respondents = 'on'"))
                        self.answers[name] = voting.record_pairwise_vote(
                            db.session.get(Exercise, self.exercise_id),
                            self.token,
                            left_item_id=self.items[0],
                            right_item_id=self.items[1],
                            outcome=Outcome.RIGHT,
                            idempotency_key=key,
                        )
                except Exception as error:  # the test reports it
                    self.answers[name] = repr(error)
                finally:
                    db.session.remove()

        return self._started(send)

    def undo(self) -> threading.Thread:
        return self._started(undoing(self.app, self.exercise_id, self.token, self.errors))

    def held(self) -> None:
        """Wait until a slow vote has its snapshot and sleeps (PostgreSQL)."""
        if self.postgres:
            assert wait_until(sleeping)

    def stored(self, name: str) -> bool:
        answer = self.answers[name]
        return isinstance(answer, voting.VoteReceipt) and answer.created

    @staticmethod
    def _started(target) -> threading.Thread:
        thread = threading.Thread(target=target)
        thread.start()
        return thread


def counted_in_all() -> tuple[int, int, int]:
    """(votes stored, choices on the respondents' counters, answers in the pair counts)."""
    db.session.expire_all()
    choices = db.session.scalar(select(func.coalesce(func.sum(Respondent.choices), 0)))
    pairs = db.session.scalar(
        select(func.coalesce(func.sum(PairCount.low_wins + PairCount.high_wins + PairCount.skips), 0))
    )
    return votes(), choices, pairs


@pytest.mark.real_commits  # threads with their own connections
@pytest.mark.parametrize("undos", [1, 2])
def test_a_copy_racing_its_first_with_undos_between_them_is_not_stored(
    app, make_exercise, monkeypatch, undos
):
    """Two reviewers' races. Copy A of a vote holds the person's row, uncommitted; their undo waits for the
    row; copy B of the same vote begins while A is still open, so its snapshot holds neither A's vote nor
    the undone key, and reaches the row after the undo, when A's vote is gone and the unique key has
    nothing to catch: B was stored and counted. Keeping the last undone key on the row stopped that, but
    not when a second undo came before B reached the row. Now the undo counts itself on the person's row,
    and the counting statement counts nothing when the row, as it is once locked, shows an undo its
    snapshot did not; read afresh, B is then a copy of a vote taken back.

    On PostgreSQL B is held between its snapshot and the row, so that the undos reach the row first every
    time; SQLite runs one writer at a time."""
    exercise = make_exercise()
    make_first_vote(app, exercise.id, "r" * 43)  # their first choice: they are a respondent already
    race = Race(app, exercise.id, "r" * 43, (exercise.items[1].id, exercise.items[2].id))
    holding, go = pause_after(monkeypatch, voting, "results_changed")  # A counted and stored, open
    with slow_respondent_inserts(race.postgres):
        first = race.vote("A", "c" * 32)
        assert holding.wait(timeout=30)
        undo = race.undo()
        undo.join(timeout=0.5)  # the undo waits for A's row
        second = race.vote("B", "c" * 32, slow=True)
        race.held()
        go.set()
        first.join(timeout=30)
        undo.join(timeout=30)
        if undos == 2:  # their first choice taken back too, while B still sleeps
            race.undo().join(timeout=30)
        second.join(timeout=30)
    assert race.errors == []
    assert race.stored("A") and not race.stored("B"), race.answers
    assert counted_in_all() == ((1, 1, 1) if undos == 1 else (0, 0, 0))


@pytest.mark.real_commits  # threads with their own connections
def test_a_new_vote_that_meets_an_undo_of_another_is_stored(app, make_exercise, monkeypatch):
    """The other side of that rule: a new vote (its own key) whose snapshot came before an undo of an
    earlier vote, and which reached the person's row after it, is not a copy of anything. Its statement
    counts nothing, the reasons read afresh find none, and it is tried once more and stored."""
    exercise = make_exercise()
    token = "n" * 43
    make_first_vote(app, exercise.id, token)
    race = Race(app, exercise.id, token, (exercise.items[1].id, exercise.items[2].id))
    race.vote("earlier", "e" * 32).join(timeout=30)
    holding, go = pause_after(monkeypatch, voting, "_locked_respondent")  # the undo holds the row
    with slow_respondent_inserts(race.postgres):
        undo = race.undo()
        assert holding.wait(timeout=30)
        new = race.vote("new", "n" * 32, slow=True)
        race.held()
        go.set()
        undo.join(timeout=30)
        new.join(timeout=30)
    assert race.errors == []
    assert race.stored("new"), race.answers
    assert counted_in_all() == (2, 2, 2)  # the first choice and the new one; the earlier one taken back
