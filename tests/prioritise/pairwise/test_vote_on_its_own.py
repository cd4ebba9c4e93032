"""A resident's vote as its own transaction (PostgreSQL): the pair page's one statement sent in autocommit,
with no BEGIN or COMMIT round trips and without the request's session, and a repeat refused by the vote key's
uniqueness so that nothing of it stays. These need real commits: only a request whose database is the engine
(a pool of connections) votes this way (the other tests' requests share the test's connection, in its
transaction, and vote as before). On SQLite a vote
is several statements in one transaction either way: the same answers are asked of it.

A worker that keeps its copy of the exercise (as a deployed one does, ``keeping_copies``): the tests' other
apps read the exercise afresh on every request, which begins the request's transaction before the vote."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from engage import driver_sql
from engage.channels import Channel
from engage.database import table_of, utcnow
from engage.extensions import db
from engage.jobs import queue
from engage.prioritise.models import (
    Outcome,
    PairwiseVote,
    Respondent,
    SkipReason,
    UndoneVote,
)
from engage.prioritise.pairwise import statements, voting
from engage.respondents import COOKIE_NAME, stored_key
from tests.prioritise.pairwise.test_worker_copy import keeping_copies
from tests.security.test_vote_integrity import counted_in_all, pair_form

HTMX = {"HX-Request": "true"}

pytestmark = pytest.mark.real_commits


def _status(html: str) -> str:
    return html.replace("&#39;", "'")


@pytest.fixture
def worker(app_factory):
    return keeping_copies(app_factory)


@contextmanager
def statements_sent(app) -> Iterator[list[tuple[str, bool]]]:
    """Every statement ``app`` sends inside the block: (its first three words, whether the driver was in
    autocommit)."""
    seen: list[tuple[str, bool]] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        words = " ".join(statement.split()[:3])
        seen.append((words, getattr(conn.connection.dbapi_connection, "autocommit", False) is True))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


@pytest.fixture
def sent(worker):
    """Every statement the worker sends: (its first words, whether the driver was in autocommit)."""
    with statements_sent(worker) as seen:
        yield seen


def _vote_modes(sent) -> list[bool]:
    """Whether the driver was in autocommit for each of the votes' statements (a WITH on PostgreSQL, the
    counting INSERT on SQLite)."""
    return [on for words, on in sent if words.startswith(("WITH", "INSERT INTO respondents"))]


def _at_a_pair(worker, exercise) -> tuple:
    """A resident's client with the pair page open: (client, the page's address, the pair's form)."""
    client = worker.test_client()
    url = f"/exercises/{exercise.id}/vote"
    return client, url, pair_form(client.get(url).get_data(as_text=True))


def test_a_vote_is_stored_and_the_next_pair_shown_in_one_transaction_of_its_own(worker, make_exercise, sent):
    client, url, form = _at_a_pair(worker, make_exercise())
    response = client.post(url, data={**form, "choice": "right"}, headers=HTMX)
    html = _status(response.get_data(as_text=True))
    assert response.status_code == 200 and "You've made 1 choice." in html and 'name="key"' in html
    assert counted_in_all() == (1, 1, 1)
    postgres = db.engine.dialect.name == "postgresql"
    # PostgreSQL: the one statement, in autocommit. SQLite: its statements inside BEGIN IMMEDIATE.
    assert _vote_modes(sent) == [postgres]


def test_a_vote_sent_again_is_answered_from_the_stored_one_and_counted_once(worker, make_exercise, sent):
    client, url, form = _at_a_pair(worker, make_exercise())
    first = client.post(url, data={**form, "choice": "left"}, headers=HTMX)
    again = client.post(url, data={**form, "choice": "left"}, headers=HTMX)
    for response in (first, again):
        html = _status(response.get_data(as_text=True))
        assert response.status_code == 200 and "You've made 1 choice." in html
        assert "Something went wrong" not in html
    assert counted_in_all() == (1, 1, 1)
    # And the next vote counts on from there.
    following = pair_form(first.get_data(as_text=True))
    html = _status(
        client.post(url, data={**following, "choice": "skip"}, headers=HTMX).get_data(as_text=True)
    )
    assert "You've made 2 choices." in html
    assert counted_in_all() == (2, 2, 2)
    assert _vote_modes(sent) == [db.engine.dialect.name == "postgresql"] * 3


def test_a_repeat_counts_nothing_is_no_database_error_and_what_follows_reads_in_a_transaction(
    worker, make_exercise, sent, monkeypatch
):
    """A copy sent after its first was stored: the vote's statement counts nothing for a key already stored,
    so nothing is taken back after it (no UPDATE of the counter) and the database reports no error (before,
    on PostgreSQL every repeat broke the vote's unique key, and its log showed each as an error). The reads
    that answer it are not sent in autocommit."""
    client, url, form = _at_a_pair(worker, make_exercise())
    client.post(url, data={**form, "choice": "left"}, headers=HTMX)
    sent.clear()
    errors: list[Exception] = []
    with worker.app_context():
        engine = db.engine

    def note(context) -> None:
        errors.append(context.original_exception)

    sending = driver_sql.run  # the vote's statements go to the driver, past "handle_error"

    def send(*args, **kwargs):
        try:
            return sending(*args, **kwargs)
        except Exception as error:
            errors.append(error)
            raise

    monkeypatch.setattr(driver_sql, "run", send)
    event.listen(engine, "handle_error", note)
    try:
        again = client.post(url, data={**form, "choice": "left"}, headers=HTMX)
    finally:
        event.remove(engine, "handle_error", note)
    assert again.status_code == 200 and "You've made 1 choice." in _status(again.get_data(as_text=True))
    assert errors == []
    assert not [words for words, _ in sent if words.startswith("UPDATE")], sent
    if db.engine.dialect.name == "postgresql":
        assert sent[0][0].startswith("WITH counted") and sent[0][1], sent
        assert sent[1:] and not any(on for _, on in sent[1:]), sent
    assert counted_in_all() == (1, 1, 1)


def test_the_same_vote_sent_four_times_at_once_from_the_pair_page_is_stored_once(worker, make_exercise, sent):
    """Four copies of one click at the same moment, each on its own connection: each is answered with the
    next pair and the count of one choice; one vote is stored, counted once on the person's counter and
    once in the pair counts."""
    first, url, form = _at_a_pair(worker, make_exercise())
    first.post(url, data=form | {"choice": "left"}, headers=HTMX)  # the person exists: only the vote races
    form = pair_form(first.get(url).get_data(as_text=True))
    cookie = first.get_cookie(COOKIE_NAME).value
    clients = [worker.test_client() for _ in range(4)]
    for client in clients:
        client.set_cookie(COOKIE_NAME, cookie)
    start, answers = threading.Barrier(4), []

    def click(client) -> None:
        start.wait()
        response = client.post(url, data={**form, "choice": "right"}, headers=HTMX)
        answers.append((response.status_code, _status(response.get_data(as_text=True))))

    threads = [threading.Thread(target=click, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in answers] == [200] * 4
    assert all("You've made 2 choices." in html for _, html in answers), [html[-400:] for _, html in answers]
    db.session.expire_all()
    assert counted_in_all() == (2, 2, 2)
    assert _vote_modes(sent) == [db.engine.dialect.name == "postgresql"] * 5
    assert _pool_left(worker) == (0, [])


def _pool_left(worker) -> tuple[int, list]:
    """The worker's pool after its requests: (connections still checked out, the pooled connections left in
    autocommit, as their driver says). (0, []) when every vote gave its connection back as it was."""
    with worker.app_context():
        pool = db.engine.pool
    kept = [record.dbapi_connection for record in list(pool._pool.queue)]  # type: ignore[attr-defined]
    return pool.checkedout(), [c for c in kept if c is not None and getattr(c, "autocommit", False)]


def test_a_database_error_in_a_vote_on_its_own_leaves_nothing_and_gives_its_connection_back(
    worker, make_exercise, sent, monkeypatch
):
    """The vote's statement fails in the database (here: a statement before it on its connection fails):
    the resident gets an error page, nothing is stored or counted, no results refresh is queued, and the
    connection goes back to the pool out of autocommit (a reviewer's check of the vote sent without the
    request's session)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL sends a vote on its own (and SQLite's 1/0 is NULL, not an error)")
    client, url, form = _at_a_pair(worker, make_exercise())
    sending = driver_sql.run

    def failing(connection, statement, values):
        connection.exec_driver_sql("SELECT 1/0")  # division by zero, raised by the database
        return sending(connection, statement, values)

    monkeypatch.setattr(driver_sql, "run", failing)
    queued = []
    monkeypatch.setattr(voting, "results_changed", lambda *args, **kwargs: queued.append(args))
    refused = client.post(url, data={**form, "choice": "left"}, headers=HTMX)
    assert refused.status_code == 400  # the database refused a value: engage.errors' page
    monkeypatch.setattr(driver_sql, "run", sending)
    assert counted_in_all() == (0, 0, 0) and queued == []
    assert _pool_left(worker) == (0, [])
    # And the next vote is stored as usual.
    response = client.post(url, data={**form, "choice": "left"}, headers=HTMX)
    assert "You've made 1 choice." in _status(response.get_data(as_text=True))
    assert counted_in_all() == (1, 1, 1) and len(queued) == 1


def test_only_the_vote_keys_uniqueness_is_taken_for_a_repeat(app, make_exercise):
    """Another broken rule in the statement is an error, not a repeat answered from a stored vote."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the one statement is PostgreSQL's")
    exercise = make_exercise()
    a, b = exercise.items[:2]
    token = "e" * 43
    vote = {
        "exercise_id": exercise.id,
        "left_item_id": a.id,
        "right_item_id": b.id,
        "outcome": Outcome.LEFT,
        "skip_reason": SkipReason.EQUAL,  # only a skip gives a reason: ck_pairwise_votes_reason_only_on_skip
        "channel": Channel.ONLINE,
        "locale": "en",
        "workshop_session_id": None,
        "idempotency_key": stored_key(exercise, token, "k" * 32),
        "created_at": utcnow(),
    }
    db.session.remove()  # a session with nothing begun, as a request's is
    with app.test_request_context(), pytest.raises(IntegrityError) as raised:
        voting._stored_in_one_statement(exercise, token, vote, alone_on=db.engine)
    assert "ck_pairwise_votes_reason_only_on_skip" in str(raised.value)
    db.session.remove()
    assert counted_in_all() == (0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(Respondent)) == 0


def test_the_key_named_for_a_repeat_is_the_votes_unique_key():
    keys = {
        constraint.name: {column.name for column in constraint.columns}
        for constraint in table_of(PairwiseVote).constraints
    }
    assert keys[statements.VOTE_KEY] == {"exercise_id", "idempotency_key"}


def test_a_late_copy_of_a_vote_taken_back_is_not_stored_again(worker, make_exercise, sent):
    """Found in review: a copy of a vote that arrived after the resident had taken that vote back (a double
    click or a browser's retry on a slow connection) was stored again, because undoing forgot its key. Now
    the key is kept (``UndoneVote``), the copy is answered with a new pair, and nothing is counted."""
    exercise = make_exercise()
    client, url, form = _at_a_pair(worker, exercise)
    client.post(url, data={**form, "choice": "left"}, headers=HTMX)
    undone = client.post(f"/exercises/{exercise.id}/undo")
    assert undone.status_code == 302
    assert counted_in_all() == (0, 0, 0)

    late = client.post(url, data={**form, "choice": "left"}, headers=HTMX)
    html = _status(late.get_data(as_text=True))
    assert late.status_code == 200
    assert "Something went wrong with that choice. Here is a new pair." in html
    assert "You've made" not in html
    assert counted_in_all() == (0, 0, 0)
    # What is kept is the stored key (a keyed hash of the resident's token and the form's key): not who.
    signed = client.get_cookie(COOKIE_NAME).value
    with worker.app_context():
        token = URLSafeSerializer(worker.config["SECRET_KEY"], salt="engage-respondent").loads(signed)
        key = stored_key(exercise, token, form["key"])
    kept = db.session.execute(select(UndoneVote.exercise_id, UndoneVote.idempotency_key)).all()
    assert [tuple(row) for row in kept] == [(exercise.id, key)]
    assert token not in key and form["key"] not in key

    # The new pair it offered is stored as usual.
    html = _status(
        client.post(url, data={**pair_form(html), "choice": "right"}, headers=HTMX).get_data(as_text=True)
    )
    assert "You've made 1 choice." in html
    assert counted_in_all() == (1, 1, 1)


def test_a_vote_on_its_own_makes_no_session_and_queues_the_results_refresh(
    app_factory, queued_app, make_exercise, sent
):
    """PostgreSQL: a vote that needs nothing else from the database is sent on a connection of its own,
    without the request's session (making, beginning and ending one was about a seventh of a vote's
    processor time); the officers' results are still refreshed for it, queued as soon as it is stored.
    SQLite: the vote is the request's transaction, and the refresh is queued when it commits."""
    _, settings = queued_app
    worker = app_factory(fresh=True, ENGAGE_PAIR_STATE_SECONDS=3600, **settings)
    client, url, form = _at_a_pair(worker, make_exercise())
    queue.huey.flush()
    made = [0]
    registry = db.session.registry
    make = registry.createfunc

    def counted(*args, **kwargs):
        made[0] += 1
        return make(*args, **kwargs)

    registry.createfunc = counted
    try:
        response = client.post(url, data={**form, "choice": "left"}, headers=HTMX)
    finally:
        registry.createfunc = make
    assert response.status_code == 200
    assert "You've made 1 choice." in _status(response.get_data(as_text=True))
    postgres = db.engine.dialect.name == "postgresql"
    assert made[0] == (0 if postgres else 1)
    assert len(queue.huey) == 1  # the results' refresh, to run a little later
    assert counted_in_all() == (1, 1, 1)
