"""Issue 23: a budget, ranking or consultation page takes the items (or pages, questions, options and the
board's priorities) from this worker's copy while the parent's stamp says the copy is current
(engage.kept_structure). Every change an officer can make shows on a resident's very next page, whichever
worker made it; the parent's own status and dates always come from its row."""

from collections import Counter

import pytest
from sqlalchemy import event, inspect, select

from engage import kept_structure
from engage.boards import service as boards_service
from engage.boards.models import Priority
from engage.extensions import db
from engage.prioritise import service
from engage.prioritise.budget.setup import ItemBudget, save_item_budgets
from engage.prioritise.models import (
    BudgetMode,
    Exercise,
    ExerciseItem,
    ExerciseStatus,
    ItemConsequence,
    Threshold,
)
from engage.surveys import authoring
from engage.surveys.models import Consultation, ConsultationStatus, QuestionKind, QuestionOption
from tests.prioritise.budget.test_budget_views import fields

KEPT_TABLES = (
    "exercise_items",
    "item_consequences",
    "consultation_sections",
    "consultation_questions",
    "consultation_options",
    "priorities",
)


class Reads:
    """Which of the kept tables each statement sent while the block runs reads from."""

    def __init__(self, engine):
        self.engine, self.tables = engine, Counter()

    def _note(self, conn, cursor, statement, parameters, context, executemany) -> None:
        for table in KEPT_TABLES:
            if f"FROM {table}" in statement:
                self.tables[table] += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._note)
        return self.tables

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._note)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def stamp(model, thing_id: int) -> int:
    return db.session.scalar(select(model.structure_version).where(model.id == thing_id))


# -- exercises ----------------------------------------------------------------------------------------------


def test_a_second_budget_page_reads_no_items_and_shows_the_same(app, client, make_budget):
    exercise = make_budget()
    path = f"/exercises/{exercise.id}/allocate"
    first = page(client, path)
    with Reads(db.engine) as reads:
        second = page(client, path)
    assert reads == {}
    for item in exercise.active_items:
        assert item.title in first and item.title in second
    assert first.count('name="item-') == second.count('name="item-') == 4


def test_an_officers_new_title_and_new_item_show_on_the_next_page(app, client, make_budget):
    exercise = make_budget()
    path = f"/exercises/{exercise.id}/allocate"
    page(client, path)
    before = stamp(Exercise, exercise.id)
    exercise.active_items[0].title = "Mobile libraries"
    db.session.add(ExerciseItem(exercise=exercise, title="Street lighting", description=""))
    db.session.commit()
    assert stamp(Exercise, exercise.id) != before
    html = page(client, path)
    assert "Mobile libraries" in html and "Street lighting" in html
    assert html.count('name="item-') == 5


def test_an_item_taken_out_leaves_the_next_page(app, client, make_budget):
    exercise = make_budget()
    path = f"/exercises/{exercise.id}/allocate"
    gone = exercise.active_items[3]
    assert gone.title in page(client, path)
    gone.active = False
    db.session.commit()
    html = page(client, path)
    assert gone.title not in html and html.count('name="item-') == 3


def test_a_changed_consequence_shows_when_the_resident_checks(app, client, make_budget):
    exercise = make_budget(BudgetMode.REBALANCE)
    second = exercise.active_items[1]

    def consequence(text: str) -> None:
        budgets = {
            i.id: ItemBudget(current_amount=i.current_amount, minimum=i.minimum, step=i.step)
            for i in exercise.active_items
        }
        budgets[second.id].consequences = [(Threshold.BELOW, 240_000, text)]
        save_item_budgets(exercise, budgets)
        db.session.commit()

    consequence("Libraries close on Mondays")
    path = f"/exercises/{exercise.id}/allocate"
    page(client, path)
    moved = fields(exercise, 500_000, 200_000, 200_000, 100_000)
    assert client.post(path, data=moved).status_code == 302
    assert "Libraries close on Mondays" in page(client, f"/exercises/{exercise.id}/check")
    consequence("Libraries close on Mondays and Tuesdays")
    assert "Libraries close on Mondays and Tuesdays" in page(client, f"/exercises/{exercise.id}/check")
    # Every consequence taken away (the item itself otherwise unchanged) moves the stamp too.
    before = stamp(Exercise, exercise.id)
    second.consequences = []
    db.session.commit()
    assert stamp(Exercise, exercise.id) != before
    assert "Libraries close" not in page(client, f"/exercises/{exercise.id}/check")


def test_the_exercise_closed_after_the_copy_was_kept_is_closed(app, client, make_budget):
    """The copies never carry their exercise: merging them cannot put back an old status or title."""
    exercise = make_budget()
    path = f"/exercises/{exercise.id}/allocate"
    page(client, path)
    for copies in app.extensions["engage_kept_structures"].values():
        for _, detached in copies[1]:
            for item in detached:
                assert inspect(item).detached and "exercise" not in inspect(item).dict
    exercise.title = "Share the health budget"
    service.set_status(exercise, ExerciseStatus.CLOSED)
    db.session.commit()
    closed = client.get(path).get_data(as_text=True)
    assert "Share the health budget" in closed and 'name="item-' not in closed


def test_a_change_made_by_another_worker_shows_here(app, app_factory, client, make_budget):
    exercise = make_budget()
    path = f"/exercises/{exercise.id}/allocate"
    page(client, path)
    other = app_factory()  # another worker: its own process memory, the same database
    with other.app_context():
        item = db.session.scalars(
            select(ExerciseItem).where(ExerciseItem.exercise_id == exercise.id).order_by(ExerciseItem.id)
        ).first()
        item.title = "Changed elsewhere"
        db.session.commit()
    assert "Changed elsewhere" in page(client, path)


def test_an_edit_rolled_back_leaves_the_stamp(app, make_budget):
    exercise = make_budget()
    before = stamp(Exercise, exercise.id)
    exercise.active_items[0].title = "Never saved"
    db.session.flush()
    assert stamp(Exercise, exercise.id) != before  # moved inside the transaction, with the change
    db.session.rollback()
    assert stamp(Exercise, exercise.id) == before


def test_a_ranking_takes_its_items_from_the_copy_too(app, client, make_ranking):
    exercise = make_ranking()
    path = f"/exercises/{exercise.id}/rank"
    page(client, path)
    with Reads(db.engine) as reads:
        second = page(client, path)
    assert reads == {}
    assert all(item.title in second for item in exercise.active_items)
    exercise.active_items[2].title = "Clean streets"
    db.session.commit()
    assert "Clean streets" in page(client, path)


def test_the_copies_are_bounded(app, client, make_budget, monkeypatch):
    monkeypatch.setattr(kept_structure, "COPIES", 2)
    exercises = [make_budget() for _ in range(3)]
    for exercise in exercises:
        page(client, f"/exercises/{exercise.id}/allocate")
    kept = app.extensions["engage_kept_structures"]
    assert list(kept) == [("Exercise", exercises[1].id), ("Exercise", exercises[2].id)]


# -- consultations ------------------------------------------------------------------------------------------


@pytest.fixture
def open_consultation(make_consultation) -> Consultation:
    return make_consultation(ConsultationStatus.OPEN)


def test_a_second_consultation_page_reads_no_questions_and_shows_the_same(app, client, open_consultation):
    path = f"/consultations/{open_consultation.id}/sections/2"
    first = page(client, path)
    with Reads(db.engine) as reads:
        second = page(client, path)
    assert reads == {}
    assert "How important is each priority?" in second
    for priority in open_consultation.board.priorities:
        assert priority.title in first and priority.title in second


def test_an_officers_question_and_option_changes_show_on_the_next_page(app, client, open_consultation):
    path = f"/consultations/{open_consultation.id}/sections/1"
    page(client, path)
    first_page = open_consultation.sections[0]
    gp = first_page.questions[0]
    authoring.save_question(
        first_page,
        gp,
        kind=QuestionKind.SINGLE,
        label="How do you usually see your GP?",
        required=True,
        options=["In person", "By phone", "Online", "Home visit"],
        allow_other=True,
    )
    db.session.commit()
    html = page(client, path)
    assert "How do you usually see your GP?" in html and "Home visit" in html


def test_a_new_page_shows_in_the_consultation(app, client, open_consultation):
    page(client, f"/consultations/{open_consultation.id}/sections/2")
    added = authoring.save_section(open_consultation, None, title="Getting about")
    authoring.save_question(added, None, kind=QuestionKind.SHORT_TEXT, label="How do you travel?")
    db.session.commit()
    assert "How do you travel?" in page(client, f"/consultations/{open_consultation.id}/sections/3")


def test_a_renamed_board_priority_shows_in_the_importance_grid(app, client, open_consultation):
    path = f"/consultations/{open_consultation.id}/sections/2"
    page(client, path)
    before = stamp(Consultation, open_consultation.id)
    priority = db.session.scalars(
        select(Priority).where(Priority.board_id == open_consultation.board_id)
    ).first()
    priority.title = "Warm homes for everyone"
    db.session.commit()
    assert stamp(Consultation, open_consultation.id) != before
    assert "Warm homes for everyone" in page(client, path)


def test_the_consultation_closed_after_the_copy_was_kept_takes_no_answers(app, client, open_consultation):
    path = f"/consultations/{open_consultation.id}/sections/1"
    page(client, path)
    authoring.set_status(open_consultation, ConsultationStatus.CLOSED)
    db.session.commit()
    html = client.get(path).get_data(as_text=True)
    assert "How do you usually see a GP?" not in html


def test_an_answer_changed_on_a_page_reads_no_questions(app, client, open_consultation):
    """The htmx check of a changed answer (sent as a resident types or ticks) uses the copy too."""
    path = f"/consultations/{open_consultation.id}/sections/1"
    page(client, path)
    services = open_consultation.sections[0].questions[1]  # a multiple choice, checked as it is given
    ticked = {f"q{services.id}": [str(option.id) for option in services.options]}  # four: one too many
    headers = {"HX-Request": "true", "HX-Trigger": f"question-{services.id}"}
    with Reads(db.engine) as reads:
        changed = client.post(f"{path}/changed", data=ticked, headers=headers)
    assert changed.status_code == 200 and reads == {}
    assert "Choose up to 3 options" in changed.get_data(as_text=True)


def test_a_new_board_priority_shows_in_the_importance_grid(app, client, open_consultation):
    """Found by review: a priority made through its board (``Priority(board=...)``) has no board id until it
    is stored, and its board's consultations must still be stamped."""
    path = f"/consultations/{open_consultation.id}/sections/2"
    assert "Cycle lanes everywhere" not in page(client, path)
    boards_service.save_priority(
        open_consultation.board, None, code="NEW-1", title="Cycle lanes everywhere", description=""
    )
    db.session.commit()
    assert "Cycle lanes everywhere" in page(client, path)


def test_rows_added_by_their_parents_id_alone_move_the_stamp(app, open_consultation, make_budget):
    question = open_consultation.sections[0].questions[0]
    before = stamp(Consultation, open_consultation.id)
    db.session.add(QuestionOption(question_id=question.id, position=9, label="Extra", code="9"))
    db.session.commit()
    assert stamp(Consultation, open_consultation.id) != before
    exercise = make_budget()
    before = stamp(Exercise, exercise.id)
    item_id = exercise.active_items[0].id
    db.session.add(ItemConsequence(item_id=item_id, direction=Threshold.BELOW, threshold=1, text="Less"))
    db.session.commit()
    assert stamp(Exercise, exercise.id) != before


def test_an_item_moved_to_another_exercise_stamps_both(app, make_budget):
    first, second = make_budget(), make_budget()
    before = stamp(Exercise, first.id), stamp(Exercise, second.id)
    moved = db.session.get(ExerciseItem, first.active_items[0].id)
    moved.exercise_id, moved.priority_id = second.id, None  # (an exercise takes a priority once)
    db.session.commit()
    after = stamp(Exercise, first.id), stamp(Exercise, second.id)
    assert after[0] != before[0] and after[1] != before[1]
