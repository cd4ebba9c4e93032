"""Factories for consultations (a pytest plugin: tests/conftest.py loads it): one with every question kind."""

import pytest

from engage.extensions import db
from engage.surveys import authoring
from engage.surveys.models import ConsultationStatus, QuestionKind


@pytest.fixture
def make_consultation(hwb, officer):
    def make(status=ConsultationStatus.OPEN):
        consultation = authoring.save_consultation(
            None,
            board=hwb,
            organisation_id=officer.organisation_id,
            user=officer,
            title="Your health services",
            summary="Tell us about health services in Aldermoor.",
            purpose="To plan next year's services.",
        )
        first = authoring.save_section(consultation, None, title="About the services")
        authoring.save_question(
            first,
            None,
            kind=QuestionKind.SINGLE,
            label="How do you usually see a GP?",
            required=True,
            options=["In person", "By phone", "Online"],
            allow_other=True,
        )
        authoring.save_question(
            first,
            None,
            kind=QuestionKind.MULTIPLE,
            label="Which services have you used this year?",
            options=["Pharmacy", "Walk-in centre", "Dentist", "Leisure centre"],
            max_choices=3,
        )
        authoring.save_question(first, None, kind=QuestionKind.AGREEMENT, label="Services are easy to reach")
        authoring.save_question(first, None, kind=QuestionKind.RATING, label="Rate your GP", required=True)
        second = authoring.save_section(consultation, None, title="Priorities and you")
        authoring.save_question(
            second, None, kind=QuestionKind.IMPORTANCE, label="How important is each priority?", required=True
        )
        authoring.save_question(
            second,
            None,
            kind=QuestionKind.NUMBER,
            label="How many people live with you?",
            min_value=0,
            max_value=20,
        )
        authoring.save_question(second, None, kind=QuestionKind.DATE, label="When did you last see a GP?")
        authoring.save_question(second, None, kind=QuestionKind.SHORT_TEXT, label="Your town")
        authoring.save_question(second, None, kind=QuestionKind.LONG_TEXT, label="Anything else?")
        if status is not ConsultationStatus.DRAFT:
            authoring.set_status(consultation, ConsultationStatus.OPEN)
        if status is ConsultationStatus.CLOSED:
            authoring.set_status(consultation, ConsultationStatus.CLOSED)
        db.session.commit()  # services only flush: the test is the unit of work (see tests/conftest.py)
        return consultation

    return make
