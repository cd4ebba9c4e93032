"""Consultations through the test client: officers build one, residents answer it page by page, results and
the export count each option once per person."""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from engage.extensions import db
from engage.surveys import authoring
from engage.surveys.models import (
    Answer,
    ConsultationResponse,
    ConsultationStatus,
    QuestionKind,
    ResponseDraft,
)
from engage.surveys.results import consultation_results
from tests.conftest import sign_in
from tests.downloads import prepared_file


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def first_page(consultation, **changes):
    single, multiple, agreement, rating = consultation.sections[0].questions
    by_phone = str(single.options[1].id)
    data = {
        f"q{single.id}": by_phone,
        f"q{multiple.id}": [str(multiple.options[0].id), str(multiple.options[2].id)],
        f"q{agreement.id}": "agree",
        f"q{rating.id}": "8",
    }
    data.update(changes)
    return data


def second_page(consultation, hwb):
    importance, number, when, town, anything = consultation.sections[1].questions
    data = {
        f"q{importance.id}-p{p.id}": "5" if p.code == "HWB-ACTIVE" else "3" for p in hwb.active_priorities
    }
    data |= {f"q{number.id}": "3", f"q{when.id}": ["4", "3", "2026"], f"q{town.id}": "Aldermoor"}
    data[f"q{anything.id}"] = "More evening <appointments>"
    return data


def respond(client, consultation, hwb):
    client.post(f"/consultations/{consultation.id}/sections/1", data=first_page(consultation))
    client.post(f"/consultations/{consultation.id}/sections/2", data=second_page(consultation, hwb))
    html = client.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)
    return client.post(f"/consultations/{consultation.id}/check", data={"key": key}), key


def test_start_page_and_first_page(client, make_consultation):
    consultation = make_consultation()
    html = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Your health services" in html and "There are 2 pages of questions." in html
    html = client.get(f"/consultations/{consultation.id}/sections/1").get_data(as_text=True)
    assert (
        "Page 1 of 2" in html
        and "How do you usually see a GP?" in html
        and "If other, please specify" in html
    )
    assert "Strongly agree" in html and "Don't know" in html and "None" not in html
    assert "Which services have you used this year? (optional)" in html


def test_each_problem_on_a_page_is_named_and_nothing_is_kept(client, make_consultation):
    consultation = make_consultation()
    single, multiple, agreement, rating = consultation.sections[0].questions
    bad = first_page(
        consultation,
        **{
            f"q{single.id}": "other",
            f"q{multiple.id}": [str(o.id) for o in multiple.options],
            f"q{rating.id}": "",
        },
    )
    response = client.post(f"/consultations/{consultation.id}/sections/1", data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html
    assert (
        "Say what your other answer to ‘How do you usually see a GP?’ is" in html
        and "Choose up to 3 options" in html
    )
    assert "Select an answer to ‘Rate your GP’" in html
    assert count(ResponseDraft) == 0
    number = consultation.sections[1].questions[1]
    client.post(f"/consultations/{consultation.id}/sections/1", data=first_page(consultation))
    out_of_range = client.post(f"/consultations/{consultation.id}/sections/2", data={f"q{number.id}": "25"})
    assert "must be 20 or less" in out_of_range.get_data(as_text=True)


def test_whole_response_check_answers_submit_once(client, make_consultation, hwb):
    consultation = make_consultation()
    client.post(f"/consultations/{consultation.id}/sections/1", data=first_page(consultation))
    # going back shows what they answered
    back = client.get(f"/consultations/{consultation.id}/sections/1").get_data(as_text=True)
    assert re.search(r'value="\d+" checked', back) or "checked" in back
    client.post(f"/consultations/{consultation.id}/sections/2", data=second_page(consultation, hwb))
    check = client.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
    assert "Check your answers before sending your response" in check
    assert "By phone" in check and "Pharmacy" in check and "Dentist" in check and "04/03/2026" in check
    assert "More people active: Very important" in check
    first, key = respond(client, consultation, hwb)
    assert first.location.endswith("/confirmation")
    again = client.post(f"/consultations/{consultation.id}/check", data={"key": key})
    assert again.status_code in (200, 302)
    assert count(ConsultationResponse) == 1 and count(ResponseDraft) == 0
    html = client.get(f"/consultations/{consultation.id}/confirmation").get_data(as_text=True)
    reference = db.session.scalar(select(ConsultationResponse.reference))
    assert (
        "Response sent" in html and reference in html and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    )


def test_skipping_a_page_sends_the_resident_back_to_it(client, make_consultation):
    consultation = make_consultation()
    response = client.get(f"/consultations/{consultation.id}/check")
    assert response.location.endswith(f"/consultations/{consultation.id}/sections/1")


def test_results_count_each_option_per_person_and_the_export_has_a_column_per_option(
    client, make_consultation, hwb, officer, app
):
    consultation = make_consultation()
    for _ in range(2):
        other = app.test_client()
        respond(other, consultation, hwb)
    results = consultation_results(consultation)
    assert results.responses == 2
    single, multiple, agreement, rating = results.questions[:4]
    assert {label: n for label, n, _ in single.counts}["By phone"] == 2
    assert [(label, n, share) for label, n, share in multiple.counts] == [
        ("Pharmacy", 2, 1.0),
        ("Walk-in centre", 0, 0.0),
        ("Dentist", 2, 1.0),
        ("Leisure centre", 0, 0.0),
    ]
    assert rating.mean == pytest.approx(8)
    importance = results.questions[4]
    assert importance.priorities[0][0].code == "HWB-ACTIVE" and importance.priorities[0][2] == pytest.approx(
        5
    )

    sign_in(client, officer)
    html = client.get(f"/manage/consultations/{consultation.id}/results").get_data(as_text=True)
    assert "2 responses." in html and "percentages can add up to more than 100%" in html
    assert "More evening &lt;appointments&gt;" in html
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/manage/consultations/{consultation.id}/responses.csv").get_data(as_text=True)
            )
        )
    )
    assert len(rows) == 2
    assert (
        rows[0]["q1"] == "2" and rows[0]["q2_1"] == "1" and rows[0]["q2_2"] == "0" and rows[0]["q2_3"] == "1"
    )
    assert rows[0]["q3"] == "agree" and rows[0]["q5_HWB-ACTIVE"] == "5" and rows[0]["q7"] == "2026-03-04"


def test_questions_cannot_change_once_people_have_responded(client, make_consultation, hwb, app):
    consultation = make_consultation()
    respond(client, consultation, hwb)
    with app.test_request_context("/"), pytest.raises(authoring.StateError, match="already responded"):
        authoring.save_question(consultation.sections[0], None, kind=QuestionKind.SHORT_TEXT, label="New")
    assert count(Answer) > 0


def test_drafts_are_private_but_board_members_can_preview(client, make_consultation, officer):
    consultation = make_consultation(ConsultationStatus.DRAFT)
    assert client.get(f"/consultations/{consultation.id}").status_code == 404
    for page in ("sections/1", "check"):  # the pages that read the questions too
        assert client.get(f"/consultations/{consultation.id}/{page}").status_code == 404
        assert client.get(f"/consultations/{consultation.id + 1000}/{page}").status_code == 404
    sign_in(client, officer)
    html = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "This is a preview of a draft consultation" in html
    page = client.post(f"/consultations/{consultation.id}/sections/1", data=first_page(consultation))
    assert page.location.endswith("/sections/2")
    assert count(ResponseDraft) == 0


def test_officer_builds_a_consultation(client, officer, hwb):
    sign_in(client, officer)
    response = client.post(f"/manage/boards/{hwb.slug}/consultations/new", data={"title": "Parks"})
    assert response.status_code == 302
    consultation_url = response.location
    consultation_id = int(consultation_url.rsplit("/", 1)[1])
    opened = client.post(f"/manage/consultations/{consultation_id}/open")
    assert "Add at least one question" in client.get(opened.location).get_data(as_text=True)
    client.post(f"/manage/consultations/{consultation_id}/sections/new", data={"title": "Your park"})
    from engage.surveys.models import Consultation

    consultation = db.session.get(Consultation, consultation_id)
    section = consultation.sections[0]
    too_few = client.post(
        f"/manage/sections/{section.id}/questions/new",
        data={"kind": "single", "label": "Which park?", "options": "Only one"},
    )
    assert too_few.status_code == 400 and "Give at least 2 options" in too_few.get_data(as_text=True)
    for label in ("Which park?", "How often?"):
        client.post(
            f"/manage/sections/{section.id}/questions/new",
            data={"kind": "single", "label": label, "options": "A\nB", "required": "y"},
        )
    db.session.expire_all()
    second = consultation.sections[0].questions[1]
    client.post(f"/manage/questions/{second.id}/move/up")
    db.session.expire_all()
    assert [q.label for q in consultation.sections[0].questions] == ["How often?", "Which park?"]
    client.post(f"/manage/consultations/{consultation_id}/open")
    db.session.expire_all()
    assert consultation.status is ConsultationStatus.OPEN
    html = client.get("/").get_data(as_text=True)
    assert "Open consultations" in html and "Parks" in html


def test_who_we_heard_from_and_weighted_percentages(client, make_consultation, hwb, officer, app):
    """Two people by phone (both women), one online (a man); the area is half and half, so weighted,
    phone falls from 2/3 to 1/2."""
    from engage.population.service import import_population

    import_population("dimension,category,population\nsex,Female,500\nsex,Male,500\n")
    consultation = make_consultation()
    single = consultation.sections[0].questions[0]
    online = str(single.options[2].id)
    for sex, answer in (("Female", None), ("Female", None), ("Male", online)):
        resident = app.test_client()
        page = first_page(consultation, **({f"q{single.id}": answer} if answer else {}))
        resident.post(f"/consultations/{consultation.id}/sections/1", data=page)
        resident.post(f"/consultations/{consultation.id}/sections/2", data=second_page(consultation, hwb))
        html = resident.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
        key = re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)
        resident.post(f"/consultations/{consultation.id}/check", data={"key": key})
        confirmation = resident.get(f"/consultations/{consultation.id}/confirmation").get_data(as_text=True)
        assert "About you (optional)" in confirmation and "What is your sex?" in confirmation
        resident.post(f"/consultations/{consultation.id}/about-you", data={"sex": sex})
    results = consultation_results(consultation)
    sexes = {row.category: (row.respondents, row.share) for row in results.heard_from["sex"]}
    assert sexes["Female"] == (2, pytest.approx(2 / 3)) and sexes["Male"] == (1, pytest.approx(1 / 3))
    assert results.weighting is not None
    labels = [label for label, _, _ in results.questions[0].counts]
    weighted = dict(zip(labels, results.questions[0].weighted, strict=True))
    unweighted = {label: share for label, _, share in results.questions[0].counts}
    assert unweighted["By phone"] == pytest.approx(2 / 3) and weighted["By phone"] == pytest.approx(0.5)
    assert weighted["Online"] == pytest.approx(0.5)
    sign_in(client, officer)
    html = client.get(f"/manage/consultations/{consultation.id}/results").get_data(as_text=True)
    assert (
        "Who did we hear from" in html and "Weighted to the area" in html and "effective sample size" in html
    )
    # On the page, 2 women and 1 man are groups too small to show, and so are the counts of 2 by phone and
    # 1 online, with the weighted shares made from them.
    assert not re.search(r"Female</th><td[^>]*>2<", html) and not re.search(r"Male</th><td[^>]*>1<", html)
    assert re.search(r"Female</th><td[^>]*>hidden</td><td[^>]*>hidden</td>", html)
    phone = re.search(r"By phone</th>((?:<td[^>]*>[^<]*</td>){3})", html).group(1)
    assert phone.count(">hidden<") == 3 and "50.0%" not in phone


def test_weighting_that_cannot_be_done_says_why(make_consultation, hwb, app):
    from engage.population.service import import_population

    import_population("dimension,category,population\nsex,Female,500\nsex,Male,500\n")
    consultation = make_consultation()
    resident = app.test_client()
    respond(resident, consultation, hwb)
    resident.post(f"/consultations/{consultation.id}/about-you", data={"sex": "Female"})
    results = consultation_results(consultation)
    assert (
        results.weighting is None
        and "nobody in the sample is in these categories" in results.unweighted_reason
    )
    assert "Male" in results.unweighted_reason


def test_we_asked_you_said_we_did_hides_small_numbers(client, make_consultation, hwb, officer, app):
    consultation = make_consultation()
    single = consultation.sections[0].questions[0]
    for k in range(6):  # five by phone, one online
        resident = app.test_client()
        answer = str(single.options[2 if k == 5 else 1].id)
        resident.post(
            f"/consultations/{consultation.id}/sections/1",
            data=first_page(consultation, **{f"q{single.id}": answer}),
        )
        resident.post(f"/consultations/{consultation.id}/sections/2", data=second_page(consultation, hwb))
        html = resident.get(f"/consultations/{consultation.id}/check").get_data(as_text=True)
        key = re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)
        resident.post(f"/consultations/{consultation.id}/check", data={"key": key})
    assert client.get(f"/consultations/{consultation.id}/results").status_code == 404
    sign_in(client, officer)
    early = client.post(f"/manage/consultations/{consultation.id}/publish", data={"we_did": "We will."})
    assert "Close the consultation before publishing" in client.get(early.location).get_data(as_text=True)
    client.post(f"/manage/consultations/{consultation.id}/close")
    blank = client.post(f"/manage/consultations/{consultation.id}/publish", data={"we_did": ""})
    assert blank.status_code == 400 and "Say what was decided" in blank.get_data(as_text=True)
    client.post(
        f"/manage/consultations/{consultation.id}/publish",
        data={"we_did": "We will open the phone line earlier."},
    )
    public = app.test_client().get(f"/consultations/{consultation.id}/results").get_data(as_text=True)
    assert "We asked, you said, we did" in public and "6 people responded." in public
    assert "We will open the phone line earlier." in public
    # One online is hidden, and the five by phone with it: 6 responded, so 6 - 5 would give the 1 away.
    assert re.search(r"Online</th>\s*<td[^>]*>–</td>", public)
    assert re.search(r"By phone</th>\s*<td[^>]*>–</td>", public)
    assert ">fewer than 5<" not in public  # the 5 by phone are not fewer than 5
    assert "More evening" not in public  # written answers are never published here
    reopened = client.post(f"/manage/consultations/{consultation.id}/open")
    assert "cannot reopen" in client.get(reopened.location).get_data(as_text=True)


def test_excel_export_has_the_responses_and_a_codebook(client, make_consultation, hwb, officer):
    from openpyxl import load_workbook

    consultation = make_consultation()
    respond(client, consultation, hwb)
    sign_in(client, officer)
    book = load_workbook(
        io.BytesIO(prepared_file(client, f"/manage/consultations/{consultation.id}/responses.xlsx"))
    )
    assert book.sheetnames == ["Responses", "Codebook"]
    header = [cell.value for cell in next(book["Responses"].iter_rows())]
    assert header[:4] == ["response", "submitted_at", "channel", "locale"] and "q2_1" in header
    codebook = {row[0].value: row[3].value for row in book["Codebook"].iter_rows(min_row=2)}
    assert codebook["q1"] == "1 = In person, 2 = By phone, 3 = Online, other = see the _other column"
    assert codebook["q2_1"].startswith("1 = ticked 'Pharmacy'")
    assert "strongly_agree = Strongly agree" in codebook["q3"]


def test_a_resident_deletes_their_response_with_the_reference(client, make_consultation, hwb):
    from engage.surveys.models import ConsultationProfile

    consultation = make_consultation()
    respond(client, consultation, hwb)
    client.post(f"/consultations/{consultation.id}/about-you", data={"sex": "Female"})
    reference = db.session.scalar(select(ConsultationResponse.reference))
    wrong = client.post(f"/consultations/{consultation.id}/delete-response", data={"reference": "AAAA-AAAA"})
    assert wrong.status_code == 400 and "No response has that reference number" in wrong.get_data(
        as_text=True
    )
    assert count(ConsultationResponse) == 1
    done = client.post(
        f"/consultations/{consultation.id}/delete-response", data={"reference": reference.lower()}
    )
    assert "Your response has been deleted" in done.get_data(as_text=True)
    assert count(ConsultationResponse) == 0 and count(Answer) == 0 and count(ConsultationProfile) == 0


def test_every_kind_of_question_breaks_down_with_its_totals_protected(
    client, make_consultation, hwb, officer, app
):
    """Tick-all-that-apply (with "Other" on the results page but not in a breakdown), agreement and rating
    questions break down by sex; six people, all women: the small counts are hidden in both places."""
    consultation = make_consultation()
    for _ in range(6):
        resident = app.test_client()
        respond(resident, consultation, hwb)
        resident.post(f"/consultations/{consultation.id}/about-you", data={"sex": "Female"})
    sign_in(client, officer)
    for question in consultation.sections[0].questions:
        args = {"question": question.id, "dimension": "sex"}
        response = client.get(f"/manage/consultations/{consultation.id}/crosstab.csv", query_string=args)
        assert response.status_code == 200, question.kind
        rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(response.text)) if len(row) > 1}
        assert rows["Female"][-1] == "6"  # everyone answered every question: 6 in the group
        assert all(cell in {"0", "6", "hidden"} for cell in rows["Female"])
