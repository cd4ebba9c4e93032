"""Budget and ranking results weighted to the population: refused when a group has nobody in the sample,
and every column of a weighted table weighted (issue 22 items 3 and 4)."""

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
