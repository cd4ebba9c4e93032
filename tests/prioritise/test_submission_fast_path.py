"""Issue 23, budget submission: "send" from check your answers is a few statements (the respondent found or
made and locked in one, the submission inserted with its unique keys as the idempotency check, every entry in
one more) and stores exactly what it stored before: each item's amount, the scoped key, the channel and
the language; equality answers apart; sent twice (even at once) it stores one; a failure part-way leaves
nothing."""

import re
import threading
from collections import Counter

import pytest
from sqlalchemy import event, func, select

from engage.extensions import db
from engage.idempotency import submitter_key
from engage.prioritise.models import (
    Respondent,
    RespondentProfile,
    Submission,
    SubmissionEntry,
)
from engage.prioritise.submissions import submitting
from engage.respondents import COOKIE_NAME, current_token, respondent_scope
from tests.all_or_nothing import fails_after
from tests.prioritise.budget.test_budget_views import fields, key_of
from tests.prioritise.test_all_or_nothing import a_comment, count, earlier_write, still_there


def _ready(client, exercise, *amounts) -> str:
    """Share out the budget and open check your answers; the key its form sends."""
    assert (
        client.post(f"/exercises/{exercise.id}/allocate", data=fields(exercise, *amounts)).status_code == 302
    )
    return key_of(client.get(f"/exercises/{exercise.id}/check").get_data(as_text=True))


def _entries() -> dict[int, int]:
    return dict(db.session.execute(select(SubmissionEntry.item_id, SubmissionEntry.value)).all())


def _statements(engine):
    """Count the statements sent on ``engine`` by their first word, while the block runs."""
    counts: Counter[str] = Counter()

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        counts[statement.split(None, 1)[0].upper()] += 1

    event.listen(engine, "before_cursor_execute", note)
    return counts, lambda: event.remove(engine, "before_cursor_execute", note)


def test_a_budget_is_stored_exactly_as_sent(app, client, make_budget):
    exercise = make_budget()
    key = _ready(client, exercise, 40, 30, 30, 0)
    sent = client.post(
        f"/exercises/{exercise.id}/check", data={"key": key}, headers={"Accept-Language": "cy"}
    )
    assert sent.status_code == 302 and sent.location.endswith(f"/exercises/{exercise.id}/your-answer")
    # Every active item has its entry, the one left at nothing too.
    assert _entries() == dict(zip([i.id for i in exercise.active_items], [40, 30, 30, 0], strict=True))
    stored = db.session.scalar(select(Submission))
    cookie = client.get_cookie(COOKIE_NAME).value
    with app.test_request_context("/", headers={"Cookie": f"{COOKIE_NAME}={cookie}"}):
        token = current_token()
        assert stored.idempotency_key == submitter_key(respondent_scope(exercise), token, key) != key
    assert (stored.channel.value, stored.locale, stored.workshop_session_id) == ("online", "cy", None)
    respondent = db.session.get(Respondent, stored.respondent_id)
    assert respondent.exercise_id == exercise.id and respondent.address_hash
    assert count(RespondentProfile) == 0
    # The draft is gone with the sending: the check page now sends them to their answer.
    assert client.get(f"/exercises/{exercise.id}/check").location.endswith("/your-answer")


def test_equality_answers_are_kept_apart_from_the_budget(client, make_budget):
    exercise = make_budget()
    client.post(f"/exercises/{exercise.id}/check", data={"key": _ready(client, exercise, 25, 25, 25, 25)})
    before = _entries()
    answered = client.post(f"/exercises/{exercise.id}/about-you", data={"sex": "Female", "age_band": "25-34"})
    assert answered.status_code == 302
    respondent_id = db.session.scalar(select(Submission.respondent_id))
    profile = dict(
        db.session.execute(
            select(RespondentProfile.dimension, RespondentProfile.category).where(
                RespondentProfile.respondent_id == respondent_id
            )
        ).all()
    )
    assert profile == {"sex": "Female", "age_band": "25-34"}
    assert _entries() == before and count(Submission) == 1


def test_sent_again_or_a_second_go_stores_one_budget(client, make_budget):
    exercise = make_budget()
    key = _ready(client, exercise, 40, 30, 20, 10)
    for _ in range(2):  # a double click: the insert's unique key finds the first
        again = client.post(f"/exercises/{exercise.id}/check", data={"key": key})
        assert again.location.endswith("/your-answer")
    # A second go from another tab, with another key: one person, one answer.
    with client.session_transaction() as kept:
        kept["answer_drafts"] = {str(exercise.id): {str(i.id): 25 for i in exercise.active_items}}
    other = client.post(f"/exercises/{exercise.id}/check", data={"key": "b" * 32})
    assert other.location.endswith("/your-answer")
    assert count(Submission) == 1 and count(Respondent) == 1
    assert sorted(_entries().values()) == [10, 20, 30, 40]


def test_a_budget_send_is_a_few_statements(app, client, make_budget):
    """The exercise's row (one: its items and their consequences come from the copy this worker kept while
    the resident shared out the budget, engage.kept_structure), then the respondent, the submission and its
    entries: one statement on PostgreSQL (data-modifying CTEs), three on SQLite. The send is the request's
    first write, so no savepoint: no lookups before the insert, none per item."""
    exercise = make_budget()
    key, url = _ready(client, exercise, 40, 30, 20, 10), f"/exercises/{exercise.id}/check"
    counts, stop = _statements(db.engine)
    try:
        assert client.post(url, data={"key": key}).status_code == 302
    finally:
        stop()
    assert counts["SELECT"] == 1 and counts["UPDATE"] == counts["DELETE"] == counts["SAVEPOINT"] == 0, counts
    if db.engine.dialect.name == "postgresql":
        assert counts["WITH"] == 1 and counts["INSERT"] == 0, counts
    else:
        assert counts["INSERT"] == 3, counts
    assert sum(counts.values()) <= 5, counts  # and BEGIN
    assert sorted(_entries().values()) == [10, 20, 30, 40]


def _refused_at(monkeypatch, step: str) -> tuple[str, dict]:
    """Make the send fail at ``step``, after what came before it was written: (the error's words, what
    record_submission is sent with besides). On PostgreSQL the three parts are one statement, each refused
    by the database itself (a token hash or a language too long for its column); on SQLite each part is its
    own statement, made to fail once it has written."""
    if step == "entries":  # an item that is not there: the entries' insert itself is refused
        monkeypatch.setattr(submitting, "_checked_entries", lambda exercise, values: {10**9: 1})
        return "FOREIGN KEY|foreign key", {}
    if db.engine.dialect.name == "postgresql":
        if step == "submission":
            return "too long", {"locale": "x" * 11}
        real = submitting.locking_values
        monkeypatch.setattr(
            submitting, "locking_values", lambda *args: {**real(*args), "token_hash": "x" * 65}
        )
        return "too long", {}
    name = {"respondent": "_lock_respondent", "submission": "_insert_submission"}[step]
    fails_after(monkeypatch, submitting, name, f"{step} failed")
    return f"{step} failed", {}


@pytest.mark.parametrize("step", ["respondent", "submission", "entries"])
def test_a_budget_refused_at_any_step_leaves_nothing(app, make_budget, monkeypatch, step):
    """The respondent, the submission and its entries stand together: a failure at any of them leaves
    none of them, and undoes nothing else the unit of work did (a savepoint, as something was written)."""
    exercise = make_budget()
    before = earlier_write(a_comment(exercise))
    failure, extra = _refused_at(monkeypatch, step)
    values = {item.id: 25 for item in exercise.active_items}
    with pytest.raises(Exception, match=failure):
        submitting.record_submission(exercise, "t" * 43, values, idempotency_key="k" * 32, **extra)
    assert still_there(before)
    assert count(Respondent) == 0 and count(Submission) == 0 and count(SubmissionEntry) == 0


@pytest.mark.parametrize("step", ["respondent", "submission", "entries"])
def test_a_budget_refused_as_the_first_write_leaves_nothing_and_the_work_goes_on(
    app, make_budget, monkeypatch, step
):
    """With nothing written before it (a resident's send), a failure undoes the whole transaction instead of
    a savepoint: nothing of the send remains, and the unit of work can still write and commit after it."""
    exercise = make_budget()
    db.session.commit()
    failure, extra = _refused_at(monkeypatch, step)
    values = {item.id: 25 for item in exercise.active_items}
    with pytest.raises(Exception, match=failure):
        submitting.record_submission(exercise, "t" * 43, values, idempotency_key="k" * 32, **extra)
    assert count(Respondent) == 0 and count(Submission) == 0 and count(SubmissionEntry) == 0
    monkeypatch.undo()
    receipt = submitting.record_submission(exercise, "u" * 43, values, idempotency_key="m" * 32)
    db.session.commit()
    assert receipt.created and count(Submission) == 1 and count(SubmissionEntry) == len(values)


@pytest.mark.real_commits  # threads with their own connections
def test_the_same_budget_sent_three_times_at_once_is_stored_once(app, make_budget):
    """Three copies of one "send" at the same moment (a triple click on a slow line): one submission, one
    respondent, and every copy is sent on to the answer page."""
    exercise = make_budget()
    first = app.test_client()
    key = _ready(first, exercise, 40, 30, 20, 10)
    clients = [first, app.test_client(), app.test_client()]
    for other in clients[1:]:
        for name in (COOKIE_NAME, app.config["SESSION_COOKIE_NAME"]):
            other.set_cookie(name, first.get_cookie(name).value)
    start, answers, url = threading.Barrier(len(clients)), [], f"/exercises/{exercise.id}/check"

    def send(client) -> None:
        start.wait()
        answers.append(client.post(url, data={"key": key}))

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert all(a.location.endswith("/your-answer") for a in answers)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    assert db.session.scalar(select(func.count()).select_from(Respondent)) == 1
    assert sorted(_entries().values()) == [10, 20, 30, 40]


@pytest.mark.real_commits  # a thread with its own session and connection, as a server's
def test_check_your_answers_opened_and_sent_on_a_connection_of_its_own(app, make_budget):
    """On SQLite the page (a read) begins a plain transaction and the send's reads run outside one until its
    first write takes the write lock: both on a fresh connection, as under a server, not the test's own."""
    exercise = make_budget()
    base, amounts = f"/exercises/{exercise.id}", fields(exercise, 40, 30, 20, 10)
    seen = []

    def journey() -> None:
        client = app.test_client()
        seen.append(client.post(f"{base}/allocate", data=amounts).status_code)
        page = client.get(f"{base}/check")
        seen.append(page.status_code)
        sent = client.post(f"{base}/check", data={"key": key_of(page.get_data(as_text=True))})
        seen.append((sent.status_code, sent.location))

    thread = threading.Thread(target=journey)
    thread.start()
    thread.join(timeout=60)
    assert seen == [302, 200, (302, f"{base}/your-answer")]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


@pytest.mark.parametrize("key", ["", "short", " " * 20, "k" * 65])
def test_a_send_whose_key_is_missing_or_malformed_shows_the_page_and_stores_nothing(
    app, client, make_budget, key
):
    """The key is read without building the form only when it is as the form allows; anything else is
    checked by the form, which says what is wrong on the page (and nothing is stored)."""
    exercise = make_budget()
    _ready(client, exercise, 40, 30, 20, 10)
    sent = client.post(f"/exercises/{exercise.id}/check", data={"key": key})
    assert sent.status_code == 400
    assert "There is a problem" in sent.get_data(as_text=True)
    assert count(Submission) == 0 and count(Respondent) == 0


def test_a_send_with_a_stale_form_token_says_so_and_stores_nothing(app, make_budget):
    """With CSRF on (as in production), a send whose token was refused is not read as a send: the page
    comes back saying the form timed out; sent again with a good token, it is stored."""
    app.config["WTF_CSRF_ENABLED"] = True  # read per request
    exercise = make_budget()
    client = app.test_client()
    page = client.get(f"/exercises/{exercise.id}/allocate").get_data(as_text=True)
    form = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)}
    form |= fields(exercise, 40, 30, 20, 10)
    assert client.post(f"/exercises/{exercise.id}/allocate", data=form).status_code == 302
    check = client.get(f"/exercises/{exercise.id}/check").get_data(as_text=True)
    key = key_of(check)
    stale = client.post(f"/exercises/{exercise.id}/check", data={"csrf_token": "stale", "key": key})
    assert stale.status_code == 400 and "This form was open too long" in stale.get_data(as_text=True)
    assert count(Submission) == 0
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', check).group(1)
    sent = client.post(f"/exercises/{exercise.id}/check", data={"csrf_token": token, "key": key})
    assert sent.status_code == 302 and count(Submission) == 1


@pytest.mark.parametrize("key", ["k" * 64 + " ", " " + "k" * 32])
def test_a_key_with_white_space_is_taken_as_the_form_takes_it(app, client, make_budget, key):
    """The form's hidden field keeps the key as sent: one too long with its space is refused as before, one
    that fits is stored under the key as sent (so a copy sent again finds it)."""
    exercise = make_budget()
    _ready(client, exercise, 40, 30, 20, 10)
    sent = client.post(f"/exercises/{exercise.id}/check", data={"key": key})
    if len(key) > 64:
        assert sent.status_code == 400 and count(Submission) == 0
    else:
        assert sent.status_code == 302 and count(Submission) == 1
        cookie = client.get_cookie(COOKIE_NAME).value
        with app.test_request_context("/", headers={"Cookie": f"{COOKIE_NAME}={cookie}"}):
            scoped = submitter_key(respondent_scope(exercise), current_token(), key)
        assert db.session.scalar(select(Submission.idempotency_key)) == scoped
