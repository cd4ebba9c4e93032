"""A resident votes against a worker that keeps its copy of the exercise, as a deployed worker does (the other
browser tests' server reads the exercise afresh on every request, which begins the request's transaction
before the vote). So on PostgreSQL each vote here is the one statement in a transaction of its own
(autocommit): the path most residents' votes take in production. On a phone, with htmx: choices, a copy of
one sent again, an undo and a late copy of the choice taken back."""

import pytest
from playwright.sync_api import expect

from engage.extensions import db
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.browser.test_pairwise_journeys import posted_bodies, resend, status_says
from tests.prioritise.pairwise.test_vote_on_its_own import statements_sent
from tests.security.test_vote_integrity import counted_in_all


@pytest.fixture
def app(app_factory):
    """The browser tests' settings (CSRF on), with the exercise's copy kept for an hour; an app of its own, so
    no copy outlives this test."""
    app = app_factory(fresh=True, WTF_CSRF_ENABLED=True, ENGAGE_PAIR_STATE_SECONDS=3600)
    with app.app_context():
        yield app


@pytest.fixture
def vote_statements(app):
    """Every statement the server sends: (its first words, whether the driver was in autocommit)."""
    with statements_sent(app) as seen:
        yield seen


def _one_statement_modes(sent) -> list[bool]:
    """Whether each of PostgreSQL's one vote statements was sent in autocommit."""
    return [on for words, on in sent if words.startswith("WITH counted")]


def test_phone_votes_repeats_and_undo_through_a_deployed_workers_path(
    make_page, make_exercise, vote_statements
):
    exercise = make_exercise()
    page = make_page(viewport={"width": 375, "height": 740})
    vote_url = f"/exercises/{exercise.id}/vote"
    page.goto(vote_url)
    sent = posted_bodies(page, vote_url)
    for made in ("1 choice", "2 choices", "3 choices"):
        page.locator(".app-choice").first.click()
        status_says(page, f"You've made {made}.")
    assert counted_in_all() == (3, 3, 3)
    postgres = db.engine.dialect.name == "postgresql"
    # PostgreSQL: each vote its one statement in a transaction of its own. SQLite: none of that.
    assert _one_statement_modes(vote_statements) == ([True] * 3 if postgres else [])

    # The second choice sent again (a retry): answered with the count as it is, stored once.
    resend(page, vote_url, sent[1])
    status_says(page, "You've made 3 choices.")
    assert counted_in_all() == (3, 3, 3)

    # The last choice taken back, then a late copy of it: a new pair, nothing stored.
    page.get_by_role("button", name="Undo my last choice").click()
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Your last choice has been taken back.")
    assert counted_in_all() == (2, 2, 2)
    resend(page, vote_url, sent[2])
    status_says(page, "Something went wrong with that choice. Here is a new pair.")
    assert page.locator(".app-choice").count() == 2
    assert_accessible(page, "a late copy answered")
    assert_no_horizontal_scroll(page)
    assert counted_in_all() == (2, 2, 2)

    page.locator(".app-choice").first.click()
    status_says(page, "You've made 3 choices.")
    assert counted_in_all() == (3, 3, 3)
    # Six vote statements in all (three choices, the copy, the late copy, the last choice), each in
    # autocommit on PostgreSQL; nothing else in autocommit (the undo is an ordinary transaction).
    assert _one_statement_modes(vote_statements) == ([True] * 6 if postgres else [])
    assert not [words for words, on in vote_statements if on and not words.startswith("WITH counted")]
