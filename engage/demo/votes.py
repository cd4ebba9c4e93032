"""Synthetic residents for the demo: plausible pairwise votes, so results pages have something to show.

Votes are drawn from a Bradley-Terry model with made-up strengths, spread over the last fortnight and over
the three channels, and written in bulk; the pair counts are then rebuilt from them as in production.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import insert

from engage.channels import Channel
from engage.database import utcnow
from engage.extensions import db
from engage.prioritise.models import Exercise, Outcome, PairwiseVote, Respondent, RespondentProfile
from engage.prioritise.pairwise.counts import rebuild_counts

AGE_BANDS = ["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]
WARDS = ["Central", "North", "South", "East", "West"]


@dataclass
class Person:
    """A made-up person in a channel (mostly online), six in ten of them answering the equality questions;
    written with the others in bulk by ``write_people``."""

    channel: Channel
    profile: dict[str, str] = field(default_factory=dict)


def synthetic_profile(rng: np.random.Generator) -> dict[str, str]:
    """A made-up person's equality answers (age band, sex, ward)."""
    return {
        "age_band": str(rng.choice(AGE_BANDS)),
        "sex": str(rng.choice(["Female", "Male"])),
        "ward": str(rng.choice(WARDS)),
    }


def synthetic_person(rng: np.random.Generator) -> Person:
    channel = [Channel.ONLINE, Channel.WORKSHOP, Channel.PAPER][rng.choice(3, p=[0.8, 0.15, 0.05])]
    return Person(channel, synthetic_profile(rng) if rng.random() < 0.6 else {})


#: Rows inserted in bulk are sent in batches of this many.
BATCH = 5000


def _bulk_insert(model: Any):
    """An ORM bulk INSERT that sends a row's None as NULL. By default the ORM leaves a None column out of
    that row's INSERT, so rows that differ in which columns are None (a written answer beside a chosen
    option) could not share a statement: the demo's 20,000 consultation answers went as about 13,000
    statements, each a round trip on PostgreSQL (10 of the 18 s the demo took there)."""
    return insert(model).execution_options(render_nulls=True)


def insert_rows(model: Any, rows: list[dict]) -> None:
    """Insert ``rows`` of ``model`` in bulk, a batch of them per statement."""
    for start in range(0, len(rows), BATCH):
        db.session.execute(_bulk_insert(model), rows[start : start + BATCH])


def inserted_ids(model: Any, rows: list[dict]) -> list[int]:
    """Insert ``rows`` of ``model`` in bulk (INSERT ... RETURNING); their new ids, in the rows' order."""
    if not rows:
        return []
    returning = _bulk_insert(model).returning(model.__table__.c.id, sort_by_parameter_order=True)
    return list(db.session.scalars(returning, rows).all())


def write_people(exercise: Exercise, people: list[Person]) -> list[int]:
    """The people as respondents of ``exercise`` (and their equality answers), in a few statements; their ids
    in the same order. The demo is loaded once per test run on each database: one flush per person was most
    of its time."""
    rows = [
        {
            "exercise_id": exercise.id,
            "token_hash": hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
            "channel": person.channel,
        }
        for person in people
    ]
    ids = inserted_ids(Respondent, rows)
    profiles = [
        {"respondent_id": id_, "dimension": dimension, "category": category}
        for id_, person in zip(ids, people, strict=True)
        for dimension, category in person.profile.items()
    ]
    insert_rows(RespondentProfile, profiles)
    return ids


def add_synthetic_votes(exercise: Exercise, respondents: int = 250, seed: int = 2026) -> int:
    """Add ``respondents`` synthetic people with 8-24 votes each; returns the number of votes written."""
    rng = np.random.default_rng(seed)
    items = [item.id for item in exercise.active_items]
    strengths = rng.normal(0, 0.8, len(items))
    now = utcnow()
    votes = []
    people = []
    for person in range(respondents):
        people.append(synthetic_person(rng))
        channel = people[-1].channel
        started = now - timedelta(days=float(rng.uniform(0, 14)))
        for n in range(int(rng.integers(8, 25))):
            left, right = rng.choice(len(items), 2, replace=False)
            p_left = 1 / (1 + np.exp(strengths[right] - strengths[left]))
            draw = rng.random()
            outcome = (
                Outcome.SKIP if draw < 0.04 else (Outcome.LEFT if rng.random() < p_left else Outcome.RIGHT)
            )
            votes.append(
                {
                    "exercise_id": exercise.id,
                    "respondent_id": person,  # the person's place: their id once written
                    "left_item_id": items[left],
                    "right_item_id": items[right],
                    "outcome": outcome,
                    "skip_reason": None,
                    "channel": channel,
                    "locale": "cy" if person % 12 == 0 else "en",
                    "created_at": started + timedelta(seconds=6 * n),
                    "idempotency_key": f"demo-{person}-{n}",
                }
            )
    ids = write_people(exercise, people)
    for vote in votes:
        vote["respondent_id"] = ids[vote["respondent_id"]]
    insert_rows(PairwiseVote, votes)
    rebuild_counts(exercise)
    return len(votes)
