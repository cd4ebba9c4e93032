"""Workshops: codes, rounds and controls, joining, room votes landing in the exercise, paper sheets, the
projector, the report, and who may do what."""

import csv
import io
import re
from datetime import date
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.channels import Channel
from engage.extensions import db
from engage.prioritise.models import ExerciseStatus, Outcome, PairwiseVote, Submission
from engage.prioritise.pairwise import voting
from engage.service_errors import StateError
from engage.workshops import service
from engage.workshops.models import PaperSheet, Participant, RoundState, SessionStatus
from engage.workshops.paper import correct_sheet, enter_sheet
from engage.workshops.results import round_result, round_turnout
from tests.conftest import sign_in


@pytest.fixture
def facilitator(make_user, council):
    return make_user(Role.FACILITATOR, organisation=council)


@pytest.fixture
def workshop(hwb, facilitator, make_exercise, make_budget, make_ranking):
    session = service.create_session(
        hwb, facilitator, "Healthy Aldermoor evening", date(2026, 12, 3), "Town hall"
    )
    service.add_round(session, make_exercise(title="Which matters more?"), 3)
    service.add_round(session, make_budget(title="Dot vote"), None)
    service.add_round(session, make_ranking(title="Put them in order"), None)
    return session


def vote_count(**where):
    query = select(func.count()).select_from(PairwiseVote)
    for name, value in where.items():
        query = query.where(getattr(PairwiseVote, name) == value)
    return db.session.scalar(query)


def test_join_codes_avoid_confusable_characters(app):
    codes = {service.new_join_code() for _ in range(200)}
    assert all(len(code) == 6 and not set(code) & set("O0I1LZ2S5B8") for code in codes)
    assert service.normalise_code(" km4-tqx ") == "KM4TQX"


def test_rounds_run_in_order_with_pause_reveal_and_end(workshop):
    assert workshop.current_round is None
    first = service.start_next_round(workshop)
    assert first.position == 0 and first.state is RoundState.OPEN and workshop.status is SessionStatus.LIVE
    revision = workshop.revision
    service.set_round_state(workshop, "pause")
    assert first.state is RoundState.PAUSED and workshop.revision == revision + 1
    with pytest.raises(StateError):
        service.set_round_state(workshop, "pause")
    service.set_round_state(workshop, "resume")
    service.set_round_state(workshop, "reveal")
    assert first.results_shown
    second = service.start_next_round(workshop)
    assert first.state is RoundState.DONE and second.state is RoundState.OPEN
    service.start_next_round(workshop)
    with pytest.raises(StateError, match="no next round"):
        service.start_next_round(workshop)
    service.end_session(workshop)
    assert workshop.status is SessionStatus.ENDED
    with pytest.raises(StateError, match="ended"):
        service.join(workshop, "someone")


def test_a_round_needs_its_exercise_open(workshop, make_exercise):
    draft = make_exercise(ExerciseStatus.DRAFT, title="Not open yet")
    service.add_round(workshop, draft, None)
    for _ in range(3):
        service.start_next_round(workshop)
    with pytest.raises(StateError, match="is not open"):
        service.start_next_round(workshop)


def test_room_votes_land_in_the_exercise_tagged_and_once(workshop):
    current = service.start_next_round(workshop)
    items = list(current.exercise.active_items)
    service.join(workshop, "phone-1")
    service.record_room_vote(current, "phone-1", items[0].id, items[1].id, Outcome.LEFT, "k" * 32)
    service.record_room_vote(current, "phone-1", items[0].id, items[1].id, Outcome.LEFT, "k" * 32)  # a retry
    assert vote_count(channel=Channel.WORKSHOP, workshop_session_id=workshop.id) == 1
    assert service.pairs_done(current, voting.find_respondent(current.exercise, "phone-1")) == 1
    service.set_round_state(workshop, "pause")
    with pytest.raises(StateError, match="paused"):
        service.record_room_vote(current, "phone-1", items[1].id, items[2].id, Outcome.LEFT, "m" * 32)


def test_joining_twice_is_one_participant(workshop):
    first = service.join(workshop, "phone-1", "Table 3")
    assert service.join(workshop, "phone-1") == first
    assert service.participant_count(workshop) == 1
    assert first.label == "Table 3"


def test_room_results_keep_the_room_apart_from_online(workshop, cast):
    current = service.start_next_round(workshop)
    items = list(current.exercise.active_items)
    for person in range(4):
        service.record_room_vote(
            current, f"p{person}", items[0].id, items[1].id, Outcome.LEFT, f"{person:032d}"
        )
    for _ in range(3):
        cast(current.exercise, items[0], items[1], Outcome.RIGHT)
    room = round_result(current)
    online = round_result(current, room=False)
    assert room.respondents == 4 and online.respondents == 3
    assert room.items[0][0] == items[0].title
    assert online.items[0][0] == items[1].title


def test_paper_sheets_count_as_paper_in_the_session(workshop, facilitator):
    current = service.start_next_round(workshop)
    items = list(current.exercise.active_items)
    enter_sheet(
        current,
        facilitator,
        pairs=[(items[0].id, items[1].id, Outcome.LEFT), (items[2].id, items[3].id, Outcome.RIGHT)],
    )
    assert vote_count(channel=Channel.PAPER, workshop_session_id=workshop.id) == 2
    budget_round = service.start_next_round(workshop)
    values = {
        item.id: v for item, v in zip(budget_round.exercise.active_items, (40, 30, 20, 10), strict=True)
    }
    enter_sheet(budget_round, facilitator, values=values)
    stored = db.session.scalars(select(Submission).where(Submission.workshop_session_id == workshop.id)).one()
    assert stored.channel is Channel.PAPER
    assert round_result(budget_round).items[0][1] == pytest.approx(0.4)


# Routes


def test_facilitator_creates_runs_and_reports(client, hwb, facilitator, make_exercise):
    exercise = make_exercise(title="Which matters more?")
    sign_in(client, facilitator)
    response = client.post(
        "/manage/boards/health-and-wellbeing/workshops/new",
        data={"name": "Evening", "held_on": "2026-12-03", "venue": "Library"},
    )
    assert response.status_code == 302
    control_url = response.headers["Location"]
    session_id = int(control_url.rsplit("/", 1)[1])
    client.post(
        f"/manage/workshops/{session_id}/rounds",
        data={"exercise": f"exercise-{exercise.id}", "pairs_per_person": "2"},
    )
    page = client.get(control_url).get_data(as_text=True)
    code = re.search(r'class="app-join-code">([A-Z0-9]{6})<', page).group(1)
    assert "Which matters more?" in page
    client.post(f"/manage/workshops/{session_id}/next")
    client.post(f"/manage/workshops/{session_id}/reveal")
    qr = client.get(f"/workshops/{code}/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    # A standalone SVG is drawn only with its namespace (without it browsers show a broken image).
    svg = ElementTree.fromstring(qr.data)  # noqa: S314 - our own response
    svgns = "{http://www.w3.org/2000/svg}"
    assert svg.tag == f"{svgns}svg" and svg.find(f".//{svgns}path") is not None
    projector = client.get(f"/manage/workshops/{session_id}/projector").get_data(as_text=True)
    assert code in projector and "Which should the board focus on first?" in projector
    live = client.get(f"/manage/workshops/{session_id}/projector/live").get_data(as_text=True)
    assert "0</strong> people have joined" in live.replace("<strong data-joined>", "")
    report = client.get(f"/manage/workshops/{session_id}/report.csv").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(report)))[0][:4] == ["round", "exercise", "kind", "item"]
    assert "Session report" in client.get(f"/manage/workshops/{session_id}/report").get_data(as_text=True)


def test_session_form_errors(client, hwb, facilitator):
    sign_in(client, facilitator)
    response = client.post(
        "/manage/boards/health-and-wellbeing/workshops/new", data={"name": "", "venue": "x"}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a name for the workshop" in text and "Enter the date of the workshop" in text


@pytest.mark.parametrize(
    ("role", "status"), [(Role.FACILITATOR, 200), (Role.BOARD_OFFICER, 200), (Role.ANALYST, 403)]
)
def test_who_may_run_a_workshop(client, workshop, make_user, council, role, status):
    sign_in(client, make_user(role, organisation=council))
    assert client.get(f"/manage/workshops/{workshop.id}").status_code == status
    assert client.get(f"/manage/workshops/{workshop.id}/projector/live").status_code == status


def test_another_organisations_facilitator_cannot_control(client, workshop, make_user):
    sign_in(client, make_user(Role.FACILITATOR))
    assert client.post(f"/manage/workshops/{workshop.id}/next").status_code == 403
    assert workshop.current_round is None
    last = workshop.rounds[-1]
    assert client.post(f"/manage/workshops/{workshop.id}/rounds/{last.id}/remove").status_code == 403
    assert client.get(f"/manage/workshops/{workshop.id}/end/confirm").status_code == 403
    assert len(workshop.rounds) == 3


def test_participant_joins_votes_and_follows_the_rounds(client, workshop):
    assert client.post("/join", data={"code": "nope00"}).status_code == 400
    found = client.post("/join", data={"code": workshop.join_code.lower()})
    assert found.headers["Location"].endswith(f"/join/{workshop.join_code}")
    assert "Join the workshop" in client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    client.post(f"/join/{workshop.join_code}", data={"label": "Table 4"})
    assert db.session.scalar(select(Participant.label)) == "Table 4"
    waiting = client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    assert "You are in" in waiting
    assert client.get(f"/join/{workshop.join_code}/now?rev={workshop.revision}").status_code == 204
    current = service.start_next_round(workshop)
    changed = client.get(f"/join/{workshop.join_code}/now?rev=0", headers={"HX-Request": "true"})
    assert changed.status_code == 200 and current.exercise.question in changed.get_data(as_text=True)
    for _ in range(3):
        page = client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
        left = re.search(r'name="left" value="(\d+)"', page).group(1)
        right = re.search(r'name="right" value="(\d+)"', page).group(1)
        key = re.search(r'name="key" value="([^"]+)"', page).group(1)
        client.post(
            f"/join/{workshop.join_code}/vote",
            data={"left": left, "right": right, "key": key, "choice": "left"},
        )
    assert vote_count(channel=Channel.WORKSHOP, workshop_session_id=workshop.id) == 3
    assert "you have finished this round" in client.get(f"/join/{workshop.join_code}").get_data(as_text=True)


def poll_interval(html: str, element_id: str) -> str:
    """The interval in the hx-trigger of the element with this id."""
    return re.search(rf'id="{element_id}"[^>]*?hx-trigger="every ([^"]+)"', html, re.S).group(1)


def test_pages_ask_what_changed_every_two_seconds_and_the_projector_every_second(
    app, client, workshop, facilitator
):
    """The production intervals (a room of 60 phones at 2 s is 30 requests a second); a setting changes them
    (the browser tests ask every half second, so they wait less for each change to arrive)."""
    client.post(f"/join/{workshop.join_code}", data={"label": ""})
    phone = client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    assert poll_interval(phone, "room-poll") == "2000ms"
    staff = app.test_client()
    sign_in(staff, facilitator)
    control = staff.get(f"/manage/workshops/{workshop.id}").get_data(as_text=True)
    assert poll_interval(control, "control-live") == poll_interval(control, "control-wall") == "2000ms"
    projector = staff.get(f"/manage/workshops/{workshop.id}/projector").get_data(as_text=True)
    assert poll_interval(projector, "projector-live") == "1000ms"

    app.config.update(ENGAGE_WORKSHOP_POLL_MS=250, ENGAGE_PROJECTOR_POLL_MS=100)
    assert (
        poll_interval(client.get(f"/join/{workshop.join_code}").get_data(as_text=True), "room-poll")
        == "250ms"
    )
    projector = staff.get(f"/manage/workshops/{workshop.id}/projector").get_data(as_text=True)
    assert poll_interval(projector, "projector-live") == "100ms"


def test_facilitator_actions_change_the_status_line_not_the_form(client, workshop):
    """Pause, resume, the timer, a minute more and results shown redraw no phone's form (what is typed there
    would be lost): the poll answers with the status line alone; only the next round replaces the form."""
    client.post(f"/join/{workshop.join_code}", data={"label": ""})
    service.start_next_round(workshop)
    service.start_next_round(workshop)  # the dot vote: boxes to type in
    hx = {"HX-Request": "true"}
    page = client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    poll = re.search(r'id="room-poll"[^>]*hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    for action in ("pause", "resume", "timer", "extend", "reveal", "hide"):
        service.set_round_state(workshop, action)
        answer = client.get(poll, headers=hx)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200, action
        assert 'id="room-state"' in text and 'id="room"' not in text and "<form" not in text, action
        poll = re.search(r'hx-get="([^"]+)"', text).group(1).replace("&amp;", "&")
        if action == "pause":
            assert "Voting is paused" in text
    assert client.get(poll, headers=hx).status_code == 204
    service.start_next_round(workshop)
    moved_on = client.get(poll, headers=hx).get_data(as_text=True)
    assert 'id="room" hx-swap-oob="true"' in moved_on and "Give each one a place" in moved_on


def test_a_paused_round_keeps_the_form_and_says_so(client, workshop):
    client.post(f"/join/{workshop.join_code}", data={"label": ""})
    service.start_next_round(workshop)
    service.start_next_round(workshop)
    service.set_round_state(workshop, "pause")
    page = client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    assert "Voting is paused" in page and 'name="key"' in page


def test_control_page_and_projector_count_joined_and_answered_while_results_are_hidden(
    client, workshop, facilitator
):
    current = service.start_next_round(workshop)
    items = list(current.exercise.active_items)
    for person in range(3):
        service.join(workshop, f"phone-{person}")
    for person in range(2):
        service.record_room_vote(
            current, f"phone-{person}", items[0].id, items[1].id, Outcome.LEFT, f"{person:032d}"
        )
    enter_sheet(current, facilitator, pairs=[(items[0].id, items[1].id, Outcome.RIGHT)])
    assert not current.results_shown
    sign_in(client, facilitator)
    control = client.get(f"/manage/workshops/{workshop.id}").get_data(as_text=True)
    assert f'hx-get="/manage/workshops/{workshop.id}/live"' in control
    live = client.get(f"/manage/workshops/{workshop.id}/live").get_data(as_text=True)
    assert re.search(r"data-joined>3<", live) and re.search(r"data-answered>2<", live)
    assert re.search(r"data-answered-paper>1<", live)
    projector = client.get(f"/manage/workshops/{workshop.id}/projector/live").get_data(as_text=True)
    assert re.search(r"data-answered>3<", projector) and "The room so far" not in projector


def test_another_organisation_cannot_read_the_live_counts(client, workshop, make_user):
    sign_in(client, make_user(Role.FACILITATOR))
    assert client.get(f"/manage/workshops/{workshop.id}/live").status_code == 403


def test_participant_answers_a_dot_vote_with_errors_first(client, workshop):
    client.post(f"/join/{workshop.join_code}", data={"label": ""})
    service.start_next_round(workshop)
    budget_round = service.start_next_round(workshop)
    items = list(budget_round.exercise.active_items)
    data = {f"item_{item.id}": "50" for item in items} | {"key": "a" * 32}
    response = client.post(f"/join/{workshop.join_code}/answer", data=data)
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
    data = {f"item_{item.id}": str(v) for item, v in zip(items, (40, 30, 20, 10), strict=True)} | {
        "key": "b" * 32
    }
    assert client.post(f"/join/{workshop.join_code}/answer", data=data).status_code == 302
    assert "you have finished this round" in client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    stored = db.session.scalars(select(Submission)).one()
    assert stored.channel is Channel.WORKSHOP and stored.workshop_session_id == workshop.id


def test_paper_entry_page(client, workshop, facilitator):
    sign_in(client, facilitator)
    before = client.get(f"/manage/workshops/{workshop.id}/paper").get_data(as_text=True)
    assert "Round 1: Which matters more?" in before and "Save this sheet" in before
    current = service.start_next_round(workshop)
    items = list(current.exercise.active_items)
    empty = client.post(f"/manage/workshops/{workshop.id}/paper", data={})
    assert empty.status_code == 400 and "Choose at least one answer from the sheet" in empty.get_data(
        as_text=True
    )
    field = f"pair_{items[0].id}_{items[1].id}"
    saved = client.post(
        f"/manage/workshops/{workshop.id}/paper", data={field: "right"}, follow_redirects=True
    )
    assert "Saved the paper sheet" in saved.get_data(as_text=True)
    assert vote_count(channel=Channel.PAPER, workshop_session_id=workshop.id) == 1


def _sheet_form(client, url):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)


def test_paper_for_an_earlier_round_after_the_room_moved_on_and_after_the_end(client, workshop, facilitator):
    sign_in(client, facilitator)
    first = service.start_next_round(workshop)
    service.start_next_round(workshop)
    service.end_session(workshop)
    items = list(first.exercise.active_items)
    url = f"/manage/workshops/{workshop.id}/paper?round={first.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Round 1: Which matters more?" in page and "Paper for another round" in page
    key = _sheet_form(client, url)
    data = {f"pair_{items[0].id}_{items[1].id}": "left", "key": key}
    assert client.post(url, data=data).status_code == 302
    assert vote_count(channel=Channel.PAPER, workshop_session_id=workshop.id) == 1
    # Its correction is a link in the list of that round's sheets, not an address to type.
    listed = client.get(url).get_data(as_text=True)
    assert re.search(rf'href="/manage/workshops/{workshop.id}/paper/\d+/correct"', listed)


def test_the_same_sheet_form_sent_twice_stores_one_sheet(client, workshop, facilitator):
    sign_in(client, facilitator)
    service.start_next_round(workshop)
    dots = service.start_next_round(workshop)
    items = list(dots.exercise.active_items)
    url = f"/manage/workshops/{workshop.id}/paper?round={dots.id}"
    key = _sheet_form(client, url)
    data = {f"item_{item.id}": str(v) for item, v in zip(items, (40, 30, 20, 10), strict=True)} | {"key": key}
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data=data).status_code == 302  # a double click, or the browser's retry
    assert db.session.scalar(select(func.count()).select_from(PaperSheet)) == 1
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    stored = db.session.scalars(select(PaperSheet)).one()
    assert stored.sheet_key != key and len(stored.sheet_key) == 64  # an HMAC, not the form's key
    # A new form (the next sheet) is a new sheet.
    assert client.post(url, data=data | {"key": _sheet_form(client, url)}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PaperSheet)) == 2


def test_the_same_sheet_key_from_another_facilitator_is_their_own_sheet(
    workshop, facilitator, make_user, council
):
    other = make_user(Role.FACILITATOR, organisation=council)
    service.start_next_round(workshop)
    dots = service.start_next_round(workshop)
    values = {item.id: v for item, v in zip(dots.exercise.active_items, (40, 30, 20, 10), strict=True)}
    first = enter_sheet(dots, facilitator, values=values, form_key="k" * 32)
    assert enter_sheet(dots, facilitator, values=values, form_key="k" * 32) is first
    assert enter_sheet(dots, other, values=values, form_key="k" * 32) is not first


def test_paper_for_a_round_of_another_session_is_404(client, workshop, facilitator, hwb, make_budget):
    sign_in(client, facilitator)
    other = service.create_session(hwb, facilitator, "Another evening", date(2026, 12, 4), "")
    elsewhere = service.add_round(other, make_budget(title="Elsewhere"), None)
    assert client.get(f"/manage/workshops/{workshop.id}/paper?round={elsewhere.id}").status_code == 404


def test_unknown_codes_are_404(client, app):
    assert client.get("/join/ZZZZZZ").status_code == 404
    assert client.get("/workshops/ZZZZZZ/qr.svg").status_code == 404


def test_room_and_paper_answers_show_in_the_exercise_results_by_channel(workshop, submit):
    from engage.prioritise.budget.results import budget_results

    service.start_next_round(workshop)
    budget_round = service.start_next_round(workshop)
    items = list(budget_round.exercise.active_items)
    values = {item.id: v for item, v in zip(items, (40, 30, 20, 10), strict=True)}
    service.record_room_answer(budget_round, "phone", values, "w" * 32)
    service.record_room_answer(budget_round, "sheet", values, "p" * 32, channel=Channel.PAPER)
    submit(budget_round.exercise, {item.id: 25 for item in items})
    results = budget_results(budget_round.exercise, resamples=10, threshold=1)
    assert {channel: count for channel, (count, _shares) in results.by_channel.items()} == {
        "online": 1,
        "workshop": 1,
        "paper": 1,
    }


def test_correcting_a_sheet_replaces_its_answers_and_keeps_the_record(workshop, facilitator):
    from engage.prioritise.models import PairCount
    from engage.workshops.models import PaperSheet

    current = service.start_next_round(workshop)
    a, b = list(current.exercise.active_items)[:2]
    sheet = enter_sheet(current, facilitator, pairs=[(a.id, b.id, Outcome.LEFT)])
    with pytest.raises(StateError, match="Say why"):
        correct_sheet(sheet, facilitator, " ", pairs=[(a.id, b.id, Outcome.RIGHT)])
    replacement = correct_sheet(
        sheet, facilitator, "Typed the wrong box", pairs=[(a.id, b.id, Outcome.RIGHT)]
    )
    votes = db.session.scalars(
        select(PairwiseVote).where(PairwiseVote.workshop_session_id == workshop.id)
    ).all()
    assert [v.outcome for v in votes] == [Outcome.RIGHT]
    count = db.session.scalars(select(PairCount).where(PairCount.exercise_id == current.exercise_id)).one()
    assert count.low_wins + count.high_wins == 1  # the derived counts were rebuilt from the votes
    old = db.session.get(PaperSheet, sheet.id)
    assert old.replaced_by_id == replacement.id and old.correction_reason == "Typed the wrong box"
    assert old.corrected_by_id == facilitator.id and '"left"' in old.payload
    with pytest.raises(StateError, match="already been corrected"):
        correct_sheet(old, facilitator, "again", pairs=[(a.id, b.id, Outcome.LEFT)])


def test_a_bad_correction_changes_nothing(workshop, facilitator):
    service.start_next_round(workshop)
    budget_round = service.start_next_round(workshop)
    items = list(budget_round.exercise.active_items)
    sheet = enter_sheet(
        budget_round, facilitator, values={i.id: v for i, v in zip(items, (40, 30, 20, 10), strict=True)}
    )
    from engage.prioritise.submissions.submitting import SubmissionInvalid

    with pytest.raises(SubmissionInvalid):
        correct_sheet(sheet, facilitator, "fix", values={i.id: 50 for i in items})
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    assert db.session.get(type(sheet), sheet.id).is_current


def test_paper_sheet_correction_page(client, workshop, facilitator):
    sign_in(client, facilitator)
    current = service.start_next_round(workshop)
    a, b = list(current.exercise.active_items)[:2]
    sheet = enter_sheet(current, facilitator, pairs=[(a.id, b.id, Outcome.LEFT)])
    listing = client.get(f"/manage/workshops/{workshop.id}/paper").get_data(as_text=True)
    assert f"/paper/{sheet.id}/correct" in listing
    url = f"/manage/workshops/{workshop.id}/paper/{sheet.id}/correct"
    page = client.get(url).get_data(as_text=True)
    assert 'value="left" checked' in page
    refused = client.post(url, data={f"pair_{a.id}_{b.id}": "right", "reason": ""})
    assert refused.status_code == 400 and "Say why the sheet is being corrected" in refused.get_data(
        as_text=True
    )
    done = client.post(url, data={f"pair_{a.id}_{b.id}": "right", "reason": "Misread"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Corrected the sheet." in text and "Misread" in text


def test_round_timer_stops_voting_when_time_is_up(workshop):
    from datetime import timedelta

    from engage.database import utcnow

    current = service.start_next_round(workshop)
    key_before = workshop.state_key
    service.set_round_state(workshop, "timer")
    assert 170 <= current.seconds_left() <= 180
    service.set_round_state(workshop, "extend")
    assert 230 <= current.seconds_left() <= 240
    current.ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert workshop.state_key != key_before and workshop.state_key.endswith("-t")
    a, b = list(current.exercise.active_items)[:2]
    with pytest.raises(StateError, match="Time is up"):
        service.record_room_vote(current, "p", a.id, b.id, Outcome.LEFT, "t" * 32)
    service.set_round_state(workshop, "extend")
    assert 50 <= current.seconds_left() <= 60


# Rounds of consultation questions


@pytest.fixture
def question_round(workshop, make_consultation):
    consultation = make_consultation()
    question = next(q for q in consultation.questions if q.kind.value == "single")
    added = service.add_round(workshop, question=question)
    return added


def test_closed_and_free_text_questions_of_open_consultations_can_be_a_round(workshop, make_consultation):
    consultation = make_consultation()
    kinds = {q.kind.value for q in service.round_questions(workshop.board)}
    assert kinds == {"single", "agreement", "rating", "short_text", "long_text"}
    number = next(q for q in consultation.questions if q.kind.value == "number")
    with pytest.raises(StateError, match="single-choice, agreement, rating or free-text"):
        service.add_round(workshop, question=number)
    with pytest.raises(StateError, match="an exercise or a question"):
        service.add_round(workshop)


def test_participants_answer_a_question_once_and_the_room_sees_shares(client, workshop, question_round):
    from engage.surveys.models import ConsultationResponse

    client.post(f"/join/{workshop.join_code}", data={"label": ""})
    for _ in range(4):
        service.start_next_round(workshop)
    assert workshop.current_round == question_round
    page = client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    assert "How do you usually see a GP?" in page and "By phone" in page
    refused = client.post(f"/join/{workshop.join_code}/question", data={})
    assert refused.status_code == 400 and "Choose an answer" in refused.get_data(as_text=True)
    phone = next(o for o in question_round.question.options if o.label == "By phone")
    for _ in range(2):  # a second answer (a double tap, a reload) is the first one
        client.post(f"/join/{workshop.join_code}/question", data={"answer": str(phone.id)})
    stored = db.session.scalars(select(ConsultationResponse)).all()
    assert len(stored) == 1
    assert stored[0].channel is Channel.WORKSHOP and stored[0].workshop_session_id == workshop.id
    assert "you have finished this round" in client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    result = round_result(question_round)
    assert dict(result.items)["By phone"] == 1.0 and result.respondents == 1


def test_a_show_of_hands_is_entered_and_corrected(workshop, question_round, facilitator):
    from engage.surveys.models import ConsultationResponse

    for _ in range(4):
        service.start_next_round(workshop)
    options = {o.label: str(o.id) for o in question_round.question.options}
    with pytest.raises(StateError, match="at least one answer"):
        enter_sheet(question_round, facilitator, hands={options["Online"]: 0})
    sheet = enter_sheet(question_round, facilitator, hands={options["In person"]: 7, options["Online"]: 3})
    assert dict(round_result(question_round).items)["In person"] == pytest.approx(0.7)
    correct_sheet(
        sheet, facilitator, "Counted a row twice", hands={options["In person"]: 5, options["Online"]: 3}
    )
    responses = db.session.scalars(select(ConsultationResponse)).all()
    assert len(responses) == 8 and {r.channel for r in responses} == {Channel.PAPER}
    assert dict(round_result(question_round).items)["In person"] == pytest.approx(5 / 8)


def test_hands_page_for_a_question_round(client, workshop, question_round, facilitator):
    sign_in(client, facilitator)
    for _ in range(4):
        service.start_next_round(workshop)
    page = client.get(f"/manage/workshops/{workshop.id}/paper").get_data(as_text=True)
    assert "How many hands went up for each answer?" in page
    saved = client.post(
        f"/manage/workshops/{workshop.id}/paper",
        data={"in_room": "10", "hands_0": "4"},
        follow_redirects=True,
    )
    assert "Saved the paper sheet" in saved.get_data(as_text=True)
    assert round_turnout(question_round) == {"paper": 4}


def _report_rows(client, workshop):
    response = client.get(f"/manage/workshops/{workshop.id}/report.csv")
    assert response.headers["Content-Type"].count("charset") == 1
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_report_invents_no_figures_where_nobody_answered(client, workshop, facilitator):
    """Nobody online (and, in the ranking round, nobody in the room): empty cells, as the page's "–", not
    0.0 for a dot vote or 50.0 for a ranking."""
    sign_in(client, facilitator)
    service.start_next_round(workshop)
    dots = service.start_next_round(workshop)
    values = {item.id: v for item, v in zip(dots.exercise.active_items, (40, 30, 20, 10), strict=True)}
    enter_sheet(dots, facilitator, values=values)
    rows = _report_rows(client, workshop)
    dot_rows = [row for row in rows if row["kind"] == "budget"]
    assert dot_rows and all(row["online"] == "" and row["room"] != "" for row in dot_rows)
    ranking_rows = [row for row in rows if row["kind"] == "ranking"]
    assert ranking_rows and all(row["room"] == "" and row["online"] == "" for row in ranking_rows)
    assert {row["paper_sheets"] for row in dot_rows} == {"1"}
    assert {row["hands_counted"] for row in dot_rows} == {""}
    page = client.get(f"/manage/workshops/{workshop.id}/report").get_data(as_text=True)
    assert "50" not in re.search(r"Round 3: Put them in order.*?</table>", page, re.S).group(0)


def test_a_question_is_not_a_share_of_the_budget_and_hands_are_not_sheets(
    client, workshop, question_round, facilitator
):
    sign_in(client, facilitator)
    for _ in range(4):
        service.start_next_round(workshop)
    options = {o.label: str(o.id) for o in question_round.question.options}
    enter_sheet(question_round, facilitator, hands={options["In person"]: 6, options["Online"]: 3})
    rows = [row for row in _report_rows(client, workshop) if row["kind"] == "question"]
    assert {row["measure"] for row in rows} == {"answers"}
    assert {(row["paper_sheets"], row["shows_of_hands"], row["hands_counted"]) for row in rows} == {
        ("", "1", "9")
    }
    page = client.get(f"/manage/workshops/{workshop.id}/report").get_data(as_text=True)
    question_part = page[page.index("Round 4") :]
    assert "share of the budget" not in question_part
    assert "share of the people who answered" in question_part
    assert "9 hands were counted in 1 shows of hands" in question_part
    service.set_round_state(workshop, "reveal")
    projector = client.get(f"/manage/workshops/{workshop.id}/projector/live").get_data(as_text=True)
    assert "share of the budget" not in projector.lower()
    assert "share of the people who answered" in projector.lower()


def test_ending_and_moving_on_are_confirmed_first(client, workshop, facilitator):
    sign_in(client, facilitator)
    first = client.post(f"/manage/workshops/{workshop.id}/next")  # nothing running yet: no confirmation
    assert first.headers["Location"].endswith(f"/manage/workshops/{workshop.id}")
    asked = client.post(f"/manage/workshops/{workshop.id}/next")
    assert asked.headers["Location"].endswith(f"/manage/workshops/{workshop.id}/next/confirm")
    assert workshop.current_position == 0
    page = client.get(f"/manage/workshops/{workshop.id}/next/confirm").get_data(as_text=True)
    assert "closes for good" in page and "Which matters more?" in page and "Dot vote" in page
    client.post(f"/manage/workshops/{workshop.id}/next", data={"confirmed": "yes"})
    assert workshop.current_round.title == "Dot vote"
    asked = client.post(f"/manage/workshops/{workshop.id}/end")
    assert asked.headers["Location"].endswith(f"/manage/workshops/{workshop.id}/end/confirm")
    assert workshop.status is SessionStatus.LIVE
    assert "This cannot be undone" in client.get(asked.headers["Location"]).get_data(as_text=True)
    client.post(f"/manage/workshops/{workshop.id}/end", data={"confirmed": "yes"})
    assert workshop.status is SessionStatus.ENDED


def test_rounds_that_have_not_run_are_reordered_and_removed(client, workshop, facilitator):
    sign_in(client, facilitator)
    service.start_next_round(workshop)
    pairwise, dots, ranking = workshop.rounds
    page = client.get(f"/manage/workshops/{workshop.id}").get_data(as_text=True)
    # It has run: it stays where it is (only its notes can change).
    assert not {f"/rounds/{pairwise.id}/{change}" for change in ("up", "down", "remove")} & set(
        re.findall(r"/rounds/\d+/\w+", page)
    )
    assert f"/rounds/{pairwise.id}/notes" in page
    assert f"/rounds/{dots.id}/up" not in page  # nor can another move before it
    client.post(f"/manage/workshops/{workshop.id}/rounds/{ranking.id}/up")
    assert [r.title for r in workshop.rounds] == ["Which matters more?", "Put them in order", "Dot vote"]
    refused = client.post(
        f"/manage/workshops/{workshop.id}/rounds/{pairwise.id}/remove", follow_redirects=True
    )
    assert "Only a round that has not run can be removed" in refused.get_data(as_text=True)
    client.post(f"/manage/workshops/{workshop.id}/rounds/{dots.id}/remove")
    assert [r.title for r in workshop.rounds] == ["Which matters more?", "Put them in order"]
    assert service.start_next_round(workshop).title == "Put them in order"


def test_a_round_with_paper_sheets_is_not_removed(workshop, facilitator):
    dots = workshop.rounds[1]
    values = {item.id: v for item, v in zip(dots.exercise.active_items, (40, 30, 20, 10), strict=True)}
    enter_sheet(dots, facilitator, values=values)
    with pytest.raises(StateError, match="paper sheets"):
        service.remove_round(workshop, dots)


def test_the_facilitator_sees_who_joined_and_who_answered_and_the_projector_does_not(
    client, workshop, facilitator
):
    current = service.start_next_round(workshop)
    items = list(current.exercise.active_items)
    service.join(workshop, "phone-1", "Table <b>3</b>")
    service.join(workshop, "phone-2", "Amira")
    service.join(workshop, "phone-3", "")
    service.record_room_vote(current, "phone-2", items[0].id, items[1].id, Outcome.LEFT, "k" * 32)
    service.record_room_vote(current, "phone-2", items[0].id, items[2].id, Outcome.LEFT, "m" * 32)
    sign_in(client, facilitator)
    live = client.get(f"/manage/workshops/{workshop.id}/live").get_data(as_text=True)
    rows = re.findall(r"<tr class=\"govuk-table__row\" data-person>(.*?)</tr>", live, re.S)
    assert len(rows) == 3
    assert "Table &lt;b&gt;3&lt;/b&gt;" in rows[0] and "Not yet" in rows[0]
    assert "Amira" in rows[1] and "Answered" in rows[1]
    assert "Person 3 (no name given)" in rows[2] and "Not yet" in rows[2]
    assert 'id="control-people" hx-swap-oob="true"' in live
    assert "Amira" in client.get(f"/manage/workshops/{workshop.id}").get_data(as_text=True)
    service.set_round_state(workshop, "reveal")
    projector = client.get(f"/manage/workshops/{workshop.id}/projector/live").get_data(as_text=True)
    assert "Amira" not in projector
    # The next round starts with nobody answered.
    service.start_next_round(workshop)
    live = client.get(f"/manage/workshops/{workshop.id}/live").get_data(as_text=True)
    assert "Answered</strong>" not in live


def test_an_answer_to_a_question_or_a_dot_vote_marks_the_person_once(client, workshop, question_round):
    from engage.workshops.models import RoundAnswer

    client.post(f"/join/{workshop.join_code}", data={"label": "Bea"})
    service.start_next_round(workshop)
    dots = service.start_next_round(workshop)
    items = list(dots.exercise.active_items)
    data = {f"item_{item.id}": str(v) for item, v in zip(items, (40, 30, 20, 10), strict=True)} | {
        "key": "b" * 32
    }
    client.post(f"/join/{workshop.join_code}/answer", data=data)
    client.post(f"/join/{workshop.join_code}/answer", data=data)  # a retry
    service.start_next_round(workshop)
    service.start_next_round(workshop)
    value = str(question_round.question.options[0].id)
    client.post(f"/join/{workshop.join_code}/question", data={"answer": value})
    marks = db.session.scalars(select(RoundAnswer)).all()
    assert sorted(m.round_id for m in marks) == sorted([dots.id, question_round.id])


def test_a_phone_shows_what_is_left_to_share_out_and_the_places_still_to_give(client, workshop):
    client.post(f"/join/{workshop.join_code}", data={"label": ""})
    service.start_next_round(workshop)
    dots = service.start_next_round(workshop)
    page = client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    assert "Left to share out: 100 of 100" in page and "data-room-number" in page
    items = list(dots.exercise.active_items)
    data = {f"item_{item.id}": "50" for item in items} | {"key": "a" * 32}
    refused = client.post(f"/join/{workshop.join_code}/answer", data=data).get_data(as_text=True)
    assert "Too many: 100 more than 100. Take some away." in refused  # the server's rules still refuse it
    service.start_next_round(workshop)
    ranking = client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    assert "Places still to give: 1, 2, 3, 4" in ranking


def test_the_projector_only_link_needs_no_sign_in_and_can_be_stopped(client, app, workshop, facilitator):
    sign_in(client, facilitator)
    control = client.get(f"/manage/workshops/{workshop.id}").get_data(as_text=True)
    assert "Make a projector link" in control and "/screen/" not in control
    client.post(f"/manage/workshops/{workshop.id}/screen-link/new")
    token = service.screen_token(workshop)
    number, mac = token.split(".")
    assert number == str(workshop.id) and len(mac) == 64 and workshop.screen_nonce not in token
    assert f"/screen/{token}" in client.get(f"/manage/workshops/{workshop.id}").get_data(as_text=True)
    service.start_next_round(workshop)
    service.join(workshop, "phone-1", "Amira")
    with app.test_client() as anyone:  # the laptop by the screen: nobody signed in
        page = anyone.get(f"/screen/{token}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and workshop.join_code in text and "Sign out" not in text
        assert "govuk-header" not in text and "govuk-phase-banner" not in text
        live = anyone.get(f"/screen/{token}/live").get_data(as_text=True)
        assert "Which should" in live or "people have joined" in live
        assert "Amira" not in live and "Pause voting" not in live
        assert anyone.get(f"/screen/{number}.{'0' * 64}").status_code == 404
        assert anyone.get(f"/screen/{workshop.id + 1}.{mac}").status_code == 404
        assert anyone.get("/screen/nonsense").status_code == 404
        assert anyone.get(f"/manage/workshops/{workshop.id}/projector").status_code in (302, 401)
    client.post(f"/manage/workshops/{workshop.id}/screen-link/new")  # a new link: the old one stops
    assert app.test_client().get(f"/screen/{token}").status_code == 404
    newer = service.screen_token(workshop)
    assert app.test_client().get(f"/screen/{newer}").status_code == 200
    client.post(f"/manage/workshops/{workshop.id}/screen-link/revoke")
    assert app.test_client().get(f"/screen/{newer}").status_code == 404


def test_another_organisation_cannot_make_a_projector_link(client, workshop, make_user):
    sign_in(client, make_user(Role.FACILITATOR))
    assert client.post(f"/manage/workshops/{workshop.id}/screen-link/new").status_code == 403
    assert workshop.screen_nonce is None


def test_presenter_bars_keep_their_ids_and_widths_follow_the_results(client, workshop, facilitator):
    current = service.start_next_round(workshop)
    items = list(current.exercise.active_items)
    for person in range(4):
        service.record_room_vote(
            current, f"p{person}", items[0].id, items[1].id, Outcome.LEFT, f"{person:032d}"
        )
    service.set_round_state(workshop, "reveal")
    sign_in(client, facilitator)
    live = client.get(f"/manage/workshops/{workshop.id}/projector/live").get_data(as_text=True)
    bars = re.findall(r'class="app-bar app-bar--(\d+)" id="bar-(\d+)"', live)
    assert [bar_id for _width, bar_id in bars] == ["1", "2", "3", "4"]
    assert all(0 <= int(width) <= 100 for width, _id in bars) and len({w for w, _ in bars}) > 1


def test_room_scores_are_the_results_pages_own(workshop):
    # One piece of code (engage.stats.pairwise.point_scores) scores the room and the results pages: items
    # nobody in the room compared have no score ("Not enough comparisons", listed last), not 50, and each
    # person's votes carry the same total weight.
    from engage.stats.pairwise import point_scores

    current = service.start_next_round(workshop)
    items = list(current.exercise.active_items)
    service.record_room_vote(current, "heavy", items[0].id, items[1].id, Outcome.LEFT, "a" * 32)
    service.record_room_vote(current, "heavy", items[1].id, items[0].id, Outcome.LEFT, "b" * 32)
    service.record_room_vote(current, "heavy", items[0].id, items[1].id, Outcome.LEFT, "c" * 32)
    service.record_room_vote(current, "light", items[1].id, items[0].id, Outcome.LEFT, "d" * 32)
    room = round_result(current)
    scores = dict(room.items)
    assert all(scores[item.title] is None for item in items[2:])
    assert [title for title, _ in room.items[2:]] == [item.title for item in items[2:]]
    # heavy: 2 of 3 for item 0 (each vote 1/3 of a person's voice x the median 2 votes), light: 1 for item 1.
    expected = point_scores([0, 1, 0, 1], [1, 0, 1, 0], 2, [2 / 3, 2 / 3, 2 / 3, 2.0])
    assert scores[items[0].title] == pytest.approx(expected[0])
    assert scores[items[0].title] < 50  # one person each way, the heavy voter's split keeps item 0 below
