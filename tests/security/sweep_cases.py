"""How a person allowed to would use each POST route of the app, on the demo partnership: the CSRF sweep's
table (tests/security/test_csrf_sweep.py).

Every POST rule has a row, keyed by the rule. Most rows say only where the form is and what a person types
into it; the page supplies the rest (hidden fields, the choices already made, the token), so a row stays
valid when its form gains a field. ``steps`` bring the data or the visitor to where the form is shown
(a draft to publish, a sheet to correct, a resident who has answered), each through the real pages with a
token. Paths are filled from the demo's ids (``tests.security.routes.demo_values``) and what the steps
made. Which field names a person types into is the only hand-written part.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
from sqlalchemy import func, select

from engage.api.models import ApiToken
from engage.boards.models import AccountableMember
from engage.extensions import db
from engage.jobs.models import Job, JobStatus
from engage.prioritise.models import Respondent
from engage.workshops.models import PaperSheet
from tests.security.csrf_sweep import Case, Sweep
from tests.security.page_forms import PageForm

DATA = Path(__file__).resolve().parent.parent / "data"


def upload(name: str) -> tuple[bytes, str]:
    """A file to attach: its bytes and name (a fresh stream is made for each post)."""
    return (DATA / name).read_bytes(), name


def _last_id(model: type) -> int:
    return db.session.scalar(select(func.max(model.id)))


def _location_id(response) -> int:
    return int(response.location.rstrip("/").rsplit("/", 1)[1])


# What people type, when it depends on the form's own field names.

#: A choice between two: the left one, with no reason for skipping (only asked of those who skip).
LEFT, NO_SKIP_REASON = ("choice", "left"), {"skip_reason": []}


def _first_three_places(form: PageForm, sweep: Sweep) -> dict:
    places = [c.name for c in form.controls if c.name.startswith("place-")]
    return {name: str(n) for n, name in enumerate(places[:3], start=1)}


def _first_answer_tagged(form: PageForm, sweep: Sweep) -> dict:
    return {"answer": next(c.value for c in form.controls if c.name == "answer")}


def _one_more_translation(form: PageForm, sweep: Sweep) -> dict:
    blank = next(c.name for c in form.controls if c.tag == "textarea" and not c.value)
    return {blank: "Testun wedi'i gyfieithu"}


#: Weights from the demo's open pairwise exercise alone (a source with answers).
PAIRWISE_ONLY = {"blend_exercise_{exercise_id}": "100"}


def _what_the_first_item_buys(form: PageForm, sweep: Sweep) -> dict:
    buys = next(c.name for c in form.controls if c.name.endswith("-buys"))
    return {buys: "Two more park rangers"}


def _all_dots_on_the_first_item(form: PageForm, sweep: Sweep) -> dict:
    items = [c.name for c in form.controls if c.name.startswith("item_")]
    return {name: "10" if n == 0 else "0" for n, name in enumerate(items)}


def _first_pair_left(form: PageForm, sweep: Sweep) -> dict:
    return {next(c.name for c in form.controls if c.name.startswith("pair_")): "left"}


def _signed_in(email: str):
    def fill(form: PageForm, sweep: Sweep) -> dict:
        return {"email": email, "password": sweep.passwords[email]}

    return fill


#: The demo board officer: a staff user without two-factor (the sweep's staff pages for their own account).
OFFICER = "officer@aldermoor.example"
NEW_PASSWORD = "a new and long enough passphrase for the sweep"


def _password_again(email: str):
    def fill(form: PageForm, sweep: Sweep) -> dict:
        return {"password": sweep.passwords[email]}

    return fill


def _code_now(form: PageForm, sweep: Sweep) -> dict:
    return {"code": sweep.admin_code()}


def _setup_fill(form: PageForm, sweep: Sweep) -> dict:
    """The code an authenticator app shows for the key the set-up page gives (as shown, spaces and all)."""
    page = sweep.client(OFFICER).get("/account/two-factor/set-up").get_data(as_text=True)
    key = re.search(r'id="setup-key">([^<]+)<', page).group(1)
    return {"code": pyotp.TOTP(key.replace(" ", "")).now()}


# Steps that bring the data or the visitor to where a form is shown.


def officer_sets_up_two_factor(sweep: Sweep) -> None:
    """The officer (the walk's ``user_id``) turns on two-factor, so an administrator has one to reset."""
    sweep.submit(OFFICER, "/account/two-factor/set-up", fill=_setup_fill)


def password_first(sweep: Sweep) -> None:
    """The administrator's password, typed on the sign-in page: the code page comes next."""
    sweep.submit("visitor", "/sign-in", fill=_signed_in("admin@aldermoor.example"))


def vote_once(sweep: Sweep) -> None:
    sweep.submit("resident", "/exercises/{exercise_id}/vote", button=LEFT, fill=NO_SKIP_REASON)


def vote_like_a_machine(sweep: Sweep) -> None:
    """Ten quick choices: the activity page lists them as "choices at a machine's pace"."""
    for _ in range(10):
        vote_once(sweep)


def exclude_the_machine(sweep: Sweep) -> None:
    vote_like_a_machine(sweep)
    sweep.submit(
        "admin",
        "/manage/exercises/{exercise_id}/activity",
        "/manage/exercises/{exercise_id}/exclusions",
        fill={"reason": "Ten choices in under a second each"},
    )
    query = select(Respondent.id).where(Respondent.excluded_at.is_not(None))
    sweep.made["new_respondent_id"] = db.session.scalar(query.order_by(Respondent.id.desc()))


def a_failed_download(sweep: Sweep) -> None:
    """The administrator asks for a download, and it fails (so "Try again" is offered)."""
    sweep.submit("admin", "/manage/downloads/new/consultation_responses/{consultation_id}.csv")
    job = db.session.get(Job, _last_id(Job))
    job.status = JobStatus.FAILED
    db.session.commit()
    sweep.made["new_job_id"] = job.id


def allocate(sweep: Sweep) -> None:
    sweep.submit("resident", "/exercises/{budget_exercise_id}/allocate")


def allocate_and_send(sweep: Sweep) -> None:
    allocate(sweep)
    sweep.submit("resident", "/exercises/{budget_exercise_id}/check")


def answer_every_page(sweep: Sweep) -> None:
    """A resident answers the open consultation's pages (the first choice of each set of radios)."""
    for number in (1, 2, 3):
        sweep.submit("resident", f"/consultations/{{consultation_id}}/sections/{number}")


def answer_and_send(sweep: Sweep) -> None:
    answer_every_page(sweep)
    sweep.submit("resident", "/consultations/{consultation_id}/check")
    sent = sweep.session_of(sweep.client("resident"))["consultation_reference"]
    sweep.made["new_reference"] = sent["reference"]


def save_for_later(sweep: Sweep) -> None:
    sweep.app.config["ENGAGE_SMTP_HOST"] = "smtp.sweep.example"  # email is set up (sending is recorded)
    sweep.submit("resident", "/consultations/{consultation_id}/sections/1", button=("later", "1"))


def close_the_consultation(sweep: Sweep) -> None:
    page = "/manage/consultations/{consultation_id}"
    sweep.submit("admin", page, "/manage/consultations/{consultation_id}/close")


def issue_a_token(sweep: Sweep) -> None:
    sweep.submit("admin", "/manage/api-tokens", fill={"name": "Sweep reader"})
    sweep.made["new_token_id"] = _last_id(ApiToken)


def new_budget_exercise(sweep: Sweep) -> None:
    """A budget exercise nobody has answered yet (the demo's has answers, so its amounts are fixed)."""
    created = sweep.submit(
        "admin",
        "/manage/boards/{slug}/exercises/new/budget",
        fill={
            "title": "Sweep pot",
            "question": "Share 100 points",
            "budget_mode": "share",
            "unit": "points",
            "budget_total": "100",
        },
    )
    sweep.made["new_exercise_id"] = int(created.location.split("/")[-2])


def stage_an_upload(sweep: Sweep) -> None:
    staged = sweep.submit("admin", "/manage/indicators", fill={"file": upload("indicators.csv")})
    sweep.made["new_staged_id"] = _location_id(staged)


def draft_weights(sweep: Sweep) -> None:
    draft = sweep.submit("admin", "/manage/boards/{slug}/weights/new", fill=PAIRWISE_ONLY)
    sweep.made["new_draft_id"] = _location_id(draft)


def submitted_weights(sweep: Sweep) -> None:
    """A partnership board's draft, submitted for sign-off (the demo councillor is its accountable member)."""
    draft_weights(sweep)
    sweep.submit("admin", WEIGHTS + "/publish", fill={"confirm": "y"})


COUNCILLOR = "councillor@aldermoor.example"


def grant_the_role(sweep: Sweep) -> None:
    """Someone made an accountable member of the board (not the demo councillor, who signs off in a case)."""
    sweep.submit("admin", "/manage/boards/{slug}/accountable-members", fill={"title": "Vice-chair"})
    sweep.made["new_member_id"] = _last_id(AccountableMember)


def start_round(number: int):
    """The facilitator starts the demo workshop's rounds up to ``number`` (1 pairwise, 2 dot vote,
    3 ranking, 4 a consultation question)."""

    def steps(sweep: Sweep) -> None:
        for started in range(number):
            # Moving on from a running round is confirmed on a page of its own first.
            shown = "/manage/workshops/{session_id}" + ("/next/confirm" if started else "")
            sweep.submit("admin", shown, "/manage/workshops/{session_id}/next")

    return steps


def join_round(number: int):
    def steps(sweep: Sweep) -> None:
        start_round(number)(sweep)
        sweep.submit("resident", "/join/{code}", fill={"label": "Table 3"})

    return steps


def paper_sheet_entered(sweep: Sweep) -> None:
    start_round(1)(sweep)
    sweep.submit("admin", "/manage/workshops/{session_id}/paper", fill=_first_pair_left)
    sweep.made["new_sheet_id"] = _last_id(PaperSheet)


def wall_answer_sent(sweep: Sweep) -> None:
    """A free-text round is added to the demo workshop and started, and a resident's answer waits on the
    facilitator's wall."""
    from engage.surveys.models import Consultation, ConsultationStatus, QuestionKind
    from engage.workshops.models import WallEntry, WorkshopRound

    consultation = db.session.scalar(
        select(Consultation).where(Consultation.status == ConsultationStatus.OPEN)
    )
    text = next(q for q in consultation.questions if q.kind is QuestionKind.LONG_TEXT)
    sweep.submit("admin", WORKSHOP, WORKSHOP + "/rounds", fill={"exercise": f"question-{text.id}"})
    rounds = db.session.scalar(select(func.count()).select_from(WorkshopRound))
    join_round(rounds)(sweep)
    sweep.submit("resident", ROOM, ROOM + "/question", fill={"answer": "More buses after 8pm"})
    sweep.made["new_round_id"] = _last_id(WorkshopRound)
    sweep.made["new_entry_id"] = _last_id(WallEntry)


#: The facilitator's controls (the rule is long).
WORKSHOP_CONTROLS = (
    "/manage/workshops/<int:session_id>/<any(next, pause, resume, reveal, hide, timer, extend, end):action>"
)
CONSULTATION = "/manage/consultations/{consultation_id}"
WEIGHTS = "/manage/weights/{new_draft_id}"
WORKSHOP = "/manage/workshops/{session_id}"
ROOM = "/join/{code}"

#: {rule: how to use it}. Who: the demo administrator unless ``who`` says otherwise.
CASES: dict[str, Case] = {
    # Accounts
    "/sign-in": Case("/sign-in", who="visitor", fill=_signed_in("officer@aldermoor.example")),
    "/sign-out": Case("/manage", "/sign-out"),
    "/sign-in/code": Case(
        "/sign-in/code",
        who="visitor",
        steps=password_first,
        fill=lambda form, sweep: {"code": sweep.admin_code()},
    ),
    "/account/password": Case(
        "/account/password",
        who=OFFICER,
        fill=lambda form, sweep: {
            "current_password": sweep.passwords[OFFICER],
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    ),
    "/account/sign-out-elsewhere": Case(
        "/account/sign-out-elsewhere", who=OFFICER, fill=_password_again(OFFICER)
    ),
    "/account/two-factor/set-up": Case("/account/two-factor/set-up", who=OFFICER, fill=_setup_fill),
    "/account/two-factor/recovery-codes": Case(
        "/account/two-factor/recovery-codes", fill=_password_again("admin@aldermoor.example")
    ),
    "/account/two-factor/turn-off": Case(
        "/account/two-factor/turn-off", fill=_password_again("admin@aldermoor.example")
    ),
    "/manage/users/<int:user_id>/two-factor/reset": Case(
        "/manage/users/{user_id}/edit",
        "/manage/users/{user_id}/two-factor/reset",
        steps=officer_sets_up_two_factor,
    ),
    "/manage/organisations/new": Case("/manage/organisations/new", fill={"name": "Aldermoor Youth Trust"}),
    "/manage/organisations/<int:organisation_id>/edit": Case(
        "/manage/organisations/{organisation_id}/edit", fill={"name": "Aldermoor Council"}
    ),
    "/manage/users/new": Case(
        "/manage/users/new",
        fill={
            "name": "Sam Sweep",
            "email": "sam.sweep@aldermoor.example",
            "organisation_id": "{organisation_id}",
            "roles": "analyst",
            "password": "a long enough passphrase for sam",
        },
    ),
    "/manage/users/<int:user_id>/edit": Case(
        "/manage/users/{user_id}/edit", fill={"name": "Alex Admin-Jones"}
    ),
    "/manage/api-tokens": Case("/manage/api-tokens", fill={"name": "Police data warehouse"}),
    # Downloads prepared as jobs
    "/manage/downloads/new/<kind>/<int:target>.<fmt>": Case(
        "/manage/downloads/new/consultation_responses/{consultation_id}.xlsx"
    ),
    "/manage/reports/boards/<slug>/pack.<any(pdf, xlsx):fmt>": Case(
        "/manage/reports/boards/{slug}/pack.xlsx"
    ),
    "/manage/reports/organisations/<int:organisation_id>/report.<any(pdf, xlsx):fmt>": Case(
        "/manage/reports/organisations/{organisation_id}/report.xlsx"
    ),
    "/manage/downloads/<int:job_id>/retry": Case(
        "/manage/downloads", "/manage/downloads/{new_job_id}/retry", steps=a_failed_download
    ),
    "/manage/api-tokens/<int:token_id>/revoke": Case(
        "/manage/api-tokens", "/manage/api-tokens/{new_token_id}/revoke", steps=issue_a_token
    ),
    # Boards and priorities
    "/manage/boards/new": Case(
        "/manage/boards/new",
        fill={"name": "Safer Aldermoor", "short_code": "SAF", "remit": "Community safety."},
    ),
    "/manage/boards/<slug>/edit": Case("/manage/boards/{slug}/edit", fill={"remit": "The statutory board."}),
    "/manage/boards/<slug>/priorities/new": Case(
        "/manage/boards/{slug}/priorities/new",
        fill={"code": "HWB-SLEEP", "title": "Better sleep", "description": "Help people sleep well."},
    ),
    "/manage/boards/<slug>/priorities/<int:priority_id>/edit": Case(
        "/manage/boards/{slug}/priorities/{priority_id}/edit",
        fill={"title": "More people active, more often"},
    ),
    "/manage/boards/<slug>/priorities/<int:priority_id>/<any(archive, restore):action>": Case(
        "/manage/boards/{slug}", "/manage/boards/{slug}/priorities/{priority_id}/archive"
    ),
    # Indicators and population
    "/manage/indicators": Case("/manage/indicators", fill={"file": upload("indicators.csv")}),
    "/manage/indicators/imports/<int:import_id>": Case(
        "/manage/indicators/imports/{new_staged_id}", steps=stage_an_upload
    ),
    "/manage/indicators/<int:indicator_id>/owner": Case(
        "/manage/indicators/{indicator_id}",
        "/manage/indicators/{indicator_id}/owner",
        fill={"owner": "{organisation_id}"},
    ),
    "/manage/indicators/<int:indicator_id>/values/new": Case(
        "/manage/indicators/{indicator_id}/values/new", fill={"period": "2026/27 Q1", "actual": "12.5"}
    ),
    "/manage/indicators/<int:indicator_id>/values/<int:value_id>": Case(
        "/manage/indicators/{indicator_id}/values/{value_id}", fill={"actual": "99"}
    ),
    "/manage/population": Case("/manage/population", fill={"file": upload("population.csv")}),
    # Exercises: residents
    "/exercises/<int:exercise_id>/vote": Case(
        "/exercises/{exercise_id}/vote", who="resident", button=LEFT, fill=NO_SKIP_REASON
    ),
    "/exercises/<int:exercise_id>/undo": Case(
        "/exercises/{exercise_id}/vote", "/exercises/{exercise_id}/undo", who="resident", steps=vote_once
    ),
    "/exercises/<int:exercise_id>/suggest": Case(
        "/exercises/{exercise_id}/finish",
        "/exercises/{exercise_id}/suggest",
        who="resident",
        fill={"text": "A bench at every bus stop"},
    ),
    "/exercises/<int:exercise_id>/about-you": Case(
        "/exercises/{exercise_id}/finish",
        "/exercises/{exercise_id}/about-you",
        who="resident",
        steps=vote_once,
    ),
    "/exercises/<int:exercise_id>/allocate": Case(
        "/exercises/{budget_exercise_id}/allocate", who="resident", effect="session"
    ),
    # Works out the running total as the resident types (htmx); it stores nothing.
    "/exercises/<int:exercise_id>/allocate/total": Case(
        "/exercises/{budget_exercise_id}/allocate",
        "/exercises/{budget_exercise_id}/allocate/total",
        who="resident",
        headers={"HX-Request": "true"},
        shows="Your total",
    ),
    "/exercises/<int:exercise_id>/rank": Case(
        "/exercises/{ranking_exercise_id}/rank", who="resident", fill=_first_three_places, effect="session"
    ),
    "/exercises/<int:exercise_id>/check": Case(
        "/exercises/{budget_exercise_id}/check", who="resident", steps=allocate
    ),
    "/exercises/<int:exercise_id>/comment": Case(
        "/exercises/{budget_exercise_id}/your-answer",
        "/exercises/{budget_exercise_id}/comment",
        who="resident",
        steps=allocate_and_send,
        fill={"text": "Keep the recycling centres open"},
    ),
    # Exercises: officers
    "/manage/boards/<slug>/exercises/new": Case(
        "/manage/boards/{slug}/exercises/new",
        fill={"title": "Sweep pairs", "question": "Which matters more?"},
    ),
    "/manage/boards/<slug>/exercises/new/<any(budget, ranking):kind>": Case(
        "/manage/boards/{slug}/exercises/new/ranking",
        fill={"title": "Sweep ranking", "question": "Put these in order"},
    ),
    "/manage/exercises/<int:exercise_id>/edit": Case(
        "/manage/exercises/{exercise_id}/edit", fill={"title": "What matters most to you?"}
    ),
    "/manage/exercises/<int:exercise_id>/items": Case(
        "/manage/exercises/{new_exercise_id}/items", steps=new_budget_exercise, fill=_what_the_first_item_buys
    ),
    "/manage/exercises/<int:exercise_id>/<any(open, close):action>": Case(
        "/manage/exercises/{exercise_id}", "/manage/exercises/{exercise_id}/close"
    ),
    "/manage/suggestions/<int:suggestion_id>/<any(approve, merge, reject):action>": Case(
        "/manage/exercises/{exercise_id}/suggestions", "/manage/suggestions/{suggestion_id}/approve"
    ),
    "/manage/exercises/<int:exercise_id>/exclusions": Case(
        "/manage/exercises/{exercise_id}/activity",
        "/manage/exercises/{exercise_id}/exclusions",
        steps=vote_like_a_machine,
        fill={"reason": "Ten choices in under a second each"},
    ),
    "/manage/exercises/<int:exercise_id>/exclusions/<int:respondent_id>/include": Case(
        "/manage/exercises/{exercise_id}/activity",
        "/manage/exercises/{exercise_id}/exclusions/{new_respondent_id}/include",
        steps=exclude_the_machine,
    ),
    # Consultations: residents
    "/consultations/<int:consultation_id>/sections/<int:number>": Case(
        "/consultations/{consultation_id}/sections/1", who="resident"
    ),
    # Tells the page which questions appear or go as an answer changes (htmx); it stores nothing.
    "/consultations/<int:consultation_id>/sections/<int:number>/changed": Case(
        "/consultations/{consultation_id}/sections/1",
        "/consultations/{consultation_id}/sections/1/changed",
        who="resident",
        headers={"HX-Request": "true", "HX-Trigger": "question-{question_id}"},
        shows="hx-swap-oob",
    ),
    "/consultations/<int:consultation_id>/check": Case(
        "/consultations/{consultation_id}/check", who="resident", steps=answer_every_page
    ),
    "/consultations/<int:consultation_id>/about-you": Case(
        "/consultations/{consultation_id}/confirmation",
        "/consultations/{consultation_id}/about-you",
        who="resident",
        steps=answer_and_send,
    ),
    "/consultations/<int:consultation_id>/delete-response": Case(
        "/consultations/{consultation_id}/delete-response",
        who="resident",
        steps=answer_and_send,
        fill={"reference": "{new_reference}"},
    ),
    "/consultations/<int:consultation_id>/saved": Case(
        "/consultations/{consultation_id}/saved",
        who="resident",
        steps=save_for_later,
        fill={"email": "resident@example.org"},
        effect="mail",
    ),
    # Consultations: officers
    "/manage/consultations/new": Case(
        "/manage/consultations/new", fill={"title": "Partnership plan", "summary": "Tell us."}
    ),
    "/manage/boards/<slug>/consultations/new": Case(
        "/manage/boards/{slug}/consultations/new", fill={"title": "Sweep consultation", "summary": "Tell us."}
    ),
    "/manage/consultations/<int:consultation_id>/edit": Case(
        CONSULTATION + "/edit", fill={"title": "Your health services"}
    ),
    "/manage/consultations/<int:consultation_id>/sections/new": Case(
        CONSULTATION + "/sections/new", fill={"title": "About your area"}
    ),
    "/manage/sections/<int:section_id>/edit": Case(
        "/manage/sections/{section_id}/edit", fill={"title": "How you use services"}
    ),
    "/manage/sections/<int:section_id>/questions/new": Case(
        "/manage/sections/{section_id}/questions/new",
        fill={"label": "Which pharmacy do you use?", "options": "Boots\nLloyds\nAn independent one"},
    ),
    "/manage/questions/<int:question_id>/edit": Case(
        "/manage/questions/{question_id}/edit", fill={"label": "How do you contact your GP practice?"}
    ),
    "/manage/questions/<int:question_id>/move/<any(up, down):direction>": Case(
        CONSULTATION, "/manage/questions/{question_id}/move/down"
    ),
    "/manage/sections/<int:section_id>/move/<any(up, down):direction>": Case(
        CONSULTATION, "/manage/sections/{section_id}/move/down"
    ),
    "/manage/consultations/<int:consultation_id>/duplicate": Case(CONSULTATION, CONSULTATION + "/duplicate"),
    "/manage/consultations/<int:consultation_id>/<any(open, close):action>": Case(
        CONSULTATION, CONSULTATION + "/close"
    ),
    "/manage/consultations/<int:consultation_id>/publish": Case(
        CONSULTATION,
        CONSULTATION + "/publish",
        steps=close_the_consultation,
        fill={"we_did": "We have funded a call-back service."},
    ),
    "/manage/exercises/<int:exercise_id>/translations/<locale>": Case(
        "/manage/exercises/{exercise_id}/translations/pl", fill=_one_more_translation
    ),
    "/manage/boards/<slug>/translations/<locale>": Case(
        "/manage/boards/{slug}/translations/pl", fill=_one_more_translation
    ),
    "/manage/weights/<int:weight_set_id>/translations/<locale>": Case(
        "/manage/weights/{weight_set_id}/translations/cy", fill=_one_more_translation
    ),
    "/manage/consultations/<int:consultation_id>/translations/<locale>": Case(
        CONSULTATION + "/translations/cy", fill=_one_more_translation
    ),
    "/manage/consultations/<int:consultation_id>/paper": Case(
        CONSULTATION + "/paper", fill={"sheet": "S-101"}
    ),
    "/manage/consultation-responses/<int:response_id>/check": Case(
        "/manage/consultation-responses/{response_id}/check"
    ),
    "/manage/consultation-responses/<int:response_id>/delete": Case(
        "/manage/consultations/{published_id}/paper/sheets",
        "/manage/consultation-responses/{response_id}/delete",
    ),
    "/manage/questions/<int:question_id>/themes": Case(
        "/manage/questions/{text_question_id}/written-answers",
        "/manage/questions/{text_question_id}/themes",
        fill={"name": "Parking at the surgery"},
    ),
    "/manage/questions/<int:question_id>/written-answers/tag": Case(
        "/manage/questions/{text_question_id}/written-answers",
        "/manage/questions/{text_question_id}/written-answers/tag",
        fill=_first_answer_tagged,
        button=("action", "add"),
    ),
    # Weights
    "/manage/boards/<slug>/weights/new": Case("/manage/boards/{slug}/weights/new", fill=PAIRWISE_ONLY),
    "/manage/weights/<int:weight_set_id>/edit": Case(
        WEIGHTS + "/edit", steps=draft_weights, fill={"population_weighting": "y"}
    ),
    "/manage/weights/<int:weight_set_id>/publish": Case(
        WEIGHTS + "/publish", steps=draft_weights, fill={"confirm": "y"}
    ),
    "/manage/weights/<int:weight_set_id>/delete": Case(WEIGHTS, WEIGHTS + "/delete", steps=draft_weights),
    "/manage/weights/<int:weight_set_id>/sign-off/approve": Case(
        WEIGHTS + "/sign-off",
        WEIGHTS + "/sign-off/approve",
        who=COUNCILLOR,
        steps=submitted_weights,
        fill={"minute_reference": "Board meeting, minute 3"},
    ),
    "/manage/weights/<int:weight_set_id>/sign-off/send-back": Case(
        WEIGHTS + "/sign-off",
        WEIGHTS + "/sign-off/send-back",
        who=COUNCILLOR,
        steps=submitted_weights,
        fill={"reason": "Leave the workshop answers out"},
    ),
    "/manage/weights/<int:weight_set_id>/sign-off/take-back": Case(
        WEIGHTS, WEIGHTS + "/sign-off/take-back", steps=submitted_weights
    ),
    "/manage/boards/<slug>/accountable-members": Case(
        "/manage/boards/{slug}/accountable-members", fill={"title": "Cabinet member for health"}
    ),
    "/manage/boards/<slug>/accountable-members/<int:member_id>/remove": Case(
        "/manage/boards/{slug}/accountable-members",
        "/manage/boards/{slug}/accountable-members/{new_member_id}/remove",
        steps=grant_the_role,
    ),
    "/manage/weights/<int:weight_set_id>/withdraw": Case(
        "/manage/weights/{weight_set_id}",
        "/manage/weights/{weight_set_id}/withdraw",
        fill={"reason": "Wrong data"},
    ),
    # Workshops: facilitators
    "/manage/boards/<slug>/workshops/new": Case(
        "/manage/boards/{slug}/workshops/new",
        fill={"name": "Sweep evening", "held_on": ["3", "12", "2026"], "venue": "Town hall"},
    ),
    "/manage/workshops/<int:session_id>/rounds": Case(WORKSHOP, WORKSHOP + "/rounds"),
    "/manage/workshops/<int:session_id>/rounds/<int:round_id>/<any(up, down, remove):change>": Case(
        WORKSHOP, WORKSHOP + "/rounds/{round_id}/up"
    ),
    "/manage/workshops/<int:session_id>/screen-link/<any(new, revoke):change>": Case(
        WORKSHOP, WORKSHOP + "/screen-link/new"
    ),
    WORKSHOP_CONTROLS: Case(WORKSHOP, WORKSHOP + "/next"),
    "/manage/workshops/<int:session_id>/rounds/<int:round_id>/notes": Case(
        WORKSHOP + "/rounds/{round_id}/notes", fill={"notes": "Ask the back tables first"}
    ),
    "/manage/workshops/<int:session_id>/wall/<int:entry_id>/<any(show, hide):change>": Case(
        WORKSHOP, WORKSHOP + "/wall/{new_entry_id}/show", steps=wall_answer_sent
    ),
    "/manage/workshops/<int:session_id>/rounds/<int:round_id>/wall/show-waiting": Case(
        WORKSHOP, WORKSHOP + "/rounds/{new_round_id}/wall/show-waiting", steps=wall_answer_sent
    ),
    "/manage/workshops/<int:session_id>/paper": Case(
        WORKSHOP + "/paper", steps=start_round(1), fill=_first_pair_left
    ),
    "/manage/workshops/<int:session_id>/paper/<int:sheet_id>/correct": Case(
        WORKSHOP + "/paper/{new_sheet_id}/correct", steps=paper_sheet_entered, fill={"reason": "Typed twice"}
    ),
    # Workshops: participants
    # Finds the workshop by its code and sends the participant to it; joining is the next page.
    "/join": Case("/join", who="resident", fill={"code": "{code}"}, shows="/join/{code}"),
    "/join/<code>": Case(ROOM, who="resident", fill={"label": "Table 3"}),
    "/join/<code>/vote": Case(
        ROOM, ROOM + "/vote", who="resident", steps=join_round(1), button=LEFT, fill=NO_SKIP_REASON
    ),
    "/join/<code>/answer": Case(
        ROOM, ROOM + "/answer", who="resident", steps=join_round(2), fill=_all_dots_on_the_first_item
    ),
    "/join/<code>/question": Case(ROOM, ROOM + "/question", who="resident", steps=join_round(4)),
}
