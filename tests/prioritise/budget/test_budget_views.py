"""A resident shares out a budget through the test client; officers read the results and downloads."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from engage.extensions import db
from engage.prioritise.budget.results import budget_results
from engage.prioritise.models import BudgetMode, Comment, ExerciseStatus, Submission
from tests.conftest import sign_in
from tests.downloads import prepared_file


def submissions():
    return db.session.scalar(select(func.count()).select_from(Submission))


def fields(exercise, *amounts):
    return {f"item-{item.id}": str(a) for item, a in zip(exercise.active_items, amounts, strict=True)}


def key_of(html):
    return re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)


def test_start_page_leads_to_the_allocation(client, make_budget):
    exercise = make_budget()
    html = client.get(f"/exercises/{exercise.id}").get_data(as_text=True)
    assert "budget to share" in html and f'href="/exercises/{exercise.id}/allocate"' in html
    assert f"It takes about {exercise.minutes_estimate} minutes." in html


def test_a_draft_an_unknown_or_another_kind_of_exercise_has_no_budget_pages(
    client, make_budget, make_exercise
):
    draft = make_budget(status=ExerciseStatus.DRAFT)
    pairwise = make_exercise()
    for exercise_id in (draft.id, draft.id + 1000, pairwise.id):
        for page in ("allocate", "check"):
            assert client.get(f"/exercises/{exercise_id}/{page}").status_code == 404


def test_rebalance_page_starts_from_current_budgets_with_hints(client, make_budget):
    exercise = make_budget(BudgetMode.REBALANCE)
    html = client.get(f"/exercises/{exercise.id}/allocate").get_data(as_text=True)
    first = exercise.active_items[0]
    # issue 21, item 7: the boxes show amounts grouped as people write them
    assert f'name="item-{first.id}"' in html and 'value="400,000"' in html
    assert "Now: £400,000" in html and "At least £100,000" in html and "In steps of £10,000" in html
    assert "Left to allocate: £0" in html and 'aria-live="polite"' in html


def test_bad_allocation_gets_an_error_summary_and_keeps_what_was_typed(client, make_budget):
    exercise = make_budget()
    response = client.post(f"/exercises/{exercise.id}/allocate", data=fields(exercise, 50, "abc", 40, 30))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and "Enter a whole number" in html
    assert "more than the 100 points available" in html and 'href="#allocation-summary"' in html
    assert 'value="abc"' in html and 'value="50"' in html
    assert submissions() == 0


def test_update_the_total_without_javascript_judges_nothing(client, make_budget):
    exercise = make_budget()
    data = fields(exercise, 50, 0, 0, 0) | {"recalculate": "1"}
    html = client.post(f"/exercises/{exercise.id}/allocate", data=data).get_data(as_text=True)
    assert "Left to allocate: 50 points" in html and "There is a problem" not in html


def test_running_total_for_htmx_with_consequences_out_of_band(client, make_budget):
    exercise = make_budget(BudgetMode.REBALANCE)
    from engage.prioritise.budget.setup import ItemBudget, save_item_budgets
    from engage.prioritise.models import Threshold

    # re-save with a consequence on the second item (exercise has no answers yet)
    db.session.rollback()
    items = exercise.active_items
    budgets = {i.id: ItemBudget(current_amount=i.current_amount, step=i.step) for i in items}
    budgets[items[1].id].consequences = [(Threshold.BELOW, 250_000, "Libraries close on Mondays")]
    save_item_budgets(exercise, budgets)
    data = fields(exercise, 450_000, 200_000, 200_000, 200_000)
    response = client.post(
        f"/exercises/{exercise.id}/allocate/total", data=data, headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert "Over budget by £50,000" in html
    assert (
        f'id="consequence-{items[1].id}" hx-swap-oob="innerHTML"' in html
        and "Libraries close on Mondays" in html
    )
    assert client.post(f"/exercises/{exercise.id}/allocate/total", data=data).status_code == 404


def test_whole_journey_check_submit_once_compare_and_comment(client, make_budget, submit):
    exercise = make_budget()
    for _ in range(4):  # four people before: with them, five, the small-cell threshold
        submit(exercise, {item.id: 25 for item in exercise.active_items})
    response = client.post(f"/exercises/{exercise.id}/allocate", data=fields(exercise, 40, 30, 20, 10))
    assert response.status_code == 302 and response.location.endswith(f"/exercises/{exercise.id}/check")
    html = client.get(f"/exercises/{exercise.id}/check").get_data(as_text=True)
    assert (
        "Check your answers before submitting" in html and "40 points" in html and "40% of your total" in html
    )
    key = key_of(html)
    first = client.post(f"/exercises/{exercise.id}/check", data={"key": key})
    assert first.status_code == 302 and first.location.endswith("/your-answer")
    client.post(f"/exercises/{exercise.id}/check", data={"key": key})  # a double click
    assert submissions() == 5
    html = client.get(f"/exercises/{exercise.id}/your-answer").get_data(as_text=True)
    assert "How your choices compare" in html and "5 people have taken part" in html
    table = html[html.index("How your choices compare") : html.index("Anything else")]
    # Their 40% beside everyone's mean for the first priority, (4 x 25% + 40%) / 5 = 28%, rounded to the 5%
    # step that five people's mean is shown to: 30%.
    assert re.search(r"More people active</th>\s*<td[^>]*>40.0%</td>\s*<td[^>]*>30\.0%</td>", table), table
    # Coming back to the allocation after submitting shows what they sent, not a fresh form.
    assert client.get(f"/exercises/{exercise.id}/allocate").location.endswith("/your-answer")
    response = client.post(f"/exercises/{exercise.id}/comment", data={"text": "Fund buses <too>"})
    assert response.status_code == 302
    assert db.session.scalar(select(Comment.text)) == "Fund buses <too>"


def test_the_comparison_waits_for_enough_people_so_no_one_s_answer_can_be_read(client, make_budget, submit):
    """With two people, "everyone's share" would have told the second exactly what the first gave (the
    reviewer's finding): below the small-cell threshold the page says why it shows no comparison yet."""
    exercise = make_budget()
    submit(exercise, {item.id: 100 if k == 0 else 0 for k, item in enumerate(exercise.active_items)})
    client.post(f"/exercises/{exercise.id}/allocate", data=fields(exercise, 40, 30, 20, 10))
    key = key_of(client.get(f"/exercises/{exercise.id}/check").get_data(as_text=True))
    client.post(f"/exercises/{exercise.id}/check", data={"key": key})
    html = client.get(f"/exercises/{exercise.id}/your-answer").get_data(as_text=True)
    section = html[html.index("How your choices compare") : html.index("Anything else")]
    assert "once at least 5 people have taken part, so that no one" in section
    assert "answers can be worked out" in section
    assert "share</th>" not in section and "70.0%" not in section and "2 people" not in section


def test_officers_read_residents_comments_on_the_results_page(client, make_budget, submit, officer, app):
    exercise = make_budget()
    client.post(f"/exercises/{exercise.id}/allocate", data=fields(exercise, 40, 30, 20, 10))
    key = key_of(client.get(f"/exercises/{exercise.id}/check").get_data(as_text=True))
    client.post(f"/exercises/{exercise.id}/check", data={"key": key})
    client.post(f"/exercises/{exercise.id}/comment", data={"text": "Fund buses <too>"})
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "1 comment from residents" in html and "Fund buses &lt;too&gt;" in html


def test_check_page_without_a_draft_goes_back_to_the_start(client, make_budget):
    exercise = make_budget()
    assert client.get(f"/exercises/{exercise.id}/check").location.endswith("/allocate")


def test_closed_exercise_takes_no_allocations(client, make_budget):
    exercise = make_budget(status=ExerciseStatus.CLOSED)
    html = client.get(f"/exercises/{exercise.id}/allocate").get_data(as_text=True)
    assert "not taking votes at the moment" in html


def test_shares_are_the_mean_of_each_persons_shares(make_budget, submit, app):
    exercise = make_budget()
    a, b, c, d = exercise.active_items
    with app.test_request_context("/"):
        submit(exercise, {a.id: 60, b.id: 40, c.id: 0, d.id: 0})
        submit(exercise, {a.id: 20, b.id: 20, c.id: 30, d.id: 30})
        outcome = budget_results(exercise, resamples=200)
    shares = {row.item.id: row.mean for row in outcome.items}
    assert shares == pytest.approx({a.id: 0.4, b.id: 0.3, c.id: 0.15, d.id: 0.15})
    assert outcome.items[0].item.id == a.id and outcome.respondents == 2
    # Two people are far too few for an interval (the bootstrap's was far too narrow).
    assert all(row.low is None and row.high is None for row in outcome.items)


def test_rebalance_results_say_where_residents_would_move_money(make_budget, submit, app):
    exercise = make_budget(BudgetMode.REBALANCE)
    a, b, c, d = exercise.active_items
    with app.test_request_context("/"):
        for _ in range(3):
            submit(exercise, {a.id: 360_000, b.id: 300_000, c.id: 200_000, d.id: 140_000})
        outcome = budget_results(exercise, resamples=0)
    assert outcome.biggest_cut.item.id == a.id and round(outcome.biggest_cut.change_fraction, 3) == -0.1
    assert outcome.biggest_rise.item.id == d.id and round(outcome.biggest_rise.change_fraction, 3) == 0.4


def test_officer_results_page_and_downloads(client, make_budget, submit, officer, app):
    exercise = make_budget(BudgetMode.REBALANCE)
    a, b, c, d = exercise.active_items
    with app.test_request_context("/"):
        submit(exercise, {a.id: 360_000, b.id: 300_000, c.id: 200_000, d.id: 140_000})
        submit(exercise, {a.id: 400_000, b.id: 300_000, c.id: 200_000, d.id: 100_000})
    sign_in(client, officer)
    html = client.get(f"/manage/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "Share of the budget with 95% intervals" in html and "data-plotly" in html
    assert "On average residents would take 5.0% from" in html

    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/manage/exercises/{exercise.id}/responses.csv").get_data(as_text=True))
        )
    )
    assert rows[0][:6] == [
        "response_id",
        "recorded_at",
        "respondent",
        "channel",
        "workshop_session",
        "locale",
    ]
    assert rows[0][6:] == [item.priority.code for item in exercise.active_items]
    assert sorted(r[6] for r in rows[1:]) == ["360000", "400000"]

    book = load_workbook(io.BytesIO(prepared_file(client, f"/manage/exercises/{exercise.id}/responses.xlsx")))
    assert book.sheetnames == ["Responses", "Codebook"]
    assert ["HWB-ACTIVE", "More people active: amount allocated (money)"] in [
        [cell.value for cell in row] for row in book["Codebook"].iter_rows()
    ]
    results = list(
        csv.reader(
            io.StringIO(client.get(f"/manage/exercises/{exercise.id}/results.csv").get_data(as_text=True))
        )
    )
    assert results[0][:4] == ["rank", "code", "title", "mean_share"] and len(results) == 5
    assert client.get(f"/manage/exercises/{exercise.id}/results.xlsx").status_code == 200
    assert client.get(f"/manage/exercises/{exercise.id}/results.pb").status_code == 404


def parse_pabulib(text):
    """A small reader of the .pb format (sections of semicolon-separated rows), to check ours round-trips."""
    sections, current, header = {}, None, None
    for line in text.splitlines():
        if line in {"META", "PROJECTS", "VOTES"}:
            current, header = line, None
            sections[current] = []
        elif header is None:
            header = line.split(";")
        else:
            sections[current].append(dict(zip(header, line.split(";"), strict=True)))
    return sections


def test_pabulib_export_round_trips_the_allocations(client, make_budget, submit, officer, app):
    exercise = make_budget(BudgetMode.REBALANCE)
    a, b, c, d = exercise.active_items
    with app.test_request_context("/"):
        submit(exercise, {a.id: 360_000, b.id: 300_000, c.id: 200_000, d.id: 140_000})
    sign_in(client, officer)
    text = prepared_file(client, f"/manage/exercises/{exercise.id}/responses.pb").decode()
    pb = parse_pabulib(text)
    meta = {row["key"]: row["value"] for row in pb["META"]}
    assert meta["vote_type"] == "cumulative" and meta["budget"] == "1000000" and meta["num_votes"] == "1"
    assert [p["cost"] for p in pb["PROJECTS"]] == ["400000", "300000", "200000", "100000"]
    vote = pb["VOTES"][0]
    assert dict(zip(vote["vote"].split(","), map(int, vote["points"].split(",")), strict=True)) == {
        str(a.id): 360_000,
        str(b.id): 300_000,
        str(c.id): 200_000,
        str(d.id): 140_000,
    }


def test_officer_builds_a_budget_exercise_and_its_items(client, officer, hwb):
    sign_in(client, officer)
    form = client.get(f"/manage/boards/{hwb.slug}/exercises/new/budget").get_data(as_text=True)
    assert "New budget exercise" in form and "Rebalance current spending" in form
    priorities = re.findall(r'name="priorities"[^>]*value="(\d+)"', form) or re.findall(
        r'value="(\d+)"[^>]*name="priorities"', form
    )
    data = {
        "title": "Share £1m",
        "question": "How would you share it?",
        "priorities": priorities,
        "budget_mode": "share",
        "unit": "money",
        "budget_total": "£1,000,000",
        "require_full": "y",
        "show_comparison": "y",
        "results_public": "y",
    }
    missing = client.post(
        f"/manage/boards/{hwb.slug}/exercises/new/budget", data={**data, "budget_total": ""}
    )
    assert missing.status_code == 400 and "Enter the total residents share out" in missing.get_data(
        as_text=True
    )
    response = client.post(f"/manage/boards/{hwb.slug}/exercises/new/budget", data=data)
    assert response.status_code == 302 and response.location.endswith("/items")
    from engage.prioritise.models import Exercise

    exercise = db.session.scalar(select(Exercise))
    assert exercise.budget_total == 1_000_000 and exercise.kind.value == "budget"
    first = exercise.active_items[0]
    bad = client.post(
        response.location, data={f"item-{first.id}-minimum": "500000", f"item-{first.id}-maximum": "100"}
    )
    assert bad.status_code == 400 and "less than its least" in bad.get_data(as_text=True)
    good = client.post(
        response.location,
        data={
            f"item-{first.id}-minimum": "100,000",
            f"item-{first.id}-consequences": "below 150000: Fewer clinics",
        },
    )
    assert good.status_code == 302
    db.session.refresh(first)
    assert first.minimum == 100_000 and first.consequences[0].text == "Fewer clinics"


def test_suggestions_after_a_budget_and_no_new_items_once_people_have_answered(
    client, make_budget, officer, app
):
    from engage.prioritise import service
    from engage.prioritise.models import Suggestion

    exercise = make_budget(allow_suggestions=True)
    client.post(f"/exercises/{exercise.id}/allocate", data=fields(exercise, 25, 25, 25, 25))
    key = key_of(client.get(f"/exercises/{exercise.id}/check").get_data(as_text=True))
    client.post(f"/exercises/{exercise.id}/check", data={"key": key})
    html = client.get(f"/exercises/{exercise.id}/your-answer").get_data(as_text=True)
    assert "Is something missing?" in html
    blank = client.post(f"/exercises/{exercise.id}/suggest", data={"text": ""})
    assert blank.status_code == 400 and "Enter your suggestion" in blank.get_data(as_text=True)
    assert client.post(f"/exercises/{exercise.id}/suggest", data={"text": "Youth clubs"}).status_code == 302
    suggestion = db.session.scalar(select(Suggestion))
    with app.test_request_context("/"), pytest.raises(service.StateError, match="cannot take a new item"):
        service.approve_suggestion(suggestion, officer, title="Youth clubs", description="")
    assert len(exercise.active_items) == 4


def test_running_total_warns_live_outside_the_allowed_range(client, make_budget):
    """Issue 21, item 7: going over or under the allowed total was only said after Continue."""
    exercise = make_budget(BudgetMode.REBALANCE, total_min=900_000, total_max=1_100_000)
    url = f"/exercises/{exercise.id}/allocate/total"
    htmx = {"HX-Request": "true"}
    over = client.post(url, data=fields(exercise, 700_000, 300_000, 200_000, 100_000), headers=htmx)
    html = over.get_data(as_text=True)
    assert "That is £200,000 more than the highest total allowed, £1,100,000." in html
    assert "app-over-budget" in html
    under = client.post(url, data=fields(exercise, "100,000", 300_000, 200_000, 100_000), headers=htmx)
    assert "That is £200,000 less than the lowest total allowed, £900,000." in under.get_data(as_text=True)
    within = client.post(url, data=fields(exercise, 400_000, 300_000, 200_000, 100_000), headers=htmx)
    assert "allowed" not in within.get_data(as_text=True)
    assert "app-over-budget" not in within.get_data(as_text=True)


def test_the_public_results_page_has_no_back_link_to_the_officers_pages(client, make_budget, submit):
    exercise = make_budget()
    a, b, c, d = exercise.active_items
    submit(exercise, {a.id: 40, b.id: 30, c.id: 20, d.id: 10})
    exercise.status = ExerciseStatus.CLOSED
    db.session.commit()
    html = client.get(f"/exercises/{exercise.id}/results").get_data(as_text=True)
    assert "What residents told us" in html
    assert "govuk-back-link" not in html and f"/manage/exercises/{exercise.id}" not in html


def test_the_comment_box_counts_characters_in_the_resident_s_language(client, make_budget):
    """The character count under the comment box (its description and the messages its script shows as the
    resident types) was English on a Welsh, Urdu or Polish page."""
    exercise = make_budget()
    client.post(f"/exercises/{exercise.id}/allocate", data=fields(exercise, 40, 30, 20, 10))
    key = key_of(client.get(f"/exercises/{exercise.id}/check").get_data(as_text=True))
    client.post(f"/exercises/{exercise.id}/check", data={"key": key})
    html = client.get(f"/exercises/{exercise.id}/your-answer", headers={"Accept-Language": "cy"}).get_data(
        as_text=True
    )
    assert 'maxlength="2000"' in html and "Gallwch ddefnyddio hyd at 2000 nod" in html
    # One message for each of Welsh's six plural categories, the count left for the script to fill in.
    for category in ("zero", "one", "two", "few", "many", "other"):
        assert f'data-i18n.characters-under-limit.{category}="Mae gennych %{{count}} nod yn weddill"' in html
        assert f'data-i18n.characters-over-limit.{category}="Mae gennych %{{count}} nod yn ormod"' in html
    assert "You can enter up to" not in html and "characters remaining" not in html
    html = client.get(f"/exercises/{exercise.id}/your-answer", headers={"Accept-Language": "pl"}).get_data(
        as_text=True
    )
    assert 'data-i18n.characters-under-limit.one="Pozostał %{count} znak"' in html
    assert 'data-i18n.characters-under-limit.few="Pozostały %{count} znaki"' in html
    assert 'data-i18n.characters-under-limit.many="Pozostało %{count} znaków"' in html
    assert "Możesz wpisać najwyżej 2000 znaków" in html
    html = client.get(f"/exercises/{exercise.id}/your-answer").get_data(as_text=True)
    assert "You can enter up to 2000 characters" in html
    assert 'data-i18n.characters-over-limit.one="You have %{count} character too many"' in html
