"""Real URLs for every route, built from the demo partnership: the route-walking tests share them."""

from __future__ import annotations

import re

from sqlalchemy import select
from werkzeug.routing.converters import AnyConverter

from engage.accounts.models import Organisation, User
from engage.api.models import ApiToken
from engage.boards.models import AccountableMember, Board, Priority
from engage.extensions import db
from engage.indicators.models import Indicator, IndicatorImport
from engage.prioritise.models import Exercise, ExerciseKind, ExerciseStatus, Respondent
from engage.prioritise.service import add_suggestion
from engage.surveys.models import Consultation, ConsultationResponse, ConsultationStatus, QuestionKind
from engage.weights.models import WeightSet
from engage.workshops.models import WorkshopSession


def demo_values() -> dict[str, object]:
    """A real value for each URL argument name, from the demo partnership."""

    def exercise(kind: ExerciseKind) -> int:
        query = select(Exercise.id).where(Exercise.kind == kind, Exercise.status == ExerciseStatus.OPEN)
        return db.session.scalar(query.order_by(Exercise.id))

    consultation = db.session.scalar(
        select(Consultation).where(Consultation.status == ConsultationStatus.OPEN)
    )
    session = db.session.scalar(select(WorkshopSession))
    published = db.session.scalar(
        select(Consultation).where(Consultation.status == ConsultationStatus.PUBLISHED)
    )
    pairwise = db.session.get(Exercise, exercise(ExerciseKind.PAIRWISE))
    suggestion = add_suggestion(pairwise, None, "Better buses to the hospital").id
    db.session.commit()  # services only flush; the requests that use it run in contexts of their own
    return {
        "exercise_id": exercise(ExerciseKind.PAIRWISE),
        "budget_exercise_id": exercise(ExerciseKind.BUDGET),
        "ranking_exercise_id": exercise(ExerciseKind.RANKING),
        "consultation_id": consultation.id,
        "section_id": consultation.sections[0].id,
        "question_id": consultation.sections[0].questions[0].id,
        "number": 1,
        "slug": "health-and-wellbeing",
        "priority_id": consultation.board.active_priorities[0].id,
        "session_id": session.id,
        "round_id": session.rounds[-1].id,  # the demo's last round: moving it down changes nothing
        "code": session.join_code,
        "sheet_id": 1,  # the demo has no paper sheet: workshops.correct_paper answers 404
        "entry_id": 1,  # nor an answer on a workshop's wall: workshops.moderate_wall answers 404
        "token": "1.not-a-projector-link",  # workshops.screen answers 404
        "suggestion_id": suggestion,
        "weight_set_id": db.session.scalar(select(WeightSet.id)),
        # The demo councillor's role on the Health and Wellbeing Board.
        "member_id": db.session.scalar(
            select(AccountableMember.id)
            .join(Board, Board.id == AccountableMember.board_id)
            .where(Board.slug == "health-and-wellbeing")
        ),
        "import_id": db.session.scalar(select(IndicatorImport.id)),
        # Not the administrator: a walk must not reset the two-factor of the person walking.
        "user_id": db.session.scalar(select(User.id).where(User.email == "officer@aldermoor.example")),
        "organisation_id": db.session.scalar(select(Organisation.id)),
        "token_id": db.session.scalar(select(ApiToken.id)) or 1,
        "respondent_id": db.session.scalar(
            select(Respondent.id).where(Respondent.exercise_id == exercise(ExerciseKind.PAIRWISE))
        ),
        "version": 1,
        "locale": "cy",
        "secret": "not-a-saved-link",
        # Last year's consultation: a paper sheet (the newest, on the first page of its list), and a question
        # with written answers.
        "response_id": db.session.scalar(
            select(ConsultationResponse.id)
            .where(
                ConsultationResponse.consultation_id == published.id,
                ConsultationResponse.paper_sheet.is_not(None),
            )
            .order_by(ConsultationResponse.id.desc())
        ),
        "text_question_id": next(q.id for q in published.questions if q.kind is QuestionKind.LONG_TEXT),
        "fmt": "csv",
        "what": "scores",
        # A download prepared as a job: the open consultation's responses; job 1 is nobody's here.
        "kind": "consultation_responses",
        "target": consultation.id,
        "job_id": 1,
        # A Health and Wellbeing indicator (the demo analyst's organisation owns them) and its value.
        "indicator_id": _hwb_indicator().id,
        "value_id": _hwb_indicator().values[0].id,
        "filename": "favicon.svg",
    }


def _hwb_indicator() -> Indicator:
    return db.session.scalar(
        select(Indicator)
        .join(Priority, Priority.id == Indicator.priority_id)
        .join(Board, Board.id == Priority.board_id)
        .where(Board.slug == "health-and-wellbeing")
        .order_by(Indicator.reference)
    )


#: Routes about one question's written answers: given a long-text question.
WRITTEN_ANSWER_ROUTES = {"surveys.written_answers", "surveys.add_theme", "surveys.tag_answers"}

#: For routes with a choice in the URL, the choice that exists for the demo's pairwise exercise.
PREFERRED = {"what": "votes", "fmt": "csv", "change": "revoke"}

#: Routes for budget (and ranking) exercises only: given the demo's budget exercise.
BUDGET_ROUTES = {
    "prioritise.allocate",
    "prioritise.allocation_total",
    "prioritise.check_answers",
    "prioritise.comment",
    "prioritise.edit_items",
}


def url_for_rule(rule, values: dict[str, object]) -> str:
    args = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            preferred = PREFERRED.get(name)
            args[name] = preferred if preferred in converter.items else sorted(converter.items)[0]
        elif name == "exercise_id" and rule.endpoint in BUDGET_ROUTES:
            args[name] = values["budget_exercise_id"]
        elif name == "exercise_id" and rule.endpoint == "prioritise.rank":
            args[name] = values["ranking_exercise_id"]
        elif name == "question_id" and rule.endpoint in WRITTEN_ANSWER_ROUTES:
            args[name] = values["text_question_id"]
        else:
            args[name] = values[name]
    path = rule.rule
    for name, value in args.items():
        path = re.sub(rf"<(?:[^:<>]+(?:\([^)]*\))?:)?{name}>", str(value), path)
    return path
