"""The accessibility sweep: every page a resident sees, in every language, and the main staff pages.

On the demo partnership, a resident walks every journey (home, boards, weights, each kind of exercise, a
consultation, deleting a response, joining a workshop) at 320 CSS pixels in English, Welsh, Urdu and Polish.
On every page and state (errors included) axe-core (WCAG 2.0-2.2, A and AA) must find nothing, the page
must say its language and direction, and it must fit 320 px and a 640 px window (a 1280 px screen zoomed to
200%) without sideways scrolling. Staff pages are swept once, in English, at desktop width.

Which endpoints each sweep must reach is declared below; `test_every_page_is_swept_or_says_why_not` (no
browser needed) fails when the app gains a GET route that is in none of the lists, and each sweep fails if it
did not actually serve every page it declares.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import request, request_finished
from playwright.sync_api import expect
from sqlalchemy import select

from engage.boards.models import Board
from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseKind, ExerciseStatus
from engage.surveys.models import Consultation, ConsultationResponse, ConsultationStatus
from engage.workshops import service as workshops
from engage.workshops.models import WorkshopSession
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, screenshot, sign_in_as
from tests.test_translations import RESIDENT_LANGUAGES

#: Pages residents see; the sweep visits each in every language.
RESIDENT_PAGES = {
    "public.home",
    "public.accessibility",
    "public.privacy",
    "public.results_archive_page",
    "public.board_results",
    "boards.board",
    "weights.board_weights",
    "weights.published_weights",
    "prioritise.start",
    "prioritise.vote",
    "prioritise.finish",
    "prioritise.thank_you",
    "prioritise.public_results",
    "prioritise.allocate",
    "prioritise.rank",
    "prioritise.check_answers",
    "prioritise.answered",
    "surveys.start",
    "surveys.section",
    "surveys.check",
    "surveys.saved",
    "surveys.resume",
    "surveys.confirmation",
    "surveys.delete_response",
    "surveys.public_results",
    "workshops.enter_code",
    "workshops.room",
}

#: Staff pages, swept in English (staff pages are not translated; the accessibility statement says so).
STAFF_PAGES = {
    "accounts.sign_in",
    "accounts.sign_in_code",
    "accounts.account",
    "accounts.change_password",
    "accounts.sign_out_elsewhere",
    "accounts.new_recovery_codes",
    "accounts.turn_off_two_factor",
    "public.manage_home",
    "accounts.users",
    "accounts.edit_user",
    "accounts.organisations",
    "accounts.edit_organisation",
    "api.api_tokens",
    "audit.audit_log",
    "reports.report_list",
    "reports.organisation",
    "reports.board",
    "boards.manage_boards",
    "boards.manage_board",
    "boards.edit_board",
    "boards.edit_priority",
    "prioritise.manage_exercise",
    "prioritise.edit_exercise",
    "prioritise.edit_items",
    "prioritise.exercise_results",
    "prioritise.moderate",
    "prioritise.activity",
    "surveys.consultation_activity",
    "surveys.manage_consultation",
    "surveys.edit_consultation",
    "surveys.edit_section",
    "surveys.edit_question",
    "surveys.consultation_results",
    "surveys.consultation_crosstab",
    "surveys.written_answers",
    "surveys.paper_entry",
    "surveys.paper_responses",
    "surveys.paper_check",
    "surveys.translate",
    "prioritise.translate_exercise",
    "boards.translate_board",
    "weights.translate_weight_set",
    "weights.manage_weights",
    "weights.weight_set",
    "weights.edit_weight_set",
    "weights.oversight",
    "boards.accountable_members",
    "indicators.upload",
    "indicators.preview",
    "indicators.indicator_list",
    "indicators.indicator",
    "indicators.enter_value",
    "indicators.correct_value",
    "indicators.missing_returns",
    "indicators.trend",
    "population.upload",
    "workshops.new_session",
    "workshops.control",
    "workshops.projector",
    "workshops.paper",
    "workshops.report",
    "workshops.round_notes",
    "jobs.downloads",
    "reports.organisation_download",  # the page asking for the report as a job (the file: Downloads and jobs)
    "reports.board_download",
}

#: GET routes that are not pages of their own, and why.
NOT_PAGES = {
    "static": "files",
    "health.alive": "JSON for load balancers",
    "health.ready": "JSON for load balancers",
    "public.choose_language": "redirects back to the page the resident was on",
    "api.boards": "JSON API",
    "api.openapi": "JSON API description",
    "api.priorities": "JSON API",
    "api.weight_versions": "JSON API",
    "api.weights": "JSON API",
    "indicators.matrix_download": "CSV download",
    "prioritise.download": "CSV, XLSX and Pabulib downloads",
    "surveys.responses_download": "CSV and XLSX downloads",
    "surveys.consultation_crosstab_csv": "CSV download",
    "weights.download_weights": "CSV, JSON and XLSX downloads",
    "weights.download_latest_weights": "CSV, JSON and XLSX downloads",
    "workshops.qr_code": "SVG image of the join address",
    "workshops.room_now": "htmx fragment of workshops.room (swept through the room)",
    "workshops.projector_live": "htmx fragment of workshops.projector (swept through the projector)",
    "workshops.control_live": "htmx fragment of workshops.control (swept through the control page)",
    "workshops.control_wall": "htmx fragment of workshops.control: checked with axe by test_workshop_wall",
    "jobs.prepare": "needs an export to ask for: checked with axe by test_downloads_journey",
    "jobs.progress": "htmx fragment of jobs.downloads (swept through that page)",
    "jobs.download_file": "a file download",
    "workshops.confirm_action": "needs a running round: checked by test_workshop_journeys",
    "workshops.screen": "the presenter view by a projector-only link: checked by test_workshop_presenter",
    "workshops.screen_live": "htmx fragment of workshops.screen",
    "workshops.report_download": "CSV download",
    "workshops.correct_paper": "needs an entered paper sheet: checked by test_workshop_journeys",
    "weights.publish_weight_set": "confirming needs a draft: checked by test_weights_journeys",
    "weights.sign_off_weight_set": "needs a submission waiting: checked by test_weights_journeys",
    "accounts.two_factor_setup": "the demo administrator has two-factor on: see test_two_factor_journeys",
}


def test_every_page_is_swept_or_says_why_not(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    listed = RESIDENT_PAGES | STAFF_PAGES | set(NOT_PAGES)
    assert sorted(routes - listed) == [], "add each new page to the accessibility sweep, or say why not"
    assert sorted(listed - routes) == [], "the sweep lists routes the app no longer has"


def test_the_stylesheet_does_not_lock_the_orientation(page):
    """WCAG 1.3.4 (orientation), which axe checks from the page's stylesheets: every page has the same one
    stylesheet and no other styles, so the rule runs here, once, with the stylesheet loaded (``preload``), and
    the other axe runs skip loading it (conftest's AXE_OPTIONS)."""
    page.goto("/")
    page.add_script_tag(url="/static/build/axe.min.js")
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'rule', values: ['css-orientation-lock']}, preload: true})"
    )
    outcomes = {kind: [r["id"] for r in result[kind]] for kind in ("passes", "violations", "incomplete")}
    # Passed, not merely "incomplete" (what axe says when it could not read the stylesheet).
    assert outcomes == {"passes": ["css-orientation-lock"], "violations": [], "incomplete": []}
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href && new URL(s.href).pathname)")
    assert len(sheets) == 1 and "engage" in sheets[0] and sheets[0].endswith(".css"), sheets


@dataclass
class Demo:
    board: Board
    pairwise: Exercise
    closed_pairwise: Exercise
    budget: Exercise
    ranking: Exercise
    consultation: Consultation
    closed_consultation: Consultation
    workshop: WorkshopSession
    passwords: dict[str, str]
    admin_totp_secret: str


@dataclass
class Sweep:
    """Checks each page and remembers what failed, so one run reports every problem."""

    page: object
    language: str
    served: set[str]
    problems: list[str] = field(default_factory=list)
    widths: tuple[int, ...] = (320, 640)

    def check(self, label: str) -> None:
        page = self.page
        page.wait_for_load_state()
        where = f"{label} [{self.language}]"
        try:
            html = page.locator("html")
            expect(html).to_have_attribute("lang", self.language)
            expect(html).to_have_attribute("dir", "rtl" if self.language == "ur" else "ltr")
            assert_accessible(page, where)
            size = page.viewport_size
            for width in self.widths:
                # Resized only when the width differs (each resize lays the page out again).
                if page.viewport_size != {"width": width, "height": 800}:
                    page.set_viewport_size({"width": width, "height": 800})
                assert_no_horizontal_scroll(page)
            if page.viewport_size != size:
                page.set_viewport_size(size)
        except AssertionError as problem:
            self.problems.append(f"{where}: {problem}")

    def finish(self, expected: set[str]) -> None:
        missing = sorted(expected - self.served)
        assert missing == [], f"the sweep did not reach {missing}"
        assert self.problems == [], "\n\n".join(self.problems)


@pytest.fixture
def demo(demo, app) -> Demo:
    """The demo partnership (conftest's ``demo``), with the things the sweep visits picked out."""
    passwords = demo.passwords
    pairwise = select(Exercise).where(Exercise.kind == ExerciseKind.PAIRWISE)
    by_title = select(Exercise).where(~Exercise.title.startswith("Workshop"))
    consultations = {c.status: c for c in db.session.scalars(select(Consultation))}
    return Demo(
        board=db.session.scalar(select(Board).where(Board.slug == "health-and-wellbeing")),
        pairwise=db.session.scalar(pairwise.where(Exercise.status == ExerciseStatus.OPEN)),
        closed_pairwise=db.session.scalar(pairwise.where(Exercise.status == ExerciseStatus.CLOSED)),
        budget=db.session.scalar(by_title.where(Exercise.kind == ExerciseKind.BUDGET)),
        ranking=db.session.scalar(by_title.where(Exercise.kind == ExerciseKind.RANKING)),
        consultation=consultations[ConsultationStatus.OPEN],
        closed_consultation=consultations[ConsultationStatus.PUBLISHED],
        workshop=db.session.scalar(select(WorkshopSession)),
        passwords=passwords,
        admin_totp_secret=demo.admin_totp_secret,
    )


@pytest.fixture
def served(app) -> Iterator[set[str]]:
    """The endpoints that served an HTML page to the browser."""
    endpoints: set[str] = set()

    def remember(sender, response, **extra):
        if response.mimetype == "text/html" and response.status_code < 500 and request.endpoint:
            endpoints.add(request.endpoint)

    request_finished.connect(remember, app)
    yield endpoints
    request_finished.disconnect(remember, app)


def submit(page, form: str = "main form[method=post]") -> None:
    """Press the form's main button (the first visible one that is not secondary), as a resident would.

    The caller waits for what follows: a new address, or an error summary (htmx may swap it in place).
    """
    page.locator(f"{form} button[type=submit]:not(.govuk-button--secondary):visible").first.click()


@pytest.mark.parametrize("language", ["en", *RESIDENT_LANGUAGES])
def test_every_resident_page_in_every_language(make_page, demo, served, language):
    page = make_page(viewport={"width": 320, "height": 800})
    sweep = Sweep(page, language, served)
    page.goto(f"/language/{language}?next=/")
    sweep.check("home")
    for path in ("/accessibility", "/privacy", "/results", "/no-such-page"):
        page.goto(path)
        sweep.check(path)
    board = f"/boards/{demo.board.slug}"
    for path in (board, f"{board}/results", f"{board}/weights", f"{board}/weights/1"):
        page.goto(path)
        sweep.check(path)

    _pairwise(page, sweep, demo)
    _budget(page, sweep, demo)
    _ranking(page, sweep, demo)
    _consultation(page, sweep, demo)
    _workshop(page, sweep, demo)
    sweep.finish(RESIDENT_PAGES)


def _pairwise(page, sweep: Sweep, demo: Demo) -> None:
    exercise = demo.pairwise.id
    _start(page, sweep, f"/exercises/{exercise}", "/vote", "pairwise")
    if sweep.language == "ur":
        screenshot(page, "pairwise-320px-ur.png")
    for _ in range(3):
        counter = page.locator("#vote-status").inner_text()
        page.locator("button.app-choice").first.click()
        expect(page.locator("#vote-status")).not_to_have_text(counter)
    sweep.check("pairwise vote after three choices (htmx)")
    page.goto(f"/exercises/{exercise}/finish")
    sweep.check("pairwise finish")
    page.goto(f"/exercises/{exercise}/thank-you")
    sweep.check("pairwise thank you")
    page.goto(f"/exercises/{demo.closed_pairwise.id}/results")
    sweep.check("pairwise public results")
    page.goto(f"/exercises/{demo.closed_pairwise.id}/vote")
    sweep.check("pairwise exercise not open")


def _budget(page, sweep: Sweep, demo: Demo) -> None:
    exercise = demo.budget.id
    _start(page, sweep, f"/exercises/{exercise}", "/allocate", "budget")
    if sweep.language == "ur":
        screenshot(page, "budget-320px-ur.png")
    first = page.locator("input.app-amount").first
    amount = first.input_value()
    first.fill("a lot")
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    sweep.check("budget allocation with an error")
    page.locator("input.app-amount").first.fill(amount)
    page.keyboard.press("Tab")
    # Let the running total's requests finish: leaving the page mid-request aborts it, which htmx logs.
    page.wait_for_load_state("networkidle")
    _check_and_send(page, sweep, exercise, "budget")


def _ranking(page, sweep: Sweep, demo: Demo) -> None:
    exercise = demo.ranking.id
    _start(page, sweep, f"/exercises/{exercise}", "/rank", "ranking")
    # Nothing is placed to start with; "Move up" on an item without a place gives it the next one (its error
    # states are checked with JavaScript off in test_budget_ranking_journeys). The resident places their top
    # ones with the buttons and sends.
    unplaced = page.locator("main li.app-ranking__item").filter(
        has=page.locator("select option[value='']:checked")
    )
    for place in range(1, demo.ranking.ranked_places + 1):
        unplaced.last.locator("button[name=move_item][value^=up-]").click()
        expect(page.locator("main select option[value='']:checked")).to_have_count(
            len(demo.ranking.active_items) - place
        )
    expect(page.locator("main [role=status]")).not_to_be_empty()
    sweep.check("ranking after moves (htmx)")
    _check_and_send(page, sweep, exercise, "ranking")


def _start(page, sweep: Sweep, path: str, first_step: str, kind: str) -> None:
    """The start page, then its start button to the first step."""
    page.goto(path)
    sweep.check(f"{kind} start")
    page.locator("a.govuk-button--start").click()
    page.wait_for_url(f"**{path}{first_step}")
    sweep.check(f"{kind} first step")


def _check_and_send(page, sweep: Sweep, exercise: int, kind: str) -> None:
    """Continue to check answers, send, and see the answer beside everyone's."""
    submit(page)
    page.wait_for_url(f"**/exercises/{exercise}/check")
    sweep.check(f"{kind} check answers")
    submit(page)
    page.wait_for_url(f"**/exercises/{exercise}/your-answer")
    sweep.check(f"{kind} answer beside everyone's")


def _consultation(page, sweep: Sweep, demo: Demo) -> None:
    consultation = demo.consultation.id
    _start(page, sweep, f"/consultations/{consultation}", "/sections/1", "consultation")
    page.locator("main input[type=radio]").first.check()
    page.locator("main button[name=later]").click()
    page.wait_for_url(f"**/consultations/{consultation}/saved")
    sweep.check("consultation saved to come back later")
    link = page.locator(".app-resume-link").get_attribute("href")
    page.goto(link.rsplit("/", 1)[0] + "/not-the-link")
    sweep.check("consultation come-back link that does not work")
    page.goto(link)
    page.wait_for_url(f"**/consultations/{consultation}/sections/2")
    sweep.check("consultation page 2")
    # A ranking with two options in one place: the error summary names both.
    places = page.locator("main select")
    places.nth(0).select_option("1")
    places.nth(1).select_option("1")
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    sweep.check("consultation ranking with a problem")
    for k in range(places.count()):
        places.nth(k).select_option(str(k + 1))
    submit(page)
    page.wait_for_url(f"**/consultations/{consultation}/sections/3")
    sweep.check("consultation page 3")
    submit(page)
    page.wait_for_url(f"**/consultations/{consultation}/check")
    sweep.check("consultation check answers")
    submit(page)
    page.wait_for_url(f"**/consultations/{consultation}/confirmation")
    sweep.check("consultation confirmation")
    reference = page.locator(".app-reference").inner_text()
    page.goto(f"/consultations/{consultation}/delete-response")
    sweep.check("delete a response")
    page.locator("main input[name=reference]").fill("NOPE-0000")
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    sweep.check("delete a response with a wrong reference")
    page.locator("main input[name=reference]").fill(reference)
    submit(page)
    expect(page.locator(".govuk-panel, .govuk-notification-banner, h1")).not_to_have_count(0)
    sweep.check("response deleted")
    page.goto(f"/consultations/{demo.closed_consultation.id}/results")
    sweep.check("we asked, you said, we did")


def _workshop(page, sweep: Sweep, demo: Demo) -> None:
    page.goto("/join")
    sweep.check("join a workshop")
    page.locator("main input[name=code]").fill("ZZZZZZ")
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    sweep.check("join with a wrong code")
    page.locator("main input[name=code]").fill(demo.workshop.join_code)
    submit(page)
    page.wait_for_url(f"**/join/{demo.workshop.join_code}")
    sweep.check("workshop name")
    submit(page)
    expect(page.locator("main input[name=label]")).to_have_count(0)
    sweep.check("workshop room, waiting")
    workshops.start_next_round(demo.workshop)  # the facilitator starts the pairwise round
    db.session.commit()  # services only flush: the live server reads what this test committed
    page.reload()
    expect(page.locator("button.app-choice").first).to_be_visible()
    sweep.check("workshop room, pairwise round")


def test_main_staff_pages(make_page, demo, served):
    page = make_page()
    sweep = Sweep(page, "en", served, widths=())
    email = "admin@aldermoor.example"
    sign_in_as(page, email, demo.passwords[email], totp_secret=demo.admin_totp_secret, check=sweep.check)
    for path in _staff_paths(demo):
        page.goto(path)
        sweep.check(path)
    sweep.finish(STAFF_PAGES)


def _staff_paths(demo: Demo) -> list[str]:
    from engage.accounts.models import Organisation, User
    from engage.indicators.entry import board_indicators
    from engage.indicators.models import IndicatorImport
    from engage.weights.models import WeightSet

    board = demo.board.slug
    section = demo.consultation.sections[0]
    closed_first = demo.closed_consultation.questions[0]
    written = next(q for q in demo.closed_consultation.questions if q.kind.value == "long_text")
    sheet = db.session.scalar(
        select(ConsultationResponse.id)
        .where(
            ConsultationResponse.consultation_id == demo.closed_consultation.id,
            ConsultationResponse.paper_sheet.is_not(None),
        )
        .order_by(ConsultationResponse.id)
    )
    weight_set = db.session.scalar(select(WeightSet).where(WeightSet.board_id == demo.board.id))
    indicator = next(i for i in board_indicators(demo.board) if i.values)
    return [
        "/manage",
        "/account",
        "/account/password",
        "/account/sign-out-elsewhere",
        "/account/two-factor/recovery-codes",
        "/account/two-factor/turn-off",
        "/manage/users",
        f"/manage/users/{db.session.scalar(select(User.id))}/edit",
        "/manage/organisations",
        f"/manage/organisations/{db.session.scalar(select(Organisation.id))}/edit",
        "/manage/api-tokens",
        "/manage/audit",
        "/manage/reports",
        f"/manage/reports/organisations/{db.session.scalar(select(Organisation.id))}",
        "/manage/reports/organisations/1?start=1&start=13&start=2026&end=&end=&end=",  # with errors
        f"/manage/reports/boards/{board}",
        f"/manage/reports/boards/{board}/pack.pdf",
        f"/manage/reports/organisations/{db.session.scalar(select(Organisation.id))}/report.xlsx",
        "/manage/boards",
        f"/manage/boards/{board}",
        f"/manage/boards/{board}/edit",
        f"/manage/boards/{board}/priorities/new",
        f"/manage/boards/{board}/accountable-members",
        "/manage/oversight",
        f"/manage/exercises/{demo.pairwise.id}",
        f"/manage/exercises/{demo.pairwise.id}/edit",
        f"/manage/exercises/{demo.budget.id}/items",
        f"/manage/exercises/{demo.pairwise.id}/results",
        f"/manage/exercises/{demo.budget.id}/results",
        f"/manage/exercises/{demo.ranking.id}/results",
        f"/manage/exercises/{demo.pairwise.id}/suggestions",
        f"/manage/exercises/{demo.pairwise.id}/activity",
        f"/manage/consultations/{demo.closed_consultation.id}/activity",
        f"/manage/consultations/{demo.consultation.id}",
        f"/manage/consultations/{demo.consultation.id}/edit",
        f"/manage/sections/{section.id}/edit",
        f"/manage/questions/{section.questions[0].id}/edit",
        f"/manage/consultations/{demo.closed_consultation.id}/results",
        f"/manage/consultations/{demo.closed_consultation.id}/crosstab?question={closed_first.id}&dimension=sex",
        f"/manage/questions/{written.id}/written-answers",
        f"/manage/questions/{written.id}/written-answers?theme=none&words=bus",
        f"/manage/consultations/{demo.consultation.id}/translations/cy",
        f"/manage/exercises/{demo.pairwise.id}/translations/cy",
        f"/manage/exercises/{demo.budget.id}/translations/ur",
        f"/manage/boards/{board}/translations/cy",
        f"/manage/weights/{weight_set.id}/translations/pl",
        f"/manage/consultations/{demo.closed_consultation.id}/paper",
        f"/manage/consultations/{demo.closed_consultation.id}/paper/sheets",
        f"/manage/consultations/{demo.closed_consultation.id}/paper/sheets?page=2",
        f"/manage/consultation-responses/{sheet}/check",
        f"/manage/boards/{board}/weights",
        f"/manage/weights/{weight_set.id}",
        f"/manage/boards/{board}/weights/new",
        "/manage/indicators",
        f"/manage/indicators/imports/{db.session.scalar(select(IndicatorImport.id))}",
        "/manage/indicators/all",
        f"/manage/indicators/{indicator.id}",
        f"/manage/indicators/{indicator.id}/values/new",
        f"/manage/indicators/{indicator.id}/values/{indicator.values[0].id}",
        f"/manage/boards/{board}/missing-returns",
        f"/manage/boards/{board}/trend",
        "/manage/population",
        f"/manage/boards/{board}/workshops/new",
        f"/manage/workshops/{demo.workshop.id}",
        f"/manage/workshops/{demo.workshop.id}/projector",
        f"/manage/workshops/{demo.workshop.id}/paper",
        f"/manage/workshops/{demo.workshop.id}/report",
        f"/manage/workshops/{demo.workshop.id}/rounds/{demo.workshop.rounds[0].id}/notes",
        "/manage/downloads",
    ]


def test_urdu_pages_are_right_to_left_and_mirrored(make_page, demo):
    """Urdu reads right to left: text starts at the right edge, and the back link sits on the right."""
    page = make_page(viewport={"width": 320, "height": 800})
    page.goto("/language/ur?next=/")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    heading = page.get_by_role("heading", level=1)
    assert re.search(r"[\u0600-\u06ff]", heading.inner_text()), "the heading is not in Urdu script"
    main = page.locator("main").bounding_box()
    left, right = heading.evaluate(TEXT_EDGES)
    assert main["x"] + main["width"] - right < 2, "the heading does not start at the right edge"
    assert left - main["x"] > 20, "the heading is not ragged on the left"

    page.goto(f"/consultations/{demo.consultation.id}/delete-response")
    back = page.locator(".govuk-back-link")
    left, right = back.evaluate(TEXT_EDGES)
    assert main["x"] + main["width"] - right < 30, "the back link is not on the right"


def test_urdu_at_desktop_width(make_page, demo):
    """At 1280 px Urdu is mirrored too (issue 21, item 2): the main column on the right, a gap between the
    navigation links, lists not indented from the right, the pound sign before the amount, and digits in
    English text in the Latin face."""
    page = make_page(viewport={"width": 1280, "height": 900})
    page.goto("/language/ur?next=/")
    main = page.locator("main").bounding_box()
    column = page.locator("main .govuk-grid-column-two-thirds").first.bounding_box()
    right = column["x"] + column["width"]
    assert main["x"] + main["width"] - right < 2, "the main column is not on the right"
    assert column["x"] - main["x"] > 200, "the main column fills the page"
    links = page.locator(".govuk-service-navigation__list .govuk-service-navigation__link")
    home, sign_in = (links.nth(k).evaluate(TEXT_EDGES) for k in range(2))
    assert home[0] - sign_in[1] >= 15, "Home and Sign in run together"
    exercise = page.locator(".app-exercise-list li").first.bounding_box()
    assert abs(right - 15 - (exercise["x"] + exercise["width"])) < 2, "the list is indented from the right"
    screenshot(page, "home-1280px-ur.png")

    page.goto(f"/exercises/{demo.budget.id}/allocate")
    total = page.locator("#allocation-summary p").first
    pound, digit = total.evaluate(CHARACTER_LEFTS, ["£", "4"])
    assert pound < digit, f"the pound sign is not before the amount: {total.inner_text()!r}"
    english = page.locator(".app-allocation-item .govuk-hint [lang=en]").first
    assert english.evaluate("el => getComputedStyle(el).fontFamily").startswith('"Engage Latin"')
    screenshot(page, "budget-1280px-ur.png")
    page.goto(f"/exercises/{demo.pairwise.id}/vote")
    screenshot(page, "pairwise-1280px-ur.png")


#: Where on screen the first of each character is drawn, in an element's text.
CHARACTER_LEFTS = """(el, characters) => {
  const node = [...el.childNodes].find(n => n.nodeType === Node.TEXT_NODE && n.textContent.includes("£"));
  return characters.map(c => {
    const at = node.textContent.indexOf(c);
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + 1);
    return range.getBoundingClientRect().left;
  });
}"""


#: The left and right edges of an element's text (not its box, which spans the column).
TEXT_EDGES = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const box = range.getBoundingClientRect();
  return [box.left, box.right];
}"""


#: A page with what axe must find: an image with no text alternative and a text box with no label.
NOT_ACCESSIBLE = """<!doctype html><html lang="en" dir="ltr"><head><title>Broken</title>
<link rel="icon" href="/static/favicon.svg"></head><body><main><h1>Broken</h1>
<img src="/static/favicon.svg"><input type="text" name="q"></main></body></html>"""
#: A page axe finds nothing on, but 900 px wide: it scrolls sideways at 320 px.
TOO_WIDE = """<!doctype html><html lang="en" dir="ltr"><head><title>Wide</title>
<link rel="icon" href="/static/favicon.svg"></head><body><main><h1>Wide</h1>
<p style="width: 900px">A table someone forgot to let wrap.</p></main></body></html>"""


def _serve(html: str):
    """A route handler answering with ``html``."""
    return lambda route: route.fulfill(content_type="text/html", body=html)


def test_the_sweep_fails_on_a_page_with_a_problem(make_page, served):
    """The sweep's checks can fail: axe's findings and a page wider than the screen each become a problem
    (pages served by the browser itself, at addresses of the test's server, so axe loads as it does there)."""
    page = make_page(viewport={"width": 320, "height": 800})
    for path, html in (("/not-accessible", NOT_ACCESSIBLE), ("/too-wide", TOO_WIDE)):
        page.route(f"**{path}", _serve(html))
    sweep = Sweep(page, "en", served)

    page.goto("/not-accessible")
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)
    sweep.check("no text alternative, no label")
    page.goto("/too-wide")
    assert_accessible(page)
    sweep.check("too wide")

    assert len(sweep.problems) == 2, sweep.problems
    assert "image-alt" in sweep.problems[0] and "label" in sweep.problems[0]
    assert "scrolls sideways" in sweep.problems[1]
    with pytest.raises(AssertionError, match="image-alt"):
        sweep.finish(set())
