"""A resident's response found by its reference number, exported in full, and deleted (data-protection
requests handled by staff; residents can also delete their own response online)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from engage.extensions import db
from engage.surveys.models import Answer, ConsultationProfile, ConsultationResponse


def _response(consultation) -> ConsultationResponse:
    gp, _, _, rating = consultation.sections[0].questions
    response = ConsultationResponse(
        consultation_id=consultation.id, reference="K7QD-3MWX", idempotency_key="k", locale="cy"
    )
    response.answers = [
        Answer(question_id=gp.id, option_id=gp.options[1].id),
        Answer(question_id=rating.id, number=7),
    ]
    db.session.add(response)
    db.session.flush()
    db.session.add(ConsultationProfile(response_id=response.id, dimension="age_band", category="35-44"))
    db.session.commit()
    return response


def test_export_shows_everything_stored_with_the_response(runner, make_consultation):
    _response(make_consultation())
    result = runner.invoke(args=["export-response", " k7qd-3mwx "])  # as a resident might read it out
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["reference"] == "K7QD-3MWX" and record["language"] == "cy"
    assert record["answers"] == [
        {"question": "How do you usually see a GP?", "answer": "By phone"},
        {"question": "Rate your GP", "answer": 7.0},
    ]
    assert record["about_you"] == {"age_band": "35-44"}


@pytest.mark.parametrize("typed", ["k7qd3mwx", "K7QD 3MWX", "k7qd \u2013 3mwx"])
def test_export_reads_the_reference_as_the_delete_page_does(runner, make_consultation, typed):
    """Read out on the phone, without the hyphen or with a dash: the same reading as the resident's own
    delete page (engage.surveys.responses.as_reference)."""
    _response(make_consultation())
    result = runner.invoke(args=["export-response", typed])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["reference"] == "K7QD-3MWX"


def test_delete_removes_the_response_and_its_equality_answers(runner, make_consultation):
    _response(make_consultation())
    result = runner.invoke(args=["delete-response", "--yes", "K7QD-3MWX"])
    assert result.exit_code == 0 and "Deleted response K7QD-3MWX" in result.output
    for model in (ConsultationResponse, Answer, ConsultationProfile):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_an_unknown_reference_says_so_and_changes_nothing(runner, make_consultation):
    _response(make_consultation())
    for command in (["export-response", "NOPE-0000"], ["delete-response", "--yes", "NOPE-0000"]):
        result = runner.invoke(args=command)
        assert result.exit_code != 0 and "No response has the reference NOPE-0000" in result.output
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 1
