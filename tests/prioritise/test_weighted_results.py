"""Budget and ranking results weighted to the population: refused when a group has nobody in the sample,
and every column of a weighted table weighted (issue 22 items 3 and 4)."""

import pytest

from engage.extensions import db
from engage.population.service import import_population
from engage.prioritise.budget.results import budget_results
from engage.prioritise.models import RespondentProfile
from engage.prioritise.ranking.results import ranking_results


def _answer_with_sex(exercise, submit, answers):
    """``answers``: a list of (values, sex); each is a new resident who says their sex."""
    for values, sex in answers:
        receipt = submit(exercise, values)
        db.session.add(
            RespondentProfile(respondent_id=receipt.submission.respondent_id, dimension="sex", category=sex)
        )
    db.session.commit()


def test_budget_and_ranking_refuse_to_weight_when_a_group_has_nobody(make_budget, make_ranking, submit, app):
    import_population("dimension,category,population\nsex,Female,445\nsex,Male,445\nsex,Other,110\n")
    budget = make_budget()
    ranking = make_ranking()
    with app.test_request_context("/"):
        a, b, c, d = budget.active_items
        _answer_with_sex(budget, submit, [({a.id: 70, b.id: 30, c.id: 0, d.id: 0}, "Female")] * 20)
        _answer_with_sex(budget, submit, [({a.id: 10, b.id: 10, c.id: 40, d.id: 40}, "Male")] * 20)
        a, b, c, d = ranking.active_items
        _answer_with_sex(ranking, submit, [({a.id: 1, b.id: 2, c.id: 3, d.id: 4}, "Female")] * 20)
        _answer_with_sex(ranking, submit, [({d.id: 1, c.id: 2, b.id: 3, a.id: 4}, "Male")] * 20)
        for outcome in (budget_results(budget, resamples=20), ranking_results(ranking, resamples=10)):
            assert outcome.weighted is None
            assert outcome.unweighted_reason == "unmatched"
            assert outcome.unweighted_reason.missing == (("sex", "Other", 0.11),)


def test_every_column_of_a_weighted_table_is_weighted(make_budget, make_ranking, submit, app):
    # 34 women and 6 men in an area that is half and half: women weigh 20/34, men 20/6.
    import_population("dimension,category,population\nsex,Female,500\nsex,Male,500\n")
    budget = make_budget()
    ranking = make_ranking()
    with app.test_request_context("/"):
        a, b, c, d = budget.active_items
        _answer_with_sex(budget, submit, [({a.id: 70, b.id: 30, c.id: 0, d.id: 0}, "Female")] * 34)
        _answer_with_sex(budget, submit, [({a.id: 10, b.id: 10, c.id: 40, d.id: 40}, "Male")] * 6)
        shares = budget_results(budget, resamples=0)
        ra, rb, rc, rd = ranking.active_items
        _answer_with_sex(ranking, submit, [({ra.id: 1, rb.id: 2, rc.id: 3, rd.id: 4}, "Female")] * 34)
        _answer_with_sex(ranking, submit, [({rd.id: 1, rc.id: 2, rb.id: 3, ra.id: 4}, "Male")] * 6)
        ranks = ranking_results(ranking, resamples=0)
    plain = {row.item.id: row for row in shares.items}
    weighted = {row.item.id: row for row in shares.weighted.items}
    # Item a: 34 people gave it 70%, 6 gave it 10%. Unweighted, the 25th percentile of people's shares is
    # 70%; weighted, the men carry half the weight, so it is 10%.
    assert plain[a.id].spread[1] == 0.7 and weighted[a.id].spread[1] == 0.1
    assert weighted[a.id].mean == pytest.approx(0.4) and weighted[a.id].median == 0.1
    plain = {row.item.id: row for row in ranks.items}
    weighted = {row.item.id: row for row in ranks.weighted.items}
    # Item a: place 1 for the women, 4 for the men. Unweighted mean place (34 + 24) / 40 = 1.45; weighted,
    # half and half: 2.5. Borda points 3 and 0: 2.55 unweighted, 1.5 weighted. Ranked first: 85% and 50%.
    assert plain[ra.id].mean_rank == pytest.approx(1.45) and weighted[ra.id].mean_rank == pytest.approx(2.5)
    assert plain[ra.id].borda == pytest.approx(2.55) and weighted[ra.id].borda == pytest.approx(1.5)
    assert weighted[ra.id].first == pytest.approx(0.5) and weighted[ra.id].ranked_by == 40
