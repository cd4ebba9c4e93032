"""Synthetic residents for the demo: plausible pairwise votes, so results pages have something to show.

Votes are drawn from a Bradley-Terry model with made-up strengths, spread over the last fortnight and over
the three channels, and written in bulk; the pair counts are then rebuilt from them as in production.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import numpy as np
from sqlalchemy import insert

from engage.channels import Channel
from engage.database import utcnow
from engage.extensions import db
from engage.prioritise.models import Exercise, Outcome, PairwiseVote, Respondent, RespondentProfile
from engage.prioritise.pairwise.counts import rebuild_counts

AGE_BANDS = ["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]
WARDS = ["Central", "North", "South", "East", "West"]


def synthetic_respondent(exercise: Exercise, rng: np.random.Generator) -> Respondent:
    """A made-up person in a channel (mostly online), six in ten of them answering the equality questions."""
    channel = [Channel.ONLINE, Channel.WORKSHOP, Channel.PAPER][rng.choice(3, p=[0.8, 0.15, 0.05])]
    respondent = Respondent(
        exercise_id=exercise.id,
        token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
        channel=channel,
    )
    db.session.add(respondent)
    db.session.flush()
    if rng.random() < 0.6:
        db.session.add_all(
            [
                RespondentProfile(
                    respondent_id=respondent.id, dimension="age_band", category=rng.choice(AGE_BANDS)
                ),
                RespondentProfile(
                    respondent_id=respondent.id, dimension="sex", category=rng.choice(["Female", "Male"])
                ),
                RespondentProfile(respondent_id=respondent.id, dimension="ward", category=rng.choice(WARDS)),
            ]
        )
    return respondent


def add_synthetic_votes(exercise: Exercise, respondents: int = 250, seed: int = 2026) -> int:
    """Add ``respondents`` synthetic people with 8-24 votes each; returns the number of votes written."""
    rng = np.random.default_rng(seed)
    items = [item.id for item in exercise.active_items]
    strengths = rng.normal(0, 0.8, len(items))
    now = utcnow()
    votes = []
    for person in range(respondents):
        respondent = synthetic_respondent(exercise, rng)
        channel = respondent.channel
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
                    "respondent_id": respondent.id,
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
    db.session.execute(insert(PairwiseVote), votes)
    rebuild_counts(exercise)
    return len(votes)
