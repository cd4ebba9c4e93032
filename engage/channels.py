"""How an answer reached us: online, in a workshop, or on paper. Every kind of answer (pairwise votes,
budget and ranking submissions, consultation responses) and every weight source records it."""

from __future__ import annotations

import enum


class Channel(enum.Enum):
    ONLINE = "online"
    WORKSHOP = "workshop"
    PAPER = "paper"
