"""Synthetic consultation responses for the demo: plausible answers to every question, and equality answers
for six in ten people, so results, weighting and "who did we hear from" have something to show."""

from __future__ import annotations

import secrets

import numpy as np

from engage.demo.votes import AGE_BANDS, WARDS
from engage.extensions import db
from engage.prioritise.models import Channel
from engage.surveys.models import (
    Answer,
    Consultation,
    ConsultationProfile,
    ConsultationResponse,
    Question,
    QuestionKind,
)
from engage.surveys.questions import AGREEMENT
from engage.surveys.service import new_reference, priorities_for


def _answers(question: Question, rng: np.random.Generator, priorities: list, taste: dict) -> list[Answer]:
    """One made-up person's answer rows to ``question``."""
    kind = question.kind
    if rng.random() < (0.05 if question.required else 0.15):
        return []  # skipped
    if kind is QuestionKind.SINGLE:
        return [
            Answer(
                question_id=question.id,
                option_id=int(rng.choice([o.id for o in question.options], p=taste["options"][question.id])),
            )
        ]
    if kind is QuestionKind.MULTIPLE:
        ticked = [
            o.id
            for o, p in zip(question.options, taste["options"][question.id], strict=True)
            if rng.random() < p * 2
        ]
        return [Answer(question_id=question.id, option_id=int(option)) for option in ticked]
    if kind is QuestionKind.AGREEMENT:
        code = rng.choice([code for code, _ in AGREEMENT], p=[0.2, 0.35, 0.2, 0.12, 0.08, 0.05])
        return [Answer(question_id=question.id, text=str(code))]
    if kind is QuestionKind.RATING:
        return [Answer(question_id=question.id, number=float(np.clip(round(rng.normal(6.5, 2)), 0, 10)))]
    if kind is QuestionKind.IMPORTANCE:
        return [
            Answer(
                question_id=question.id,
                priority_id=p.id,
                number=float(np.clip(round(rng.normal(taste["priorities"][p.id], 1)), 1, 5)),
            )
            for p in priorities
        ]
    if kind is QuestionKind.LONG_TEXT and rng.random() < 0.2:
        return [Answer(question_id=question.id, text=str(rng.choice(COMMENTS)))]
    return []


COMMENTS = [
    "More evening GP appointments, please.",
    "The leisure centre prices are too high for families.",
    "Buses to the hospital are not frequent enough.",
    "Please keep the walk-in centre open at weekends.",
    "More support for carers.",
]


def add_synthetic_responses(consultation: Consultation, respondents: int = 1000, seed: int = 2026) -> int:
    """Add made-up responses (and equality answers) to a consultation; returns how many."""
    rng = np.random.default_rng(seed)
    priorities = priorities_for(consultation)
    # How likely each option is (per question), and how important each priority is on average.
    taste = {
        "options": {
            q.id: rng.dirichlet(np.ones(len(q.options)) * 2) for q in consultation.questions if q.options
        },
        "priorities": {p.id: float(rng.uniform(2.5, 4.5)) for p in priorities},
    }
    for _ in range(respondents):
        response = ConsultationResponse(
            consultation_id=consultation.id,
            reference=new_reference(),
            channel=Channel.ONLINE,
            idempotency_key=secrets.token_hex(16),
        )
        for question in consultation.questions:
            response.answers.extend(_answers(question, rng, priorities, taste))
        db.session.add(response)
        if rng.random() < 0.6:
            db.session.flush()
            db.session.add_all(
                [
                    ConsultationProfile(
                        response_id=response.id, dimension="age_band", category=str(rng.choice(AGE_BANDS))
                    ),
                    ConsultationProfile(
                        response_id=response.id, dimension="sex", category=str(rng.choice(["Female", "Male"]))
                    ),
                    ConsultationProfile(
                        response_id=response.id, dimension="ward", category=str(rng.choice(WARDS))
                    ),
                ]
            )
    db.session.commit()
    return respondents
