"""The pair pages read each worker's copy of the exercise (engage/prioritise/pairwise/chooser.py): an
officer's change made in the worker shows on the next pair at once, and what is stored or refused never
trusts the copy (the vote's own statement checks that the exercise takes votes and the person is under the
cap)."""

import re

from sqlalchemy import func, select, update

from engage.extensions import db
from engage.prioritise.models import Exercise, PairCount, PairwiseVote, Respondent
from engage.prioritise.pairwise import voting
from engage.prioritise.pairwise.counts import counts_from_votes, rebuild_counts
from engage.prioritise.pairwise.results import counts_matrix

HTMX = {"HX-Request": "true"}


def pair_form(html: str) -> dict[str, str]:
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1) for name in ("left", "right", "key")
    }


def shown_titles(html: str) -> list[str]:
    return re.findall(r'<span class="app-choice__title"[^>]*>([^<]+)</span>', html)


def votes() -> int:
    return db.session.scalar(select(func.count()).select_from(PairwiseVote))


def keeping_copies(app_factory):
    """An app (a worker) that keeps its copy for an hour, as if no time passed between requests."""
    return app_factory(fresh=True, ENGAGE_PAIR_STATE_SECONDS=3600)


def test_an_officers_change_to_the_exercise_and_its_items_shows_on_the_next_pair(app_factory, make_exercise):
    exercise = make_exercise()
    worker = keeping_copies(app_factory)
    resident = worker.test_client()
    url = f"/exercises/{exercise.id}/vote"
    assert "Which should the board focus on first?" in resident.get(url).get_data(as_text=True)

    # A change the worker does not see (a statement straight to the database) leaves its copy as it was:
    db.session.execute(update(Exercise).where(Exercise.id == exercise.id).values(question="Not seen yet?"))
    db.session.commit()
    kept = resident.get(url).get_data(as_text=True)
    assert "Which should the board focus on first?" in kept and "Not seen yet?" not in kept

    # The officer's change, made in this worker, drops its copy when it is committed.
    with worker.app_context():
        changed = db.session.get(Exercise, exercise.id)
        changed.question = "What matters most to you?"
        for item in changed.active_items:
            item.title = f"{item.title} (reworded)"
        db.session.commit()
    html = resident.post(url, data={**pair_form(kept), "choice": "left"}, headers=HTMX).get_data(as_text=True)
    assert "What matters most to you?" in html
    titles = shown_titles(html)
    assert len(titles) == 2 and all(title.endswith("(reworded)") for title in titles)


def test_a_stale_copy_never_lets_a_vote_into_a_closed_exercise(app_factory, make_exercise):
    exercise = make_exercise()
    worker = keeping_copies(app_factory)
    resident = worker.test_client()
    url = f"/exercises/{exercise.id}/vote"
    form = pair_form(resident.get(url).get_data(as_text=True))
    # Closed by another worker (this one's copy still says open):
    db.session.execute(update(Exercise).where(Exercise.id == exercise.id).values(status="closed"))
    db.session.commit()
    response = resident.post(url, data={**form, "choice": "left"}, headers=HTMX)
    assert response.headers["HX-Redirect"] == url  # the browser loads the page that says so, whole
    html = resident.get(url).get_data(as_text=True)
    assert "This exercise is not taking votes at the moment" in html and 'name="key"' not in html
    assert votes() == 0
    assert db.session.scalar(select(func.count()).select_from(PairCount)) == 0


def test_a_stale_copy_without_javascript_shows_the_closed_page(app_factory, make_exercise):
    exercise = make_exercise()
    resident = keeping_copies(app_factory).test_client()
    url = f"/exercises/{exercise.id}/vote"
    form = pair_form(resident.get(url).get_data(as_text=True))
    db.session.execute(update(Exercise).where(Exercise.id == exercise.id).values(status="closed"))
    db.session.commit()
    response = resident.post(url, data={**form, "choice": "left"})
    assert response.headers["Location"] == url  # not a message above a new pair that can only be refused
    html = resident.get(url).get_data(as_text=True)
    assert "This exercise is not taking votes at the moment" in html and 'name="key"' not in html
    assert votes() == 0


def test_a_stale_copy_never_lets_a_person_past_a_lowered_cap(app_factory, make_exercise):
    exercise = make_exercise()
    worker = keeping_copies(app_factory)
    resident = worker.test_client()
    url = f"/exercises/{exercise.id}/vote"
    page = resident.get(url).get_data(as_text=True)
    db.session.execute(update(Exercise).where(Exercise.id == exercise.id).values(max_votes_per_respondent=1))
    db.session.commit()
    page = resident.post(url, data={**pair_form(page), "choice": "left"}, headers=HTMX).get_data(as_text=True)
    refused = resident.post(url, data={**pair_form(page), "choice": "right"}, headers=HTMX)
    assert refused.status_code == 204 and refused.headers["HX-Redirect"] == f"/exercises/{exercise.id}/finish"
    assert votes() == 1
    assert db.session.scalar(select(Respondent.choices)) == 1  # the refused choice was not counted


def test_the_fast_path_keeps_counts_and_results_exactly_as_the_votes_give_them(app, make_exercise):
    """Votes, skips, a retry, a refused pair and an undo through the htmx pages: the pair counts the results
    read are exactly those counted again from the vote rows, and every person's counter is their votes."""
    exercise = make_exercise()
    url = f"/exercises/{exercise.id}/vote"
    residents = [app.test_client() for _ in range(4)]
    pages = [resident.get(url).get_data(as_text=True) for resident in residents]
    for round_ in range(6):
        for n, resident in enumerate(residents):
            form = pair_form(pages[n])
            choice = ("left", "right", "skip")[(n + round_) % 3]
            data = {**form, "choice": choice, "skip_reason": "equal" if choice == "skip" else ""}
            pages[n] = resident.post(url, data=data, headers=HTMX).get_data(as_text=True)
            if round_ == 2:  # a retry of the same form stores nothing more
                resident.post(url, data=data, headers=HTMX)
            if round_ == 3 and n == 0:  # a pair it was not offered is refused
                resident.post(url, data={**form, "right": form["left"], "choice": "left"}, headers=HTMX)
    residents[1].post(f"/exercises/{exercise.id}/undo")
    assert votes() == 4 * 6 - 1

    stored = {
        (row.low_item_id, row.high_item_id): (row.low_wins, row.high_wins, row.skips)
        for row in db.session.scalars(select(PairCount).where(PairCount.exercise_id == exercise.id))
    }
    counted_again = {pair: counts for pair, counts in counts_from_votes(exercise).items() if any(counts)}
    assert {pair: counts for pair, counts in stored.items() if any(counts)} == counted_again
    assert voting.recount_choices(exercise.id) == 0
    index = {item.id: n for n, item in enumerate(exercise.active_items)}
    before = counts_matrix(exercise, index)
    assert rebuild_counts(exercise).differences == []
    assert (counts_matrix(exercise, index) == before).all()
