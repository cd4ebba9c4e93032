"""Issue 23, consultation response: "send" from check your answers inserts the response with its key's
uniqueness as the idempotency check, every answer in one statement, deletes the draft in one and counts the
response from the rows in hand (no temporary table, no reading back). What is stored is what was stored
before: each answer row, the scoped key, the counts the rows give; equality answers apart; sent twice (even at
once) it stores one; a failure at any step leaves nothing."""

import contextlib
import json
import re
import threading
from datetime import date

import pytest
from sqlalchemy import event, func, select, text, update

from engage.database import intend_to_write, table_of
from engage.extensions import db
from engage.idempotency import submitter_key
from engage.population.service import import_population
from engage.respondents import COOKIE_NAME, current_token
from engage.surveys import checked, counts, responses
from engage.surveys.drafts import draft_answers
from engage.surveys.drafts import forgetting as real_forgetting
from engage.surveys.models import (
    Answer,
    AnswerCount,
    Consultation,
    ConsultationProfile,
    ConsultationResponse,
    QuestionCount,
    ResponseCount,
    ResponseDraft,
)
from engage.surveys.views_resident import _page_forms
from tests.all_or_nothing import fails_after
from tests.prioritise.test_all_or_nothing import count, earlier_write, still_there
from tests.surveys.test_all_or_nothing import a_theme, stored_counts
from tests.surveys.test_conditions_ranking_paper import (
    _questions,
    _ranking_data,
    _send,
    branching,  # noqa: F401 (a fixture)
)
from tests.surveys.test_consultations import first_page, respond, second_page

SEX = "dimension,category,population\nsex,Female,500\nsex,Male,500\n"


def _answers(response_id=None):
    query = select(Answer.question_id, Answer.option_id, Answer.priority_id, Answer.text, Answer.number)
    if response_id is not None:
        query = query.where(Answer.response_id == response_id)
    return sorted(db.session.execute(query).all(), key=repr)


def _all_counts(consultation):
    """Every stored count of the consultation, table by table."""
    kept = {}
    for model in (ResponseCount, QuestionCount, AnswerCount):
        columns = [column for column in table_of(model).columns if column.key != "id"]
        found = db.session.execute(select(*columns).where(model.consultation_id == consultation.id))
        kept[model.__name__] = sorted(found.all(), key=repr)
    return kept


def _key(html: str) -> str:
    return re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)


def _ready(client, consultation, hwb) -> str:
    """Answer both pages and open check your answers; the key its form sends."""
    client.post(f"/consultations/{consultation.id}/sections/1", data=first_page(consultation))
    client.post(f"/consultations/{consultation.id}/sections/2", data=second_page(consultation, hwb))
    return _key(client.get(f"/consultations/{consultation.id}/check").get_data(as_text=True))


def _same_as_counting_every_row(consultation) -> bool:
    """The counts kept as each response arrived are what counting the consultation's rows afresh gives."""
    report = counts.rebuild(consultation)
    stored = count(ConsultationResponse, ConsultationResponse.consultation_id == consultation.id)
    return report.differences == 0 and report.responses == stored


def test_a_response_is_stored_exactly_as_answered(app, client, make_consultation, hwb):
    consultation = make_consultation()
    single, multiple, agreement, rating = consultation.sections[0].questions
    importance, number, when, town, anything = consultation.sections[1].questions
    sent, key = respond(client, consultation, hwb)
    assert sent.status_code == 302 and sent.location.endswith(
        f"/consultations/{consultation.id}/confirmation"
    )
    levels = {p.id: 5.0 if p.code == "HWB-ACTIVE" else 3.0 for p in hwb.active_priorities}
    expected = [
        (single.id, single.options[1].id, None, None, None),
        (multiple.id, multiple.options[0].id, None, None, None),
        (multiple.id, multiple.options[2].id, None, None, None),
        (agreement.id, None, None, "agree", None),
        (rating.id, None, None, None, 8.0),
        *[(importance.id, None, pid, None, level) for pid, level in levels.items()],
        (number.id, None, None, None, 3.0),
        (when.id, None, None, date(2026, 3, 4).isoformat(), None),
        (town.id, None, None, "Aldermoor", None),
        (anything.id, None, None, "More evening <appointments>", None),
    ]
    assert _answers() == sorted(expected, key=repr)
    stored = db.session.scalar(select(ConsultationResponse))
    cookie = client.get_cookie(COOKIE_NAME).value
    with app.test_request_context("/", headers={"Cookie": f"{COOKIE_NAME}={cookie}"}):
        scoped = submitter_key(f"consultation:{consultation.id}", current_token(), key)
    assert stored.idempotency_key == scoped != key
    assert (stored.channel.value, stored.locale, stored.paper_sheet, stored.workshop_session_id) == (
        "online",
        "en",
        None,
        None,
    )
    assert count(ResponseDraft) == 0 and count(ConsultationProfile) == 0
    confirmation = client.get(sent.location).get_data(as_text=True)
    assert stored.reference in confirmation
    assert stored_counts() == [("{}", "online", 1)]
    assert _same_as_counting_every_row(consultation)


@pytest.mark.parametrize("population", [False, True])
def test_counted_from_the_rows_in_hand_as_from_the_table(app, make_consultation, branching, hwb, population):  # noqa: F811
    """Every kind of question (an "Other" answer, a ranking, a conditional question asked and not asked),
    with and without population figures: the counts kept as responses arrive are those counting the rows
    gives, response by response."""
    if population:
        import_population(SEX)
    consultation = make_consultation()
    single = consultation.sections[0].questions[0]
    drive, _parking, ranking, _reason = _questions(branching)
    for n in range(4):
        resident = app.test_client()
        page = first_page(consultation)
        if n % 2:
            page |= {f"q{single.id}": "other", f"q{single.id}-other": "At the pharmacy"}
        resident.post(f"/consultations/{consultation.id}/sections/1", data=page)
        resident.post(f"/consultations/{consultation.id}/sections/2", data=second_page(consultation, hwb))
        key = _key(resident.get(f"/consultations/{consultation.id}/check").get_data(as_text=True))
        assert resident.post(f"/consultations/{consultation.id}/check", data={"key": key}).status_code == 302
        driver = app.test_client()
        yes_or_no = drive.options[n % 2]
        driver.post(f"/consultations/{branching.id}/sections/1", data={f"q{drive.id}": str(yes_or_no.id)})
        second = _ranking_data(ranking, [(n % 3) + 1, ((n + 1) % 3) + 1, ((n + 2) % 3) + 1])
        if n % 2 == 0:
            second[f"q{_parking.id}"] = str(n + 3)
        driver.post(f"/consultations/{branching.id}/sections/2", data=second)
        if n % 2:
            driver.post(f"/consultations/{branching.id}/sections/3", data={f"q{_reason.id}": "No car"})
        assert _send(driver, branching)[0].status_code == 302
        for each in (consultation, branching):
            kept = _all_counts(each)
            assert _same_as_counting_every_row(each) and _all_counts(each) == kept
    assert count(ConsultationResponse) == 8


def test_equality_answers_are_kept_apart_from_the_answers(app, client, make_consultation, hwb):
    import_population(SEX)
    consultation = make_consultation()
    respond(client, consultation, hwb)
    answers = _answers()
    told = client.post(f"/consultations/{consultation.id}/about-you", data={"sex": "Female"})
    assert told.status_code == 302
    assert _answers() == answers  # the answers are untouched
    response_id = db.session.scalar(select(ConsultationResponse.id))
    profile = db.session.execute(
        select(ConsultationProfile.dimension, ConsultationProfile.category).where(
            ConsultationProfile.response_id == response_id
        )
    ).all()
    assert profile == [("sex", "Female")]
    assert stored_counts() == [('{"sex": "Female"}', "online", 1)]
    assert _same_as_counting_every_row(consultation)


def test_sent_again_stores_one_response_and_shows_its_reference(client, make_consultation, hwb):
    consultation = make_consultation()
    first, key = respond(client, consultation, hwb)
    reference = db.session.scalar(select(ConsultationResponse.reference))
    # The draft went with the first copy, so a copy sent later is sent back to the pages; one sent at the same
    # moment (below) finds the first by its key.
    cookie = client.get_cookie(COOKIE_NAME).value
    with client.application.test_request_context("/", headers={"Cookie": f"{COOKIE_NAME}={cookie}"}):
        again = responses.submit_response(consultation, current_token(), [], idempotency_key=key)
    assert (again.id, again.reference) == (db.session.scalar(select(ConsultationResponse.id)), reference)
    assert count(ConsultationResponse) == 1 and stored_counts() == [("{}", "online", 1)]


def test_a_response_send_is_a_few_statements(app, client, make_consultation, hwb):
    """The consultation's row with the draft (one: its pages, questions, options and priorities come from
    the copy this worker kept while the resident answered, engage.kept_structure), then the response,
    its answers and the draft deleted, and the counts (three upserts, after the consultation's row lock): on
    PostgreSQL one statement; on SQLite six. None per question or per answer, nothing
    read back, and not the population's categories (a new response is in the same cell under any)."""
    consultation = make_consultation()
    client.post(f"/consultations/{consultation.id}/check", data={"key": _ready(client, consultation, hwb)})
    other = app.test_client()  # the first response made the counts; this one adds to them
    key, url = _ready(other, consultation, hwb), f"/consultations/{consultation.id}/check"
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement.split(None, 1)[0].upper())
        if "population_margins" in statement:
            seen.append("CATEGORIES")

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert other.post(url, data={"key": key}).status_code == 302
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    if db.engine.dialect.name == "sqlite":
        assert seen.count("INSERT") == 5 and seen.count("DELETE") == 1 and seen.count("SELECT") == 1, seen
    else:  # the response, its answers, the draft's deletion, the lock and the counts: one statement
        assert seen.count("WITH") == 1 and seen.count("SELECT") == 1, seen
        assert "INSERT" not in seen and "DELETE" not in seen, seen
    assert "CREATE" not in seen and "DROP" not in seen and "UPDATE" not in seen
    assert "SAVEPOINT" not in seen, seen  # the send is the request's first write: no savepoint needed
    assert "CATEGORIES" not in seen, seen
    assert other.get(f"/consultations/{consultation.id}/confirmation").status_code == 200


@pytest.mark.parametrize("step", ["answers", "draft", "counts"])
def test_a_response_refused_at_any_step_leaves_nothing(client, make_consultation, hwb, monkeypatch, step):
    """The response, its answers, the draft's deletion and the counts stand together: a failure at any of
    them leaves none of them (the draft stays, to send again) and undoes nothing else the unit of work did."""
    consultation = make_consultation()
    _ready(client, consultation, hwb)
    before = earlier_write(a_theme(consultation))
    if step == "answers":  # an answer to a question that is not there: the answers' insert is refused
        real_values = responses.answer_values

        def with_a_stranger(pages):
            found = real_values(pages)
            return [*found, {**found[0], "question_id": 10**9}]

        monkeypatch.setattr(responses, "answer_values", with_a_stranger)
        failure = "FOREIGN KEY|foreign key"
    elif step == "draft" and db.engine.dialect.name == "postgresql":
        # One statement with the response and its answers there: its draft's deletion made to fail in it.
        monkeypatch.setattr(responses, "forgetting", lambda *when: real_forgetting(*when, text("1 / 0 = 1")))
        responses._stored_in_one_statement.cache_clear()
        failure = "division by zero"
    else:
        owner, name = (responses, "forget_draft") if step == "draft" else (responses.counts, "add_new")
        failure = f"{step} failed"
        fails_after(monkeypatch, owner, name, failure)
    cookie = client.get_cookie(COOKIE_NAME).value
    headers = {"Cookie": f"{COOKIE_NAME}={cookie}"}
    with (
        pytest.raises(Exception, match=failure),
        client.application.test_request_context("/", headers=headers),
    ):
        token = current_token()
        pages = _page_forms(consultation, draft_answers(consultation, token))
        assert all(page.validate() for page in pages)
        try:
            responses.submit_response(consultation, token, pages, idempotency_key="k" * 32)
        finally:
            responses._stored_in_one_statement.cache_clear()  # none built with the failing part kept
    assert still_there(before)
    assert count(ConsultationResponse) == 0 and count(Answer) == 0 and count(ResponseDraft) == 1
    assert stored_counts() == []


def test_a_send_whose_counting_fails_leaves_nothing_of_it(app, client, make_consultation, hwb, monkeypatch):
    """Once a consultation's counts are kept, PostgreSQL counts a send in the statement that stores it: a
    count refused there takes the response, its answers and the draft's deletion with it (on SQLite the
    counts are statements of their own, after the rest)."""
    consultation = make_consultation()
    url = f"/consultations/{consultation.id}/check"
    first = app.test_client()
    assert first.post(url, data={"key": _ready(first, consultation, hwb)}).status_code == 302  # counts made
    kept, answered = _all_counts(consultation), _answers()
    key = _ready(client, consultation, hwb)
    real = counts.counting_values if db.engine.dialect.name == "postgresql" else None

    def refused(*args, **kwargs):
        values = real(*args, **kwargs)
        values["consultation_question_counts_rows"][0]["people"] = "many"  # not a whole number
        return values

    if real is not None:  # the database refuses the value: a 400 page (engage.errors)
        monkeypatch.setattr(counts, "counting_values", refused)
        assert client.post(url, data={"key": key}).status_code == 400
    else:
        fails_after(monkeypatch, counts, "add_new", "counts failed")
        with pytest.raises(Exception, match="counts failed"):
            client.post(url, data={"key": key})
    db.session.rollback()
    assert count(ConsultationResponse) == 1 and count(ResponseDraft) == 1
    assert _answers() == answered and _all_counts(consultation) == kept
    monkeypatch.undo()
    assert client.post(url, data={"key": key}).status_code == 302  # the draft was kept: sent again, stored
    assert count(ConsultationResponse) == 2 and _same_as_counting_every_row(consultation)


@pytest.mark.real_commits  # threads with their own connections
def test_the_same_response_sent_three_times_at_once_is_stored_once(app, make_consultation, hwb):
    """Three copies of one "send" at the same moment: one response, counted once, and every copy is sent
    on to the confirmation page with its reference (a copy that finds the draft already gone finds the
    response its key stored, rather than being sent back to an empty page 1)."""
    consultation = make_consultation()
    first = app.test_client()
    key = _ready(first, consultation, hwb)
    clients = [first, app.test_client(), app.test_client()]
    for other in clients[1:]:
        other.set_cookie(COOKIE_NAME, first.get_cookie(COOKIE_NAME).value)
    start, answers, url = threading.Barrier(len(clients)), [], f"/consultations/{consultation.id}/check"

    def send(client) -> None:
        start.wait()
        answers.append((client, client.post(url, data={"key": key})))

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [answer.status_code for _, answer in answers] == [302, 302, 302]
    assert all(answer.location.endswith("/confirmation") for _, answer in answers)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 1
    assert db.session.scalar(select(func.sum(ResponseCount.responses))) == 1
    reference = db.session.scalar(select(ConsultationResponse.reference))
    for client, answer in answers:
        assert reference in client.get(answer.location).get_data(as_text=True)


@pytest.mark.real_commits  # threads with their own connections
def test_two_tabs_sending_the_same_answers_with_their_own_keys_at_once_store_one_response(
    app, make_consultation, hwb, monkeypatch
):
    """Found in review: one browser, two tabs on check your answers (each with its own key), "send" pressed
    in both at the same moment: both read the draft before either stored, and two responses were kept. A
    response is now stored only with its draft's deletion: the second finds the draft gone, stores
    nothing and goes back to check your answers."""
    consultation = make_consultation()
    first = app.test_client()
    _ready(first, consultation, hwb)
    second = app.test_client()
    second.set_cookie(COOKIE_NAME, first.get_cookie(COOKIE_NAME).value)
    url = f"/consultations/{consultation.id}/check"
    keys = [_key(client.get(url).get_data(as_text=True)) for client in (first, second)]
    assert keys[0] != keys[1]
    both_read = threading.Barrier(2)
    usable = checked.usable

    def after_both_read(*args):
        both_read.wait(timeout=30)  # each has read the draft before either stores
        return usable(*args)

    monkeypatch.setattr(checked, "usable", after_both_read)
    answers: dict[int, object] = {}

    def send(n: int, client) -> None:
        answers[n] = client.post(url, data={"key": keys[n]})

    threads = [threading.Thread(target=send, args=pair) for pair in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    places = sorted(answer.location.rsplit("/", 1)[1] for answer in answers.values())
    assert places == ["check", "confirmation"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 1
    assert db.session.scalar(select(func.sum(ResponseCount.responses))) == 1
    assert count(Answer) == len(_answers()) and count(ResponseDraft) == 0


@pytest.mark.real_commits  # a second connection holds the lock
def test_a_sends_counts_wait_for_the_consultations_lock(app, make_consultation, hwb):
    """The counts never change under a rebuild of them. On PostgreSQL the statement that counts a send takes
    the consultation's row lock (which a rebuild holds, counts._lock) before it writes a count; on SQLite the
    send waits for the database's one writer. While another connection holds that lock the send waits with
    nothing counted; once it is free the counts are what the rows give."""
    consultation = make_consultation()
    first = app.test_client()
    url = f"/consultations/{consultation.id}/check"
    first.post(url, data={"key": _ready(first, consultation, hwb)})  # the counts are made
    other = app.test_client()
    key = _ready(other, consultation, hwb)
    its_counts = ResponseCount.consultation_id == consultation.id
    counted = select(func.sum(ResponseCount.responses)).where(its_counts)
    answers, done = [], threading.Event()

    def send() -> None:
        answers.append(other.post(url, data={"key": key}))
        done.set()

    mine = Consultation.id == consultation.id
    with contextlib.ExitStack() as stack:
        if db.engine.dialect.name == "sqlite":
            stack.enter_context(intend_to_write())
            holder = stack.enter_context(db.engine.connect())
            holder.begin()
            holder.execute(update(Consultation).where(mine).values(title=Consultation.title))
        else:
            holder = stack.enter_context(db.engine.connect())
            holder.execute(select(Consultation.id).where(mine).with_for_update(key_share=True))
        thread = threading.Thread(target=send)
        thread.start()
        waited = not done.wait(1.5)
        assert holder.execute(counted).scalar() == 1
        holder.commit()
    thread.join(timeout=30)
    assert waited and [answer.status_code for answer in answers] == [302]
    db.session.expire_all()
    assert db.session.scalar(counted) == 2 and _same_as_counting_every_row(consultation)


def test_another_resident_sending_my_key_is_not_shown_my_reference(app, client, make_consultation, hwb):
    """The key is scoped to its sender's token: someone else posting it (with nothing answered) is sent to
    page 1, never to a confirmation with my reference; sending it with their own answers stores theirs."""
    consultation = make_consultation()
    _sent, key = respond(client, consultation, hwb)
    mine = db.session.scalar(select(ConsultationResponse.reference))
    stranger = app.test_client()
    tried = stranger.post(f"/consultations/{consultation.id}/check", data={"key": key})
    assert tried.status_code == 302 and tried.location.endswith("/sections/1")
    assert mine not in stranger.get(f"/consultations/{consultation.id}/confirmation").get_data(as_text=True)
    _ready(stranger, consultation, hwb)
    theirs = stranger.post(f"/consultations/{consultation.id}/check", data={"key": key})
    assert theirs.location.endswith("/confirmation")
    assert count(ConsultationResponse) == 2
    assert mine not in stranger.get(theirs.location).get_data(as_text=True)


def test_a_page_reads_the_draft_once_and_stores_it_as_answered(app, client, make_consultation, hwb):
    """A page post reads the resident's draft once (saving the page and choosing the next page use what it
    read) and the draft holds both pages' answers as posted."""
    consultation = make_consultation()
    assert (
        client.post(f"/consultations/{consultation.id}/sections/1", data=first_page(consultation)).status_code
        == 302
    )
    reads: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.startswith("SELECT") and "FROM consultation_drafts" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        sent = client.post(
            f"/consultations/{consultation.id}/sections/2", data=second_page(consultation, hwb)
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert sent.status_code == 302 and sent.location.endswith(f"/consultations/{consultation.id}/check")
    assert len(reads) == 1, reads
    stored = json.loads(db.session.scalar(select(ResponseDraft.data)))
    for name, value in {**first_page(consultation), **second_page(consultation, hwb)}.items():
        assert stored[name] == (value if isinstance(value, list) else [value]), name


@pytest.mark.parametrize("key", ["", "short", " " * 20, "k" * 65])
def test_a_response_sent_with_a_missing_or_malformed_key_is_not_stored(client, make_consultation, hwb, key):
    """The key is read without building the form only when it is as the form allows; anything else goes
    through the form, and nothing is stored."""
    consultation = make_consultation()
    _ready(client, consultation, hwb)
    sent = client.post(f"/consultations/{consultation.id}/check", data={"key": key})
    assert sent.status_code == 200 and "Check your answers" in sent.get_data(as_text=True)
    assert count(ConsultationResponse) == 0
