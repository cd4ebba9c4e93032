"""Synthetic consultation responses for the demo: plausible answers to every question, and equality answers
for six in ten people, so results, weighting and "who did we hear from" have something to show."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from itertools import count

import numpy as np

from engage.channels import Channel
from engage.demo.votes import insert_rows, inserted_ids, synthetic_profile
from engage.surveys import counts
from engage.surveys.authoring import priorities_for
from engage.surveys.models import (
    Answer,
    Consultation,
    ConsultationProfile,
    ConsultationResponse,
    Question,
    QuestionKind,
)
from engage.surveys.questions import AGREEMENT
from engage.surveys.responses import new_reference


def _answer(**columns) -> dict:
    return {"option_id": None, "priority_id": None, "text": None, "number": None} | columns


def _answers(question: Question, rng: np.random.Generator, priorities: list, taste: dict) -> list[dict]:
    """One made-up person's answer rows to ``question`` (the columns of ``Answer``, without the response)."""
    kind = question.kind
    if rng.random() < (0.05 if question.required else 0.15):
        return []  # skipped
    if kind is QuestionKind.SINGLE:
        return [
            _answer(
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
        return [_answer(question_id=question.id, option_id=int(option)) for option in ticked]
    if kind is QuestionKind.AGREEMENT:
        code = rng.choice([code for code, _ in AGREEMENT], p=[0.2, 0.35, 0.2, 0.12, 0.08, 0.05])
        return [_answer(question_id=question.id, text=str(code))]
    if kind is QuestionKind.RATING:
        return [_answer(question_id=question.id, number=float(np.clip(round(rng.normal(6.5, 2)), 0, 10)))]
    if kind is QuestionKind.IMPORTANCE:
        return [
            _answer(
                question_id=question.id,
                priority_id=p.id,
                number=float(np.clip(round(rng.normal(taste["priorities"][p.id], 1)), 1, 5)),
            )
            for p in priorities
        ]
    if kind is QuestionKind.RANKING:
        order = rng.permutation(len(question.options))
        return [
            _answer(question_id=question.id, option_id=question.options[k].id, number=float(place))
            for place, k in enumerate(order, start=1)
        ]
    if kind is QuestionKind.NUMBER:
        return [_answer(question_id=question.id, number=float(min(365, rng.poisson(4))))]
    if kind is QuestionKind.DATE:
        return [
            _answer(
                question_id=question.id,
                text=(date(2025, 12, 31) - timedelta(days=int(rng.integers(0, 365)))).isoformat(),
            )
        ]
    if kind is QuestionKind.SHORT_TEXT and rng.random() < 0.5:
        return [_answer(question_id=question.id, text=str(rng.choice(PHONE_IDEAS)))]
    if kind is QuestionKind.LONG_TEXT and rng.random() < 0.2:
        return [_answer(question_id=question.id, text=str(rng.choice(COMMENTS)))]
    return []


PHONE_IDEAS = [
    "A call-back instead of waiting on hold",
    "More people answering at 8am",
    "Being able to book online instead",
    "Tell me where I am in the queue",
]
#: Themes an officer tagged last year's comments with: (theme, words that mark a comment as being about it).
DEMO_THEMES = [
    ("Appointments", "appointment"),
    ("Costs", "price"),
    ("Transport", "bus"),
    ("Opening hours", "weekend"),
]


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
    sheets = count(1)
    responses: list[dict] = []
    answers: list[list[dict]] = []
    profiles: list[list[dict]] = []
    for _ in range(respondents):
        response = {
            "consultation_id": consultation.id,
            "reference": new_reference(),
            "channel": Channel.ONLINE,
            "idempotency_key": secrets.token_hex(16),
            "paper_sheet": None,
        }
        if rng.random() < 0.1:
            response["channel"] = Channel.PAPER
            response["paper_sheet"] = f"{next(sheets):04d}"
        given: dict[int, set[int]] = {}
        rows: list[dict] = []
        for question in consultation.questions:
            condition = question.show_if_option
            if condition is not None and condition.id not in given.get(condition.question_id, set()):
                continue  # not asked: they did not choose the answer it follows
            asked = _answers(question, rng, priorities, taste)
            given[question.id] = {a["option_id"] for a in asked if a.get("option_id") is not None}
            rows.extend(asked)
        person: list[dict] = []
        if rng.random() < 0.6:
            person = [{"dimension": d, "category": c} for d, c in synthetic_profile(rng).items()]
        responses.append(response)
        answers.append(rows)
        profiles.append(person)
    # Written in bulk (the rows of a thousand people in a few statements, not one flush per person): the demo
    # is loaded once per test run on each database.
    ids = inserted_ids(ConsultationResponse, responses)
    for model, per_person in ((Answer, answers), (ConsultationProfile, profiles)):
        rows = [row | {"response_id": i} for i, person in zip(ids, per_person, strict=True) for row in person]
        insert_rows(model, rows)
    counts.rebuild(consultation)  # the rows were written directly: count them once
    return respondents


def tag_demo_themes(consultation: Consultation) -> None:
    """Tag the long-text comments the way an officer reading them would, so themes have counts to show."""
    from engage.surveys import themes

    for question in consultation.questions:
        if question.kind is not QuestionKind.LONG_TEXT:
            continue
        for name, word in DEMO_THEMES:
            themes.tag(question, themes.add_theme(question, name), themes.matching_ids(question, word))
