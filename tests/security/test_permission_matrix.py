"""The permission matrix: every route, by GET and POST, for every kind of visitor, with the status each must
get. A new route with no row here fails the test, so nobody adds a page without deciding who may use it.

Visitors, in the order of the columns: anonymous; a resident (anonymous, but midway through an exercise);
a board officer from an organisation that sits on no board ("other"); the demo's facilitator (voluntary
sector, on the Health and Wellbeing Board), analyst (NHS) and officer (council); an administrator.
Requests are made against the demo partnership: every GET first, then every POST with an empty form (so a
permitted POST usually answers 400, the form's errors, or 302). Reading the table: 302 for anonymous
visitors on /manage is the sign-in page; 403 is "you do not have permission"; 404 where the demo has no
such thing (a paper sheet), the page needs the visitor's own answer first, or the officer's permitted POST
before the admin's deleted it (a consultation's paper sheet: the admin's check and delete then find none).
"""

from __future__ import annotations

import re

from engage.accounts import service as accounts
from engage.accounts.models import OrganisationKind, Role
from tests.conftest import sign_in
from tests.security.routes import demo_values, url_for_rule

VISITORS = ["anonymous", "resident", "other", "facilitator", "analyst", "officer", "admin"]
EMAILS = {
    "other": "other@elsewhere.example",
    "facilitator": "facilitator@aldermoor.example",
    "analyst": "analyst@aldermoor.example",
    "officer": "officer@aldermoor.example",
    "admin": "admin@aldermoor.example",
}

#: method, route, then the status for each visitor in VISITORS order.
MATRIX = """
GET  /                                                                  200 200 200 200 200 200 200
GET  /accessibility                                                     200 200 200 200 200 200 200
GET  /account                                                           302 302 200 200 200 200 200
GET  /account/password                                                  302 302 200 200 200 200 200
POST /account/password                                                  302 302 400 400 400 400 400
GET  /account/sign-out-elsewhere                                        302 302 200 200 200 200 200
POST /account/sign-out-elsewhere                                        302 302 400 400 400 400 400
GET  /account/two-factor/recovery-codes                                 302 302 302 302 302 302 200
POST /account/two-factor/recovery-codes                                 302 302 302 302 302 302 400
GET  /account/two-factor/set-up                                         302 302 200 200 200 200 302
POST /account/two-factor/set-up                                         302 302 400 400 400 400 302
GET  /account/two-factor/turn-off                                       302 302 302 302 302 302 200
POST /account/two-factor/turn-off                                       302 302 302 302 302 302 400
GET  /api/v1/boards                                                     401 401 401 401 401 401 401
GET  /api/v1/boards/<slug>/priorities                                   401 401 401 401 401 401 401
GET  /api/v1/boards/<slug>/weights                                      401 401 401 401 401 401 401
GET  /api/v1/boards/<slug>/weights/<version>                            401 401 401 401 401 401 401
POST /api/v1/indicators/values                                          401 401 401 401 401 401 401
GET  /api/v1/openapi.json                                               200 200 200 200 200 200 200
GET  /boards/<slug>                                                     200 200 200 200 200 200 200
GET  /boards/<slug>/results                                             200 200 200 200 200 200 200
GET  /boards/<slug>/priority-matrix.csv                                 200 200 200 200 200 200 200
GET  /boards/<slug>/weights                                             200 200 200 200 200 200 200
GET  /boards/<slug>/weights/<version>                                   200 200 200 200 200 200 200
GET  /boards/<slug>/weights/<version>.<fmt>                             200 200 200 200 200 200 200
GET  /boards/<slug>/weights/latest.<fmt>                                302 302 302 302 302 302 302
GET  /consultations/<consultation_id>                                   200 200 200 200 200 200 200
POST /consultations/<consultation_id>/about-you                         302 302 302 302 302 302 302
GET  /consultations/<consultation_id>/check                             302 302 302 302 302 302 302
POST /consultations/<consultation_id>/check                             302 302 302 302 302 302 200
GET  /consultations/<consultation_id>/confirmation                      302 302 302 302 302 302 302
GET  /consultations/<consultation_id>/delete-response                   200 200 200 200 200 200 200
POST /consultations/<consultation_id>/delete-response                   400 400 400 400 400 400 400
GET  /consultations/<consultation_id>/resume/<secret>                   404 404 404 404 404 404 404
GET  /consultations/<consultation_id>/saved                             302 302 302 302 302 302 302
POST /consultations/<consultation_id>/saved                             302 302 302 302 302 302 302
GET  /consultations/<consultation_id>/results                           404 404 404 404 404 404 404
GET  /consultations/<consultation_id>/sections/<number>                 200 200 200 200 200 200 200
POST /consultations/<consultation_id>/sections/<number>                 302 302 302 302 302 302 200
POST /consultations/<consultation_id>/sections/<number>/changed         404 404 404 404 404 404 404
GET  /exercises/<exercise_id>                                           200 200 200 200 200 200 200
POST /exercises/<exercise_id>/about-you                                 302 302 302 302 302 302 302
GET  /exercises/<exercise_id>/allocate                                  200 200 200 200 200 200 200
POST /exercises/<exercise_id>/allocate                                  400 400 400 400 400 400 400
POST /exercises/<exercise_id>/allocate/total                            404 404 404 404 404 404 404
GET  /exercises/<exercise_id>/check                                     302 302 302 302 302 302 302
POST /exercises/<exercise_id>/check                                     302 302 302 302 302 302 302
POST /exercises/<exercise_id>/comment                                   404 404 404 404 404 404 404
GET  /exercises/<exercise_id>/finish                                    200 200 200 200 200 200 200
GET  /exercises/<exercise_id>/rank                                      200 200 200 200 200 200 200
POST /exercises/<exercise_id>/rank                                      400 400 400 400 400 400 400
GET  /exercises/<exercise_id>/results                                   404 404 404 404 404 404 404
POST /exercises/<exercise_id>/suggest                                   400 400 400 400 400 400 400
GET  /exercises/<exercise_id>/thank-you                                 200 200 200 200 200 200 200
POST /exercises/<exercise_id>/undo                                      302 302 302 302 302 302 302
GET  /exercises/<exercise_id>/vote                                      200 200 200 200 200 200 200
POST /exercises/<exercise_id>/vote                                      200 200 200 200 200 200 200
GET  /exercises/<exercise_id>/your-answer                               404 404 404 404 404 404 404
GET  /healthz                                                           200 200 200 200 200 200 200
GET  /readyz                                                            200 200 200 200 200 200 200
GET  /join                                                              200 200 200 200 200 200 200
POST /join                                                              400 400 400 400 400 400 400
GET  /join/<code>                                                       200 200 200 200 200 200 200
POST /join/<code>                                                       302 302 302 302 302 302 302
POST /join/<code>/answer                                                302 302 302 302 302 302 302
GET  /join/<code>/now                                                   302 302 302 302 302 302 302
POST /join/<code>/question                                              302 302 302 302 302 302 302
POST /join/<code>/vote                                                  200 200 200 200 200 200 200
GET  /language/<code>                                                   302 302 302 302 302 302 302
GET  /manage                                                            302 302 200 200 200 200 200
GET  /manage/api-tokens                                                 302 302 403 403 403 403 200
POST /manage/api-tokens                                                 302 302 403 403 403 403 400
POST /manage/api-tokens/<token_id>/revoke                               302 302 403 403 403 403 404
GET  /manage/audit                                                      302 302 403 403 403 403 200
GET  /manage/boards                                                     302 302 200 200 200 200 200
GET  /manage/boards/<slug>                                              302 302 403 200 200 200 200
GET  /manage/boards/<slug>/accountable-members                          302 302 403 403 403 403 200
POST /manage/boards/<slug>/accountable-members                          302 302 403 403 403 403 400
POST /manage/boards/<slug>/accountable-members/<member_id>/remove       302 302 403 403 403 403 302
GET  /manage/boards/<slug>/consultations/new                            302 302 403 403 403 200 200
POST /manage/boards/<slug>/consultations/new                            302 302 403 403 403 400 400
GET  /manage/consultations/new                                          302 302 200 403 403 200 200
POST /manage/consultations/new                                          302 302 400 403 403 400 400
GET  /manage/boards/<slug>/edit                                         302 302 403 403 403 403 200
POST /manage/boards/<slug>/edit                                         302 302 403 403 403 403 400
GET  /manage/boards/<slug>/exercises/new                                302 302 403 403 403 200 200
POST /manage/boards/<slug>/exercises/new                                302 302 403 403 403 400 400
GET  /manage/boards/<slug>/exercises/new/<kind>                         302 302 403 403 403 200 200
POST /manage/boards/<slug>/exercises/new/<kind>                         302 302 403 403 403 400 400
POST /manage/boards/<slug>/priorities/<priority_id>/<action>            302 302 403 403 403 302 302
GET  /manage/boards/<slug>/missing-returns                              302 302 403 200 200 200 200
GET  /manage/boards/<slug>/priorities/<priority_id>/edit                302 302 403 403 403 200 200
POST /manage/boards/<slug>/priorities/<priority_id>/edit                302 302 403 403 403 302 302
GET  /manage/boards/<slug>/priorities/new                               302 302 403 403 403 200 200
POST /manage/boards/<slug>/priorities/new                               302 302 403 403 403 400 400
GET  /manage/boards/<slug>/translations/<locale>                       302 302 403 403 403 200 200
POST /manage/boards/<slug>/translations/<locale>                       302 302 403 403 403 302 302
GET  /manage/boards/<slug>/trend                                        302 302 403 200 200 200 200
GET  /manage/boards/<slug>/weights                                      302 302 403 200 200 200 200
GET  /manage/boards/<slug>/weights/new                                  302 302 403 403 200 403 200
POST /manage/boards/<slug>/weights/new                                  302 302 403 403 400 403 400
GET  /manage/boards/<slug>/workshops/new                                302 302 403 200 403 200 200
POST /manage/boards/<slug>/workshops/new                                302 302 403 400 403 400 400
GET  /manage/boards/new                                                 302 302 403 403 403 403 200
POST /manage/boards/new                                                 302 302 403 403 403 403 400
GET  /manage/consultations/<consultation_id>                            302 302 403 200 200 200 200
POST /manage/consultations/<consultation_id>/<action>                   302 302 403 403 403 302 302
GET  /manage/consultations/<consultation_id>/activity                   302 302 403 403 403 200 200
GET  /manage/consultations/<consultation_id>/edit                       302 302 403 403 403 200 200
POST /manage/consultations/<consultation_id>/edit                       302 302 403 403 403 302 302
POST /manage/consultations/<consultation_id>/publish                    302 302 403 403 403 400 400
GET  /manage/consultations/<consultation_id>/responses.<fmt>            302 302 403 200 200 200 200
GET  /manage/consultations/<consultation_id>/results                    302 302 403 200 200 200 200
GET  /manage/consultations/<consultation_id>/sections/new               302 302 403 403 403 200 200
POST /manage/consultations/<consultation_id>/sections/new               302 302 403 403 403 400 400
GET  /manage/consultation-responses/<response_id>/check                 302 302 403 403 403 200 200
POST /manage/consultation-responses/<response_id>/check                 302 302 403 403 403 302 404
POST /manage/consultation-responses/<response_id>/delete                302 302 403 403 403 302 404
GET  /manage/consultations/<consultation_id>/crosstab                   302 302 403 200 200 200 200
GET  /manage/consultations/<consultation_id>/crosstab.csv               302 302 403 400 400 400 400
GET  /manage/consultations/<consultation_id>/translations/<locale>       302 302 403 403 403 200 200
POST /manage/consultations/<consultation_id>/translations/<locale>       302 302 403 403 403 302 302
POST /manage/consultations/<consultation_id>/duplicate                  302 302 403 403 403 302 302
GET  /manage/consultations/<consultation_id>/paper                      302 302 403 403 403 200 200
POST /manage/consultations/<consultation_id>/paper                      302 302 403 403 403 400 400
GET  /manage/consultations/<consultation_id>/paper/sheets               302 302 403 403 403 200 200
GET  /manage/questions/<question_id>/written-answers                    302 302 403 200 200 200 200
POST /manage/questions/<question_id>/themes                             302 302 403 403 403 302 302
POST /manage/questions/<question_id>/written-answers/tag                302 302 403 403 403 302 302
GET  /manage/reports                                                    302 302 200 200 200 200 200
GET  /manage/reports/boards/<slug>                                      302 302 403 200 200 200 200
GET  /manage/reports/boards/<slug>/pack.<fmt>                           302 302 403 200 200 200 200
POST /manage/reports/boards/<slug>/pack.<fmt>                           302 302 403 302 302 302 302
GET  /manage/reports/organisations/<organisation_id>                    302 302 403 403 403 200 200
GET  /manage/reports/organisations/<organisation_id>/report.<fmt>       302 302 403 403 403 200 200
POST /manage/reports/organisations/<organisation_id>/report.<fmt>       302 302 403 403 403 302 302
POST /manage/sections/<section_id>/move/<direction>                     302 302 403 403 403 302 302
GET  /manage/downloads                                                   302 302 200 200 200 200 200
GET  /manage/downloads/<job_id>/file                                    302 302 404 404 404 404 404
GET  /manage/downloads/<job_id>/progress                                302 302 404 404 404 404 404
POST /manage/downloads/<job_id>/retry                                   302 302 404 404 404 404 404
GET  /manage/downloads/new/<kind>/<target>.<fmt>                        302 302 403 200 200 200 200
POST /manage/downloads/new/<kind>/<target>.<fmt>                        302 302 403 302 302 302 302
GET  /manage/exercises/<exercise_id>                                    302 302 403 200 200 200 200
POST /manage/exercises/<exercise_id>/<action>                           302 302 403 403 403 302 302
GET  /manage/exercises/<exercise_id>/<what>.<fmt>                       302 302 403 200 200 200 200
GET  /manage/exercises/<exercise_id>/activity                           302 302 403 403 403 200 200
GET  /manage/exercises/<exercise_id>/edit                               302 302 403 403 403 200 200
POST /manage/exercises/<exercise_id>/edit                               302 302 403 403 403 400 400
POST /manage/exercises/<exercise_id>/exclusions                         302 302 403 403 403 400 400
POST /manage/exercises/<exercise_id>/exclusions/<respondent_id>/include 302 302 403 403 403 302 302
GET  /manage/exercises/<exercise_id>/items                              302 302 403 403 403 200 200
POST /manage/exercises/<exercise_id>/items                              302 302 403 403 403 400 400
GET  /manage/exercises/<exercise_id>/results                            302 302 403 200 200 200 200
GET  /manage/exercises/<exercise_id>/suggestions                        302 302 403 403 403 200 200
GET  /manage/exercises/<exercise_id>/translations/<locale>             302 302 403 403 403 200 200
POST /manage/exercises/<exercise_id>/translations/<locale>             302 302 403 403 403 302 302
GET  /manage/indicators                                                 302 302 403 403 200 403 200
POST /manage/indicators                                                 302 302 403 403 400 403 400
GET  /manage/indicators/all                                             302 302 200 200 200 200 200
GET  /manage/indicators/<indicator_id>                                  302 302 403 200 200 200 200
POST /manage/indicators/<indicator_id>/owner                            302 302 403 403 403 403 400
GET  /manage/indicators/<indicator_id>/values/<value_id>                302 302 403 403 200 403 200
POST /manage/indicators/<indicator_id>/values/<value_id>                302 302 403 403 400 403 400
GET  /manage/indicators/<indicator_id>/values/new                       302 302 403 403 200 403 200
POST /manage/indicators/<indicator_id>/values/new                       302 302 403 403 400 403 400
GET  /manage/indicators/imports/<import_id>                             302 302 403 403 403 403 200
POST /manage/indicators/imports/<import_id>                             302 302 403 403 403 403 200
GET  /manage/organisations                                              302 302 403 403 403 403 200
GET  /manage/organisations/<organisation_id>/edit                       302 302 403 403 403 403 200
POST /manage/organisations/<organisation_id>/edit                       302 302 403 403 403 403 400
GET  /manage/organisations/new                                          302 302 403 403 403 403 200
POST /manage/organisations/new                                          302 302 403 403 403 403 400
GET  /manage/population                                                 302 302 403 403 200 403 200
POST /manage/population                                                 302 302 403 403 400 403 400
GET  /manage/questions/<question_id>/edit                               302 302 403 403 403 200 200
POST /manage/questions/<question_id>/edit                               302 302 403 403 403 400 400
POST /manage/questions/<question_id>/move/<direction>                   302 302 403 403 403 302 302
GET  /manage/sections/<section_id>/edit                                 302 302 403 403 403 200 200
POST /manage/sections/<section_id>/edit                                 302 302 403 403 403 302 302
GET  /manage/sections/<section_id>/questions/new                        302 302 403 403 403 200 200
POST /manage/sections/<section_id>/questions/new                        302 302 403 403 403 400 400
POST /manage/suggestions/<suggestion_id>/<action>                       302 302 403 403 403 302 302
GET  /manage/users                                                      302 302 403 403 403 403 200
GET  /manage/users/<user_id>/edit                                       302 302 403 403 403 403 200
POST /manage/users/<user_id>/edit                                       302 302 403 403 403 403 400
POST /manage/users/<user_id>/two-factor/reset                           302 302 403 403 403 403 302
GET  /manage/users/new                                                  302 302 403 403 403 403 200
POST /manage/users/new                                                  302 302 403 403 403 403 400
GET  /manage/weights/<weight_set_id>                                    302 302 403 200 200 200 200
POST /manage/weights/<weight_set_id>/delete                             302 302 403 403 302 403 302
GET  /manage/weights/<weight_set_id>/edit                               302 302 403 403 302 403 302
POST /manage/weights/<weight_set_id>/edit                               302 302 403 403 302 403 302
GET  /manage/weights/<weight_set_id>/publish                            302 302 403 403 302 403 302
POST /manage/weights/<weight_set_id>/publish                            302 302 403 403 302 403 302
POST /manage/weights/<weight_set_id>/withdraw                           302 302 403 403 400 403 400
GET  /manage/oversight                                                  302 302 403 403 403 403 200
GET  /manage/weights/<weight_set_id>/sign-off                           302 302 403 302 302 302 302
POST /manage/weights/<weight_set_id>/sign-off/approve                   302 302 403 403 403 403 403
POST /manage/weights/<weight_set_id>/sign-off/send-back                 302 302 403 403 403 403 403
POST /manage/weights/<weight_set_id>/sign-off/take-back                 302 302 403 403 302 403 302
GET  /manage/weights/<weight_set_id>/translations/<locale>             302 302 403 403 200 403 200
POST /manage/weights/<weight_set_id>/translations/<locale>             302 302 403 403 302 403 302
GET  /manage/workshops/<session_id>                                     302 302 403 200 403 403 200
POST /manage/workshops/<session_id>/<action>                            302 302 403 302 403 403 302
GET  /manage/workshops/<session_id>/paper                               302 302 403 403 403 403 200
POST /manage/workshops/<session_id>/paper                               302 302 403 403 403 403 400
GET  /manage/workshops/<session_id>/paper/<sheet_id>/correct            302 302 403 404 403 403 404
POST /manage/workshops/<session_id>/paper/<sheet_id>/correct            302 302 403 404 403 403 404
GET  /manage/workshops/<session_id>/projector                           302 302 403 200 403 403 200
GET  /manage/workshops/<session_id>/projector/live                      302 302 403 200 403 403 200
GET  /manage/workshops/<session_id>/report                              302 302 403 200 403 403 200
GET  /manage/workshops/<session_id>/report.csv                          302 302 403 200 403 403 200
POST /manage/workshops/<session_id>/rounds                              302 302 403 400 403 403 400
GET  /manage/workshops/<session_id>/<action>/confirm                    302 302 403 200 403 403 200
GET  /manage/workshops/<session_id>/live                                302 302 403 200 403 403 200
GET  /manage/workshops/<session_id>/wall                                302 302 403 200 403 403 200
POST /manage/workshops/<session_id>/wall/<entry_id>/<change>            302 302 403 404 403 403 404
POST /manage/workshops/<session_id>/rounds/<round_id>/wall/show-waiting 302 302 403 400 403 403 400
GET  /manage/workshops/<session_id>/rounds/<round_id>/notes             302 302 403 200 403 403 200
POST /manage/workshops/<session_id>/rounds/<round_id>/notes             302 302 403 302 403 403 302
GET  /screen/<token>                                                    404 404 404 404 404 404 404
GET  /screen/<token>/live                                               404 404 404 404 404 404 404
POST /manage/workshops/<session_id>/rounds/<round_id>/<change>          302 302 403 302 403 403 302
POST /manage/workshops/<session_id>/screen-link/<change>                302 302 403 302 403 403 302
GET  /privacy                                                           200 200 200 200 200 200 200
GET  /results                                                           200 200 200 200 200 200 200
GET  /sign-in                                                           200 200 302 302 302 302 302
POST /sign-in                                                           400 400 302 302 302 302 302
GET  /sign-in/code                                                      302 302 302 302 302 302 302
POST /sign-in/code                                                      302 302 302 302 302 302 302
GET  /workshops/<code>/qr.svg                                           200 200 200 200 200 200 200
"""


def short_rule(rule: str) -> str:
    """/exercises/<int:exercise_id> -> /exercises/<exercise_id> (the table's spelling)."""
    return re.sub(r"<(?:[^:<>]+(?:\([^)]*\))?:)?(\w+)>", r"<\1>", rule)


def expected() -> dict[tuple[str, str], list[int]]:
    rows = {}
    for line in MATRIX.strip().splitlines():
        method, rule, *codes = line.split()
        rows[(method, rule)] = [int(code) for code in codes]
    return rows


def test_every_route_answers_every_visitor_as_the_matrix_says(queued_app, demo):
    # Downloads asked for are queued, as in production, not built in the request (they are tested in
    # tests/reports and tests/jobs): this test is about who may ask (it spent about 8 s building PDFs).
    app, _settings = queued_app
    with app.app_context():  # set-up only: each request below gets its own context, as in production
        passwords = demo.passwords
        elsewhere = accounts.save_organisation(
            None, name="Elsewhere Housing", kind=OrganisationKind.VOLUNTARY
        )
        passwords[EMAILS["other"]] = "a long enough password"
        accounts.create_user(
            email=EMAILS["other"],
            name="Olu Other",
            password=passwords[EMAILS["other"]],
            organisation=elsewhere,
            roles=[Role.BOARD_OFFICER],
        )
        values = demo_values()
    clients = {}
    for visitor in VISITORS:
        client = clients[visitor] = app.test_client()
        if visitor == "resident":
            client.get(f"/exercises/{values['exercise_id']}/vote")
        elif visitor != "anonymous":
            email = EMAILS[visitor]
            sign_in(client, email, passwords[email], totp_secret=demo.admin_totp_secret)

    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in {"static", "accounts.sign_out"}]
    table = expected()
    actual: dict[tuple[str, str], list[int]] = {}
    for method in ("GET", "POST"):  # reading first: a permitted POST may close or publish something
        for visitor in VISITORS:
            for rule in sorted(rules, key=lambda r: r.rule):
                if method not in rule.methods:
                    continue
                response = clients[visitor].open(url_for_rule(rule, values), method=method, data={})
                response.close()
                actual.setdefault((method, short_rule(rule.rule)), []).append(response.status_code)

    missing = sorted(set(actual) - set(table))
    seen = {f"{m} {r}": actual[(m, r)] for m, r in missing}
    assert missing == [], (
        f"decide who may use these routes and add them to the matrix (as they answer now: {seen})"
    )
    assert sorted(set(table) - set(actual)) == [], "the matrix lists routes the app no longer has"
    wrong = {
        f"{method} {rule}": {
            v: (want, got)
            for v, want, got in zip(VISITORS, table[(method, rule)], codes, strict=True)
            if want != got
        }
        for (method, rule), codes in actual.items()
        if codes != table[(method, rule)]
    }
    assert wrong == {}, f"visitor: (expected, got): {wrong}"


def test_sign_out_needs_a_signed_in_user(client):
    assert client.post("/sign-out").status_code == 302
