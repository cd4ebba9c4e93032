"""Issue 18, finding 8: a simulated attack by coordinated respondents spread over addresses.

Before, 60 scripted respondents with fresh cookies, 9 per address, flipped an exercise and slipped under
both signals (10 from one address in 10 minutes; 10 or more choices at a machine's pace). The new signal
(many new respondents within an hour giving near-identical answers) finds them, and honest residents (spread
over days, or a class of 25 arriving together from one address) are not in it.
"""

import random
import re
from datetime import timedelta

import numpy as np
from sqlalchemy import select, update

from engage.database import utcnow
from engage.extensions import db
from engage.prioritise import integrity
from engage.prioritise.models import Outcome, Respondent
from engage.respondents import address_hash
from engage.stats.coordination import near_identical_groups
from engage.surveys.models import ConsultationResponse
from tests.conftest import sign_in

SCRIPTED, PER_ADDRESS, CHOICES = 60, 9, 6


def run_the_script(app, exercise, favourite_first: list[int]) -> None:
    """60 "people", each a fresh cookie, 9 per address, each choosing by one fixed order of the items."""
    url = f"/exercises/{exercise.id}/vote"
    rank = {item_id: k for k, item_id in enumerate(favourite_first)}
    for person in range(SCRIPTED):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"203.0.113.{person // PER_ADDRESS}"
        for _ in range(CHOICES):
            page = client.get(url).get_data(as_text=True)
            form = {
                n: re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("left", "right", "key")
            }
            choice = "left" if rank[int(form["left"])] < rank[int(form["right"])] else "right"
            assert client.post(url, data={**form, "choice": choice}).status_code == 302


def honest_residents(exercise, cast, rng: random.Random, count: int, who: str) -> list[int]:
    """Residents with their own views (a common leaning plus their own), each making 6 choices."""
    items = list(exercise.items)
    leaning = {item.id: rng.gauss(0, 0.5) for item in items}
    tokens = []
    for n in range(count):
        token = f"{who}-{n}-" + "h" * 32
        mine = {item_id: value + rng.gauss(0, 1.5) for item_id, value in leaning.items()}
        for _ in range(CHOICES):
            left, right = rng.sample(items, 2)
            p_left = 1 / (1 + np.exp(mine[right.id] - mine[left.id]))
            cast(exercise, left, right, Outcome.LEFT if rng.random() < p_left else Outcome.RIGHT, token=token)
        tokens.append(token)
    return [r.id for r in db.session.scalars(select(Respondent).order_by(Respondent.id)).all()[-count:]]


def arrived(ids: list[int], start, gap: timedelta, address: str | None = None) -> None:
    for k, respondent_id in enumerate(ids):
        values = {"created_at": start + k * gap}
        if address is not None:
            values["address_hash"] = address
        db.session.execute(update(Respondent).where(Respondent.id == respondent_id).values(**values))
    db.session.commit()


def test_sixty_scripted_respondents_over_seven_addresses_are_found_and_honest_residents_are_not(
    app, client, make_exercise, cast, officer
):
    exercise = make_exercise()
    rng = random.Random(18)
    now = utcnow()
    spread = honest_residents(exercise, cast, rng, 40, "resident")
    arrived(spread, now - timedelta(days=2), timedelta(minutes=70))
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "198.51.100.7"}):
        school = address_hash("198.51.100.7")
    classroom = honest_residents(exercise, cast, rng, 25, "pupil")
    arrived(classroom, now - timedelta(hours=3), timedelta(seconds=40), address=school)

    loneliness = next(item.id for item in exercise.items if item.title == "Tackling loneliness")
    order = [loneliness] + sorted(item.id for item in exercise.items if item.id != loneliness)
    run_the_script(app, exercise, order)
    scripted = set(db.session.scalars(select(Respondent.id).where(Respondent.id.not_in(spread + classroom))))
    assert len(scripted) == SCRIPTED

    signals = integrity.signals(exercise)
    # The two signals there were: 9 per address is under 10 from one address, 6 choices under 10 timed.
    assert not any(set(burst.respondent_ids) & scripted for burst in signals.bursts)
    assert len(signals.bursts) == 1 and set(signals.bursts[0].respondent_ids) <= set(classroom)  # as before
    assert signals.rhythms == []
    # The new one: the script's people, and nobody else.
    assert len(signals.coordinated) == 1
    group = signals.coordinated[0]
    assert set(group.respondent_ids) == scripted and group.addresses == 7

    sign_in(client, officer)
    page = client.get(f"/manage/exercises/{exercise.id}/activity").get_data(as_text=True)
    assert "Many new respondents giving near-identical answers" in page
    assert "60 respondents · from 7 addresses" in page


def test_identical_budgets_sent_together_are_found_and_varied_ones_are_not(make_budget, submit):
    exercise = make_budget()
    items = [item.id for item in exercise.active_items]
    rng = random.Random(8)
    for _ in range(30):  # honest: each shares the 100 points their own way
        cuts = sorted(rng.sample(range(1, 100), 3))
        amounts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        submit(exercise, dict(zip(items, amounts, strict=True)))
    honest = set(db.session.scalars(select(Respondent.id)))
    for _ in range(25):
        submit(exercise, dict(zip(items, [85, 5, 5, 5], strict=True)))
    groups = integrity.coordinated_groups(exercise)
    assert len(groups) == 1 and not set(groups[0].respondent_ids) & honest
    assert len(groups[0].respondent_ids) == 25


def test_near_identical_groups_known_answers():
    answers = np.array([[1.0, np.nan, -1.0]] * 4 + [[1.0, 1.0, 1.0], [-1.0, -1.0, 1.0]])
    times = [0, 10, 20, 30, 15, 25]
    groups = near_identical_groups(times, answers, window=60, min_group=4, max_distance=0.05, min_shared=2)
    assert [g.tolist() for g in groups] == [[0, 1, 2, 3]]
    # Too far apart in time: no group.
    assert (
        near_identical_groups([0, 1000, 2000, 3000, 0, 0], answers, window=60, min_group=4, max_distance=0.05)
        == []
    )


def test_near_identical_online_responses_sent_together_are_found(
    app, client, make_consultation, hwb, officer
):
    """Consultations had no unusual-activity view at all."""
    from tests.surveys.test_consultations import first_page, respond, second_page

    consultation = make_consultation()
    single, multiple, agreement, rating = consultation.sections[0].questions
    importance = consultation.sections[1].questions[0]
    rng = random.Random(22)
    for _ in range(25):  # residents answering their own way
        resident = app.test_client()
        page = first_page(
            consultation,
            **{
                f"q{single.id}": str(rng.choice(single.options).id),
                f"q{multiple.id}": [str(o.id) for o in rng.sample(multiple.options, rng.randint(0, 3))],
                f"q{agreement.id}": rng.choice(["strongly_agree", "agree", "neither", "disagree"]),
                f"q{rating.id}": str(rng.randint(0, 10)),
            },
        )
        resident.post(f"/consultations/{consultation.id}/sections/1", data=page)
        answers = second_page(consultation, hwb) | {
            f"q{importance.id}-p{p.id}": str(rng.randint(1, 5)) for p in hwb.active_priorities
        }
        resident.post(f"/consultations/{consultation.id}/sections/2", data=answers)
        html = resident.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
        key = re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)
        assert resident.post(f"/consultations/{consultation.id}/check", data={"key": key}).status_code == 302
    honest = set(db.session.scalars(select(ConsultationResponse.id)))
    for _ in range(22):  # a script: fresh cookies, the same answers
        assert respond(app.test_client(), consultation, hwb)[0].status_code == 302
    from engage.surveys.activity import coordinated_responses

    groups = coordinated_responses(consultation)
    assert len(groups) == 1 and len(groups[0].response_ids) == 22 and not set(groups[0].response_ids) & honest
    sign_in(client, officer)
    page = client.get(f"/manage/consultations/{consultation.id}/activity").get_data(as_text=True)
    assert "Many online responses with near-identical answers" in page and "22 responses" in page
