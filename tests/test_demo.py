"""The demo partnership: loaded once into an empty database, joined to the sample indicator codes."""

import csv
from pathlib import Path

from sqlalchemy import select

from engage.accounts.models import Role, User
from engage.accounts.passwords import verify_password
from engage.boards.models import Board, BoardKind
from engage.extensions import db

DATA = Path(__file__).parent / "data"


def test_demo_loads_four_boards_partners_and_a_user_per_role(demo, app):
    boards = db.session.scalars(select(Board).order_by(Board.short_code)).all()
    assert [b.short_code for b in boards] == ["CYP", "EE", "HWB", "SSC"]
    assert all(5 <= len(b.priorities) <= 8 for b in boards)
    assert {b.kind for b in boards} == {BoardKind.PARTNERSHIP, BoardKind.NETWORK}
    users = db.session.scalars(select(User)).all()
    assert set().union(*(u.roles for u in users)) == set(Role)
    # the printed passwords really work
    for user in users:
        line = next(line for line in demo.output.splitlines() if user.email in line)
        assert verify_password(user.password_hash, line.split()[-1])


def test_demo_priority_codes_join_to_the_sample_indicator_export(demo, app):
    with (DATA / "indicators.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    boards = {b.short_code: {p.code for p in b.priorities} for b in db.session.scalars(select(Board))}
    for row in rows:
        assert row["Priority Code"] in boards[row["Board"]], row["Priority Code"]


def test_demo_is_not_loaded_twice(demo, runner):
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0 and "already has data" in again.output
    skipped = runner.invoke(args=["demo", "--if-empty"])
    assert skipped.exit_code == 0 and "already has data" in skipped.output
    assert len(db.session.scalars(select(Board)).all()) == 4


def test_demo_has_an_open_and_a_closed_exercise_weighted_to_the_area(demo, app):
    from engage.prioritise.models import Exercise, ExerciseKind, ExerciseStatus
    from engage.prioritise.pairwise.results import pairwise_results

    pairwise = select(Exercise).where(Exercise.kind == ExerciseKind.PAIRWISE)
    exercises = {e.status: e for e in db.session.scalars(pairwise)}
    assert set(exercises) == {ExerciseStatus.OPEN, ExerciseStatus.CLOSED}
    results = pairwise_results(exercises[ExerciseStatus.OPEN], resamples=20)
    assert results.votes > 2000 and results.respondents == 250
    assert results.weighted is not None and set(results.weighted.dimensions) == {"age_band", "sex", "ward"}


def test_demo_has_open_budget_and_ranking_exercises_with_valid_answers(demo, app):
    from engage.prioritise.budget.results import budget_results
    from engage.prioritise.budget.rules import check_allocation
    from engage.prioritise.models import BudgetMode, Exercise, ExerciseKind, ExerciseStatus, Submission
    from engage.prioritise.ranking.results import ranking_results
    from engage.prioritise.submissions.submitting import check_ranking

    budget = db.session.scalar(select(Exercise).where(Exercise.kind == ExerciseKind.BUDGET))
    ranking = db.session.scalar(select(Exercise).where(Exercise.kind == ExerciseKind.RANKING))
    assert budget.status is ranking.status is ExerciseStatus.OPEN and budget.accepting_votes()
    assert budget.budget_mode is BudgetMode.REBALANCE and budget.current_total == 4_200_000
    with app.test_request_context("/"):
        for exercise, check in ((budget, check_allocation), (ranking, check_ranking)):
            answers = db.session.scalars(
                select(Submission).where(Submission.exercise_id == exercise.id)
            ).all()
            assert len(answers) == 300
            for answer in answers:
                assert check(exercise, {e.item_id: e.value for e in answer.entries}) == []
        shares = budget_results(budget, resamples=50)
        assert shares.weighted is not None and shares.biggest_cut is not None
        assert ranking_results(ranking, resamples=20).weighted is not None


def test_demo_has_an_open_consultation_and_a_published_one_weighted_to_the_area(demo, app):
    from engage.surveys.models import Consultation, ConsultationStatus, QuestionKind
    from engage.surveys.results import consultation_results

    by_status = {c.status: c for c in db.session.scalars(select(Consultation))}
    assert set(by_status) == {ConsultationStatus.OPEN, ConsultationStatus.PUBLISHED}
    with app.test_request_context("/"):
        results = consultation_results(by_status[ConsultationStatus.PUBLISHED])
    assert results.responses == 3000 and results.weighting is not None
    assert set(results.heard_from) == {"age_band", "sex", "ward"}
    assert 200 < results.channels["paper"] < 400  # about one in ten typed in from paper
    # Every kind of question is asked in both consultations, and last year's answers respect the condition.
    open_kinds = {q.kind for q in by_status[ConsultationStatus.OPEN].questions}
    assert open_kinds == set(QuestionKind)
    by_kind = {r.question.kind: r for r in results.questions}
    conditional = by_kind[QuestionKind.SHORT_TEXT]
    single = by_kind[QuestionKind.SINGLE]
    by_phone = next(count for label, count, _share in single.counts if label == "By phone")
    assert conditional.question.show_if_option is not None and 0 < conditional.answered <= by_phone
    assert by_kind[QuestionKind.RANKING].ranks and by_kind[QuestionKind.LONG_TEXT].text_count
    client = app.test_client()
    page = client.get(f"/consultations/{by_status[ConsultationStatus.PUBLISHED].id}/results")
    assert page.status_code == 200 and "call-back service" in page.get_data(as_text=True)


def test_demo_publishes_version_1_of_every_boards_weights(demo, app):
    import json

    from engage.weights.versions import current_weight_set

    for board in db.session.scalars(select(Board)):
        weight_set = current_weight_set(board)
        assert weight_set is not None and weight_set.version == 1, board.slug
        weights = [e.weight for e in weight_set.entries if e.weight is not None]
        assert abs(sum(weights) - 1) < 1e-9
        notes = [s["weighting"] for s in json.loads(weight_set.parameters)["sources"]]
        assert all(note.startswith("Population weighted") for note in notes), notes
    hwb = current_weight_set(db.session.scalar(select(Board).where(Board.short_code == "HWB")))
    assert [s.blend for s in hwb.sources] == [50.0, 50.0]  # the open pairwise and last year's importance grid


def test_demo_has_a_workshop_ready_to_run(demo, app):
    from engage.workshops import service
    from engage.workshops.models import WorkshopSession

    workshop = db.session.scalar(select(WorkshopSession))
    assert f"(code {workshop.join_code})" in demo.output
    assert [r.kind for r in workshop.rounds] == ["pairwise", "budget", "ranking", "question"]
    assert {r.exercise.board_id for r in workshop.rounds[:3]} == {workshop.board_id}
    for _ in workshop.rounds:  # every round's exercise is open, so each can start
        service.start_next_round(workshop)


def test_a_demo_failing_part_way_leaves_the_database_empty_for_the_next_try(app, runner, monkeypatch):
    """The demo is one unit of work: when a step fails (here loading the population figures, after the
    partners, boards and users), nothing remains, so ``make run``'s ``demo --if-empty`` loads it next time
    instead of finding "data" and skipping it for good."""
    from engage.demo import cli

    def population_cannot_be_loaded(text):
        raise RuntimeError("the population figures cannot be loaded")

    monkeypatch.setattr(cli, "import_population", population_cannot_be_loaded)
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 1 and "cannot be loaded" in str(result.exception)
    db.session.expire_all()
    assert cli.database_is_empty()
