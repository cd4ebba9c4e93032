"""``flask --app engage demo``: load the demo partnership into an empty database."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from engage import content
from engage.accounts import service as accounts
from engage.accounts import two_factor
from engage.accounts.models import Organisation, User
from engage.boards import service as boards
from engage.demo.data import (
    BOARDS,
    BUDGET_EXERCISE,
    BUDGET_ITEMS,
    EXERCISE_RUNNERS,
    EXERCISES,
    INDICATOR_COMMENTARY,
    INDICATOR_OWNER_EXCEPTIONS,
    INDICATOR_OWNERS,
    INTRODUCTION,
    ORGANISATIONS,
    RANKING_EXERCISE,
    USERS,
    WELSH_EXERCISE_TEXT,
)
from engage.demo.responses import add_synthetic_responses, tag_demo_themes
from engage.demo.submissions import add_synthetic_submissions
from engage.demo.votes import add_synthetic_votes
from engage.demo.weights import publish_demo_weights
from engage.demo.workshop import load_demo_workshop
from engage.extensions import db
from engage.indicators.entry import person, write_value
from engage.indicators.models import Indicator, IndicatorImport, ValueSource
from engage.indicators.rows import check_figures
from engage.indicators.service import import_rows, preview_rows
from engage.population.service import import_population
from engage.prioritise import service as exercises
from engage.prioritise.budget.setup import ItemBudget, save_item_budgets
from engage.prioritise.models import (
    BudgetMode,
    BudgetUnit,
    Exercise,
    ExerciseKind,
    ExerciseStatus,
    Threshold,
)
from engage.surveys import authoring
from engage.surveys.models import Consultation, ConsultationStatus, Question, QuestionKind

#: The demo consultation's three pages: (kind, question, options, asked only of those who chose this option
#: of the first question, or None). Every kind of question is here.
#: Each page's questions: (kind, label, options, the first question's answer it is shown after).
CONSULTATION_QUESTIONS: list[list[tuple[QuestionKind, str, list[str] | None, str | None]]] = [
    [
        (
            QuestionKind.SINGLE,
            "How do you usually contact your GP practice?",
            ["In person", "By phone", "Online"],
            None,
        ),
        (
            QuestionKind.MULTIPLE,
            "Which of these have you used in the last year?",
            ["Pharmacy", "Walk-in centre", "Leisure centre", "Stop smoking service"],
            None,
        ),
        (QuestionKind.AGREEMENT, "Health services in Aldermoor are easy to get to", None, None),
        (QuestionKind.RATING, "How would you rate your GP practice?", None, None),
    ],
    [
        (QuestionKind.IMPORTANCE, "How important is each of the board's priorities to you?", None, None),
        (
            QuestionKind.RANKING,
            "Put these ways of spending extra health money in order",
            ["More GP appointments", "Mental health support", "Help to stop smoking", "Community exercise"],
            None,
        ),
        (QuestionKind.LONG_TEXT, "Is there anything else the board should know?", None, None),
    ],
    [
        (QuestionKind.DATE, "When did you last see a GP or nurse?", None, None),
        (
            QuestionKind.NUMBER,
            "How many times have you contacted your GP practice in the last year?",
            None,
            None,
        ),
        (QuestionKind.SHORT_TEXT, "What would make it easier to get through by phone?", None, "By phone"),
    ],
]
PAGE_TITLES = ("Using services", "What matters most", "Your last contact")
#: Welsh for some of the open consultation's own text, as its officer would enter it (the rest shows in
#: English, marked as English).
WELSH = {
    "Your health and wellbeing services": "Eich gwasanaethau iechyd a lles",
    "Tell us how you use health and wellbeing services in Aldermoor and what matters to you.": (
        "Dywedwch wrthym sut rydych yn defnyddio gwasanaethau iechyd a lles yn Aldermoor "
        "a beth sy’n bwysig i chi."
    ),
    "Using services": "Defnyddio gwasanaethau",
    "What matters most": "Beth sydd bwysicaf",
    "How do you usually contact your GP practice?": "Sut rydych chi fel arfer yn cysylltu â’ch meddygfa?",
    "In person": "Wyneb yn wyneb",
    "By phone": "Dros y ffôn",
    "Online": "Ar-lein",
    "How would you rate your GP practice?": "Sut fyddech chi’n graddio’ch meddygfa?",
}

#: The demo area's population (a copy of the sample partners' systems produce), for weighting results.
POPULATION = Path(__file__).resolve().parent.parent / "demo_data" / "population.csv"
INDICATORS = Path(__file__).resolve().parent.parent / "demo_data" / "indicators.csv"
#: The same indicators' earlier quarters.
INDICATOR_HISTORY = INDICATORS.with_name("indicators_history.csv")


def database_is_empty() -> bool:
    """True when there are no organisations, users or boards yet."""
    from engage.boards.models import Board

    return all(
        db.session.scalar(select(func.count()).select_from(m)) == 0 for m in (Organisation, User, Board)
    )


def load_demo() -> tuple[dict[str, str], DemoTwoFactor]:
    """Create the demo partnership. Returns each demo user's email and generated password, and the demo
    administrator's two-factor key and recovery codes (administrators must use two-factor)."""
    orgs = {name: accounts.save_organisation(None, name=name, kind=kind) for name, kind in ORGANISATIONS}
    for name, slug, code, kind, remit, members, priorities in BOARDS:
        board = boards.save_board(
            None,
            name=name,
            slug=slug,
            short_code=code,
            remit=remit,
            kind=kind,
            members=[orgs[m] for m in members],
        )
        for p_code, title, description in priorities:
            boards.save_priority(board, None, code=p_code, title=title, description=description)
    passwords = {}
    users = {}
    for email, name, org, roles in USERS:
        password = secrets.token_urlsafe(12)
        users[email] = accounts.create_user(
            email=email, name=name, password=password, organisation=orgs[org], roles=roles
        )
        passwords[email] = password
    admin_two_factor = _enrol_two_factor(users["admin@aldermoor.example"])
    import_population(POPULATION.read_text(encoding="utf-8"))
    _load_exercises(orgs, users)
    publish_demo_weights(
        users["analyst@aldermoor.example"],
        users["admin@aldermoor.example"],
        users["councillor@aldermoor.example"],
    )
    hwb_pairwise = db.session.scalar(
        select(Exercise).where(Exercise.kind == ExerciseKind.PAIRWISE, Exercise.status == ExerciseStatus.OPEN)
    )
    load_demo_workshop(
        users["officer@aldermoor.example"], users["facilitator@aldermoor.example"], hwb_pairwise
    )
    # The earlier quarters first (a trend to report), then the latest figures.
    for export in (INDICATOR_HISTORY, INDICATORS):
        import_rows(IndicatorImport(filename=export.name), preview_rows(export.read_bytes(), None, None))
    for indicator in db.session.scalars(select(Indicator)):
        owner = INDICATOR_OWNER_EXCEPTIONS.get(indicator.reference)
        indicator.owner = orgs[owner or INDICATOR_OWNERS[indicator.priority.board.short_code]]
    _add_commentary(users)
    return passwords, admin_two_factor


def _add_commentary(users: dict) -> None:
    """Two partners' staff explain their latest figures, as on the entry form (each value's history shows
    the import, then their correction)."""
    for email, reference, text in INDICATOR_COMMENTARY:
        indicator = db.session.execute(select(Indicator).where(Indicator.reference == reference)).scalar_one()
        value = indicator.values[-1]
        figures = check_figures(
            {
                "period": value.period,
                "actual": repr(value.actual),
                "target": "" if value.target is None else repr(value.target),
                "polarity": indicator.polarity.value,
                "status": value.status.value if value.status else "",
                "commentary": text,
            }
        )
        user = users[email]
        write_value(indicator, figures, source=ValueSource.FORM, actor=person(user), user=user)


@dataclass(frozen=True)
class DemoTwoFactor:
    email: str
    key: str
    recovery_codes: list[str]


def _enrol_two_factor(user) -> DemoTwoFactor:
    """Set up two-factor for a demo user with a new key, as if they had scanned it in."""
    key = two_factor.new_secret()
    codes = two_factor.enable(user, key, step=0)
    return DemoTwoFactor(user.email, key, codes)


def _load_exercises(orgs: dict, users: dict) -> None:
    """Open pairwise (showing the standings after finishing), budget and ranking exercises and a closed
    pairwise one with public results, each with synthetic answers; an open consultation and a published
    one."""
    officer = users["officer@aldermoor.example"]
    for slug, title, question, status in EXERCISES:
        board = boards.get_board(slug)
        assert board is not None, f"the demo loads board {slug} first"
        runner = orgs[EXERCISE_RUNNERS[slug]] if slug in EXERCISE_RUNNERS else officer.organisation
        exercise = exercises.save_exercise(
            None,
            board=board,
            organisation_id=runner.id,
            user=officer,
            title=title,
            question=question,
            introduction=INTRODUCTION,
            priorities=board.active_priorities,
            opens_at=None,
            closes_at=None,
            allow_suggestions=True,
            results_public=True,
            show_standings=status is ExerciseStatus.OPEN,
        )
        if slug == "health-and-wellbeing":
            _translate(board, "cy", WELSH_EXERCISE_TEXT)
            _translate(exercise, "cy", WELSH_EXERCISE_TEXT)
        exercises.set_status(exercise, ExerciseStatus.OPEN)
        add_synthetic_votes(exercise, respondents=250 if status is ExerciseStatus.OPEN else 120)
        if status is ExerciseStatus.CLOSED:
            exercises.set_status(exercise, ExerciseStatus.CLOSED)
    _load_budget_exercise(officer)
    _load_ranking_exercise(officer)
    _load_consultations(officer)


def _translate(thing, locale: str, known: dict[str, str]) -> None:
    """Translate each of the thing's texts that ``known`` has ({English: translation})."""
    content.save(
        thing,
        locale,
        {text.key: known[text.english] for text in content.texts(thing) if text.english in known},
    )


def _common(board, officer, title: str, question: str) -> dict:
    return {
        "board": board,
        "organisation_id": officer.organisation_id,
        "user": officer,
        "title": title,
        "question": question,
        "introduction": INTRODUCTION,
        "priorities": board.active_priorities,
        "opens_at": None,
        "closes_at": None,
        "allow_suggestions": False,
        "results_public": True,
        "show_comparison": True,
    }


def _load_budget_exercise(officer) -> None:
    """An open budget exercise in rebalance mode, in money, with a total that may move, and answers."""
    slug, title, question, low, high, households, step = BUDGET_EXERCISE
    board = boards.get_board(slug)
    exercise = exercises.save_exercise(
        None,
        kind=ExerciseKind.BUDGET,
        budget_mode=BudgetMode.REBALANCE,
        unit=BudgetUnit.MONEY,
        total_min=low,
        total_max=high,
        band_d_households=households,
        **_common(board, officer, title, question),
    )
    budgets = {}
    for item in exercise.active_items:
        assert item.priority is not None, "every demo budget item is one of the board's priorities"
        current, least, buys, consequences = BUDGET_ITEMS[item.priority.code]
        budgets[item.id] = ItemBudget(
            current_amount=current,
            minimum=least or None,
            step=step,
            buys=buys,
            consequences=[(Threshold(direction), amount, text) for direction, amount, text in consequences],
        )
    save_item_budgets(exercise, budgets)
    exercises.set_status(exercise, ExerciseStatus.OPEN)
    add_synthetic_submissions(exercise, respondents=300)


def _load_ranking_exercise(officer) -> None:
    """An open ranking exercise (top 3), with answers."""
    slug, title, question, top_n = RANKING_EXERCISE
    board = boards.get_board(slug)
    exercise = exercises.save_exercise(
        None, kind=ExerciseKind.RANKING, rank_top_n=top_n, **_common(board, officer, title, question)
    )
    exercises.set_status(exercise, ExerciseStatus.OPEN)
    add_synthetic_submissions(exercise, respondents=300)


def _build_consultation(officer, title: str, summary: str) -> Consultation:
    """The demo consultation's details, two pages and their questions (a question of most kinds)."""
    board = boards.get_board("health-and-wellbeing")
    consultation = authoring.save_consultation(
        None,
        board=board,
        organisation_id=officer.organisation_id,
        user=officer,
        title=title,
        summary=summary,
        audience="Anyone who lives, works or studies in Aldermoor.",
        purpose="The Health and Wellbeing Board will use your answers to plan next year's services.",
    )
    first: Question | None = None
    for page, section_title in enumerate(PAGE_TITLES):
        section = authoring.save_section(consultation, None, title=section_title)
        for kind, label, options, condition in CONSULTATION_QUESTIONS[page]:
            shown_if = (
                next(o.id for o in first.options if o.label == condition) if condition and first else None
            )
            question = authoring.save_question(
                section,
                None,
                kind=kind,
                label=label,
                options=options,
                required=False,
                show_if_option_id=shown_if,
                min_value=0 if kind is QuestionKind.NUMBER else None,
                max_value=365 if kind is QuestionKind.NUMBER else None,
            )
            first = first or question
    return consultation


def _load_consultations(officer) -> None:
    """An open consultation, and last year's, closed and published with 3,000 synthetic responses (one in ten
    on paper) and its written answers partly tagged with themes."""
    current = _build_consultation(
        officer,
        "Your health and wellbeing services",
        "Tell us how you use health and wellbeing services in Aldermoor and what matters to you.",
    )
    authoring.set_status(current, ConsultationStatus.OPEN)
    _translate(current, "cy", WELSH)
    last_year = _build_consultation(
        officer,
        "Health and wellbeing services 2025",
        "Last year we asked how you use health and wellbeing services and what matters to you.",
    )
    authoring.set_status(last_year, ConsultationStatus.OPEN)
    add_synthetic_responses(last_year, respondents=3000)
    authoring.set_status(last_year, ConsultationStatus.CLOSED)
    authoring.publish(
        last_year,
        "You told us getting through to a GP practice by phone was hard. The board has funded a shared "
        "call-back service for all practices from April 2026, and will report on waiting times each quarter.",
    )
    tag_demo_themes(last_year)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has data.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Load the demo partnership: partners, four themed boards, their priorities and a user per role."""
    if not database_is_empty():
        message = "The database already has data, so the demo was not loaded."
        if if_empty:
            click.echo(message)
            return
        raise click.ClickException(message + " Use an empty database.")
    passwords, admin = load_demo()
    click.echo("Loaded the demo partnership. Sign in with one of these (shown once; they are stored hashed):")
    width = max(len(email) for email in passwords)
    for email, password in passwords.items():
        click.echo(f"  {email.ljust(width)}  {password}")
    click.echo("Forgotten one? flask --app engage set-password EMAIL")
    click.echo(
        f"Administrators use two-factor authentication. After the password, {admin.email} enters a code from "
        "an authenticator app given this key (time-based, 6 digits), or one of the recovery codes:"
    )
    click.echo(f"  Authenticator key: {admin.key}")
    click.echo(f"  Recovery codes (each works once): {' '.join(admin.recovery_codes)}")
    one_liner = f"import pyotp; print(pyotp.TOTP('{admin.key}').now())"
    click.echo(f'  No app? The current code: .venv/bin/python -c "{one_liner}"')
    from engage.workshops.models import WorkshopSession

    workshop = db.session.execute(select(WorkshopSession)).scalar_one()
    click.echo(
        f"Demo workshop '{workshop.name}' (code {workshop.join_code}): sign in as the facilitator and open "
        "Manage > Health and Wellbeing; residents join at /join."
    )
